// Operational reads: the service's health (enrichment queue, job runs), one guild's status (what /clipscope-admin
// status shows) and the guild with the most clips (demo and benchmarks).
import { run, type Db } from '../client';

export interface JobRunRow {
  job: string;
  last_started_at: number | null;
  last_finished_at: number | null;
  last_error: string | null;
  last_summary: string | null;
}

export interface HealthFacts {
  /** Clips of every guild waiting for (or failed at) Twitch enrichment. */
  queue: { pending: number; failed: number };
  /** Every background job's last run, by job name. */
  jobs: JobRunRow[];
}

export interface GuildStatusFacts {
  /** Clips per enrichment state. */
  enrichmentStates: Record<string, number | undefined>;
  liveShares: number;
  dirtyHours: number;
  /** Every background job's last run, by job name (jobs are not per guild). */
  jobs: JobRunRow[];
  channels: { broadcaster_name: string; last_sync_at: number | null; last_sync_error: string | null }[];
  /** The five most recently updated history crawls. */
  crawls: { channel_id: string; messages_scanned: number; shares_found: number; completed_at: number | null }[];
}

const JOBS_SQL = 'SELECT job, last_started_at, last_finished_at, last_error, last_summary FROM job_runs ORDER BY job';

export function readHealth(db: Db): Promise<HealthFacts> {
  return run(db, (c) => ({
    queue: c
      .statement<[], { pending: number; failed: number }>(
        `SELECT (SELECT count(*) FROM clips WHERE enrichment_state = 'pending') AS pending,
                (SELECT count(*) FROM clips WHERE enrichment_state = 'failed') AS failed`,
      )
      .get() ?? { pending: 0, failed: 0 },
    jobs: c.statement<[], JobRunRow>(JOBS_SQL).all(),
  }));
}

export function readGuildStatus(db: Db, guildId: string): Promise<GuildStatusFacts> {
  return run(db, (c) => ({
    enrichmentStates: Object.fromEntries(
      c
        .statement<[string], { state: string; n: number }>(
          'SELECT enrichment_state AS state, count(*) AS n FROM clips WHERE guild_id = ? GROUP BY enrichment_state',
        )
        .all(guildId)
        .map((r) => [r.state, r.n]),
    ),
    liveShares:
      c.statement<[string], { n: number }>('SELECT count(*) AS n FROM shares WHERE guild_id = ? AND deleted_at IS NULL').get(guildId)?.n ??
      0,
    dirtyHours: c.statement<[string], { n: number }>('SELECT count(*) AS n FROM dirty_hours WHERE guild_id = ?').get(guildId)?.n ?? 0,
    jobs: c.statement<[], JobRunRow>(JOBS_SQL).all(),
    channels: c
      .statement<[string], GuildStatusFacts['channels'][number]>(
        'SELECT broadcaster_name, last_sync_at, last_sync_error FROM twitch_channels WHERE guild_id = ? ORDER BY broadcaster_login',
      )
      .all(guildId),
    crawls: c
      .statement<[string], GuildStatusFacts['crawls'][number]>(
        'SELECT channel_id, messages_scanned, shares_found, completed_at FROM backfill_checkpoints WHERE guild_id = ? ORDER BY updated_at DESC LIMIT 5',
      )
      .all(guildId),
  }));
}

/** The guild with the most clips, or null when there is none. */
export function readLargestGuild(db: Db): Promise<{ guildId: string; clips: number } | null> {
  return run(db, (c) => {
    const row = c
      .statement<[], { guild_id: string; n: number }>('SELECT guild_id, count(*) AS n FROM clips GROUP BY guild_id ORDER BY n DESC LIMIT 1')
      .get();
    return row ? { guildId: row.guild_id, clips: row.n } : null;
  });
}
