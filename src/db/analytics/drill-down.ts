// Raw-table reads behind the drill-downs (one game's creators, one creator's games): per (game, creator) pair, the
// clips, shares and reactions in a period, counted by the rules of facts-sql.ts; and a creator's best clip per game.
import type { Db } from '../client';
import { COUNTED_CLIP_SQL } from './facts-sql';
import { readRows } from './postgres-text';

/** The clips of one creator, or of one game ('' = the "Unknown game" bucket: game_id '' or NULL). */
export type PairFilter = { column: 'creator_id'; value: string } | { column: 'game_id'; value: string };

export interface PairRange {
  guild: string;
  start: number;
  end: number;
}

/** g: game id ('' for none), cr: creator id. */
export interface PairClipRow {
  g: string;
  cr: string;
  n: number;
  views: number;
}

export interface PairCountRow {
  g: string;
  cr: string;
  n: number;
}

export interface TopClipOfGameRow {
  g: string;
  clip_id: string;
  title: string | null;
  views: number;
  url: string;
}

export interface PairRows {
  clips: PairClipRow[];
  shares: PairCountRow[];
  reactions: PairCountRow[];
  /** The creator's best clip per game (only for a creator filter, when asked for). */
  tops: TopClipOfGameRow[];
}

/**
 * The filtered clips' (game, creator) pairs in [start, end): clips and views by creation time, shares by post time,
 * reactions by reaction time. Plain equality on the filter column lets the (guild, game) and (guild, creator) indexes
 * pick the clips; shares and reactions are then looked up per clip. CROSS JOIN fixes that order, and the unary + on
 * time columns keeps SQLite from preferring the time indexes, which would scan the guild's every clip or share.
 */
export async function readPairRows(db: Db, range: PairRange, filter: PairFilter, options: { tops?: boolean } = {}): Promise<PairRows> {
  const where =
    filter.column === 'creator_id'
      ? `c.creator_id = @value`
      : filter.value === ''
        ? `(c.game_id IS NULL OR c.game_id = '')`
        : `c.game_id = @value`;
  const params = { ...range, value: filter.value };
  // Four reads (on SQLite each in its own tick; a caller that needs one snapshot reads inside analytics.snapshot).
  const [clips, shares, reactions, tops] = await Promise.all([
    readRows<PairClipRow>(
      db,
      `SELECT coalesce(c.game_id, '') AS g, c.creator_id AS cr, count(*) AS n, sum(c.view_count) AS views
           FROM clips c
          WHERE c.guild_id = @guild AND +c.clip_created_at >= @start AND +c.clip_created_at < @end AND ${COUNTED_CLIP_SQL} AND ${where}
          GROUP BY 1, 2`,
      params,
    ),
    readRows<PairCountRow>(
      db,
      `SELECT coalesce(c.game_id, '') AS g, c.creator_id AS cr, count(*) AS n
           FROM clips c CROSS JOIN shares s ON s.guild_id = c.guild_id AND s.clip_id = c.clip_id
          WHERE c.guild_id = @guild AND +s.posted_at >= @start AND +s.posted_at < @end AND s.deleted_at IS NULL
            AND ${COUNTED_CLIP_SQL} AND ${where}
          GROUP BY 1, 2`,
      params,
    ),
    readRows<PairCountRow>(
      db,
      `SELECT g, cr, sum(n) AS n FROM (
           SELECT coalesce(c.game_id, '') AS g, c.creator_id AS cr, count(*) AS n
             FROM clips c
             CROSS JOIN shares s ON s.guild_id = c.guild_id AND s.clip_id = c.clip_id AND s.deleted_at IS NULL
             CROSS JOIN reactions r ON r.message_id = s.message_id AND r.guild_id = s.guild_id
            WHERE c.guild_id = @guild AND +r.reacted_at >= @start AND +r.reacted_at < @end AND ${COUNTED_CLIP_SQL} AND ${where}
            GROUP BY 1, 2
           UNION ALL
           SELECT coalesce(c.game_id, '') AS g, c.creator_id AS cr, sum(a.anonymous_count) AS n
             FROM clips c
             CROSS JOIN shares s ON s.guild_id = c.guild_id AND s.clip_id = c.clip_id AND s.deleted_at IS NULL
             CROSS JOIN reaction_baselines a ON a.message_id = s.message_id AND a.guild_id = s.guild_id
            WHERE c.guild_id = @guild AND +a.observed_at >= @start AND +a.observed_at < @end AND ${COUNTED_CLIP_SQL} AND ${where}
            GROUP BY 1, 2
         ) AS u GROUP BY 1, 2 HAVING sum(n) <> 0`,
      params,
    ),
    options.tops && filter.column === 'creator_id'
      ? readRows<TopClipOfGameRow>(
          db,
          `SELECT g, clip_id, title, views, url FROM (
                 SELECT coalesce(c.game_id, '') AS g, c.clip_id, c.title, c.view_count AS views, c.url,
                        row_number() OVER (PARTITION BY coalesce(c.game_id, '') ORDER BY c.view_count DESC, c.clip_id) AS rn
                   FROM clips c
                  WHERE c.guild_id = @guild AND +c.clip_created_at >= @start AND +c.clip_created_at < @end AND ${COUNTED_CLIP_SQL}
                    AND c.creator_id = @creator
               ) AS ranked WHERE rn = 1`,
          { ...range, creator: filter.value },
        )
      : [],
  ]);
  return { clips, shares, reactions, tops };
}
