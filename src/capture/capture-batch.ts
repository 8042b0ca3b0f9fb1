// One batch of capture writes (live events, an import page) as one transaction, with the upkeep that follows
// every write — clip counters, dirty hours, engagement changes — done once per batch at its end instead of once per write.
import { inTransaction, type Db } from '../db/client';
import { deferDirtyHours } from '../db/dirty';
import { deferClipEngagement } from './engagement';
import { deferEngagementChanges } from './engagement-changes';

/** Runs `fn` in one transaction; counters and dirty hours are exact when it commits. Nothing is kept if it throws. */
export function inCaptureBatch<T>(db: Db, fn: () => T): T {
  return inTransaction(db, () => deferDirtyHours(db, () => deferEngagementChanges(db, () => deferClipEngagement(db, fn))));
}
