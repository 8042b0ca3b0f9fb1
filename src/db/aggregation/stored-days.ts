// What the summary tables hold for single local days: the incremental run compares a recomputed day with it.
import type { Db } from '../database';
import { queries } from '../sql';

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
export async function readStoredDays(db: Db, guildId: string, days: readonly number[]): Promise<Map<number, StoredDay>> {
  const q = queries(db);
  const stored = new Map<number, StoredDay>();
  for (const day of days) {
    const key = [guildId, day];
    stored.set(day, {
      pairs: await q.all<StoredDay['pairs'][number]>(
        `SELECT game_id, creator_id, clip_count AS n, total_views AS views, discord_shares AS shares, discord_reactions AS reactions
           FROM analytics_pair_facts WHERE guild_id = ? AND period_type = 'day' AND period_start = ?`,
        key,
      ),
      cells: await q.all<StoredDay['cells'][number]>(
        "SELECT weekday, hour, clips, shares FROM guild_peak_activity WHERE guild_id = ? AND period_type = 'day' AND period_start = ?",
        key,
      ),
      totals: await q.get<NonNullable<StoredDay['totals']>>(
        `SELECT clip_count, total_views, discord_shares, discord_reactions, first_clip_at, last_clip_at FROM guild_period_stats
          WHERE guild_id = ? AND period_type = 'day' AND period_start = ?`,
        key,
      ),
      tops: await q.all<StoredDay['tops'][number]>(
        'SELECT game_id, clip_id, title, views FROM analytics_day_top_clips WHERE guild_id = ? AND day_start = ?',
        key,
      ),
    });
  }
  return stored;
}
