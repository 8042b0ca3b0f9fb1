// A capture batch's view of the messages it touched, and the new shares and reactions it holds back to its end, where
// they go in a few multi-row statements instead of a statement (a PostgreSQL round trip) or two per event (ADR 0036;
// on PostgreSQL one statement per flush, ADR 0042).
import { markDirtyHoursSteps } from '../../dirty';
import type { Source } from '../../schema';
import { addClipEngagement, nextTouch } from './clip-counters';
import { journalEngagementChange } from './engagement-journal';
import type { MessageRef } from './keys';
import { exec, all, openDeferred, type DeferredSteps, type Steps, type Writer } from './steps';

export interface ShareRow {
  clip_id: string;
  deleted_at: number | null;
}

/**
 * A message as the batch knows it: its share rows (read once, then kept up to date by the batch's own deferred
 * writes) and, when `knowsReactions`, all its reactions (emoji and user): a message that had no share rows when first
 * read has none (reactions are only recorded on clip messages), and on PostgreSQL a clip message's reactions are read
 * with its shares; the batch adds those it holds back.
 */
export interface KnownMessage {
  shares: ShareRow[];
  knowsReactions: boolean;
  reactions: Set<string>;
}

export interface NewShare {
  guildId: string;
  channelId: string;
  threadId: string | null;
  messageId: string;
  clipId: string;
  url: string;
  authorId: string;
  authorName: string;
  authorIsBot: boolean;
  postedAt: number;
  source: Source;
  now: number;
}

export interface NewReaction {
  guildId: string;
  channelId: string;
  messageId: string;
  emojiKey: string;
  userId: string;
  at: number;
  /** The message's active clips when the reaction came (they cannot change before the rows are written). */
  clips: string[];
  now: number;
}

/** `touch`: the write's place among those that move counters (nextTouch), taken when it comes. */
type Held = { kind: 'share'; row: NewShare; touch: number } | { kind: 'reaction'; row: NewReaction; touch: number };

interface BatchWrites {
  messages: Map<string, KnownMessage>;
  /** In the order the writes came, so the counters' upkeep sees them in that order. */
  held: Held[];
  /** Whether a just-posted message may be taken for new without a read (see assumeNew). */
  optimistic: boolean;
  /** Messages taken for new without a read: checked, all in one read, before the held rows are written. */
  assumed: MessageRef[];
}

/**
 * Thrown when a message taken for new had share rows after all: the batch's answers so far are wrong, so the whole
 * batch runs again, reading every message it does not know (captureBatch does this).
 */
export class AssumedNewMessageExisted extends Error {
  constructor(message: MessageRef) {
    super(`message ${message.guildId}/${message.messageId} taken for new already had shares`);
  }
}

/**
 * How recent a message's post time must be, beside the batch's time, for a batch to take it for new without reading:
 * a message the gateway has just created. Older ones (discovered, crawled, edited later) are read.
 */
export const JUST_POSTED_MS = 5 * 60_000;

const batches = new WeakMap<object, BatchWrites>();

const messageKey = (m: MessageRef): string => `${m.guildId}\u0000${m.messageId}`;

/** Opens the batch's deferred writes (a capture batch's upkeep does, first of its parts). */
export function openBatchWritesSteps(w: Writer, options: { optimistic?: boolean } = {}): DeferredSteps {
  return openDeferred(
    batches,
    w.key,
    (): BatchWrites => ({ messages: new Map(), held: [], optimistic: options.optimistic ?? false, assumed: [] }),
    function* (batch) {
      yield* writeHeld(w, batch.held, takeAssumed(batch));
    },
  );
}

function takeAssumed(batch: BatchWrites): MessageRef[] {
  const assumed = batch.assumed;
  batch.assumed = [];
  return assumed;
}

/**
 * In an optimistic batch (PostgreSQL's capture batches: a read is a round trip), a message the batch does not know and
 * that was posted just now is taken for new, with no share rows, without reading it; the batch checks that before it
 * writes the held rows, and runs again without the assumption if it was wrong. Returns null where it does not apply.
 */
export function assumeNew(w: Writer, message: MessageRef & { postedAt: number }, now: number): KnownMessage | null {
  const batch = batches.get(w.key);
  if (!batch?.optimistic || batch.messages.has(messageKey(message)) || message.postedAt < now - JUST_POSTED_MS) return null;
  const known: KnownMessage = { shares: [], knowsReactions: true, reactions: new Set() };
  batch.messages.set(messageKey(message), known);
  batch.assumed.push({ guildId: message.guildId, messageId: message.messageId });
  return known;
}

