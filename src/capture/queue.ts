// Groups capture writes into short transactions (SQLite or PostgreSQL) for throughput, in the order they were pushed.
// A batch is committed on the next turn of the event loop (setImmediate) or as soon as it is full, so an event is in
// memory only for a moment; a busy or full database (disk full; on PostgreSQL also a lost connection, a full pool,
// the statement timeout) is retried with backoff, never dropped, and a retried batch counts nothing twice.
import type { Clock } from '../clock';
import { inCaptureBatch } from '../capture/capture-batch';
import type { Db } from '../db/database';
import { databaseFile, describeStorageProblem, isTransientDatabaseError } from '../db/storage-errors';
import type { Logger } from '../logger';

export interface CaptureWrite {
  /** What this write is, for the logs (e.g. "MESSAGE_CREATE 123"). */
  describe: string;
  /** Runs inside the batch's transaction; must only touch the database. */
  run(db: Db, now: number): Promise<unknown> | void;
}

export interface CaptureQueue {
  push(write: CaptureWrite): void;
  /** Writes waiting for the next commit. */
  readonly pending: number;
  /** Commits everything pushed so far (retrying while the database is busy). */
  flush(): Promise<void>;
  /** Stops taking writes, commits what is pending, then resolves. */
  stop(): Promise<void>;
}

export interface CaptureQueueOptions {
  db: Db;
  logger: Logger;
  clock: Clock;
  /** Writes per transaction at most (CAPTURE_BATCH_MAX). */
  batchMax: number;
  /** First retry delay after a busy or full database, doubled up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** How long stop() keeps retrying a failing database before giving up on what is left. */
  stopTimeoutMs?: number;
}

export { isTransientDatabaseError };

// During a long outage (a full disk can last hours) one warning a minute or so is enough: the first failure, then every
// RETRY_LOG_EVERY-th attempt, then one line when writes go through again.
const RETRY_LOG_EVERY = 12;

export function createCaptureQueue(options: CaptureQueueOptions): CaptureQueue {
  const { db, logger, clock, batchMax } = options;
  const baseDelay = options.retryDelayMs ?? 100;
  const maxDelay = options.maxRetryDelayMs ?? 5_000;
  const stopTimeout = options.stopTimeoutMs ?? 30_000;
  const queue: CaptureWrite[] = [];
  let scheduled: NodeJS.Immediate | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let failures = 0;
  let outageStartedAt = 0;
  let stopped = false;
  let idleWaiters: (() => void)[] = [];

  const settleIfIdle = (): void => {
    if (queue.length > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  /** Commits batches until the queue is empty or the database refuses; returns false when it must retry. */
  // `whole`: everything pushed so far (the scheduled turn); otherwise only full batches (a burst's own commits).
  const drain = async (whole: boolean): Promise<boolean> => {
    while (queue.length >= (whole ? 1 : batchMax)) {
      const batch = queue.slice(0, batchMax);
      try {
        await commit(batch);
      } catch (error) {
        if (isTransientDatabaseError(error)) {
          retryLater(error);
          return false;
        }
        // A write that can never succeed (a bug or an impossible payload) must not hold back the others:
        // commit the batch one write at a time and skip only the one that fails.
        if (!(await commitOneByOne(batch))) return false;
      }
      queue.splice(0, batch.length);
      recovered();
    }
    return true;
  };

  const retryLater = (error: unknown): void => {
    failures++;
    if (failures === 1) outageStartedAt = clock.now();
    if (failures !== 1 && failures % RETRY_LOG_EVERY !== 0) return;
    const file = databaseFile(db);
    const problem = describeStorageProblem(error, file) ?? 'database error';
    const code = (error as { code?: unknown }).code;
    // "database busy, batch kept for retry" is the line operators (and the fault tests) know for a held write lock.
    const msg = problem.startsWith('database busy')
      ? 'capture: database busy, batch kept for retry'
      : `capture: ${problem}; ${queue.length} writes kept in memory and retried until then`;
    logger.warn({ err: error, code, database: file, pending: queue.length, attempt: failures }, msg);
  };

  const recovered = (): void => {
    if (failures === 0) return;
    logger.info(
      { database: databaseFile(db), attempts: failures, outageMs: clock.now() - outageStartedAt },
      'capture: database writable again; writes kept during the outage committed',
    );
    failures = 0;
  };

  const commit = (batch: CaptureWrite[]): Promise<void> => {
    const now = clock.now();
    // Clip counters and dirty hours are brought up to date once per batch, at its end, inside its transaction.
    return inCaptureBatch(db, async (tx) => {
      for (const write of batch) await write.run(tx, now);
    });
  };

  const commitOneByOne = async (batch: CaptureWrite[]): Promise<boolean> => {
    let done = 0;
    for (const write of batch) {
      try {
        await commit([write]);
      } catch (error) {
        if (isTransientDatabaseError(error)) {
          // Keep what is left (including this write) for the retry.
          queue.splice(0, done);
          retryLater(error);
          return false;
        }
        logger.error({ err: error, write: write.describe }, 'capture: write failed and was skipped');
      }
      done++;
    }
    return true;
  };

  // One drain at a time: writes pushed while a batch commits join the queue the running drain is working through.
  let draining = false;
  const run = (whole = true): void => {
    if (whole) scheduled = null;
    if (retryTimer || draining) return;
    draining = true;
    void drain(whole).then((drained) => {
      draining = false;
      if (drained) {
        settleIfIdle();
        // Writes pushed after the last batch was taken, if any.
        if (queue.length > 0) schedule();
        return;
      }
      const delay = Math.min(maxDelay, baseDelay * 2 ** Math.min(failures - 1, 16));
      retryTimer = setTimeout(() => {
        retryTimer = null;
        run();
      }, delay);
    });
  };

  const schedule = (): void => {
    if (scheduled || retryTimer) return;
    scheduled = setImmediate(() => run());
  };

  const waitIdle = (): Promise<void> => {
    if (queue.length === 0) return Promise.resolve();
    const idle = new Promise<void>((resolve) => idleWaiters.push(resolve));
    schedule();
    return idle;
  };

  return {
    push(write) {
      if (stopped) {
        logger.warn({ write: write.describe }, 'capture: write after stop ignored');
        return;
      }
      queue.push(write);
      if (queue.length >= batchMax && !retryTimer && !draining) run(false);
      schedule();
    },
    get pending() {
      return queue.length;
    },
    flush: waitIdle,
    async stop() {
      stopped = true;
      if (queue.length === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), stopTimeout);
        timer.unref();
      });
      const result = await Promise.race([waitIdle(), timedOut]);
      clearTimeout(timer);
      if (result === 'timeout') {
        if (retryTimer) clearTimeout(retryTimer);
        retryTimer = null;
        logger.error({ lost: queue.length }, 'capture: database still failing at shutdown; pending writes lost');
        queue.length = 0;
        settleIfIdle();
      }
    },
  };
}
