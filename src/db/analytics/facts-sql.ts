// SQL fragments that decide what counts where, shared by the read-side fallback and the aggregator so both count alike.

/** SQL condition (alias c) for a clip whose Twitch metrics count. */
export const COUNTED_CLIP_SQL = `(c.clip_created_at IS NOT NULL AND c.creator_id IS NOT NULL AND c.enrichment_state <> 'not_found')`;

/** The (game, creator) a share or reaction counts for: none while its clip is not counted (see COUNTED_CLIP_SQL). */
export const ATTRIBUTION_SQL = `CASE WHEN ${COUNTED_CLIP_SQL} THEN coalesce(c.game_id, '') END AS game_id,
       CASE WHEN ${COUNTED_CLIP_SQL} THEN c.creator_id END AS creator_id`;

/**
 * Reactions per bucket `k` of the CTE `b(k, s, e)`, by the (game, creator) they count for: named reactions at their
 * time plus anonymous imported counts at their observation time, on live shares only. Parameters: guild, guild.
 * One definition for the read-side fallback and the aggregator, so both count alike. Both engines run it: the joins
 * after `b CROSS JOIN …` are plain joins, and the union is aliased (PostgreSQL before 16 requires it).
 */
export function reactionsByBucketSql(cte: string): string {
  return `${cte}
    SELECT k, game_id, creator_id, sum(n) AS n FROM (
      SELECT b.k AS k, ${ATTRIBUTION_SQL}, count(*) AS n
        FROM b CROSS JOIN reactions r
        JOIN shares s ON s.message_id = r.message_id AND s.guild_id = r.guild_id AND s.deleted_at IS NULL
        LEFT JOIN clips c ON c.guild_id = s.guild_id AND c.clip_id = s.clip_id
       WHERE r.guild_id = ? AND r.reacted_at >= b.s AND r.reacted_at < b.e
       GROUP BY 1, 2, 3
      UNION ALL
      SELECT b.k AS k, ${ATTRIBUTION_SQL}, sum(a.anonymous_count) AS n
        FROM b CROSS JOIN reaction_baselines a
        JOIN shares s ON s.message_id = a.message_id AND s.guild_id = a.guild_id AND s.deleted_at IS NULL
        LEFT JOIN clips c ON c.guild_id = s.guild_id AND c.clip_id = s.clip_id
       WHERE a.guild_id = ? AND a.observed_at >= b.s AND a.observed_at < b.e
       GROUP BY 1, 2, 3
    ) AS u GROUP BY 1, 2, 3 HAVING sum(n) <> 0`;
}
