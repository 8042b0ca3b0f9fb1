// Which database engine `npm start` and the CLI run on: DATABASE_URL=postgres://… selects PostgreSQL, else the SQLite
// file at DATABASE_PATH (src/db/open.ts opens either). A start on PostgreSQL checks the server first (one clear line
// and a non-zero exit when it cannot be reached). Every part of Clipscope runs there now; a part listed in
// NOT_YET_ON_POSTGRES (a new one, while it is being ported) makes a start refuse, naming it, rather than run half an
// app, and a CLI command that needs it refuse the same way.
import type { Config } from './config';
import { describePostgresUrl } from './db/postgres/engine';

/** The parts of Clipscope whose stores are ported to PostgreSQL one by one (issue #16), with how a user names them. */
export const POSTGRES_PARTS = {
  capture: 'live capture (shares, reactions, the engagement journal)',
  twitch: 'Twitch enrichment, view refresh and channel sync',
  aggregation: 'aggregation',
  reads: 'the analytics reads (commands, digest, HTTP API)',
  imports: 'import and history crawl',
  dataVersion: 'the HTTP data-version cache',
} as const;

export type PostgresPart = keyof typeof POSTGRES_PARTS;

/**
 * The parts whose stores still run on SQLite only: none since issue #16's stores landed. A part being ported goes
 * here until its stores run on PostgreSQL on main (with their contract tests on both engines); `npm start` on
 * PostgreSQL starts only while this list is empty.
 */
export const NOT_YET_ON_POSTGRES: readonly PostgresPart[] = [];

/** What of `needed` is not yet available on PostgreSQL, as a user reads it (empty: all of it is). */
export function missingOnPostgres(needed: readonly PostgresPart[] = Object.keys(POSTGRES_PARTS) as PostgresPart[]): string[] {
  return needed.filter((part) => NOT_YET_ON_POSTGRES.includes(part)).map((part) => POSTGRES_PARTS[part]);
}

/** One line for the log: the engine and where its data lives, never a password. */
export function describeDatabase(config: Config): { engine: 'sqlite' | 'postgres'; database: string; line: string } {
  if (config.DATABASE_URL) {
    const database = describePostgresUrl(config.DATABASE_URL);
    return { engine: 'postgres', database, line: `database: PostgreSQL at ${database} (pool of ${config.DATABASE_POOL_SIZE})` };
  }
  return { engine: 'sqlite', database: config.DATABASE_PATH, line: `database: SQLite at ${config.DATABASE_PATH}` };
}

/** The sentence `npm start` exits with while parts are missing on PostgreSQL; null once everything runs there. */
export function postgresRefusal(database: string): string | null {
  const missing = missingOnPostgres();
  if (missing.length === 0) return null;
  return (
    `not starting on PostgreSQL (${database}): these parts are not yet available on PostgreSQL: ` +
    `${missing.join('; ')}. Unset DATABASE_URL to run on SQLite (DATABASE_PATH).`
  );
}

/**
 * How DATABASE_POOL_SIZE is shared on PostgreSQL between the main thread (capture, jobs, commands) and the HTTP
 * worker's own pool (docs/adr/0011): half each, at least one each, so a process opens at most DATABASE_POOL_SIZE
 * connections (two when it is 1). With HTTP off, the main thread has them all.
 */
export function poolSizes(config: Pick<Config, 'DATABASE_POOL_SIZE' | 'HTTP_ENABLED'>): { main: number; http: number } {
  if (!config.HTTP_ENABLED) return { main: config.DATABASE_POOL_SIZE, http: 0 };
  const http = Math.max(1, Math.floor(config.DATABASE_POOL_SIZE / 2));
  return { main: Math.max(1, config.DATABASE_POOL_SIZE - http), http };
}
