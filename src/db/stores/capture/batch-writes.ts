// A capture batch's view of the messages it touched, and the new shares and reactions it holds back to its end, where
// they go in a few multi-row statements instead of a statement (a PostgreSQL round trip) or two per event (ADR 0036).
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
 * writes) and, for a message that had no share rows when first read (so no reactions either: reactions are only
 * recorded on clip messages), the reactions the batch added, which are then all it has.
 */
export interface KnownMessage {
  shares: ShareRow[];
  fresh: boolean;
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
    (batch) => writeHeld(w, batch.held, takeAssumed(batch)),
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
  const known: KnownMessage = { shares: [], fresh: true, reactions: new Set() };
  batch.messages.set(messageKey(message), known);
  batch.assumed.push({ guildId: message.guildId, messageId: message.messageId });
  return known;
}

/** Whether the writer is inside a capture batch that holds writes back. */
export const holdsWrites = (w: Writer): boolean => batches.has(w.key);

const SHARES_OF_MESSAGE = 'SELECT clip_id, deleted_at FROM shares WHERE guild_id = ? AND message_id = ?';

/**
 * A message's share rows: from the batch when it knows the message, else read (and, inside a batch, remembered).
 * `fresh`: the message had no share rows before this batch, so the batch knows all its reactions.
 */
export function* sharesOfMessage(w: Writer, message: MessageRef): Steps<{ shares: ShareRow[]; known: KnownMessage | null }> {
  const batch = batches.get(w.key);
  const hit = batch?.messages.get(messageKey(message));
  if (hit) return { shares: hit.shares, known: hit };
  const shares = yield* all<ShareRow>(SHARES_OF_MESSAGE, [message.guildId, message.messageId]);
  if (!batch) return { shares, known: null };
  const known: KnownMessage = { shares, fresh: shares.length === 0, reactions: new Set() };
  batch.messages.set(messageKey(message), known);
  return { shares, known };
}

/**
 * Writes what the batch held back and forgets what it knew of messages: every write that is not held back calls this
 * first, so that it reads and changes rows as if every earlier write had gone straight to the database.
 */
export function* settleBatchWrites(w: Writer): Steps<void> {
  const batch = batches.get(w.key);
  if (!batch) return;
  batch.messages.clear();
  const assumed = takeAssumed(batch);
  if (batch.held.length === 0 && assumed.length === 0) return;
  const held = batch.held;
  batch.held = [];
  yield* writeHeld(w, held, assumed);
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
  const key = `${row.emojiKey}\u0000${row.userId}`;
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
// PostgreSQL: each table's rows in one statement; RETURNING says which were new (another writer may have won a key).
const INSERT_CLIPS_POSTGRES = `INSERT INTO clips (guild_id, clip_id, url, first_seen_at, first_shared_at, last_updated_at, source)
     SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[])
     ON CONFLICT (guild_id, clip_id) DO NOTHING`;
const INSERT_SHARES_POSTGRES = `INSERT INTO shares (guild_id, channel_id, thread_id, message_id, clip_id, author_id, author_name, author_is_bot, posted_at, source)
     SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[], ?::bigint[], ?::text[])
     ON CONFLICT (guild_id, message_id, clip_id) DO NOTHING RETURNING guild_id, message_id, clip_id`;
const INSERT_REACTIONS_POSTGRES = `INSERT INTO reactions (guild_id, channel_id, message_id, emoji_key, user_id, reacted_at)
     SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[])
     ON CONFLICT (guild_id, message_id, emoji_key, user_id) DO NOTHING RETURNING guild_id, message_id, emoji_key, user_id`;

const shareKey = (guildId: string, messageId: string, clipId: string): string => `${guildId}\u0000${messageId}\u0000${clipId}`;
const reactionKey = (guildId: string, messageId: string, emojiKey: string, userId: string): string =>
  `${guildId}\u0000${messageId}\u0000${emojiKey}\u0000${userId}`;

/**
 * Writes the held rows, then does each new row's upkeep in the order the writes came, as the writes themselves did
 * before they were held back: a new share is one more share of its clip, a new reaction one more reaction of each
 * clip its message shares (counters, journal, dirty hour). Rows that were already there (a conflict) move nothing.
 */
const ANY_SHARES_POSTGRES = `SELECT guild_id, message_id FROM shares
     WHERE (guild_id, message_id) IN (SELECT * FROM unnest(?::text[], ?::text[])) LIMIT 1`;

function* writeHeld(w: Writer, held: readonly Held[], assumed: readonly MessageRef[] = []): Steps<void> {
  if (assumed.length > 0) {
    const found = yield* all<{ guild_id: string; message_id: string }>(ANY_SHARES_POSTGRES, [
      assumed.map((m) => m.guildId),
      assumed.map((m) => m.messageId),
    ]);
    const first = found[0];
    if (first) throw new AssumedNewMessageExisted({ guildId: first.guild_id, messageId: first.message_id });
  }
  if (held.length === 0) return;
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
    if (clips.size > 0) {
      const rows = [...clips.values()];
      yield* exec(INSERT_CLIPS_POSTGRES, [
        rows.map((r) => r.guildId),
        rows.map((r) => r.clipId),
        rows.map((r) => r.url),
        rows.map((r) => r.now),
        rows.map((r) => r.postedAt),
        rows.map((r) => r.now),
        rows.map((r) => r.source),
      ]);
    }
    if (shares.size > 0) {
      const rows = [...shares.values()];
      const inserted = yield* all<{ guild_id: string; message_id: string; clip_id: string }>(INSERT_SHARES_POSTGRES, [
        rows.map((r) => r.guildId),
        rows.map((r) => r.channelId),
        rows.map((r) => r.threadId),
        rows.map((r) => r.messageId),
        rows.map((r) => r.clipId),
        rows.map((r) => r.authorId),
        rows.map((r) => r.authorName),
        rows.map((r) => r.authorIsBot),
        rows.map((r) => r.postedAt),
        rows.map((r) => r.source),
      ]);
      for (const r of inserted) newShares.add(shareKey(r.guild_id, r.message_id, r.clip_id));
    }
    if (reactions.size > 0) {
      const rows = [...reactions.values()];
      const inserted = yield* all<{ guild_id: string; message_id: string; emoji_key: string; user_id: string }>(INSERT_REACTIONS_POSTGRES, [
        rows.map((r) => r.guildId),
        rows.map((r) => r.channelId),
        rows.map((r) => r.messageId),
        rows.map((r) => r.emojiKey),
        rows.map((r) => r.userId),
        rows.map((r) => r.at),
      ]);
      for (const r of inserted) newReactions.add(reactionKey(r.guild_id, r.message_id, r.emoji_key, r.user_id));
    }
  }
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
}
