// Recomputes a clip's Discord counters (shares, reactions, per-emoji breakdown) from the raw rows.
// Recomputing instead of incrementing is what makes replayed or duplicated events harmless.
import { openDeferredBatch, withDeferredBatch, type Connection, type DeferredBatch } from '../../client';

export interface ClipKey {
  guildId: string;
  clipId: string;
}

// Refreshes deferred by deferClipEngagement, per connection: clip → the latest `now` it was touched at.
const deferred = new WeakMap<object, Map<string, { key: ClipKey; now: number }>>();

/**
 * Runs `fn` (a batch of capture writes, inside one transaction) with the counter refreshes it asks for put off
 * to its end, so a clip that 200 reactions touched in one batch is recomputed once instead of 200 times. The
 * counters are still recomputed from the raw rows, in the same transaction, before it commits; nothing inside a
 * batch reads them. If `fn` throws, nothing is refreshed (the transaction rolls back anyway).
 */
export function deferClipEngagement<T>(c: Connection, fn: () => T): T {
  return withDeferredBatch(deferred, c, newClipBatch, (pending) => flushClipBatch(c, pending), fn);
}

/** deferClipEngagement for a transaction that does not fit one callback: refreshes run at flush(). */
export function openClipEngagementBatch(c: Connection): DeferredBatch {
  return openDeferredBatch(deferred, c, newClipBatch, (pending) => flushClipBatch(c, pending));
}

const newClipBatch = (): Map<string, { key: ClipKey; now: number }> => new Map();

function flushClipBatch(c: Connection, pending: Map<string, { key: ClipKey; now: number }>): void {
  for (const { key, now } of pending.values()) recomputeClipEngagement(c, [key], now);
}

export function refreshClipEngagement(c: Connection, keys: Iterable<ClipKey>, now: number): void {
  const pending = deferred.get(c.client);
  if (!pending) {
    recomputeClipEngagement(c, keys, now);
    return;
  }
  for (const key of keys) pending.set(`${key.guildId}\u0000${key.clipId}`, { key, now });
}

function recomputeClipEngagement(c: Connection, keys: Iterable<ClipKey>, now: number): void {
  const countShares = c.statement<[string, string], { n: number; first: number | null }>(
    'SELECT count(*) AS n, min(posted_at) AS first FROM shares WHERE guild_id = ? AND clip_id = ? AND deleted_at IS NULL',
  );
  const countReactions = c.statement<[string, string, string, string], { emoji: string; n: number }>(`SELECT emoji, sum(n) AS n FROM (
       SELECT r.emoji_key AS emoji, count(*) AS n
         FROM shares s CROSS JOIN reactions r ON r.guild_id = s.guild_id AND r.message_id = s.message_id
        WHERE s.guild_id = ? AND s.clip_id = ? AND s.deleted_at IS NULL
        GROUP BY r.emoji_key
       UNION ALL
       SELECT b.emoji_key AS emoji, sum(b.anonymous_count) AS n
         FROM shares s CROSS JOIN reaction_baselines b ON b.guild_id = s.guild_id AND b.message_id = s.message_id
        WHERE s.guild_id = ? AND s.clip_id = ? AND s.deleted_at IS NULL
        GROUP BY b.emoji_key
     ) GROUP BY emoji HAVING sum(n) > 0 ORDER BY sum(n) DESC, emoji`);
  const update = c.statement(`UPDATE clips SET discord_shares = ?, discord_reactions = ?, discord_reaction_types = ?,
            first_shared_at = coalesce(?, first_shared_at), last_updated_at = ?
      WHERE guild_id = ? AND clip_id = ?`);
  const seen = new Set<string>();
  for (const { guildId, clipId } of keys) {
    const id = `${guildId}\u0000${clipId}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const shares = countShares.get(guildId, clipId) ?? { n: 0, first: null };
    const types: Record<string, number> = {};
    let total = 0;
    for (const row of countReactions.all(guildId, clipId, guildId, clipId)) {
      types[row.emoji] = row.n;
      total += row.n;
    }
    update.run(shares.n, total, JSON.stringify(types), shares.first, now, guildId, clipId);
  }
}
