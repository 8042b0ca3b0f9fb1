// A capture batch: one transaction whose upkeep (clip counters, engagement journal, dirty hours) is done once, at
// its end, instead of once per write.
import { connectionNow, run, type Connection, type DeferredBatch, type Db } from '../../client';
import { openDirtyHoursSteps } from '../../dirty';
import { AssumedNewMessageExisted, openBatchWritesSteps } from './batch-writes';
import { openClipEngagementSteps } from './clip-counters';
import { openEngagementChangesSteps } from './engagement-journal';
import { runStepsAsync, runStepsNow, sqliteWriter, type DeferredSteps, type Steps, type Writer } from './steps';

/**
 * Runs `fn` in one transaction; counters, journal and dirty hours are exact when it commits. Nothing is kept if it throws.
 * `fn` may run twice on PostgreSQL (see below): it must only touch the database through `tx`.
 */
export async function captureBatch<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  // PostgreSQL: just-posted messages are taken for new without a read (ADR 0036); if one was not, the batch runs again
  // reading every message, so `fn` must be safe to run twice (it only touches the database, as a retried batch does).
  if (db.engine === 'postgres') {
    try {
      return await captureBatchOnce(db, fn, true);
    } catch (error) {
      if (!(error instanceof AssumedNewMessageExisted)) throw error;
    }
  }
  return captureBatchOnce(db, fn, false);
}

function captureBatchOnce<T>(db: Db, fn: (tx: Db) => Promise<T>, optimistic: boolean): Promise<T> {
  return db.transaction(async (tx) => {
    const w: Writer = tx.engine === 'sqlite' ? sqliteWriter(connectionNow(tx)) : { engine: 'postgres', key: tx };
    const upkeep = openCaptureUpkeep(w, { optimistic });
    let result: T;
    try {
      result = await fn(tx);
    } catch (error) {
      upkeep.discard();
      throw error;
    }
    if (tx.engine === 'sqlite') await run(tx, (c) => runStepsNow(c, upkeep.flush()));
    else await runStepsAsync(tx, upkeep.flush());
    return result;
  });
}

/** captureBatch for a synchronous writer that holds the connection (the importer's and generator's batches). */
export function inCaptureBatchOn<T>(c: Connection, fn: () => T): T {
  return c.client
    .transaction(() => {
      const upkeep = openCaptureUpkeep(sqliteWriter(c));
      let result: T;
      try {
        result = fn();
      } catch (error) {
        upkeep.discard();
        throw error;
      }
      runStepsNow(c, upkeep.flush());
      return result;
    })
    .immediate();
}

/**
 * The upkeep of a capture batch for a transaction the caller opens and commits itself (the importer commits
 * between messages of a streaming parse): flush() inside the transaction before COMMIT, discard() before ROLLBACK.
 */
export function openCaptureBatchOn(c: Connection): DeferredBatch {
  const upkeep = openCaptureUpkeep(sqliteWriter(c));
  return { flush: () => runStepsNow(c, upkeep.flush()), discard: () => upkeep.discard() };
}

/** The upkeep of a capture batch on either engine, as steps to run before the transaction commits. */
export function openCaptureUpkeep(w: Writer, options: { optimistic?: boolean } = {}): DeferredSteps {
  const dirty = openDirtyHoursSteps(w);
  const journal = openEngagementChangesSteps(w);
  const counters = openClipEngagementSteps(w);
  const writes = openBatchWritesSteps(w, options);
  const discard = (): void => {
    writes.discard();
    counters.discard();
    journal.discard();
    dirty.discard();
  };
  return {
    // The held-back rows (whose upkeep joins the others'), counters, then journal, then dirty hours: if one flush
    // throws, the others end too, so later writes on the connection are not left deferred.
    *flush(): Steps<void> {
      try {
        yield* writes.flush();
        yield* counters.flush();
        yield* journal.flush();
        yield* dirty.flush();
      } finally {
        discard();
      }
    },
    discard,
  };
}
