// The clips table's Twitch side: Twitch's answers written into every guild's row of a clip (metadata, view history,
// not_found, failures with backoff), the enrichment and refresh queues, and game names Twitch left out.
export type { TwitchClipRecord } from './clip-rows';
export { writeClipLookup, writeSyncedClips, writeTwitchClip, type ClipLookupWrite } from './clip-writes';
export {
  countDueClips,
  dueClipIds,
  enrichmentQueueStatus,
  recordEnrichmentFailures,
  retryFailedClips,
  type QueueCursor,
  type QueueStatus,
} from './enrichment-queue';
export { unnamedGamesDue, writeGameNameAnswers } from './game-names';
export { writeSyncedClipsOn, writeTwitchClipOn, writeViewReadingsOn } from './sync-writes';
export { clipsDueForRefresh, type RefreshIntervals } from './views';
export { KEEP_ALL_MS, KEEP_FIRST_DAY_MS, KEEP_NEWEST, thinViewHistory, type ThinningRun } from './view-thinning';
