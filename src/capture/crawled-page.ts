// A crawled page of channel history, written as capture writes it: the deletions it reveals, its messages and
// reactions, and the crawl's checkpoint, in one transaction.
export {
  hasRecordedShares,
  readBackfillCheckpoint,
  writeBackfillPage,
  type BackfillCheckpoint,
  type BackfillPage,
} from '../db/stores/backfill';
