// How CLI commands open the database: --database (a SQLite file or a postgres:// URL), else DATABASE_URL, else
// DATABASE_PATH, through src/db/open.ts as `npm start` does (a test can hand a command its own SQLite connection
// through CliIo). On PostgreSQL a command names the parts of Clipscope it needs and is refused, in one line, while one
// is not yet available there. A full, busy or unreachable database is one CliError naming the problem and the database.
import fs from 'node:fs';
import { loadConfig } from '../config';
import { missingOnPostgres, type PostgresPart } from '../database-engine';
import type { Db } from '../db/database';
import { closeDb, databaseTarget, describeTarget, openDb } from '../db/open';
import { databaseFile, describeStorageProblem } from '../db/storage-errors';
import { CliError, type CliIo } from './command';

/** A one-shot command needs few connections: its pool is at most this, whatever DATABASE_POOL_SIZE says. */
const CLI_POOL_SIZE = 4;

export interface CommandDatabaseUse {
  /** The command's name, for the refusal line. */
  command: string;
  /** The parts whose stores the command uses (POSTGRES_PARTS); it is refused on PostgreSQL while one is missing. */
  needs: readonly PostgresPart[];
  /** Whether the command may create a SQLite file that does not exist (migrate, import); default false. */
  create?: boolean;
}

/**
 * The command's database, opened and migrated: `option` is the --database value (a file path or a postgres:// URL),
 * else the configuration's DATABASE_URL or DATABASE_PATH. Close it with closeCommandDatabase.
 */
export async function openCommandDatabase(io: CliIo, option: unknown, use: CommandDatabaseUse): Promise<Db> {
  const config = loadConfig(io.env);
  const target = databaseTarget(config, typeof option === 'string' ? option : undefined);
  if (target.engine === 'sqlite') {
    if (io.openDatabase) return io.openDatabase(target.path);
    if (!use.create) requireDatabaseFile(target.path);
    return openDb(target);
  }
  const missing = missingOnPostgres(use.needs);
  if (missing.length > 0) {
    throw new CliError(
      `${use.command} is not yet available on PostgreSQL (${describeTarget(target)}): it needs ${missing.join('; ')}, which still ` +
        'run on SQLite only. Pass --database PATH for a SQLite file, or unset DATABASE_URL',
    );
  }
  try {
    return await openDb(target, { poolSize: Math.min(CLI_POOL_SIZE, target.poolSize), applicationName: `clipscope-${use.command}` });
  } catch (error) {
    throw storageProblemError(error, describeTarget(target), (problem) => problem) ?? error;
  }
}

/** Closes what openCommandDatabase opened. */
export const closeCommandDatabase = closeDb;

/**
 * The CliError for `error` when it is a storage problem (disk full, busy, I/O, an unreachable or exhausted
 * PostgreSQL), worded by `say` from the sentence that names the problem and the database; null for any other error,
 * which the caller reports its own way.
 */
export function storageProblemError(error: unknown, db: Db | string, say: (problem: string) => string): CliError | null {
  const problem = describeStorageProblem(error, typeof db === 'string' ? db : databaseFile(db));
  return problem === null ? null : new CliError(say(problem));
}

/**
 * Refuses a database file that does not exist: only migrate, generate and import (and the service) create one, so a
 * mistyped --database path of any other command is an error instead of a new, empty database that answers nothing.
 */
export function requireDatabaseFile(path: string): void {
  if (path === ':memory:' || fs.existsSync(path)) return;
  throw new CliError(
    `no database at ${path}: check --database (or DATABASE_PATH); "clipscope migrate --database ${path}" creates an empty one`,
  );
}
