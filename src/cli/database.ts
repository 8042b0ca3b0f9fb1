// How CLI commands open the database (through CliIo, so a test can hand one a connection with a page limit) and
// report a full or busy one: one CliError naming the problem and the file, instead of SQLite's raw text.
import fs from 'node:fs';
import { openDatabase, type Db } from '../db/client';
import { databaseFile, describeStorageProblem } from '../db/storage-errors';
import { CliError, type CliIo } from './command';

/** The database at `path`, opened (and migrated) by io.openDatabase when given, else by openDatabase. */
export function openCliDatabase(io: CliIo, path: string): Db {
  return io.openDatabase ? io.openDatabase(path) : openDatabase({ path });
}

/**
 * The CliError for `error` when it is a storage problem (disk full, busy, I/O), worded by `say` from the sentence
 * that names the problem and the file; null for any other error, which the caller reports its own way.
 */
export function storageProblemError(error: unknown, db: Db, say: (problem: string) => string): CliError | null {
  const problem = describeStorageProblem(error, databaseFile(db));
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
