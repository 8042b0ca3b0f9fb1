// Opens the SQLite database with the pragmas Clipscope relies on and applies drizzle's migrations.
// This is the one module that knows the database engine; a PostgreSQL client would be added beside it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const MIGRATIONS_FOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');

export interface OpenDatabaseOptions {
  /** File path, or ':memory:'. */
  path: string;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  readonly?: boolean;
}

export function openDatabase(options: OpenDatabaseOptions): Db {
  if (options.path !== ':memory:' && !options.readonly) {
    fs.mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
  }
  const sqlite = new Database(options.path, { readonly: options.readonly ?? false });
  // WAL lets the HTTP API read while capture writes; NORMAL sync is durable across process crashes
  // (only an OS crash or power loss can drop the last commits) and is what the benchmarks assume.
  if (!options.readonly) sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('temp_store = MEMORY');
  const db = drizzle(sqlite, { schema }) as Db;
  if (options.migrate !== false && !options.readonly) migrateDatabase(db);
  return db;
}

export function migrateDatabase(db: Db): void {
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
}

export function closeDatabase(db: Db): void {
  if (db.$client.open) {
    try {
      db.$client.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A checkpoint can fail if another process holds the database; closing still succeeds.
    }
    db.$client.close();
  }
}

const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();
const rawStatementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * The prepared statement for `sql` on this connection, prepared once and reused: preparing costs more than
 * running most of the small statements capture and imports issue per message.
 */
export function cachedStatement<P extends unknown[] | {} = unknown[], R = unknown>(db: Db, sql: string): Database.Statement<P, R> {
  return statementIn(statementCache, db, sql, false) as unknown as Database.Statement<P, R>;
}

/**
 * cachedStatement whose rows come back as arrays in column order (better-sqlite3's raw mode), for the hottest
 * reads: building a row object costs ~0.1 µs per column, a third of a 10-row leaderboard read.
 */
export function cachedRawStatement<P extends unknown[], R extends unknown[]>(db: Db, sql: string): Database.Statement<P, R> {
  return statementIn(rawStatementCache, db, sql, true) as unknown as Database.Statement<P, R>;
}

function statementIn(
  cache: WeakMap<Database.Database, Map<string, Database.Statement>>,
  db: Db,
  sql: string,
  raw: boolean,
): Database.Statement {
  const client = db.$client;
  let statements = cache.get(client);
  if (!statements) {
    statements = new Map();
    cache.set(client, statements);
  }
  let statement = statements.get(sql);
  if (!statement) {
    statement = client.prepare(sql);
    if (raw) statement.raw(true);
    statements.set(sql, statement);
  }
  return statement;
}

/**
 * A SQL builder memoised by its arguments: a hot read gets the same string each time, so building it and hashing
 * it for the statement cache (~2 µs for a leaderboard's SQL) happen once per distinct arguments.
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
 * `LIMIT n` with the number written into the SQL, for statements kept by cachedStatement. A bound `LIMIT ?` makes
 * SQLite re-prepare the statement on every call (measured: +7 µs at LIMIT 1, +12 µs at LIMIT 10, more than the
 * top-N read itself); a literal keeps the prepared plan, at one cached statement per distinct limit, which the
 * callers' validation bounds (≤ 100). null = no limit. Only for statements whose plan cannot change with the limit
 * (an equality on an index prefix, read in index order), or that rule out the other indexes themselves: with range
 * parameters a literal LIMIT can make SQLite pick another index (viral clips choose theirs by period length;
 * growth opportunities and drill-down keep `LIMIT @limit`).
 */
export function limitClause(limit: number | null): string {
  if (limit === null) return '';
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number ≥ 0, got ${limit}`);
  return `LIMIT ${limit}`;
}

/**
 * Runs `fn` with a batch that writes inside it add to instead of writing at once (looked up in `batches` by
 * connection), then flushes the batch once at the end, still inside the caller's transaction. A nested call joins
 * the outer batch. If `fn` throws, nothing is flushed (the transaction rolls back anyway).
 */
export function withDeferredBatch<B, T>(
  batches: WeakMap<object, B>,
  db: Db,
  create: () => B,
  flush: (batch: B) => void,
  fn: () => T,
): T {
  const batch = openDeferredBatch(batches, db, create, flush);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    batch.discard();
    throw error;
  }
  batch.flush();
  return result;
}

/** A deferred batch opened by openDeferredBatch; each method ends it, and calls after the first do nothing. */
export interface DeferredBatch {
  /** Ends the batch and writes what it collected (call inside the transaction, before it commits). */
  flush(): void;
  /** Ends the batch without writing (the transaction is rolling back). */
  discard(): void;
}

/**
 * withDeferredBatch for a transaction that does not fit one callback (the importer commits between messages
 * parsed by a streaming scanner): the batch stays open until flush() or discard(). Opened inside another batch of
 * the same kind, it joins that one and both methods do nothing.
 */
export function openDeferredBatch<B>(batches: WeakMap<object, B>, db: Db, create: () => B, flush: (batch: B) => void): DeferredBatch {
  const client = db.$client;
  if (batches.has(client)) return { flush() {}, discard() {} };
  const batch = create();
  batches.set(client, batch);
  let open = true;
  // Writes after the batch ended go straight to the database again, even when its flush throws.
  const end = (): boolean => {
    if (!open) return false;
    open = false;
    if (batches.get(client) === batch) batches.delete(client);
    return true;
  };
  return {
    flush() {
      if (end()) flush(batch);
    },
    discard() {
      end();
    },
  };
}

/** Runs fn in one SQLite transaction (BEGIN IMMEDIATE, so concurrent writers queue rather than deadlock). */
export function inTransaction<T>(db: Db, fn: () => T): T {
  return db.$client.transaction(fn).immediate();
}
