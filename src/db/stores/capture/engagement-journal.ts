// Journals how capture writes change the Discord engagement analytics count (engagement_changes): for each
// touched message, its engagement after the write minus before it, per guild, instant and clip. The incremental
// aggregator adds these to the stored days instead of re-reading whole days of shares and reactions.
import type { Connection } from '../../client';
import { captureJoins, type MessageRef } from './keys';
import { all, exec, openDeferred, sqliteWriter, withDeferredNow, type DeferredSteps, type Steps, type Writer } from './steps';

/** A message's engagement: (guild, clip, instant) → what is counted there. */
type Engagement = Map<string, EngagementChange>;
type Pending = Map<string, { message: MessageRef; before: Engagement }>;

// Messages touched by a batch, per connection (SQLite) or transaction (PostgreSQL): guild and message id → the
// message and its engagement before.
const deferred = new WeakMap<object, Pending>();
// The changes writers knew exactly (journalEngagementChange), kept to the batch's end too and summed per key there: on
// PostgreSQL the whole batch's journal is one statement instead of a round trip per event, on SQLite one upsert per
// key. Their sum is the same whenever written.
const known = new WeakMap<object, EngagementChange[]>();

const messageKey = (message: MessageRef): string => `${message.guildId}\u0000${message.messageId}`;

const ACTIVE_SHARES = 'SELECT clip_id, posted_at FROM shares WHERE guild_id = ? AND message_id = ? AND deleted_at IS NULL';
const reactionTimesSql = (engine: 'sqlite' | 'postgres'): string => {
  const j = captureJoins(engine);
  return `SELECT reacted_at AS at, count(*) AS n FROM reactions ${j.reactionsKey} WHERE guild_id = ? AND message_id = ? GROUP BY reacted_at
     UNION ALL
     SELECT observed_at, sum(anonymous_count) FROM reaction_baselines ${j.baselinesKey} WHERE guild_id = ? AND message_id = ? GROUP BY observed_at`;
};
const REACTION_TIMES = { sqlite: reactionTimesSql('sqlite'), postgres: reactionTimesSql('postgres') };

// PostgreSQL: a message's active shares and its reaction times in one statement ('s' rows: a share, 'r' rows: reactions
// at an instant), for one message before its write (plain parameters: the simplest plan), and for every message of a
// batch at its end (LATERAL per message, by the guild-first keys).
const engagementParts = (
  guild: string,
  message: string,
): string => `SELECT 's' AS kind, clip_id, posted_at AS at, 1::bigint AS n FROM shares
       WHERE guild_id = ${guild} AND message_id = ${message} AND deleted_at IS NULL
     UNION ALL
     SELECT 'r', NULL, reacted_at, count(*) FROM reactions WHERE guild_id = ${guild} AND message_id = ${message} GROUP BY reacted_at
     UNION ALL
     SELECT 'r', NULL, observed_at, sum(anonymous_count) FROM reaction_baselines
       WHERE guild_id = ${guild} AND message_id = ${message} GROUP BY observed_at`;
const ENGAGEMENT_POSTGRES = engagementParts('?', '?');
const ENGAGEMENTS_POSTGRES = `SELECT k.guild_id, k.message_id, e.* FROM unnest(?::text[], ?::text[]) AS k(guild_id, message_id)
     CROSS JOIN LATERAL (${engagementParts('k.guild_id', 'k.message_id')}) AS e`;

type EngagementPart = { kind: 's' | 'r'; clip_id: string | null; at: number; n: number };

/**
 * What a message counts for, by the same rules as the aggregator (analytics/day-facts.ts): each active share of
 * it counts once at its post time, and each reaction on it (and each anonymous imported count, at its
 * observation time) counts once per active share, for that share's clip.
 */
function* engagementOf(w: Writer, message: MessageRef): Steps<Engagement> {
  const { guildId, messageId } = message;
  if (w.engine === 'postgres') {
    const parts = yield* all<EngagementPart>(ENGAGEMENT_POSTGRES, [guildId, messageId, guildId, messageId, guildId, messageId]);
    return engagementFrom(
      guildId,
      parts.filter((p) => p.kind === 's').map((p) => ({ clip_id: p.clip_id as string, posted_at: p.at })),
      parts.filter((p) => p.kind === 'r'),
    );
  }
  const shares = yield* all<{ clip_id: string; posted_at: number }>(ACTIVE_SHARES, [guildId, messageId]);
  // Reactions count only through active shares: a message with none counts for nothing.
  if (shares.length === 0) return new Map();
  const reactions = yield* all<{ at: number; n: number }>(REACTION_TIMES[w.engine], [guildId, messageId, guildId, messageId]);
  return engagementFrom(guildId, shares, reactions);
}

