// Which SQLite errors are storage problems, of which kind, and the sentence an operator reads for each.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { describeStorageProblem, isTransientDatabaseError, storageProblemKind } from '../../src/db/storage-errors';

const sqlite = (code: string) => new Database.SqliteError(`error ${code}`, code);

describe('storageProblemKind', () => {
  it.each([
    ['SQLITE_FULL', 'disk_full'],
    ['SQLITE_IOERR_SHMSIZE', 'disk_full'],
    ['SQLITE_BUSY', 'busy'],
    ['SQLITE_BUSY_SNAPSHOT', 'busy'],
    ['SQLITE_LOCKED_SHAREDCACHE', 'busy'],
    ['SQLITE_IOERR_WRITE', 'io'],
    ['SQLITE_PROTOCOL', 'io'],
  ])('names %s as %s, a transient error', (code, kind) => {
    expect(storageProblemKind(sqlite(code))).toBe(kind);
    expect(isTransientDatabaseError(sqlite(code))).toBe(true);
  });

  it('leaves bugs and bad data alone', () => {
    for (const error of [
      sqlite('SQLITE_CORRUPT'),
      sqlite('SQLITE_CONSTRAINT_UNIQUE'),
      sqlite('SQLITE_FULLNESS'),
      new Error('SQLITE_BUSY'),
      null,
      'SQLITE_FULL',
    ]) {
      expect(storageProblemKind(error)).toBeNull();
      expect(describeStorageProblem(error, '/data/clipscope.db')).toBeNull();
    }
  });

  it('tells the operator the file and the code for each kind', () => {
    expect(describeStorageProblem(sqlite('SQLITE_FULL'), '/data/clipscope.db')).toMatch(/^disk full: cannot write \/data\/clipscope\.db/);
    expect(describeStorageProblem(sqlite('SQLITE_BUSY'), '/data/clipscope.db')).toBe(
      'database busy: another connection holds the write lock on /data/clipscope.db',
    );
    expect(describeStorageProblem(sqlite('SQLITE_IOERR_FSYNC'), '/data/clipscope.db')).toBe(
      'I/O error (SQLITE_IOERR_FSYNC) writing /data/clipscope.db',
    );
  });
});
