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
// PostgreSQL wants the derived table named; SQLite's text stays as its plan test knows it.
const countReactionsSql = (join: string, alias: string): string => `SELECT emoji, sum(n) AS n FROM (
       SELECT r.emoji_key AS emoji, count(*) AS n
         FROM shares s ${join} reactions r ON r.guild_id = s.guild_id AND r.message_id = s.message_id
        WHERE s.guild_id = ? AND s.clip_id = ? AND s.deleted_at IS NULL
        GROUP BY r.emoji_key
       UNION ALL
       SELECT b.emoji_key AS emoji, sum(b.anonymous_count) AS n
         FROM shares s ${join} reaction_baselines b ON b.guild_id = s.guild_id AND b.message_id = s.message_id
        WHERE s.guild_id = ? AND s.clip_id = ? AND s.deleted_at IS NULL
        GROUP BY b.emoji_key
     )${alias} GROUP BY emoji HAVING sum(n) > 0 ORDER BY sum(n) DESC, emoji`;
const COUNT_REACTIONS_SQLITE = countReactionsSql('CROSS JOIN', '');
const COUNT_REACTIONS_POSTGRES = countReactionsSql('JOIN', ' AS counted');
const UPDATE_SQLITE = `UPDATE clips SET discord_shares = ?, discord_reactions = ?, discord_reaction_types = ?,
            first_shared_at = coalesce(?, first_shared_at), last_updated_at = ?
      WHERE guild_id = ? AND clip_id = ?`;
// PostgreSQL: every recomputed clip in one statement.
const UPDATE_POSTGRES = `UPDATE clips AS c SET discord_shares = u.shares, discord_reactions = u.reactions,
            discord_reaction_types = u.types::jsonb, first_shared_at = coalesce(u.first, c.first_shared_at), last_updated_at = ?
       FROM unnest(?::text[], ?::text[], ?::integer[], ?::integer[], ?::text[], ?::bigint[]) AS u(guild_id, clip_id, shares, reactions, types, first)
      WHERE c.guild_id = u.guild_id AND c.clip_id = u.clip_id`;

function* recomputeClipEngagement(w: Writer, keys: Iterable<ClipKey>, now: number): Steps<void> {
  const postgres = w.engine === 'postgres';
  const countReactions = postgres ? COUNT_REACTIONS_POSTGRES : COUNT_REACTIONS_SQLITE;
  const rows = {
    guilds: [] as string[],
    clips: [] as string[],
    shares: [] as number[],
    reactions: [] as number[],
    types: [] as string[],
    first: [] as Array<number | null>,
  };
  const seen = new Set<string>();
  for (const { guildId, clipId } of keys) {
    const id = `${guildId}\u0000${clipId}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const shares = (yield* get<{ n: number; first: number | null }>(COUNT_SHARES, [guildId, clipId])) ?? { n: 0, first: null };
    const types: Record<string, number> = {};
    let total = 0;
    for (const row of yield* all<{ emoji: string; n: number }>(countReactions, [guildId, clipId, guildId, clipId])) {
      types[row.emoji] = row.n;
      total += row.n;
    }
    if (!postgres) {
      yield* exec(UPDATE_SQLITE, [shares.n, total, JSON.stringify(types), shares.first, now, guildId, clipId]);
      continue;
    }
    rows.guilds.push(guildId);
    rows.clips.push(clipId);
    rows.shares.push(shares.n);
    rows.reactions.push(total);
    rows.types.push(JSON.stringify(types));
    rows.first.push(shares.first);
  }
  if (postgres && rows.guilds.length > 0) {
    yield* exec(UPDATE_POSTGRES, [now, rows.guilds, rows.clips, rows.shares, rows.reactions, rows.types, rows.first]);
  }
}
