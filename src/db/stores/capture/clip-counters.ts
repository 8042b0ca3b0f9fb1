// Recomputes a clip's Discord counters (shares, reactions, per-emoji breakdown) from the raw rows.
// Recomputing instead of incrementing is what makes replayed or duplicated events harmless.
import type { Connection } from '../../client';
import { all, exec, get, openDeferred, sqliteWriter, withDeferredNow, type DeferredSteps, type Steps, type Writer } from './steps';

export interface ClipKey {
  guildId: string;
  clipId: string;
}

type Pending = Map<string, { key: ClipKey; now: number }>;

// Refreshes deferred by a batch, per connection (SQLite) or transaction (PostgreSQL): clip → the latest `now` it was
// touched at.
const deferred = new WeakMap<object, Pending>();

/**
 * Runs `fn` (a batch of capture writes, inside one transaction) with the counter refreshes it asks for put off
 * to its end, so a clip that 200 reactions touched in one batch is recomputed once instead of 200 times. The
 * counters are still recomputed from the raw rows, in the same transaction, before it commits; nothing inside a
 * batch reads them. If `fn` throws, nothing is refreshed (the transaction rolls back anyway).
 */
export function deferClipEngagement<T>(c: Connection, fn: () => T): T {
  return withDeferredNow(c, openClipEngagementSteps(sqliteWriter(c)), fn);
}

/** Deferred refreshes for a transaction that does not fit one callback: they run at flush(). */
export function openClipEngagementSteps(w: Writer): DeferredSteps {
  return openDeferred(
    deferred,
    w.key,
    (): Pending => new Map(),
    (pending) => flushClipBatch(w, pending),
  );
}

function* flushClipBatch(w: Writer, pending: Pending): Steps<void> {
  if (w.engine === 'postgres') {
    // One statement for the whole batch: the clips touched at the same `now` (a capture batch has one).
    const byNow = new Map<number, ClipKey[]>();
    for (const { key, now } of pending.values()) {
      const keys = byNow.get(now);
      if (keys) keys.push(key);
      else byNow.set(now, [key]);
    }
    for (const [now, keys] of byNow) yield* recomputeClipEngagement(w, keys, now);
    return;
  }
  for (const { key, now } of pending.values()) yield* recomputeClipEngagement(w, [key], now);
}

export function* refreshClipEngagement(w: Writer, keys: Iterable<ClipKey>, now: number): Steps<void> {
  const pending = deferred.get(w.key);
  if (!pending) {
    yield* recomputeClipEngagement(w, keys, now);
    return;
  }
  for (const key of keys) pending.set(`${key.guildId}\u0000${key.clipId}`, { key, now });
}

const COUNT_SHARES = 'SELECT count(*) AS n, min(posted_at) AS first FROM shares WHERE guild_id = ? AND clip_id = ? AND deleted_at IS NULL';
const COUNT_REACTIONS_SQLITE = `SELECT emoji, sum(n) AS n FROM (
       SELECT r.emoji_key AS emoji, count(*) AS n
         FROM shares s CROSS JOIN reactions r ON r.guild_id = s.guild_id AND r.message_id = s.message_id
        WHERE s.guild_id = ? AND s.clip_id = ? AND s.deleted_at IS NULL
        GROUP BY r.emoji_key
       UNION ALL
       SELECT b.emoji_key AS emoji, sum(b.anonymous_count) AS n
         FROM shares s CROSS JOIN reaction_baselines b ON b.guild_id = s.guild_id AND b.message_id = s.message_id
        WHERE s.guild_id = ? AND s.clip_id = ? AND s.deleted_at IS NULL
        GROUP BY b.emoji_key
     ) GROUP BY emoji HAVING sum(n) > 0 ORDER BY sum(n) DESC, emoji`;
const UPDATE_SQLITE = `UPDATE clips SET discord_shares = ?, discord_reactions = ?, discord_reaction_types = ?,
            first_shared_at = coalesce(?, first_shared_at), last_updated_at = ?
      WHERE guild_id = ? AND clip_id = ?`;
// PostgreSQL: every clip of the batch recomputed and updated by one statement (a round trip per clip would cost more
// than the work). The same rules as the per-clip statements above; jsonb_object_agg builds the per-emoji object.
// Each clip's counts are LATERAL subqueries, so they walk its shares and their reactions by the guild-first indexes
// (a join of the whole batch let the planner scan whole tables: 90 ms a batch at a few thousand shares).
const RECOMPUTE_POSTGRES = `WITH k AS (SELECT DISTINCT * FROM unnest(?::text[], ?::text[]) AS k(guild_id, clip_id)),
  totals AS (
    SELECT k.guild_id, k.clip_id, s.n AS shares, s.first, coalesce(e.total, 0) AS reactions, coalesce(e.types, '{}'::jsonb) AS types
      FROM k
     CROSS JOIN LATERAL (SELECT count(*) AS n, min(posted_at) AS first FROM shares
                          WHERE guild_id = k.guild_id AND clip_id = k.clip_id AND deleted_at IS NULL) AS s
     CROSS JOIN LATERAL (
       SELECT sum(n) AS total, jsonb_object_agg(emoji, n) AS types FROM (
         SELECT emoji, sum(n) AS n FROM (
           SELECT r.emoji_key AS emoji, count(*) AS n
             FROM shares sh JOIN reactions r ON r.guild_id = sh.guild_id AND r.message_id = sh.message_id
            WHERE sh.guild_id = k.guild_id AND sh.clip_id = k.clip_id AND sh.deleted_at IS NULL GROUP BY r.emoji_key
           UNION ALL
           SELECT b.emoji_key, sum(b.anonymous_count)
             FROM shares sh JOIN reaction_baselines b ON b.guild_id = sh.guild_id AND b.message_id = sh.message_id
            WHERE sh.guild_id = k.guild_id AND sh.clip_id = k.clip_id AND sh.deleted_at IS NULL GROUP BY b.emoji_key
         ) AS counted GROUP BY emoji HAVING sum(n) > 0
       ) AS per_emoji
     ) AS e)
UPDATE clips AS c SET discord_shares = t.shares, discord_reactions = t.reactions, discord_reaction_types = t.types,
       first_shared_at = coalesce(t.first, c.first_shared_at), last_updated_at = ?
  FROM totals t WHERE c.guild_id = t.guild_id AND c.clip_id = t.clip_id`;

function* recomputeClipEngagement(w: Writer, keys: Iterable<ClipKey>, now: number): Steps<void> {
  if (w.engine === 'postgres') {
    const guilds: string[] = [];
    const clips: string[] = [];
    for (const { guildId, clipId } of keys) {
      guilds.push(guildId);
      clips.push(clipId);
    }
    if (guilds.length > 0) yield* exec(RECOMPUTE_POSTGRES, [guilds, clips, now]);
    return;
  }
  const seen = new Set<string>();
  for (const { guildId, clipId } of keys) {
    const id = `${guildId}\u0000${clipId}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const shares = (yield* get<{ n: number; first: number | null }>(COUNT_SHARES, [guildId, clipId])) ?? { n: 0, first: null };
    const types: Record<string, number> = {};
    let total = 0;
    for (const row of yield* all<{ emoji: string; n: number }>(COUNT_REACTIONS_SQLITE, [guildId, clipId, guildId, clipId])) {
      types[row.emoji] = row.n;
      total += row.n;
    }
    yield* exec(UPDATE_SQLITE, [shares.n, total, JSON.stringify(types), shares.first, now, guildId, clipId]);
  }
}
