// The SQLite engine behind the Db contract: opens the file with the pragmas Clipscope relies on, applies drizzle's
// migrations, owns the one statement cache, and serialises transactions on its single connection.
import path from 'node:path';
import { makeDatabaseFolder, openSqliteFile } from './database-file';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { ClipscopeError } from '../errors';
import type { Db, TransactionOptions } from './database';
import * as schema from './schema';

export type { Db, TransactionOptions } from './database';

/** The SQLite migrations (drizzle/sqlite); PostgreSQL's are in drizzle/postgres (src/db/schema-postgres/migrate.ts). */
export const MIGRATIONS_FOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle/sqlite');

export interface OpenDatabaseOptions {
  /** File path, or ':memory:'. */
  path: string;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  readonly?: boolean;
  /** SQLite's page cache of this connection in MB (DATABASE_CACHE_MB; default DEFAULT_DATABASE_CACHE_MB). */
  cacheMb?: number;
}

/**
 * The page cache per connection unless DATABASE_CACHE_MB says otherwise (docs/adr/0040): half the former 64 MB, since
 * every thread with a connection pays it again and capture's throughput did not need more.
 */
export const DEFAULT_DATABASE_CACHE_MB = 32;

/** The connection a store runs its statements on, inside `run`. */
export interface Connection {
  /** The better-sqlite3 handle (for exec, pragma and the transaction-less helpers of src/db). */
  readonly client: Database.Database;
  /** The prepared statement for `sql`, prepared once per connection and reused. */
  statement<P extends unknown[] | {} = unknown[], R = unknown>(sql: string): Database.Statement<P, R>;
  /**
   * statement() whose rows come back as arrays in column order (better-sqlite3's raw mode), for the hottest reads:
   * building a row object costs ~0.1 µs per column.
   */
  rawStatement<P extends unknown[], R extends unknown[]>(sql: string): Database.Statement<P, R>;
}

/** State shared by a database handle and its transaction handles: the connection and who holds it. */
class ConnectionState implements Connection {
  /** The transaction handle that holds the connection, or null when no transaction is open. */
  owner: SqliteDb | null = null;
  /** Callers waiting for the connection, first come first served; each runs synchronously in its turn. */
  private readonly waiting: Array<() => void> = [];
  // One cache in two maps: a statement's mode is per statement object, so raw-mode statements need their own, and a
  // second map keyed by the same SQL string avoids building (and hashing) a new key string on every call.
  private readonly statements = new Map<string, Database.Statement>();
  private readonly rawStatements = new Map<string, Database.Statement>();

  constructor(readonly client: Database.Database) {}

