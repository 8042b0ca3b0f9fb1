// The engine-neutral database contract every store is written against: a handle, its transactions, nothing else.
// An engine implements it (src/db/client.ts for SQLite, src/db/postgres/engine.ts for PostgreSQL); code outside
// src/db sees only this type.

/** The database engine behind a handle: SQLite (one file, the default) or PostgreSQL (a server, DATABASE_URL). */
export type Engine = 'sqlite' | 'postgres';

export interface TransactionOptions {
  /**
   * A read snapshot instead of a write transaction: SQLite BEGIN DEFERRED (instead of BEGIN IMMEDIATE), PostgreSQL
   * REPEATABLE READ READ ONLY (instead of READ COMMITTED).
   */
  readOnly?: boolean;
}

export interface Db {
  readonly engine: Engine;
  /** Where the data lives, for logs and error messages (a file path, or a server URL without password; never credentials). */
  readonly location: string;
  /** True for the handle a transaction callback receives, while that transaction is open. */
  readonly inTransaction: boolean;
  /**
   * Runs `fn` in one transaction and commits when its promise resolves (rolls back when it rejects). Inside `fn`,
   * use `tx` for every store call. On SQLite calls through the outer handle wait until the transaction ends; on
   * PostgreSQL they run at once on another connection of the pool, isolated by the server. Calling `tx.transaction`
   * nests a savepoint.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>, options?: TransactionOptions): Promise<T>;
}