/** Whether the writer is inside a capture batch that holds writes back. */
export const holdsWrites = (w: Writer): boolean => batches.has(w.key);

const SHARES_OF_MESSAGE = 'SELECT clip_id, deleted_at FROM shares WHERE guild_id = ? AND message_id = ?';
/**
 * PostgreSQL, inside a batch: a message's share rows and (up to REACTIONS_READ_MAX of) its reactions in one round
 * trip, so that later reactions on it are held back and judged by the batch instead of costing an insert each. A
 * message with more keeps none (its reactions are inserted one by one): the batch's memory stays bounded.
 */
const REACTIONS_READ_MAX = 100;
const SHARES_AND_REACTIONS_POSTGRES = `SELECT clip_id, deleted_at, NULL AS emoji_key, NULL AS user_id FROM shares WHERE guild_id = ? AND message_id = ?
     UNION ALL
     (SELECT NULL, NULL, emoji_key, user_id FROM reactions WHERE guild_id = ? AND message_id = ? LIMIT ${REACTIONS_READ_MAX + 1})`;

const reactionOf = (emojiKey: string, userId: string): string => `${emojiKey}\u0000${userId}`;

/**
 * A message's share rows: from the batch when it knows the message, else read (and, inside a batch, remembered, with
 * its reactions on PostgreSQL when they are few enough to keep).
 */
export function* sharesOfMessage(w: Writer, message: MessageRef): Steps<{ shares: ShareRow[]; known: KnownMessage | null }> {
  const batch = batches.get(w.key);
  const hit = batch?.messages.get(messageKey(message));
  if (hit) return { shares: hit.shares, known: hit };
  if (!batch || w.engine === 'sqlite') {
    const shares = yield* all<ShareRow>(SHARES_OF_MESSAGE, [message.guildId, message.messageId]);
    if (!batch) return { shares, known: null };
    const known: KnownMessage = { shares, knowsReactions: shares.length === 0, reactions: new Set() };
    batch.messages.set(messageKey(message), known);
    return { shares, known };
  }
  const rows = yield* all<ShareRow & { emoji_key: string | null; user_id: string | null }>(SHARES_AND_REACTIONS_POSTGRES, [
    message.guildId,
    message.messageId,
    message.guildId,
    message.messageId,
  ]);
  const shares: ShareRow[] = [];
  const reactions = new Set<string>();
  for (const r of rows) {
    if (r.emoji_key === null) shares.push({ clip_id: r.clip_id, deleted_at: r.deleted_at });
    else reactions.add(reactionOf(r.emoji_key, r.user_id as string));
  }
  const known: KnownMessage = { shares, knowsReactions: reactions.size <= REACTIONS_READ_MAX, reactions };
  if (!known.knowsReactions) known.reactions.clear();
  batch.messages.set(messageKey(message), known);
  return { shares, known };
}

/**
 * Writes what the batch held back and forgets what it knew of `messages` (every message when not given): every write
 * that is not held back calls this first, so that it reads and changes rows as if every earlier write had gone
 * straight to the database. Other messages stay known: such a write changes only its own messages' rows, and a
 * message whose held rows another writer had already inserted is forgotten too.
 */
export function* settleBatchWrites(w: Writer, messages?: readonly MessageRef[]): Steps<void> {
  const batch = batches.get(w.key);
  if (!batch) return;
  if (messages) for (const m of messages) batch.messages.delete(messageKey(m));
  else batch.messages.clear();
  const assumed = takeAssumed(batch);
  if (batch.held.length === 0 && assumed.length === 0) return;
  const held = batch.held;
  batch.held = [];
  for (const key of yield* writeHeld(w, held, assumed)) batch.messages.delete(key);
}

/** Holds back a first-seen message's shares (and clip rows); its journal and dirty hour are known at once. */
export function holdShares(w: Writer, known: KnownMessage, rows: readonly NewShare[]): void {
  const batch = batches.get(w.key);
  if (!batch) throw new Error('holdShares outside a capture batch');
  const touch = nextTouch();
  for (const row of rows) {
    batch.held.push({ kind: 'share', row, touch });
    if (!known.shares.some((s) => s.clip_id === row.clipId)) known.shares.push({ clip_id: row.clipId, deleted_at: null });
  }
}

/**
 * Holds back a reaction on a message the batch knows all reactions of; returns false when the batch already has it
 * (a replay), as the insert's conflict would.
 */
