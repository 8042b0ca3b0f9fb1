// The PostgreSQL engine behind the Db contract: a pg.Pool, statements on whichever connection is free, transactions
// on one connection held until they end (savepoints when nested), and errors named for an operator (src/db/postgres/
// errors.ts). Stores reach it through src/db/sql.ts; nothing outside src/db sees this file.
import pg from 'pg';
import type { Db, TransactionOptions } from '../database';
import { acquireError, isBrokenConnectionError, statementError, type PostgresErrorContext } from './errors';

export interface OpenPostgresOptions {
  /** postgres://user:password@host:port/database?sslmode=… (sslmode and the other libpq parameters pg knows are honoured). */
  url: string;
  /** Connections the pool opens at most (DATABASE_POOL_SIZE; default 20). */
  poolSize?: number;
  /** The server cancels a statement that runs longer (DATABASE_STATEMENT_TIMEOUT_MS; default 30 000; 0 = never). */
  statementTimeoutMs?: number;
  /** How long a caller waits for a free connection (or a new one to connect) before a clear error (default 10 000). */
  acquireTimeoutMs?: number;
  /** application_name shown in pg_stat_activity (default "clipscope"). */
  applicationName?: string;
}

/** A statement as pg takes it: a name makes it a prepared statement, kept per connection by pg. */
export interface PostgresQuery {
  text: string;
  values?: unknown[];
  name?: string;
  rowMode?: 'array';
}

const INT8 = 20;
const NUMERIC = 1700;
const toNumber = (value: string): number => Number(value);

/**
 * Type parsers for this pool only (pg's global table is left alone): bigint (epoch ms, counters, count(*)) and
 * numeric (sums, averages) come back as numbers, as SQLite gives them. Clipscope's bigints are epoch milliseconds and
 * counts, far inside 2^53; snowflakes are stored as text.
 */
const clipscopeTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    (oid === INT8 || oid === NUMERIC) && format !== 'binary'
      ? toNumber
      : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/** State shared by a pool's handle and its transaction handles. */
interface PoolState {
  readonly pool: pg.Pool;
  readonly location: string;
  readonly poolSize: number;
  readonly acquireTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

function errorContext(state: PoolState): PostgresErrorContext {
  return {
    location: state.location,
    poolSize: state.poolSize,
    acquireTimeoutMs: state.acquireTimeoutMs,
    statementTimeoutMs: state.statementTimeoutMs,
    connections: state.pool.totalCount,
  };
}

/** Swallows 'error' events of a checked-out connection (the statement in flight fails by itself; release destroys it). */
const ignoreClientError = (): void => undefined;

const sqliteOnly = (what: string): Error =>
  new Error(`${what} runs on SQLite only so far: this part of Clipscope is not yet available on PostgreSQL`);

/** A PostgreSQL database handle (a pool), or (with a connection) the handle of one open transaction on it. */
export class PostgresDb implements Db {
  readonly engine = 'postgres' as const;
  private ended = false;
  private savepoints = 0;
  /** Settles when the transaction's last statement has (see inTurn). */
  private lastStatement: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly shared: PoolState,
    /** The transaction's connection; null for the pool's handle. */
    private readonly connection: pg.PoolClient | null,
  ) {}

  get location(): string {
    return this.shared.location;
  }

  get inTransaction(): boolean {
    return this.connection !== null && !this.ended;
  }

  /** The pool (for the engine's helpers, migrations and tests). */
  get pool(): pg.Pool {
    return this.shared.pool;
  }

