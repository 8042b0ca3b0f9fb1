// Capture's store logic written once for both engines as generators of statements ("steps"): on SQLite a driver runs
// them synchronously on the connection, in one tick and with the same statements as ever (the importer, the crawl and
// the demo generator run inside their own synchronous transactions); on PostgreSQL another driver awaits each
// statement on the transaction's connection. The logic, its order of statements and its batch state are shared.
import { run, type Connection } from '../../client';
import type { Db, Engine } from '../../database';
import { queries, type SqlParams } from '../../sql';

/** One statement for a driver to run; its result is what the generator receives back. */
export interface Step {
  readonly mode: 'all' | 'get' | 'run';
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** Store logic that yields statements and returns a T. */
export type Steps<T> = Generator<Step, T, unknown>;

/**
 * Who runs the steps: the engine (which picks statement texts) and the key a capture batch's deferred state is kept
 * under (the SQLite connection, or the PostgreSQL transaction's handle).
 */
export interface Writer {
  readonly engine: Engine;
  readonly key: object;
}

/** The choice of text for the writer's engine. */
export function sqlFor(w: Writer, choices: { sqlite: string; postgres: string }): string {
  return w.engine === 'postgres' ? choices.postgres : choices.sqlite;
}

export function* all<R>(sql: string, params: readonly unknown[]): Steps<R[]> {
  return (yield { mode: 'all', sql, params }) as R[];
}

export function* get<R>(sql: string, params: readonly unknown[]): Steps<R | undefined> {
  return (yield { mode: 'get', sql, params }) as R | undefined;
}

/** Runs a statement for its effect; returns the rows it changed. */
export function* exec(sql: string, params: readonly unknown[]): Steps<number> {
  return (yield { mode: 'run', sql, params }) as number;
}

const sqliteValue = (v: unknown): unknown => (typeof v === 'boolean' ? (v ? 1 : 0) : v);

/** Whether a statement binds a boolean, which SQLite takes as 1/0 (a plain loop: this runs for every statement). */
function hasBoolean(params: readonly unknown[]): boolean {
  for (let i = 0; i < params.length; i++) if (typeof params[i] === 'boolean') return true;
  return false;
}

/** The writer of a SQLite connection: batch state is kept per connection, as the synchronous helpers of client.ts do. */
export const sqliteWriter = (c: Connection): Writer => ({ engine: 'sqlite', key: c.client });

/** Runs steps synchronously on a SQLite connection (inside `run`, or a transaction the caller holds). */
export function runStepsNow<T>(c: Connection, steps: Steps<T>): T {
  let next = steps.next();
  while (!next.done) {
    const { mode, sql, params } = next.value;
    let result: unknown;
    try {
      const statement = c.statement<unknown[]>(sql);
      const bound = hasBoolean(params) ? params.map(sqliteValue) : (params as unknown[]);
      result = mode === 'all' ? statement.all(...bound) : mode === 'get' ? statement.get(...bound) : statement.run(...bound).changes;
    } catch (error) {
      // Into the generator, so that its finally blocks run (a batch's flush ends the batch even when it fails).
      next = steps.throw(error);
      continue;
    }
    next = steps.next(result);
  }
  return next.value;
}

/** Runs steps on a PostgreSQL handle, one awaited statement after another (a transaction's handle, for atomicity). */
export async function runStepsAsync<T>(db: Db, steps: Steps<T>): Promise<T> {
  const q = queries(db);
  let next = steps.next();
  while (!next.done) {
    const { mode, sql, params } = next.value;
    const p = params as SqlParams;
    let result: unknown;
    try {
      result = mode === 'all' ? await q.all(sql, p) : mode === 'get' ? await q.get(sql, p) : (await q.run(sql, p)).changes;
    } catch (error) {
      next = steps.throw(error);
      continue;
    }
    next = steps.next(result);
  }
  return next.value;
}

/**
 * Runs `make`'s steps on `db` as one unit: on SQLite in one tick on the connection (inside the caller's transaction if
 * `db` is its handle); on PostgreSQL in the caller's transaction, or in a transaction of their own.
 */
export function execute<T>(db: Db, make: (w: Writer) => Steps<T>): Promise<T> {
  if (db.engine === 'sqlite') return run(db, (c) => runStepsNow(c, make(sqliteWriter(c))));
  if (db.inTransaction) return runStepsAsync(db, make({ engine: 'postgres', key: db }));
  return db.transaction((tx) => runStepsAsync(tx, make({ engine: 'postgres', key: tx })));
}

/**
 * Runs reads that need no transaction (one statement, or reads that need not agree with each other): on SQLite as
 * execute does, on PostgreSQL on any free connection of the pool.
 */
export function read<T>(db: Db, make: (w: Writer) => Steps<T>): Promise<T> {
  if (db.engine === 'sqlite') return run(db, (c) => runStepsNow(c, make(sqliteWriter(c))));
  return runStepsAsync(db, make({ engine: 'postgres', key: db }));
}

/** Runs `make`'s steps synchronously on a SQLite connection. */
export function executeNow<T>(c: Connection, make: (w: Writer) => Steps<T>): T {
  return runStepsNow(c, make(sqliteWriter(c)));
}

/** A deferred batch's handle: flush writes what it gathered (steps, inside the transaction), discard drops it. */
export interface DeferredSteps {
  flush(): Steps<void>;
  discard(): void;
}

/**
 * Opens a batch of deferred upkeep under `key` in `batches`: writes that find it add to it instead of writing at once.
 * Opened where one is already open, it joins that one (both methods do nothing). The batch ends (writes go straight to
 * the database again) before its flush runs, even when the flush throws.
 */
export function openDeferred<B>(
  batches: WeakMap<object, B>,
  key: object,
  create: () => B,
  flush: (batch: B) => Steps<void>,
): DeferredSteps {
  if (batches.has(key)) return { *flush() {}, discard() {} };
  const batch = create();
  batches.set(key, batch);
  let open = true;
  const end = (): boolean => {
    if (!open) return false;
    open = false;
    if (batches.get(key) === batch) batches.delete(key);
    return true;
  };
  return {
    *flush() {
      if (end()) yield* flush(batch);
    },
    discard() {
      end();
    },
  };
}

/** Runs `fn` with a deferred batch open on a SQLite connection and flushes it at the end (when `fn`'s promise settles). */
export function withDeferredNow<T>(c: Connection, batch: DeferredSteps, fn: () => T): T {
  let result: T;
  try {
    result = fn();
  } catch (error) {
    batch.discard();
    throw error;
  }
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        runStepsNow(c, batch.flush());
        return value;
      },
      (error: unknown) => {
        batch.discard();
        throw error;
      },
    ) as T;
  }
  runStepsNow(c, batch.flush());
  return result;
}