export function holdReaction(w: Writer, known: KnownMessage, row: NewReaction): boolean {
  const batch = batches.get(w.key);
  if (!batch) throw new Error('holdReaction outside a capture batch');
  const key = reactionOf(row.emojiKey, row.userId);
  if (known.reactions.has(key)) return false;
  known.reactions.add(key);
  batch.held.push({ kind: 'reaction', row, touch: nextTouch() });
  return true;
}

const INSERT_CLIP_SQLITE = `INSERT INTO clips (guild_id, clip_id, url, first_seen_at, first_shared_at, last_updated_at, source)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, clip_id) DO NOTHING`;
const INSERT_SHARE_SQLITE = `INSERT INTO shares (guild_id, channel_id, thread_id, message_id, clip_id, author_id, author_name, author_is_bot, posted_at, source)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, message_id, clip_id) DO NOTHING`;
const INSERT_REACTION_SQLITE = `INSERT INTO reactions (guild_id, channel_id, message_id, emoji_key, user_id, reacted_at)
     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, message_id, emoji_key, user_id) DO NOTHING`;
// PostgreSQL: the check of the messages taken for new and every table's rows in ONE statement (one round trip): its
// parts see the same snapshot, so the check reads shares as they were before the inserts; RETURNING says which rows
// were new (another writer may have won a key). A failed check rolls the whole transaction back anyway.
const WRITE_HELD_POSTGRES = `WITH assumed AS (
    SELECT guild_id, message_id FROM shares
     WHERE (guild_id, message_id) IN (SELECT * FROM unnest(?::text[], ?::text[])) LIMIT 1),
  c AS (
    INSERT INTO clips (guild_id, clip_id, url, first_seen_at, first_shared_at, last_updated_at, source)
    SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[])
    ON CONFLICT (guild_id, clip_id) DO NOTHING),
  s AS (
    INSERT INTO shares (guild_id, channel_id, thread_id, message_id, clip_id, author_id, author_name, author_is_bot, posted_at, source)
    SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[], ?::bigint[], ?::text[])
    ON CONFLICT (guild_id, message_id, clip_id) DO NOTHING RETURNING guild_id, message_id, clip_id),
  r AS (
    INSERT INTO reactions (guild_id, channel_id, message_id, emoji_key, user_id, reacted_at)
    SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[])
    ON CONFLICT (guild_id, message_id, emoji_key, user_id) DO NOTHING RETURNING guild_id, message_id, emoji_key, user_id)
SELECT 'a' AS kind, guild_id, message_id, NULL AS clip_id, NULL AS emoji_key, NULL AS user_id FROM assumed
UNION ALL SELECT 's', guild_id, message_id, clip_id, NULL, NULL FROM s
UNION ALL SELECT 'r', guild_id, message_id, NULL, emoji_key, user_id FROM r`;

const shareKey = (guildId: string, messageId: string, clipId: string): string => `${guildId}\u0000${messageId}\u0000${clipId}`;
const reactionKey = (guildId: string, messageId: string, emojiKey: string, userId: string): string =>
  `${guildId}\u0000${messageId}\u0000${emojiKey}\u0000${userId}`;

/**
 * Writes the held rows, then does each new row's upkeep in the order the writes came, as the writes themselves did
 * before they were held back: a new share is one more share of its clip, a new reaction one more reaction of each
 * clip its message shares (counters, journal, dirty hour). Rows that were already there (a conflict) move nothing.
 * Returns the keys (messageKey) of messages with a held row that was already there: the batch's view of them is wrong.
 */
