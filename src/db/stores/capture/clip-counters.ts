// Keeps a clip's Discord counters (shares, reactions, per-emoji breakdown) equal to what its raw rows count. A write
// whose effect it knows exactly (a row it inserted: a new message's share, a new reaction) moves the counters by that
// much; any other change recounts the clip from the raw rows. Replays insert nothing, so they move nothing.
import type { Connection } from '../../client';
import { all, exec, get, openDeferred, sqliteWriter, withDeferredNow, type DeferredSteps, type Steps, type Writer } from './steps';

export interface ClipKey {
  guildId: string;
  clipId: string;
}

/**
 * An exact change to a clip's counters: shares that became active (`firstSharedAt`, the earliest of their post times)
 * and reactions added per emoji. Only for rows the writer itself inserted, so that it is known without reading.
 */
export interface ClipEngagementDelta extends ClipKey {
  shares: number;
  firstSharedAt: number | null;
  /** Emoji → reactions added (a Map: emoji keys come from imports too, and may be any text). */
  reactions: Map<string, number>;
}

/**
 * A clip touched by a batch: its summed exact changes, or null when it must be recounted from the raw rows; `now` is
 * that of the latest write (by `touch`, the order writes came in) that moved it.
 */
type Touched = { key: ClipKey; now: number; touch: number; delta: ClipEngagementDelta | null };

let touches = 0;
/**
 * The order of a write that moves counters: a batch's held rows (batch-writes.ts) take theirs when they come and move
 * the counters later, so a clip's last_updated_at is still that of the last write that moved it.
 */
export const nextTouch = (): number => ++touches;
type Pending = Map<string, Touched>;

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
    // Two statements for the whole batch: the clips to recount (each with its own `now`), then the moved ones.
    const recount: Array<{ key: ClipKey; now: number }> = [];
    const deltas: Array<{ delta: ClipEngagementDelta; now: number }> = [];
    for (const { key, now, delta } of pending.values()) {
      if (delta) deltas.push({ delta, now });
      else recount.push({ key, now });
    }
    yield* recomputePostgres(recount);
    yield* applyDeltas(w, deltas);
    return;
  }
  for (const { key, now, delta } of pending.values()) {
    if (delta) yield* applyDeltas(w, [{ delta, now }]);
    else yield* recomputeClipEngagement(w, [key], now);
  }
}

const clipKeyOf = (key: ClipKey): string => `${key.guildId}\u0000${key.clipId}`;

/** Recounts the clips from their raw rows (at the batch's end inside a batch): for changes not known exactly. */
export function* refreshClipEngagement(w: Writer, keys: Iterable<ClipKey>, now: number): Steps<void> {
  const pending = deferred.get(w.key);
  if (!pending) {
    yield* recomputeClipEngagement(w, keys, now);
    return;
  }
  // A recount reads the rows as the batch leaves them, so it covers any exact change gathered before or after.
  const touch = nextTouch();
  for (const key of keys) pending.set(clipKeyOf(key), { key: { guildId: key.guildId, clipId: key.clipId }, now, touch, delta: null });
}

/**
 * Moves the clips' counters by exactly known changes (at the batch's end inside a batch, summed per clip), without
 * recounting their raw rows. The counters were exact before the write, so they stay exact.
 */
export function* addClipEngagement(
  w: Writer,
  deltas: readonly ClipEngagementDelta[],
  now: number,
  touch: number = nextTouch(),
): Steps<void> {
  const pending = deferred.get(w.key);
  if (!pending) {
    yield* applyDeltas(
      w,
      deltas.map((delta) => ({ delta, now })),
    );
    return;
  }
  for (const d of deltas) {
    const id = clipKeyOf(d);
    const touched = pending.get(id);
    if (!touched) {
      pending.set(id, { key: { guildId: d.guildId, clipId: d.clipId }, now, touch, delta: { ...d, reactions: new Map(d.reactions) } });
      continue;
    }
    if (touch > touched.touch) {
      touched.now = now;
      touched.touch = touch;
    }
    // Already to be recounted: the recount includes this change.
    if (touched.delta) addTo(touched.delta, d);
  }
}

/** Adds `d` into `into` (the batch's own copy). */
function addTo(into: ClipEngagementDelta, d: ClipEngagementDelta): void {
  into.shares += d.shares;
  if (d.firstSharedAt !== null)
    into.firstSharedAt = into.firstSharedAt === null ? d.firstSharedAt : Math.min(into.firstSharedAt, d.firstSharedAt);
  for (const [emoji, n] of d.reactions) into.reactions.set(emoji, (into.reactions.get(emoji) ?? 0) + n);
}

/**
 * SQLite's `ORDER BY sum(n) DESC, emoji` (text compared as bytes, which for UTF-8 is code point order), so a moved
 * counter's per-emoji text is the same string a recount writes.
 */
function byCountThenEmoji(a: [string, number], b: [string, number]): number {
  if (a[1] !== b[1]) return b[1] - a[1];
  const x = a[0];
  const y = b[0];
  for (let i = 0, j = 0; i < x.length && j < y.length; ) {
    const cx = x.codePointAt(i) as number;
    const cy = y.codePointAt(j) as number;
    if (cx !== cy) return cx - cy;
    i += cx > 0xffff ? 2 : 1;
    j += cy > 0xffff ? 2 : 1;
  }
  return x.length - y.length;
}

const CLIP_COUNTERS_SQLITE = `SELECT discord_shares AS shares, discord_reaction_types AS types, first_shared_at AS first
       FROM clips WHERE guild_id = ? AND clip_id = ?`;
