// What /clipscope-admin status shows about one guild, read in one go: clips by enrichment state, live shares, the
// aggregation queue, background jobs, followed Twitch channels and history crawls.
import { run, type Db } from '../client';

export interface JobRun {
  job: string;
  lastStartedAt: number | null;
  lastFinishedAt: number | null;
  lastError: string | null;
  lastSummary: string | null;
}

export interface GuildStatus {
  /** Clips by enrichment state ('pending', 'done', 'failed', 'not_found'); a state without clips is absent. */
  clipsByState: Partial<Record<string, number>>;
  liveShares: number;
  /** Hours whose summaries are waiting to be recomputed. */
  changedHours: number;
  /** Every background job's last run (jobs are not per guild), by name. */
  jobs: JobRun[];
  /** The guild's followed Twitch channels, by login. */
  twitchChannels: { name: string; lastSyncAt: number | null; lastSyncError: string | null }[];
  /** The guild's latest history crawls, most recently updated first. */
  backfills: { channelId: string; messagesScanned: number; sharesFound: number; completedAt: number | null }[];
}

/** How many of the guild's history crawls the status lists. */
const SHOWN_BACKFILLS = 5;

export function readGuildStatus(db: Db, guildId: string): Promise<GuildStatus> {
  return run(db, (c) => {
    const states = c
      .statement<[string], { state: string; n: number }>('SELECT enrichment_state AS state, count(*) AS n FROM clips WHERE guild_id = ? GROUP BY enrichment_state')
      .all(guildId);
    const liveShares = c.statement<[string], { n: number }>('SELECT count(*) AS n FROM shares WHERE guild_id = ? AND deleted_at IS NULL').get(guildId)?.n ?? 0;
    const changedHours = c.statement<[string], { n: number }>('SELECT count(*) AS n FROM dirty_hours WHERE guild_id = ?').get(guildId)?.n ?? 0;
    const jobs = c
      .statement<[], { job: string; last_started_at: number | null; last_finished_at: number | null; last_error: string | null; last_summary: string | null }>(
        'SELECT job, last_started_at, last_finished_at, last_error, last_summary FROM job_runs ORDER BY job',
      )
      .all();
    const channels = c
      .statement<[string], { broadcaster_name: string; last_sync_at: number | null; last_sync_error: string | null }>(
        'SELECT broadcaster_name, last_sync_at, last_sync_error FROM twitch_channels WHERE guild_id = ? ORDER BY broadcaster_login',
      )
      .all(guildId);
    const crawls = c
      .statement<[string], { channel_id: string; messages_scanned: number; shares_found: number; completed_at: number | null }>(
        `SELECT channel_id, messages_scanned, shares_found, completed_at FROM backfill_checkpoints WHERE guild_id = ? ORDER BY updated_at DESC LIMIT ${SHOWN_BACKFILLS}`,
      )
      .all(guildId);
    return {
      clipsByState: Object.fromEntries(states.map((r) => [r.state, r.n])),
      liveShares,
      changedHours,
      jobs: jobs.map((j) => ({
        job: j.job,
        lastStartedAt: j.last_started_at,
        lastFinishedAt: j.last_finished_at,
        lastError: j.last_error,
        lastSummary: j.last_summary,
      })),
      twitchChannels: channels.map((ch) => ({ name: ch.broadcaster_name, lastSyncAt: ch.last_sync_at, lastSyncError: ch.last_sync_error })),
      backfills: crawls.map((b) => ({ channelId: b.channel_id, messagesScanned: b.messages_scanned, sharesFound: b.shares_found, completedAt: b.completed_at })),
    };
  });
}

/** How many of the guild's clips each of these broadcasters has (0 for one without clips). */
export function countClipsByBroadcaster(db: Db, guildId: string, broadcasterIds: readonly string[]): Promise<Map<string, number>> {
  return run(db, (c) => {
    const count = c.statement<[string, string], { n: number }>('SELECT count(*) AS n FROM clips WHERE guild_id = ? AND broadcaster_id = ?');
    return new Map(broadcasterIds.map((id) => [id, count.get(guildId, id)?.n ?? 0]));
  });
}
