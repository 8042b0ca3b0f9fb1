// Which guilds the aggregation visits and how far their summaries are (analytics_state: timezone, facts layout, runs).
import type { Db } from '../database';
import { queries } from '../sql';

/**
 * The layout of the stored facts; summaries built with another one are rebuilt (analytics_state.facts_version).
 * 2: pairs above the day level hold clip counts and views only (their engagement lives in the game and creator rows).
 */
export const FACTS_VERSION = 2;

/**
 * The guilds a run visits, in id order. Full: every guild with any data, settings or summaries. Incremental: guilds
 * with dirty hours or pending days, configured guilds (one never aggregated is rebuilt), and aggregated guilds whose
 * mood rows are to be rebuilt (no mood_state: a mood override changed, or they were never built).
 */
export async function listGuildsToAggregate(db: Db, full: boolean): Promise<string[]> {
  const sql = full
    ? `SELECT guild_id FROM clips UNION SELECT guild_id FROM shares UNION SELECT guild_id FROM guild_settings
       UNION SELECT guild_id FROM analytics_state UNION SELECT guild_id FROM dirty_hours`
    : `SELECT guild_id FROM dirty_hours UNION SELECT guild_id FROM aggregation_pending UNION SELECT guild_id FROM guild_settings
       UNION SELECT a.guild_id FROM analytics_state a WHERE NOT EXISTS (SELECT 1 FROM mood_state m WHERE m.guild_id = a.guild_id)`;
  const rows = await queries(db).all<{ guild_id: string }>(`SELECT DISTINCT guild_id FROM (${sql}) AS g ORDER BY guild_id`);
  return rows.map((r) => r.guild_id);
}

/** How many of the guild's period types have summaries in this timezone and with the current facts layout. */
export async function countCurrentPeriodTypes(db: Db, guildId: string, timezone: string): Promise<number> {
  const row = await queries(db).get<{ n: number }>(
    'SELECT count(*) AS n FROM analytics_state WHERE guild_id = ? AND timezone = ? AND facts_version = ?',
    [guildId, timezone, FACTS_VERSION],
  );
  return row?.n ?? 0;
}

/** Whether the guild has dirty hours or pending days. */
export async function hasIncrementalWork(db: Db, guildId: string): Promise<boolean> {
  const row = await queries(db).get<{ n: number }>(
    `SELECT CASE WHEN EXISTS (SELECT 1 FROM dirty_hours WHERE guild_id = ?)
               OR EXISTS (SELECT 1 FROM aggregation_pending WHERE guild_id = ? AND period_type = 'day') THEN 1 ELSE 0 END AS n`,
    [guildId, guildId],
  );
  return row?.n === 1;
}

/** Marks the guild's facts stale (facts_version 0) while a rebuild writes them: a crash then leaves it to be rebuilt. */
export async function markFactsStale(db: Db, guildId: string): Promise<void> {
  await queries(db).run('UPDATE analytics_state SET facts_version = 0 WHERE guild_id = ?', [guildId]);
}

/** Records a run over the period types: its time, the timezone, the current facts layout and, if full, the rebuild. */
export async function recordRun(
  db: Db,
  guildId: string,
  types: readonly string[],
  timezone: string,
  now: number,
  full: boolean,
): Promise<void> {
  const q = queries(db);
  for (const type of types) {
    await q.run(
      `INSERT INTO analytics_state (guild_id, period_type, timezone, last_full_at, last_run_at, facts_version) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (guild_id, period_type) DO UPDATE SET timezone = excluded.timezone, last_run_at = excluded.last_run_at,
         facts_version = excluded.facts_version,
         last_full_at = CASE WHEN ? THEN excluded.last_full_at ELSE analytics_state.last_full_at END`,
      [guildId, type, timezone, now, now, FACTS_VERSION, full],
    );
  }
}
