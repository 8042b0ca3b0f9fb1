// A capture batch: one transaction whose upkeep (clip counters, engagement journal, dirty hours) is done once, at
// its end, instead of once per write.
import { connectionNow, run, type Connection, type DeferredBatch, type Db } from '../../client';
import { openDirtyHoursBatch } from '../../dirty';
import { openClipEngagementBatch } from './clip-counters';
import { openEngagementChangesBatch } from './engagement-journal';

/** Runs `fn` in one transaction; counters, journal and dirty hours are exact when it commits. Nothing is kept if it throws. */
export function captureBatch<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const upkeep = openCaptureBatchOn(connectionNow(tx));
    let result: T;
    try {
      result = await fn(tx);
    } catch (error) {
      upkeep.discard();
      throw error;
    }
    await run(tx, () => upkeep.flush());
    return result;
  });
}

/** captureBatch for a synchronous writer that holds the connection (the importer's and generator's batches). */
export function inCaptureBatchOn<T>(c: Connection, fn: () => T): T {
  return c.client
    .transaction(() => {
      const upkeep = openCaptureBatchOn(c);
      let result: T;
      try {
        result = fn();
      } catch (error) {
        upkeep.discard();
        throw error;
      }
      upkeep.flush();
      return result;
    })
    .immediate();
}

/**
 * The upkeep of a capture batch for a transaction the caller opens and commits itself (the importer commits
 * between messages of a streaming parse): flush() inside the transaction before COMMIT, discard() before ROLLBACK.
 */
export function openCaptureBatchOn(c: Connection): DeferredBatch {
  const dirty = openDirtyHoursBatch(c);
  const journal = openEngagementChangesBatch(c);
  const counters = openClipEngagementBatch(c);
  const discard = (): void => {
    counters.discard();
    journal.discard();
    dirty.discard();
  };
  return {
    // Counters, then journal, then dirty hours: if one flush throws, the others end too, so later writes on the
    // connection are not left deferred.
    flush() {
      try {
        counters.flush();
        journal.flush();
        dirty.flush();
      } finally {
        discard();
      }
    },
    discard,
  };
}