function engagementFrom(
  guildId: string,
  shares: ReadonlyArray<{ clip_id: string; posted_at: number }>,
  reactions: ReadonlyArray<{ at: number; n: number }>,
): Engagement {
  const engagement: Engagement = new Map();
  const add = (clipId: string, at: number, sharesAt: number, reactionsAt: number): void => {
    const key = `${clipId}\u0000${at}`;
    const entry = engagement.get(key);
    if (entry) {
      entry.shares += sharesAt;
      entry.reactions += reactionsAt;
    } else engagement.set(key, { guildId, clipId, at, shares: sharesAt, reactions: reactionsAt });
  };
  for (const share of shares) {
    add(share.clip_id, share.posted_at, 1, 0);
    for (const r of reactions) add(share.clip_id, r.at, 0, r.n);
  }
  return engagement;
}

/** engagementOf for many messages: one statement on PostgreSQL, message by message on SQLite. */
function* engagementsOf(w: Writer, messages: readonly MessageRef[]): Steps<Map<string, Engagement>> {
  const result = new Map<string, Engagement>();
  if (w.engine === 'sqlite') {
    for (const m of messages) result.set(messageKey(m), yield* engagementOf(w, m));
    return result;
  }
  if (messages.length === 0) return result;
  const rows = yield* all<EngagementPart & { guild_id: string; message_id: string }>(ENGAGEMENTS_POSTGRES, [
    messages.map((m) => m.guildId),
    messages.map((m) => m.messageId),
  ]);
  const parts = new Map<string, EngagementPart[]>();
  for (const r of rows) {
    const key = messageKey({ guildId: r.guild_id, messageId: r.message_id });
    const list = parts.get(key);
    if (list) list.push(r);
    else parts.set(key, [r]);
  }
  for (const m of messages) {
    const mine = parts.get(messageKey(m)) ?? [];
    result.set(
      messageKey(m),
      engagementFrom(
        m.guildId,
        mine.filter((p) => p.kind === 's').map((p) => ({ clip_id: p.clip_id as string, posted_at: p.at })),
        mine.filter((p) => p.kind === 'r'),
      ),
    );
  }
  return result;
}

const addSqlite = (rows: number): string => `INSERT INTO engagement_changes (guild_id, at, clip_id, shares, reactions)
     VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ')}
     ON CONFLICT (guild_id, at, clip_id) DO UPDATE SET shares = shares + excluded.shares, reactions = reactions + excluded.reactions`;
// SQLite: a batch's keys in statements of ROWS_PER_INSERT rows (the rest one by one), which saves a statement's fixed
// cost per key; two statement texts, so the connection's statement cache holds both.
const ROWS_PER_INSERT = 64;
const ADD_SQLITE = addSqlite(1);
const ADD_SQLITE_MANY = addSqlite(ROWS_PER_INSERT);
// PostgreSQL: the batch's changes in one statement, summed per key first (a key may appear once per statement).
const ADD_POSTGRES = `INSERT INTO engagement_changes AS e (guild_id, at, clip_id, shares, reactions)
     SELECT * FROM unnest(?::text[], ?::bigint[], ?::text[], ?::integer[], ?::integer[])
     ON CONFLICT (guild_id, at, clip_id) DO UPDATE SET shares = e.shares + excluded.shares, reactions = e.reactions + excluded.reactions`;

/** Adds the changes to the journal, summed per key first (a key may appear once per PostgreSQL statement). */
function* writeChanges(w: Writer, changes: Iterable<EngagementChange>): Steps<void> {
  const summed = new Map<string, EngagementChange>();
  for (const c of changes) {
    const key = `${c.guildId}\u0000${c.at}\u0000${c.clipId}`;
    const entry = summed.get(key);
    if (entry) {
      entry.shares += c.shares;
      entry.reactions += c.reactions;
    } else summed.set(key, { ...c });
  }
  if (w.engine === 'sqlite') {
    const rows = [...summed.values()].filter((c) => c.shares !== 0 || c.reactions !== 0);
    let i = 0;
    for (; i + ROWS_PER_INSERT <= rows.length; i += ROWS_PER_INSERT) {
      yield* exec(
        ADD_SQLITE_MANY,
        rows.slice(i, i + ROWS_PER_INSERT).flatMap((c) => [c.guildId, c.at, c.clipId, c.shares, c.reactions]),
      );
    }
    for (const c of rows.slice(i)) yield* exec(ADD_SQLITE, [c.guildId, c.at, c.clipId, c.shares, c.reactions]);
    return;
  }
  const cols = { guilds: [] as string[], at: [] as number[], clips: [] as string[], shares: [] as number[], reactions: [] as number[] };
  for (const c of summed.values()) {
    if (c.shares === 0 && c.reactions === 0) continue;
    cols.guilds.push(c.guildId);
    cols.at.push(c.at);
    cols.clips.push(c.clipId);
    cols.shares.push(c.shares);
    cols.reactions.push(c.reactions);
  }
  if (cols.guilds.length > 0) yield* exec(ADD_POSTGRES, [cols.guilds, cols.at, cols.clips, cols.shares, cols.reactions]);
}

