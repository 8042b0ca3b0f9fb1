// The engine-neutral database contract every store is written against: a handle, its transactions, nothing else.
// An engine (src/db/client.ts for SQLite) implements it; code outside src/db sees only this type.

export type Engine = 'sqlite';

export interface TransactionOptions {
  /** A read snapshot (SQLite: BEGIN DEFERRED) instead of a write transaction (BEGIN IMMEDIATE). */
  readOnly?: boolean;
}

export interface Db {
  readonly engine: Engine;
  /** Where the data lives, for logs and error messages (a file path; never credentials). */
  readonly location: string;
  /** True for the handle a transaction callback receives, while that transaction is open. */
  readonly inTransaction: boolean;
  /**
   * Runs `fn` in one transaction and commits when its promise resolves (rolls back when it rejects). Inside `fn`,
   * use `tx` for every store call: calls through the outer handle wait until the transaction ends. Calling
   * `tx.transaction` nests a savepoint.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>, options?: TransactionOptions): Promise<T>;
}
