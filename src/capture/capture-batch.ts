// One batch of capture writes (live events, an import page) as one transaction, with the upkeep that follows
// every write — clip counters, dirty hours, engagement changes — done once per batch at its end instead of once per write.
import { inTransaction, type DeferredBatch, type Db } from '../db/client';
import { deferDirtyHours, openDirtyHoursBatch } from '../db/dirty';
import { deferClipEngagement, openClipEngagementBatch } from './engagement';
import { deferEngagementChanges, openEngagementChangesBatch } from './engagement-changes';

/** Runs `fn` in one transaction; counters and dirty hours are exact when it commits. Nothing is kept if it throws. */
export function inCaptureBatch<T>(db: Db, fn: () => T): T {
  return inTransaction(db, () => deferDirtyHours(db, () => deferEngagementChanges(db, () => deferClipEngagement(db, fn))));
}

/**
 * The upkeep of inCaptureBatch for a transaction the caller opens and commits itself (the importer commits
 * between messages of a streaming parse): flush() inside the transaction before COMMIT, discard() before ROLLBACK.
 */
export function openCaptureBatch(db: Db): DeferredBatch {
  const dirty = openDirtyHoursBatch(db);
  const journal = openEngagementChangesBatch(db);
  const counters = openClipEngagementBatch(db);
  const discard = (): void => {
    counters.discard();
    journal.discard();
    dirty.discard();
  };
  return {
    // The order of inCaptureBatch's nesting: counters, then journal, then dirty hours. If one flush throws, the
    // others end too, so later writes on the connection are not left deferred.
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