  /**
   * Runs one statement: on the transaction's connection, or on a connection taken from the pool for it (waiting up
   * to the acquire timeout when all are busy). Errors come back named (statement timeout, lost connection).
   */
  async query<R extends pg.QueryResultRow = Record<string, unknown>>(statement: PostgresQuery | string): Promise<pg.QueryResult<R>> {
    if (this.connection !== null) {
      if (this.ended) throw new Error('this transaction has already ended; use the handle of an open one');
      const connection = this.connection;
      try {
        return await this.inTurn(() => connection.query<R>(statement as pg.QueryConfig));
      } catch (error) {
        throw statementError(error, errorContext(this.shared));
      }
    }
    const connection = await this.acquire();
    let broken = false;
    try {
      return await connection.query<R>(statement as pg.QueryConfig);
    } catch (error) {
      broken = isBrokenConnectionError(error);
      throw statementError(error, errorContext(this.shared));
    } finally {
      release(connection, broken);
    }
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    if (this.connection !== null) return this.savepoint(fn);
    const connection = await this.acquire();
    const tx = new PostgresDb(this.shared, connection);
    let broken = false;
    try {
      // Read-only work sees one snapshot of the whole database, as a SQLite read transaction does.
      await connection.query(options.readOnly ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
      const result = await fn(tx);
      await tx.inTurn(() => connection.query('COMMIT'));
      return result;
    } catch (error) {
      broken = isBrokenConnectionError(error);
      if (!broken) {
        try {
          await tx.inTurn(() => connection.query('ROLLBACK'));
        } catch {
          broken = true;
        }
      }
      throw statementError(error, errorContext(this.shared));
    } finally {
      tx.ended = true;
      release(connection, broken);
    }
  }

  private async savepoint<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const connection = this.connection!;
    if (this.ended) throw new Error('this transaction has already ended; use the handle of an open one');
    const name = `sp_${++this.savepoints}`;
    try {
      await this.inTurn(() => connection.query(`SAVEPOINT ${name}`));
      try {
        const result = await fn(this);
        await this.inTurn(() => connection.query(`RELEASE SAVEPOINT ${name}`));
        return result;
      } catch (error) {
        if (!isBrokenConnectionError(error)) {
          await this.inTurn(() => connection.query(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`));
        }
        throw error;
      }
    } catch (error) {
      throw statementError(error, errorContext(this.shared));
    } finally {
      this.savepoints--;
    }
  }

  /**
   * Runs a statement of the transaction once its previous one has settled: callers may start several at once
   * (Promise.all over reads in one snapshot), and pg would otherwise queue them itself, which it deprecates (pg 9
   * refuses it). The order is the order they were started in, as pg's queue kept it.
   */
  private inTurn<T>(send: () => Promise<T>): Promise<T> {
    const result = this.lastStatement.then(send);
    this.lastStatement = result.catch(() => undefined);
    return result;
  }

  /** A connection of the pool for one statement or transaction; waits at most the acquire timeout. */
  private async acquire(): Promise<pg.PoolClient> {
    let connection: pg.PoolClient;
    try {
      connection = await this.shared.pool.connect();
    } catch (error) {
      throw acquireError(error, errorContext(this.shared));
    }
    connection.on('error', ignoreClientError);
    return connection;
  }

  // The SQLite engine's internals, reached by stores not yet written for both engines: a clear error instead of a
  // TypeError deep inside them.

  mayRun(): never {
    throw sqliteOnly('this store');
  }

  get state(): never {
    throw sqliteOnly('this store');
  }

  get $client(): never {
    throw sqliteOnly('this store');
  }
}

function release(connection: pg.PoolClient, broken: boolean): void {
  // A broken connection is destroyed (release(true)), never handed to the next caller. It keeps its error listener:
  // its socket may still report the reset while it closes, and no pool listener takes over a destroyed client.
  if (!broken) connection.removeListener('error', ignoreClientError);
  connection.release(broken ? true : undefined);
}

/**
 * Opens a pool on the database at `url`; no connection is made until the first statement (checkPostgres makes one
 * at once). Idle connections that die (a server restart) are dropped by the pool and replaced on demand.
 */
export function openPostgres(options: OpenPostgresOptions): PostgresDb {
  const poolSize = options.poolSize ?? 20;
  const statementTimeoutMs = options.statementTimeoutMs ?? 30_000;
  const acquireTimeoutMs = options.acquireTimeoutMs ?? 10_000;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: poolSize,
    // Bounds both the wait for a free connection of a full pool and the time a new connection may take to connect.
    connectionTimeoutMillis: acquireTimeoutMs,
    idleTimeoutMillis: 30_000,
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
    application_name: options.applicationName ?? 'clipscope',
    keepAlive: true,
    types: clipscopeTypes,
  });
  // An idle connection that dies (server restart, network cut) emits 'error' on the pool; without a listener Node
  // would crash. The pool has already dropped it; the next statement opens a new one.
  pool.on('error', () => undefined);
  return new PostgresDb({ pool, location: describePostgresUrl(options.url), poolSize, acquireTimeoutMs, statementTimeoutMs }, null);
}

/** Connects once and asks the server for its version: throws the named error when the server cannot be reached. */
export async function checkPostgres(db: PostgresDb): Promise<{ serverVersion: string }> {
  const result = await db.query<{ server_version: string }>('SHOW server_version');
  return { serverVersion: result.rows[0]?.server_version ?? 'unknown' };
}

/** Closes every connection of the pool (waits for checked-out ones to be released). */
export async function closePostgres(db: PostgresDb): Promise<void> {
  if (!db.pool.ended && !db.pool.ending) await db.pool.end();
}

/**
 * The server and database of a connection URL for logs and messages: scheme, user, host, port and database, never
 * the password nor the query string (which may carry one, or key paths).
 */
export function describePostgresUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'postgres://(a URL that does not parse)';
  }
  const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : '';
  const host = parsed.host || 'localhost';
  return `${parsed.protocol}//${user}${host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

/** Whether `url` names a PostgreSQL server (postgres:// or postgresql://). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url.trim());
}
