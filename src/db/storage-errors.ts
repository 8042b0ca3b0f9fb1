// Recognises the database errors that mean "not now" (busy, locked, disk full, I/O; on PostgreSQL also a full pool,
// the statement timeout, a lost or refused connection) and names them for an operator, with the database file (or
// server) they concern, so a log line says what is wrong and where to look.
import type { Db } from './database';
import { PostgresError, sqlStateOf } from './postgres/errors';

// Errors that say "not now" rather than "never": the same write can succeed later.
const TRANSIENT_CODES = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_PROTOCOL'];

function codeOf(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

function hasCode(code: string | null, base: string): boolean {
  return code !== null && (code === base || code.startsWith(`${base}_`));
}

export function isTransientDatabaseError(error: unknown): boolean {
  const code = codeOf(error);
  return TRANSIENT_CODES.some((base) => hasCode(code, base)) || postgresProblemKind(error) !== null;
}

export function isDiskFullError(error: unknown): boolean {
  const code = codeOf(error);
  // A full filesystem shows as SQLITE_FULL on the database or WAL file, and as an I/O error on the -shm file;
  // PostgreSQL reports disk_full (53100).
  return hasCode(code, 'SQLITE_FULL') || code === 'SQLITE_IOERR_SHMSIZE' || sqlStateOf(error) === '53100';
}

/**
 * PostgreSQL's "not now" errors by kind: busy (no free connection, the statement timeout, a lock or serialization
 * conflict, too many connections), io (the server unreachable or the connection lost, the server shutting down, out
 * of memory), disk_full. A refused login or a missing database is not transient: null.
 */
function postgresProblemKind(error: unknown): StorageProblemKind | null {
  if (error instanceof PostgresError) {
    if (error.problem === 'pool_exhausted' || error.problem === 'statement_timeout') return 'busy';
    if (error.sqlState !== null && !/^(08|57P|53)/.test(error.sqlState)) return null;
    return 'io';
  }
  const state = sqlStateOf(error);
  if (state === null) return null;
  if (state === '53100') return 'disk_full';
  if (state === '40001' || state === '40P01' || state === '55P03' || state === '53300' || state === '57014') return 'busy';
  if (state.startsWith('08') || state.startsWith('57P') || state.startsWith('53')) return 'io';
  return null;
}

/**
 * A write refused because its key is already taken (SQLite SQLITE_CONSTRAINT_UNIQUE or _PRIMARYKEY, PostgreSQL 23505):
 * never transient (the same write fails again), but a caller that races another writer for a key (a token name, a
 * claim) may read the winner's row instead of failing.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = codeOf(error);
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return true;
  const cause = error instanceof PostgresError ? error.cause : error;
  return sqlStateOf(cause) === '23505';
}

/** A statement the server cut off at the statement timeout (DATABASE_STATEMENT_TIMEOUT_MS): transient, 'busy'. */
export function isStatementTimeout(error: unknown): boolean {
  if (error instanceof PostgresError) return error.problem === 'statement_timeout';
  return sqlStateOf(error) === '57014' && /statement timeout/i.test((error as Error).message);
}

/** The database file a connection writes (its -wal and -shm files sit beside it). */
export function databaseFile(db: Db): string {
  return db.location;
}

/** What kind of storage problem an error is, or null when it is not one (a bug or bad data). */
export type StorageProblemKind = 'disk_full' | 'busy' | 'io';

export function storageProblemKind(error: unknown): StorageProblemKind | null {
  const postgres = postgresProblemKind(error);
  if (postgres !== null) return postgres;
  const code = codeOf(error);
  if (isDiskFullError(error)) return 'disk_full';
  if (hasCode(code, 'SQLITE_BUSY') || hasCode(code, 'SQLITE_LOCKED')) return 'busy';
  if (hasCode(code, 'SQLITE_IOERR') || hasCode(code, 'SQLITE_PROTOCOL')) return 'io';
  return null;
}

/**
 * One short sentence for the log: what the storage problem is and which file it concerns, or null when the error is
 * not a storage problem (a bug or bad data, which the caller reports its own way). What happens next (capture keeps
 * its writes and retries, a job runs again, a CLI run is to be repeated) is the caller's to say.
 */
export function describeStorageProblem(error: unknown, file: string): string | null {
  if (postgresProblemKind(error) !== null) {
    // The engine's errors already name the problem and the server; a raw server error gets its SQLSTATE.
    if (error instanceof PostgresError) return error.message;
    return `PostgreSQL at ${file}: ${(error as Error).message} (SQLSTATE ${sqlStateOf(error)})`;
  }
  switch (storageProblemKind(error)) {
    case 'disk_full':
      return `disk full: cannot write ${file} (or its -wal/-shm files); free space on that filesystem`;
    case 'busy':
      return `database busy: another connection holds the write lock on ${file}`;
    case 'io':
      return `I/O error (${codeOf(error)}) writing ${file}`;
    case null:
      return null;
  }
}
