// What the summary tables hold for single local days: the incremental run compares a recomputed day with it.
import { run, type Db } from '../client';

export interface StoredDay {
  pairs: Array<{ game_id: string; creator_id: string; n: number; views: number; shares: number; reactions: number }>;
  cells: Array<{ weekday: number; hour: number; clips: number; shares: number }>;
  totals:
    | {
        clip_count: number;
        total_views: number;
        discord_shares: number;
        discord_reactions: number;
        first_clip_at: number | null;
        last_clip_at: number | null;
      }
    | undefined;
  tops: Array<{ game_id: string; clip_id: string; title: string; views: number }>;
}

/** The stored pairs, peak cells, totals and top clips of each day, by day key. */
export function readStoredDays(db: Db, guildId: string, days: readonly number[]): Promise<Map<number, StoredDay>> {
  return run(db, (c) => {
    const pairs = c.statement<[string, number], StoredDay['pairs'][number]>(
      `SELECT game_id, creator_id, clip_count AS n, total_views AS views, discord_shares AS shares, discord_reactions AS reactions
         FROM analytics_pair_facts WHERE guild_id = ? AND period_type = 'day' AND period_start = ?`,
    );
    const cells = c.statement<[string, number], StoredDay['cells'][number]>(
      "SELECT weekday, hour, clips, shares FROM guild_peak_activity WHERE guild_id = ? AND period_type = 'day' AND period_start = ?",
    );
    const totals = c.statement<[string, number], NonNullable<StoredDay['totals']>>(
      `SELECT clip_count, total_views, discord_shares, discord_reactions, first_clip_at, last_clip_at FROM guild_period_stats
        WHERE guild_id = ? AND period_type = 'day' AND period_start = ?`,
    );
    const tops = c.statement<[string, number], StoredDay['tops'][number]>(
      'SELECT game_id, clip_id, title, views FROM analytics_day_top_clips WHERE guild_id = ? AND day_start = ?',
    );
    return new Map(
      days.map((day) => [
        day,
        { pairs: pairs.all(guildId, day), cells: cells.all(guildId, day), totals: totals.get(guildId, day), tops: tops.all(guildId, day) },
      ]),
    );
  });
}
