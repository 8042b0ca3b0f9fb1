// Which database engine `npm start` runs on: DATABASE_URL=postgres://… selects PostgreSQL, else the SQLite file at
// DATABASE_PATH. Until every store runs on PostgreSQL, a start on it checks the server (one clear line and a non-zero
// exit when it cannot be reached) and then refuses, naming what is not yet available there, rather than pretend.
import type { Config } from './config';
import { checkPostgres, closePostgres, describePostgresUrl, openPostgres } from './db/postgres/engine';
import type { Logger } from './logger';

/** The parts of Clipscope whose stores still run on SQLite only (issue #16 moves them one by one). */
export const NOT_YET_ON_POSTGRES = [
  'live capture (shares, reactions, the engagement journal)',
  'Twitch enrichment, view refresh and channel sync',
  'aggregation',
  'the analytics reads (commands, digest, HTTP API)',
  'import and history crawl',
  'the HTTP data-version cache',
] as const;

/** One line for the log: the engine and where its data lives, never a password. */
export function describeDatabase(config: Config): { engine: 'sqlite' | 'postgres'; database: string; line: string } {
  if (config.DATABASE_URL) {
    const database = describePostgresUrl(config.DATABASE_URL);
    return { engine: 'postgres', database, line: `database: PostgreSQL at ${database} (pool of ${config.DATABASE_POOL_SIZE})` };
  }
  return { engine: 'sqlite', database: config.DATABASE_PATH, line: `database: SQLite at ${config.DATABASE_PATH}` };
}

/**
 * A start on PostgreSQL as far as it goes today: names the database, connects once (the exit status is 1 with one
 * line when the server cannot be reached), then refuses with the list of what is not yet available. Resolves with the
 * exit status; writes its lines to `stderr`.
 */
export async function startOnPostgres(config: Config, logger: Logger, stderr: (line: string) => void): Promise<number> {
  const url = config.DATABASE_URL!;
  const { engine, database, line } = describeDatabase(config);
  logger.info({ engine, database, poolSize: config.DATABASE_POOL_SIZE, statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS }, line);
  const db = openPostgres({
    url,
    poolSize: config.DATABASE_POOL_SIZE,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    acquireTimeoutMs: config.DATABASE_ACQUIRE_TIMEOUT_MS,
  });
  try {
    await checkPostgres(db);
  } catch (error) {
    stderr(`clipscope: PostgreSQL is unreachable, not starting: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await closePostgres(db);
  }
  stderr(
    `clipscope: not starting on PostgreSQL (${database}): these parts are not yet available on PostgreSQL: ` +
      `${NOT_YET_ON_POSTGRES.join('; ')}. Unset DATABASE_URL to run on SQLite (DATABASE_PATH).`,
  );
  return 1;
}