function* writeHeld(w: Writer, held: readonly Held[], assumed: readonly MessageRef[] = []): Steps<Set<string>> {
  const conflicted = new Set<string>();
  if (held.length === 0 && assumed.length === 0) return conflicted;
  const newShares = new Set<string>();
  const newReactions = new Set<string>();
  // A clip's row comes from the first share of it; a key held twice is written once (as the first write left it).
  const clips = new Map<string, NewShare>();
  const shares = new Map<string, NewShare>();
  const reactions = new Map<string, NewReaction>();
  for (const h of held) {
    if (h.kind === 'share') {
      const r = h.row;
      const clip = `${r.guildId}\u0000${r.clipId}`;
      if (!clips.has(clip)) clips.set(clip, r);
      const key = shareKey(r.guildId, r.messageId, r.clipId);
      if (!shares.has(key)) shares.set(key, r);
    } else {
      const r = h.row;
      const key = reactionKey(r.guildId, r.messageId, r.emojiKey, r.userId);
      if (!reactions.has(key)) reactions.set(key, r);
    }
  }
  if (w.engine === 'sqlite') {
    // SQLite never takes a message for new without reading it (`assumed` is empty); a statement costs microseconds.
    for (const r of clips.values()) yield* exec(INSERT_CLIP_SQLITE, [r.guildId, r.clipId, r.url, r.now, r.postedAt, r.now, r.source]);
    for (const [key, r] of shares) {
      const params = [
        r.guildId,
        r.channelId,
        r.threadId,
        r.messageId,
        r.clipId,
        r.authorId,
        r.authorName,
        r.authorIsBot ? 1 : 0,
        r.postedAt,
        r.source,
      ];
      if ((yield* exec(INSERT_SHARE_SQLITE, params)) > 0) newShares.add(key);
    }
    for (const [key, r] of reactions) {
      if ((yield* exec(INSERT_REACTION_SQLITE, [r.guildId, r.channelId, r.messageId, r.emojiKey, r.userId, r.at])) > 0)
        newReactions.add(key);
    }
  } else {
    const c = [...clips.values()];
    const sh = [...shares.values()];
    const re = [...reactions.values()];
    const rows = yield* all<{
      kind: 'a' | 's' | 'r';
      guild_id: string;
      message_id: string;
      clip_id: string | null;
      emoji_key: string | null;
      user_id: string | null;
    }>(WRITE_HELD_POSTGRES, [
      assumed.map((m) => m.guildId),
      assumed.map((m) => m.messageId),
      c.map((r) => r.guildId),
      c.map((r) => r.clipId),
      c.map((r) => r.url),
      c.map((r) => r.now),
      c.map((r) => r.postedAt),
      c.map((r) => r.now),
      c.map((r) => r.source),
      sh.map((r) => r.guildId),
      sh.map((r) => r.channelId),
      sh.map((r) => r.threadId),
      sh.map((r) => r.messageId),
      sh.map((r) => r.clipId),
      sh.map((r) => r.authorId),
      sh.map((r) => r.authorName),
      sh.map((r) => r.authorIsBot),
      sh.map((r) => r.postedAt),
      sh.map((r) => r.source),
      re.map((r) => r.guildId),
      re.map((r) => r.channelId),
      re.map((r) => r.messageId),
      re.map((r) => r.emojiKey),
      re.map((r) => r.userId),
      re.map((r) => r.at),
    ]);
    for (const r of rows) {
      if (r.kind === 'a') throw new AssumedNewMessageExisted({ guildId: r.guild_id, messageId: r.message_id });
      if (r.kind === 's') newShares.add(shareKey(r.guild_id, r.message_id, r.clip_id as string));
      else newReactions.add(reactionKey(r.guild_id, r.message_id, r.emoji_key as string, r.user_id as string));
    }
  }
  for (const [key, r] of shares) if (!newShares.has(key)) conflicted.add(messageKey(r));
  for (const [key, r] of reactions) if (!newReactions.has(key)) conflicted.add(messageKey(r));
  for (const h of held) {
    if (h.kind === 'share') {
      const r = h.row;
      // Each new row once (a key held twice was inserted by its first write).
      if (!newShares.delete(shareKey(r.guildId, r.messageId, r.clipId))) continue;
      yield* addClipEngagement(
        w,
        [{ guildId: r.guildId, clipId: r.clipId, shares: 1, firstSharedAt: r.postedAt, reactions: new Map() }],
        r.now,
        h.touch,
      );
      continue;
    }
    const r = h.row;
    if (!newReactions.delete(reactionKey(r.guildId, r.messageId, r.emojiKey, r.userId))) continue;
    const message = { guildId: r.guildId, messageId: r.messageId };
    // One more reaction at its time, for each clip the message actively shares (as analytics count them).
    yield* journalEngagementChange(
      w,
      message,
      r.clips.map((clipId) => ({ guildId: r.guildId, clipId, at: r.at, shares: 0, reactions: 1 })),
    );
    yield* addClipEngagement(
      w,
      r.clips.map((clipId) => ({ guildId: r.guildId, clipId, shares: 0, firstSharedAt: null, reactions: new Map([[r.emojiKey, 1]]) })),
      r.now,
      h.touch,
    );
    yield* markDirtyHoursSteps(w, r.guildId, [r.at], 'engagement');
  }
  return conflicted;
}