// PostgreSQL: every moved clip in one statement; the per-emoji objects are summed by key (jsonb orders keys itself).
// Each clip is looked up by its key in a LATERAL (LIMIT 1 keeps it from being flattened into a join): as a join, the
// planner hashed the whole clips table for a batch's few hundred clips (5 of 15 ms at S, and it grows with the table).
const ADD_POSTGRES = `WITH d AS (
    SELECT * FROM unnest(?::text[], ?::text[], ?::integer[], ?::bigint[], ?::jsonb[], ?::bigint[]) AS d(guild_id, clip_id, shares, first, types, now)),
  moved AS (
    SELECT c.guild_id, c.clip_id, c.discord_shares + d.shares AS shares,
           CASE WHEN d.shares > 0 AND c.discord_shares > 0 THEN least(c.first_shared_at, d.first)
                WHEN d.shares > 0 THEN d.first ELSE c.first_shared_at END AS first,
           t.total, t.types, d.now
      FROM d CROSS JOIN LATERAL (
       SELECT guild_id, clip_id, discord_shares, first_shared_at, discord_reaction_types FROM clips
        WHERE guild_id = d.guild_id AND clip_id = d.clip_id LIMIT 1) AS c
     CROSS JOIN LATERAL (
       SELECT coalesce(sum(n), 0) AS total, coalesce(jsonb_object_agg(emoji, n), '{}'::jsonb) AS types FROM (
         SELECT emoji, sum(n) AS n FROM (
           SELECT key AS emoji, value::bigint AS n FROM jsonb_each_text(c.discord_reaction_types)
           UNION ALL
           SELECT key, value::bigint FROM jsonb_each_text(d.types)
         ) AS both_counts GROUP BY emoji HAVING sum(n) > 0
       ) AS per_emoji
     ) AS t)
UPDATE clips AS c SET discord_shares = m.shares, discord_reactions = m.total, discord_reaction_types = m.types,
       first_shared_at = m.first, last_updated_at = m.now
  FROM moved m WHERE c.guild_id = m.guild_id AND c.clip_id = m.clip_id`;

function* applyDeltas(w: Writer, deltas: ReadonlyArray<{ delta: ClipEngagementDelta; now: number }>): Steps<void> {
  if (deltas.length === 0) return;
  if (w.engine === 'postgres') {
    const cols = {
      guilds: [] as string[],
      clips: [] as string[],
      shares: [] as number[],
      first: [] as Array<number | null>,
      types: [] as string[],
      now: [] as number[],
    };
    for (const { delta, now } of deltas) {
      cols.guilds.push(delta.guildId);
      cols.clips.push(delta.clipId);
      cols.shares.push(delta.shares);
      cols.first.push(delta.firstSharedAt);
      cols.types.push(JSON.stringify(Object.fromEntries(delta.reactions)));
      cols.now.push(now);
    }
    yield* exec(ADD_POSTGRES, [cols.guilds, cols.clips, cols.shares, cols.first, cols.types, cols.now]);
    return;
  }
  for (const { delta, now } of deltas) {
    const { guildId, clipId } = delta;
    const row = yield* get<{ shares: number; types: string; first: number | null }>(CLIP_COUNTERS_SQLITE, [guildId, clipId]);
    // A clip row that is not there has no counters to move (a recount would update nothing either).
    if (!row) continue;
    const counts = new Map(Object.entries(JSON.parse(row.types) as Record<string, number>));
    for (const [emoji, n] of delta.reactions) counts.set(emoji, (counts.get(emoji) ?? 0) + n);
    const types: Record<string, number> = {};
    let total = 0;
    for (const [emoji, n] of [...counts].filter(([, n]) => n > 0).sort(byCountThenEmoji)) {
      types[emoji] = n;
      total += n;
    }
    // The earliest active share: a clip that had active shares keeps its earliest unless a new one is earlier.
    let first = row.first;
    if (delta.shares > 0 && delta.firstSharedAt !== null) {
      first = row.shares > 0 && row.first !== null ? Math.min(row.first, delta.firstSharedAt) : delta.firstSharedAt;
    }
    yield* exec(UPDATE_SQLITE, [row.shares + delta.shares, total, JSON.stringify(types), first, now, guildId, clipId]);
  }
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
// Each clip comes with the `now` it is stamped with (a batch's deletions and edits each have their own).
const RECOMPUTE_POSTGRES = `WITH k AS (SELECT DISTINCT ON (guild_id, clip_id) * FROM unnest(?::text[], ?::text[], ?::bigint[]) AS k(guild_id, clip_id, now)),
  totals AS (
    SELECT k.guild_id, k.clip_id, k.now, s.n AS shares, s.first, coalesce(e.total, 0) AS reactions, coalesce(e.types, '{}'::jsonb) AS types
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
       first_shared_at = coalesce(t.first, c.first_shared_at), last_updated_at = t.now
  FROM totals t WHERE c.guild_id = t.guild_id AND c.clip_id = t.clip_id`;

function* recomputePostgres(clips: ReadonlyArray<{ key: ClipKey; now: number }>): Steps<void> {
  if (clips.length === 0) return;
  yield* exec(RECOMPUTE_POSTGRES, [clips.map((c) => c.key.guildId), clips.map((c) => c.key.clipId), clips.map((c) => c.now)]);
}

function* recomputeClipEngagement(w: Writer, keys: Iterable<ClipKey>, now: number): Steps<void> {
  if (w.engine === 'postgres') {
    yield* recomputePostgres([...keys].map((key) => ({ key, now })));
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
