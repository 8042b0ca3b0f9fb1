// Operational reads: the service's health (enrichment queue, job runs), one guild's status (what /clipscope-admin
// status shows) and the guild with the most clips (demo and benchmarks).
import type { Db } from '../client';
import { readRow, readRows } from './postgres-text';

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

export async function readHealth(db: Db): Promise<HealthFacts> {
  const [queue, jobs] = await Promise.all([
    readRow<{ pending: number; failed: number }>(
      db,
      `SELECT (SELECT count(*) FROM clips WHERE enrichment_state = 'pending') AS pending,
              (SELECT count(*) FROM clips WHERE enrichment_state = 'failed') AS failed`,
    ),
    readRows<JobRunRow>(db, JOBS_SQL),
  ]);
  return { queue: queue ?? { pending: 0, failed: 0 }, jobs };
}

export async function readGuildStatus(db: Db, guildId: string): Promise<GuildStatusFacts> {
  const [states, liveShares, dirtyHours, jobs, channels, crawls] = await Promise.all([
    readRows<{ state: string; n: number }>(
      db,
      'SELECT enrichment_state AS state, count(*) AS n FROM clips WHERE guild_id = ? GROUP BY enrichment_state',
      [guildId],
    ),
    readRow<{ n: number }>(db, 'SELECT count(*) AS n FROM shares WHERE guild_id = ? AND deleted_at IS NULL', [guildId]),
    readRow<{ n: number }>(db, 'SELECT count(*) AS n FROM dirty_hours WHERE guild_id = ?', [guildId]),
    readRows<JobRunRow>(db, JOBS_SQL),
    readRows<GuildStatusFacts['channels'][number]>(
      db,
      'SELECT broadcaster_name, last_sync_at, last_sync_error FROM twitch_channels WHERE guild_id = ? ORDER BY broadcaster_login',
      [guildId],
    ),
    readRows<GuildStatusFacts['crawls'][number]>(
      db,
      'SELECT channel_id, messages_scanned, shares_found, completed_at FROM backfill_checkpoints WHERE guild_id = ? ORDER BY updated_at DESC LIMIT 5',
      [guildId],
    ),
  ]);
  return {
    enrichmentStates: Object.fromEntries(states.map((r) => [r.state, r.n])),
    liveShares: liveShares?.n ?? 0,
    dirtyHours: dirtyHours?.n ?? 0,
    jobs,
    channels,
    crawls,
  };
}

/** The guild with the most clips, or null when there is none. */
export async function readLargestGuild(db: Db): Promise<{ guildId: string; clips: number } | null> {
  const row = await readRow<{ guild_id: string; n: number }>(
    db,
    'SELECT guild_id, count(*) AS n FROM clips GROUP BY guild_id ORDER BY n DESC, guild_id LIMIT 1',
  );
  return row ? { guildId: row.guild_id, clips: row.n } : null;
}

/** One background job's last run, or null when it never ran. */
export async function readJobRun(db: Db, job: string): Promise<JobRunRow | null> {
  return (
    (await readRow<JobRunRow>(db, 'SELECT job, last_started_at, last_finished_at, last_error, last_summary FROM job_runs WHERE job = ?', [
      job,
    ])) ?? null
  );
}