  statement<P extends unknown[] | {} = unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    return this.prepared(sql, false) as unknown as Database.Statement<P, R>;
  }

  rawStatement<P extends unknown[], R extends unknown[]>(sql: string): Database.Statement<P, R> {
    return this.prepared(sql, true) as unknown as Database.Statement<P, R>;
  }

  private prepared(sql: string, raw: boolean): Database.Statement {
    const cache = raw ? this.rawStatements : this.statements;
    let statement = cache.get(sql);
    if (!statement) {
      statement = this.client.prepare(sql);
      if (raw) statement.raw(true);
      cache.set(sql, statement);
    }
    return statement;
  }

  /**
   * Runs `fn` (synchronous statements) once no transaction holds the connection and every caller that waited before
   * this one has had its turn.
   */
  whenFree<T>(fn: () => T): Promise<T> {
    if (this.owner === null) {
      try {
        return Promise.resolve(fn());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        try {
          resolve(fn());
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  /**
   * Makes `tx` the owner of the connection in its turn: at once when it is free (null: nothing to wait for, so the
   * transaction begins in the caller's tick, as before), else a promise that resolves after the earlier waiters.
   */
  acquire(tx: SqliteDb): Promise<void> | null {
    if (this.owner === null) {
      this.owner = tx;
      return null;
    }
    return new Promise<void>((resolve) => {
      this.waiting.push(() => {
        this.owner = tx;
        resolve();
      });
    });
  }

  /**
   * Hands the connection on in arrival order: waiting statements run now, one after another, until a waiting
   * transaction takes it. Waking every waiter at once instead let whoever asked last (a new transaction in the same
   * flush of promises) take the connection before callers that had waited all along, again and again.
   */
  release(): void {
    this.owner = null;
    // The connection is free only while the queue is empty (whenFree and acquire queue only behind an owner).
    while (this.owner === null && this.waiting.length > 0) this.waiting.shift()!();
  }
}

/** A SQLite database handle, or (with `tx` set) the handle of one open transaction on it. */
export class SqliteDb implements Db {
  readonly engine = 'sqlite' as const;
  /** The drizzle instance over the same connection (migrations and the schema-typed helpers of src/db). */
  readonly orm: BetterSQLite3Database<typeof schema>;
  private ended = false;
  private savepoints = 0;

  constructor(
    readonly state: ConnectionState,
    private readonly tx: boolean,
    orm?: BetterSQLite3Database<typeof schema>,
  ) {
    this.orm = orm ?? drizzle(state.client, { schema });
  }

  /** The better-sqlite3 handle, for tests and src/db only (nothing outside src/db may import this class). */
  get $client(): Database.Database {
    return this.state.client;
  }

  get location(): string {
    return this.state.client.name;
  }

  get inTransaction(): boolean {
    return this.tx && !this.ended;
  }

  /** Whether a statement through this handle may run now: no transaction is open, or this is its handle. */
  mayRun(): boolean {
    if (this.tx) {
      if (this.ended) throw new Error('this transaction has already ended; use the handle of an open one');
      return true;
    }
    return this.state.owner === null;
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    if (this.tx) return this.savepoint(fn);
    const state = this.state;
    const tx = new SqliteDb(state, true, this.orm);
    const turn = state.acquire(tx);
    if (turn) await turn;
    try {
      // IMMEDIATE takes the write lock up front, so concurrent writers (other processes) queue rather than deadlock.
      state.statement(options.readOnly ? 'BEGIN' : 'BEGIN IMMEDIATE').run();
    } catch (error) {
      tx.ended = true;
      state.release();
      throw error;
    }
    try {
      const result = await fn(tx);
      state.statement('COMMIT').run();
      return result;
    } catch (error) {
      if (state.client.inTransaction) state.statement('ROLLBACK').run();
      throw error;
    } finally {
      tx.ended = true;
      state.release();
    }
  }

  private async savepoint<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const name = `sp_${++this.savepoints}`;
    this.state.client.exec(`SAVEPOINT ${name}`);
    try {
      const result = await fn(this);
      this.state.client.exec(`RELEASE ${name}`);
      return result;
    } catch (error) {
      if (this.state.client.inTransaction) this.state.client.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
      throw error;
    } finally {
      this.savepoints--;
    }
  }
}

/**
 * Runs `fn` on the connection as soon as `db` may use it — at once when no other caller's transaction is open —
 * and resolves with its result. `fn` runs synchronously in one go, so no other caller's statement can run between
 * its statements: the check and the statements happen in the same tick. Every store's SQL goes through here.
 */
export function run<T>(db: Db, fn: (connection: Connection) => T): Promise<T> {
  const handle = db as SqliteDb;
  try {
    if (handle.mayRun()) return Promise.resolve(fn(handle.state));
  } catch (error) {
    return Promise.reject(error);
  }
  return handle.state.whenFree(() => fn(handle.state));
}

/**
 * `run` for a caller that can take the connection only synchronously (a statement a store must issue while its own
 * synchronous work holds the connection). Throws when another caller's transaction is open.
 */
export function connectionNow(db: Db): Connection {
  const handle = db as SqliteDb;
  if (!handle.mayRun()) throw new Error('the connection is held by another transaction');
  return handle.state;
}

/**
 * A synchronous read on the connection at once, even while another caller's transaction is open (it then sees that
 * transaction's writes): only for the few reads that must answer within the same tick (capture's per-event settings).
 */
export function readNow<T>(db: Db, fn: (connection: Connection) => T): T {
  return fn((db as SqliteDb).state);
}

export function openDatabase(options: OpenDatabaseOptions): SqliteDb {
  if (options.path !== ':memory:' && !options.readonly) makeDatabaseFolder(options.path);
  const sqlite = openSqliteFile(options.path, { readonly: options.readonly });
  if (options.path !== ':memory:') refuseForeignDatabase(sqlite);
  // WAL lets the HTTP API read while capture writes; NORMAL sync is durable across process crashes
  // (only an OS crash or power loss can drop the last commits) and is what the benchmarks assume.
  sqlite.pragma('busy_timeout = 5000');
  if (!options.readonly) switchToWal(sqlite);
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // Negative: a size in KiB rather than in pages, whatever the page size.
  sqlite.pragma(`cache_size = ${-Math.round((options.cacheMb ?? DEFAULT_DATABASE_CACHE_MB) * 1024)}`);
  sqlite.pragma('temp_store = MEMORY');
  const db = new SqliteDb(new ConnectionState(sqlite), false);
  if (options.migrate !== false && !options.readonly) migrateDatabase(db);
  return db;
}

/** How long opening a new file waits for another process that is creating it at the same time. */
const WAL_SWITCH_WAIT_MS = 60_000;

/**
 * Switches the file to WAL. On a new file another process may be migrating it at the same moment (several processes
 * started together), and SQLite answers the switch SQLITE_BUSY at once instead of waiting (busy_timeout does not
 * apply to it), so it is retried for a bounded time.
 */
function switchToWal(sqlite: Database.Database): void {
  const deadline = Date.now() + WAL_SWITCH_WAIT_MS;
  for (;;) {
    try {
      sqlite.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
}

/** Tables every Clipscope database has from its first migration on (besides drizzle's migration table). */
const CLIPSCOPE_TABLES = ['clips', 'shares', 'guild_settings'];

/**
 * Refuses a database that holds tables but is not Clipscope's (DATABASE_PATH pointing at another application's
 * file), before anything is written to it: no WAL switch, no migration table, no tables of ours among its own.
 */
function refuseForeignDatabase(sqlite: Database.Database): void {
  const tables = new Set(
    sqlite
      .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .pluck()
      .all()
      .filter((name) => !name.startsWith('sqlite_')),
  );
  const migrated = tables.delete('__drizzle_migrations');
  // No tables: a new file, or one whose first migration failed (only drizzle's table, empty).
  if (tables.size === 0) return;
  if (migrated && CLIPSCOPE_TABLES.every((t) => tables.has(t))) return;
  const file = path.resolve(sqlite.name);
  const shown = [...tables].slice(0, 5).join(', ') + (tables.size > 5 ? ', …' : '');
  sqlite.close();
  throw new ClipscopeError(
    'foreign_database',
    `${file} is not a Clipscope database (it holds other tables: ${shown}); set DATABASE_PATH to a new file or to Clipscope's own database`,
    { detail: { file } },
  );
}

/** How long a process waits for another one's migration of the same file before it gives up. */
const MIGRATION_WAIT_MS = 600_000;

/**
 * Applies the pending migrations, once however many processes open a new file together: what drizzle's migrator does
 * (the same __drizzle_migrations rows), but the check of what was applied runs inside the write transaction
 * (BEGIN IMMEDIATE), so a second process waits for the first's commit and then finds nothing left to apply. Drizzle's
 * own reads before its BEGIN, and two processes could both apply the first migration.
 */
export function migrateDatabase(db: Db): void {
  const client = (db as SqliteDb).$client;
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  const busyTimeout = client.pragma('busy_timeout', { simple: true }) as number;
  client.pragma(`busy_timeout = ${MIGRATION_WAIT_MS}`);
  try {
    client.exec('BEGIN IMMEDIATE');
    try {
      client.exec('CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)');
      const last = client
        .prepare<[], number>('SELECT created_at FROM "__drizzle_migrations" ORDER BY created_at DESC LIMIT 1')
        .pluck()
        .get();
      const record = client.prepare<[string, number]>('INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES (?, ?)');
      for (const migration of migrations) {
        if (last !== undefined && Number(last) >= migration.folderMillis) continue;
        for (const statement of migration.sql) client.prepare(statement).run();
        record.run(migration.hash, migration.folderMillis);
      }
      client.exec('COMMIT');
    } catch (error) {
      if (client.inTransaction) client.exec('ROLLBACK');
      throw error;
    }
  } finally {
    client.pragma(`busy_timeout = ${busyTimeout}`);
  }
}

export function closeDatabase(db: Db): void {
  const client = (db as SqliteDb).$client;
  if (client.open) {
    try {
      client.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A checkpoint can fail if another process holds the database; closing still succeeds.
    }
    client.close();
  }
}

/** Whether the connection behind `db` is still open. */
export function isOpen(db: Db): boolean {
  return (db as SqliteDb).$client.open;
}

/**
 * A SQL builder memoised by its arguments: a hot read gets the same string each time, so building it and hashing
 * it for the statement cache happen once per distinct arguments.
 */
export function memoisedSql<A extends Array<string | number | boolean | null>>(build: (...args: A) => string): (...args: A) => string {
  const built = new Map<string, string>();
  return (...args) => {
    const key = args.join(' ');
    let sql = built.get(key);
    if (sql === undefined) {
      sql = build(...args);
      built.set(key, sql);
    }
    return sql;
  };
}

/**
 * `LIMIT n` with the number written into the SQL, for cached statements. A bound `LIMIT ?` makes SQLite re-prepare
 * the statement on every call; a literal keeps the prepared plan, at one cached statement per distinct limit, which
 * the callers' validation bounds (≤ 100). null = no limit. Only for statements whose plan cannot change with the
 * limit (an equality on an index prefix, read in index order), or that rule out the other indexes themselves: with
 * range parameters a literal LIMIT can make SQLite pick another index (viral clips choose theirs by period length;
 * growth opportunities and drill-down keep `LIMIT @limit`).
 */
export function limitClause(limit: number | null): string {
  if (limit === null) return '';
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number ≥ 0, got ${limit}`);
  return `LIMIT ${limit}`;
}

/** A batch of writes a transaction's caller ends: each method ends it, and calls after the first do nothing. */
export interface DeferredBatch {
  /** Ends the batch and writes what it collected (call inside the transaction, before it commits). */
  flush(): void;
  /** Ends the batch without writing (the transaction is rolling back). */
  discard(): void;
}

/** The better-sqlite3 handle behind a SQLite Db, for tests and benchmarks (the dependency rules keep it out of src). */
export function sqliteClient(db: Db): Database.Database {
  return (db as SqliteDb).$client;
}