/** after − before of one message. */
function changesBetween(before: Engagement, after: Engagement): EngagementChange[] {
  const changes: EngagementChange[] = [];
  for (const [key, now] of after) {
    const was = before.get(key);
    changes.push({ ...now, shares: now.shares - (was?.shares ?? 0), reactions: now.reactions - (was?.reactions ?? 0) });
  }
  for (const [key, was] of before) if (!after.has(key)) changes.push({ ...was, shares: -was.shares, reactions: -was.reactions });
  return changes;
}

export interface EngagementChange {
  guildId: string;
  clipId: string;
  at: number;
  shares: number;
  reactions: number;
}

/**
 * Journals the change a write just made to one message, when the writer knows it exactly without reading the
 * message back (a message seen for the first time, a new reaction): the common events cost no extra reads. Inside
 * a batch that already took the message's engagement before an earlier write, the batch's end accounts for it.
 */
export function* journalEngagementChange(w: Writer, message: MessageRef, changes: readonly EngagementChange[]): Steps<void> {
  if (deferred.get(w.key)?.has(messageKey(message))) return;
  const later = known.get(w.key);
  if (later) {
    later.push(...changes);
    return;
  }
  yield* writeChanges(w, changes);
}

/**
 * Runs `write`, a change to the given messages' shares, reactions or reaction counts, and journals how it changed
 * what they count for. Inside a batch the journal is written once at the batch's end instead.
 * Call inside the write's transaction.
 */
export function* withEngagementChanges<T>(w: Writer, messages: readonly MessageRef[], write: Steps<T>): Steps<T> {
  const pending = deferred.get(w.key);
  if (pending) {
    for (const message of messages) {
      const key = messageKey(message);
      if (!pending.has(key)) pending.set(key, { message, before: yield* engagementOf(w, message) });
    }
    return yield* write;
  }
  const before: Pending = new Map();
  for (const message of messages) before.set(messageKey(message), { message, before: yield* engagementOf(w, message) });
  const result = yield* write;
  yield* flushJournalBatch(w, before);
  return result;
}

/**
 * Runs `fn` (a batch of capture writes inside one transaction) with each touched message's engagement read once
 * before its first write and once at the end, so a message that 200 reactions touched is journaled once.
 * If `fn` throws, nothing is journaled (the transaction rolls back anyway).
 */
export function deferEngagementChanges<T>(c: Connection, fn: () => T): T {
  return withDeferredNow(c, openEngagementChangesSteps(sqliteWriter(c)), fn);
}

/** A journal batch for a transaction that does not fit one callback: the journal is written at flush(). */
export function openEngagementChangesSteps(w: Writer): DeferredSteps {
  const direct = openDeferred(
    known,
    w.key,
    (): EngagementChange[] => [],
    function* () {},
  );
  const messages = openDeferred(
    deferred,
    w.key,
    (): Pending => new Map(),
    (pending) => flushJournalBatch(w, pending, known.get(w.key) ?? []),
  );
  return {
    *flush() {
      // The known changes go with the messages' flush (one statement for both on PostgreSQL); then their batch ends too.
      try {
        yield* messages.flush();
      } finally {
        direct.discard();
      }
    },
    discard() {
      messages.discard();
      direct.discard();
    },
  };
}

function* flushJournalBatch(w: Writer, pending: Pending, knownChanges: readonly EngagementChange[] = []): Steps<void> {
  const changes: EngagementChange[] = [...knownChanges];
  const after = yield* engagementsOf(
    w,
    [...pending.values()].map((p) => p.message),
  );
  for (const [key, { before }] of pending) changes.push(...changesBetween(before, after.get(key) ?? new Map()));
  yield* writeChanges(w, changes);
}
