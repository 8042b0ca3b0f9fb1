// Which SQLite and PostgreSQL errors are storage problems, of which kind, and the sentence an operator reads for each.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DatabaseError } from 'pg';
import { PostgresError } from '../../src/db/postgres/errors';
import {
  describeStorageProblem,
  isDiskFullError,
  isStatementTimeout,
  isTransientDatabaseError,
  isUniqueViolation,
  storageProblemKind,
} from '../../src/db/storage-errors';

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

describe('PostgreSQL errors', () => {
  const server = (code: string, message = `error ${code}`) => {
    const error = new DatabaseError(message, 0, 'error');
    error.code = code;
    error.severity = 'ERROR';
    return error;
  };
  const location = 'postgres://clipscope@db.example.com:5432/clipscope';

  it.each([
    ['53100', 'disk_full'],
    ['40001', 'busy'],
    ['40P01', 'busy'],
    ['55P03', 'busy'],
    ['53300', 'busy'],
    ['08006', 'io'],
    ['57P01', 'io'],
    ['53200', 'io'],
  ])('names SQLSTATE %s as %s, a transient error', (code, kind) => {
    expect(storageProblemKind(server(code))).toBe(kind);
    expect(isTransientDatabaseError(server(code))).toBe(true);
    expect(describeStorageProblem(server(code), location)).toBe(`PostgreSQL at ${location}: error ${code} (SQLSTATE ${code})`);
  });

  it('names the engine’s own errors with their message', () => {
    const full = new PostgresError('pool_exhausted', 'no PostgreSQL connection became free within 10000 ms', null, null);
    const timeout = new PostgresError('statement_timeout', 'PostgreSQL cancelled a statement', '57014', null);
    const lost = new PostgresError('connection_lost', 'lost the connection to PostgreSQL', '57P01', null);
    const refused = new PostgresError('unreachable', 'cannot connect to PostgreSQL: connect ECONNREFUSED', null, null);
    expect([full, timeout, lost, refused].map(storageProblemKind)).toEqual(['busy', 'busy', 'io', 'io']);
    expect([full, timeout, lost, refused].every(isTransientDatabaseError)).toBe(true);
    expect(describeStorageProblem(full, location)).toBe(full.message);
    expect(isDiskFullError(server('53100'))).toBe(true);
  });

  it('leaves bugs, bad data and refused logins alone', () => {
    for (const error of [
      server('23505'),
      server('42601'),
      server('22P02'),
      new PostgresError('unreachable', 'password authentication failed', '28P01', null),
      new PostgresError('unreachable', 'database "x" does not exist', '3D000', null),
      Object.assign(new Error('not a server error'), { code: '53100' }),
    ]) {
      expect(storageProblemKind(error)).toBeNull();
      expect(isTransientDatabaseError(error)).toBe(false);
      expect(describeStorageProblem(error, location)).toBeNull();
    }
  });
});

describe('unique violations and statement timeouts', () => {
  const server = (code: string, message = `error ${code}`) => {
    const error = new DatabaseError(message, 0, 'error');
    error.code = code;
    error.severity = 'ERROR';
    return error;
  };

  it('recognises a taken key on both engines, as a permanent error', () => {
    for (const error of [sqlite('SQLITE_CONSTRAINT_UNIQUE'), sqlite('SQLITE_CONSTRAINT_PRIMARYKEY'), server('23505')]) {
      expect(isUniqueViolation(error)).toBe(true);
      expect(isTransientDatabaseError(error)).toBe(false);
    }
    for (const error of [sqlite('SQLITE_CONSTRAINT_NOTNULL'), server('23502'), server('40001'), new Error('23505'), null]) {
      expect(isUniqueViolation(error)).toBe(false);
    }
  });

  it('recognises a statement cut off at the statement timeout, raw or named by the engine, as busy and transient', () => {
    const raw = server('57014', 'canceling statement due to statement timeout');
    const named = new PostgresError(
      'statement_timeout',
      'PostgreSQL cancelled a statement that ran longer than the statement timeout',
      '57014',
      raw,
    );
    for (const error of [raw, named]) {
      expect(isStatementTimeout(error)).toBe(true);
      expect(storageProblemKind(error)).toBe('busy');
      expect(isTransientDatabaseError(error)).toBe(true);
    }
    // A statement cancelled by an operator (pg_cancel_backend) is the same SQLSTATE but no timeout.
    expect(isStatementTimeout(server('57014', 'canceling statement due to user request'))).toBe(false);
    expect(isStatementTimeout(sqlite('SQLITE_BUSY'))).toBe(false);
  });
});
