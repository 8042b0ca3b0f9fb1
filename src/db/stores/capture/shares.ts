// Shares: a message's active shares are always exactly the clip links its latest known content holds; every
// write here is idempotent. Call inside a capture batch's transaction. The logic is steps (./steps.ts): synchronous
// on a SQLite connection (the `…On` functions), awaited on PostgreSQL.
import type { Connection } from '../../client';
import type { Db } from '../../database';
import { markDirtyHoursSteps } from '../../dirty';
import { queries } from '../../sql';
import type { Source } from '../../schema';
import { addClipEngagement, refreshClipEngagement, type ClipKey } from './clip-counters';
import { journalEngagementChange, withEngagementChanges } from './engagement-journal';
import { assumeNew, holdShares, holdsWrites, settleBatchWrites, sharesOfMessage, type KnownMessage } from './batch-writes';
import { captureJoins, type MessageRef } from './keys';
import { all, exec, executeNow, get, type Steps, type Writer } from './steps';

export type { MessageRef };

/** A clip link found in a message: the clip slug and the URL to store for it. */
export interface ClipLink {
  clipId: string;
  url: string;
}

export interface MessageSnapshot extends MessageRef {
  /** The channel the share counts for: a thread's or forum post's parent channel. */
  channelId: string;
  /** The thread, when the message was posted in one. */
  threadId?: string | null;
  authorId: string;
  authorName: string;
  authorIsBot: boolean;
  /** When the message was posted, epoch ms. */
  postedAt: number;
  /** The message text, plus any embed URLs worth scanning. */
  content: string;
  embedUrls?: string[];
  source: Source;
}

export interface ShareChange {
  added: string[];
  removed: string[];
}

/**
 * Makes the message's active shares match the clip links in its content: new links become shares (and clip
 * rows, pending enrichment), links an edit removed stop counting, links an edit restored count again.
 * Re-running with the same snapshot changes nothing. Call inside a transaction.
 */
export function* recordMessageSteps(w: Writer, message: MessageSnapshot, links: readonly ClipLink[], now: number): Steps<ShareChange> {
  if (holdsWrites(w)) {
    const assumed = assumeNew(w, message, now);
    if (assumed) return yield* holdNewMessage(w, assumed, message, links, now);
    const { shares: existing, known } = yield* sharesOfMessage(w, message);
    if (known && existing.length === 0) return yield* holdNewMessage(w, known, message, links, now);
    // A replay of what the message already shares changes nothing: no need to write what the batch holds first.
    if (unchanged(existing, links)) return { added: [], removed: [] };
  }
  const { added, removed } = yield* recordMessageCountingClipsSteps(w, message, links, now);
  return { added, removed };
}

/** Whether the links are exactly the message's active shares (recording them again would change nothing). */
function unchanged(existing: ReadonlyArray<{ clip_id: string; deleted_at: number | null }>, links: readonly ClipLink[]): boolean {
  const wanted = new Set(links.map((l) => l.clipId));
  for (const row of existing) if ((row.deleted_at === null) !== wanted.has(row.clip_id)) return false;
  for (const clipId of wanted) if (!existing.some((row) => row.clip_id === clipId)) return false;
  return true;
}

/**
 * A message with no share rows, inside a batch: its new shares are held back to the batch's end (see batch-writes.ts);
 * what it counts for (one share per clip at its post time) is journaled and its hour marked at once, as writeMessage
 * does, and its counters move when the rows are written.
 */
function* holdNewMessage(
  w: Writer,
  known: KnownMessage,
  message: MessageSnapshot,
  links: readonly ClipLink[],
  now: number,
): Steps<ShareChange> {
  const added = links.map((l) => l.clipId);
  if (added.length === 0) return { added, removed: [] };
  holdShares(
    w,
    known,
    links.map((link) => ({
      guildId: message.guildId,
      channelId: message.channelId,
      threadId: message.threadId ?? null,
      messageId: message.messageId,
      clipId: link.clipId,
      url: link.url,
      authorId: message.authorId,
      authorName: message.authorName,
      authorIsBot: message.authorIsBot,
      postedAt: message.postedAt,
      source: message.source,
      now,
    })),
  );
  yield* markDirtyHoursSteps(w, message.guildId, [message.postedAt], 'engagement');
  yield* journalEngagementChange(
    w,
    message,
    [...new Set(added)].map((clipId) => ({ guildId: message.guildId, clipId, at: message.postedAt, shares: 1, reactions: 0 })),
  );
  return { added, removed: [] };
}

/** A message's share change and how many clip rows it created (another writer may create the same clip at once). */
export interface RecordedMessage extends ShareChange {
  clipsCreated: number;
}

/**
 * recordMessageSteps that also counts the clip rows its own inserts created, so that concurrent writers (two imports)
 * never both count the same new clip.
 */
export function* recordMessageCountingClipsSteps(
  w: Writer,
  message: MessageSnapshot,
  links: readonly ClipLink[],
  now: number,
): Steps<RecordedMessage> {
  yield* settleBatchWrites(w, [message]);
  const existing = yield* all<{ clip_id: string; deleted_at: number | null }>(
    'SELECT clip_id, deleted_at FROM shares WHERE guild_id = ? AND message_id = ?',
    [message.guildId, message.messageId],
  );
  if (existing.length > 0) return yield* withEngagementChanges(w, [message], writeMessage(w, message, links, existing, now));
  // A message seen for the first time has no reactions yet (they are only recorded on known clip messages): it
  // now counts one share per clip at its post time, and nothing needs reading back to journal that.
  const change = yield* writeMessage(w, message, links, existing, now);
  yield* journalEngagementChange(
    w,
    message,
    [...new Set(change.added)].map((clipId) => ({ guildId: message.guildId, clipId, at: message.postedAt, shares: 1, reactions: 0 })),
  );
  return change;
}

/** recordMessageSteps synchronously on a SQLite connection. */
export function recordMessageOn(c: Connection, message: MessageSnapshot, links: readonly ClipLink[], now: number): ShareChange {
  return executeNow(c, (w) => recordMessageSteps(w, message, links, now));
}

const INSERT_CLIP = `INSERT INTO clips (guild_id, clip_id, url, first_seen_at, first_shared_at, last_updated_at, source)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, clip_id) DO NOTHING`;
const INSERT_SHARE = `INSERT INTO shares (guild_id, channel_id, thread_id, message_id, clip_id, author_id, author_name, author_is_bot, posted_at, source)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, message_id, clip_id) DO NOTHING`;

function* writeMessage(
  w: Writer,
  message: MessageSnapshot,
  links: readonly ClipLink[],
  existing: ReadonlyArray<{ clip_id: string; deleted_at: number | null }>,
  now: number,
): Steps<RecordedMessage> {
  const current = new Map(existing.map((row) => [row.clip_id, row]));
  const wanted = new Set(links.map((l) => l.clipId));
  const added: string[] = [];
  const removed: string[] = [];
  const inserted: string[] = [];
  let clipsCreated = 0;
  for (const link of links) {
    const row = current.get(link.clipId);
    if (row && row.deleted_at === null) continue;
    clipsCreated += yield* exec(INSERT_CLIP, [message.guildId, link.clipId, link.url, now, message.postedAt, now, message.source]);
    if (row) {
      yield* exec('UPDATE shares SET deleted_at = NULL WHERE guild_id = ? AND message_id = ? AND clip_id = ?', [
        message.guildId,
        message.messageId,
        link.clipId,
      ]);
    } else {
      const rows = yield* exec(INSERT_SHARE, [
        message.guildId,
        message.channelId,
        message.threadId ?? null,
        message.messageId,
        link.clipId,
        message.authorId,
        message.authorName,
        // A boolean: 1/0 on SQLite, the boolean column on PostgreSQL.
        message.authorIsBot,
        message.postedAt,
        message.source,
      ]);
      if (rows > 0) inserted.push(link.clipId);
    }
    added.push(link.clipId);
  }
  for (const row of existing) {
    if (row.deleted_at === null && !wanted.has(row.clip_id)) {
      yield* exec('UPDATE shares SET deleted_at = ? WHERE guild_id = ? AND message_id = ? AND clip_id = ?', [
        now,
        message.guildId,
        message.messageId,
        row.clip_id,
      ]);
      removed.push(row.clip_id);
    }
  }
  if (added.length > 0 || removed.length > 0) {
    if (existing.length === 0) {
      // A message seen for the first time has no reactions: each share row it inserted is one more share at its post
      // time, and nothing else changed.
      yield* addClipEngagement(
        w,
        inserted.map((clipId) => ({ guildId: message.guildId, clipId, shares: 1, firstSharedAt: message.postedAt, reactions: new Map() })),
        now,
      );
    } else {
      // An edit: restored or removed shares carry the message's reactions with them, so the clips are recounted.
      const keys: ClipKey[] = [...added, ...removed].map((clipId) => ({ guildId: message.guildId, clipId }));
      yield* refreshClipEngagement(w, keys, now);
    }
    // A message seen for the first time has no reactions yet: they are only recorded on known clip messages.
    const times = existing.length === 0 ? [message.postedAt] : [message.postedAt, ...(yield* reactionTimes(w, message))];
    // Capture never changes a clip's Twitch metadata (new clip rows wait for enrichment and count for nothing yet).
    yield* markDirtyHoursSteps(w, message.guildId, times, 'engagement');
  }
  return { added, removed, clipsCreated };
}

/** Marks every share of the guild's given messages deleted (rows are kept with deleted_at). Idempotent. */
export function* recordMessagesDeletedSteps(w: Writer, guildId: string, messageIds: readonly string[], now: number): Steps<number> {
  const messages = messageIds.map((messageId) => ({ guildId, messageId }));
  yield* settleBatchWrites(w, messages);
  return yield* withEngagementChanges(w, messages, deleteMessages(w, messages, now));
}

/** recordMessagesDeletedSteps synchronously on a SQLite connection. */
export function recordMessagesDeletedOn(c: Connection, guildId: string, messageIds: readonly string[], now: number): number {
  return executeNow(c, (w) => recordMessagesDeletedSteps(w, guildId, messageIds, now));
}

const DELETE_MESSAGE_POSTGRES = `WITH ended AS (
    UPDATE shares SET deleted_at = ? WHERE guild_id = ? AND message_id = ? AND deleted_at IS NULL RETURNING clip_id, posted_at)
  SELECT 's' AS kind, clip_id, posted_at AS t FROM ended
  UNION ALL
  SELECT 't', NULL, t FROM (
    SELECT reacted_at AS t FROM reactions WHERE guild_id = ? AND message_id = ?
    UNION SELECT observed_at FROM reaction_baselines WHERE guild_id = ? AND message_id = ?) AS times`;

function* deleteMessages(w: Writer, messages: readonly MessageRef[], now: number): Steps<number> {
  const keys: ClipKey[] = [];
  for (const message of messages) {
    const { guildId, messageId } = message;
    if (w.engine === 'postgres') {
      // The shares it ends and the message's reaction times in one round trip ('s' rows, then 't' rows).
      const rows = yield* all<{ kind: 's' | 't'; clip_id: string | null; t: number }>(DELETE_MESSAGE_POSTGRES, [
        now,
        guildId,
        messageId,
        guildId,
        messageId,
        guildId,
        messageId,
      ]);
      const ended = rows.filter((row) => row.kind === 's');
      if (ended.length === 0) continue;
      for (const row of ended) keys.push({ guildId, clipId: row.clip_id as string });
      yield* markDirtyHoursSteps(
        w,
        guildId,
        rows.map((row) => row.t),
        'engagement',
      );
      continue;
    }
    // The shares it ends, in the same statement as the update (no read first).
    const rows = yield* all<{ clip_id: string; posted_at: number }>(
      'UPDATE shares SET deleted_at = ? WHERE guild_id = ? AND message_id = ? AND deleted_at IS NULL RETURNING clip_id, posted_at',
      [now, guildId, messageId],
    );
    if (rows.length === 0) continue;
    for (const row of rows) keys.push({ guildId, clipId: row.clip_id });
    yield* markDirtyHoursSteps(w, guildId, [...rows.map((row) => row.posted_at), ...(yield* reactionTimes(w, message))], 'engagement');
  }
  yield* refreshClipEngagement(w, keys, now);
  return keys.length;
}

/** The clips a message currently shares (empty when it shares none or is unknown). */
export function* activeClipsOfMessageSteps(message: MessageRef): Steps<ClipKey[]> {
  return yield* all<ClipKey>(
    'SELECT guild_id AS "guildId", clip_id AS "clipId" FROM shares WHERE guild_id = ? AND message_id = ? AND deleted_at IS NULL',
    [message.guildId, message.messageId],
  );
}

export function activeClipsOfMessageOn(c: Connection, message: MessageRef): ClipKey[] {
  return executeNow(c, () => activeClipsOfMessageSteps(message));
}

/** Whether the guild's message was ever recorded with a clip link (even if since deleted). */
export function* isKnownClipMessageSteps(message: MessageRef): Steps<boolean> {
  return (
    (yield* get('SELECT 1 AS one FROM shares WHERE guild_id = ? AND message_id = ? LIMIT 1', [message.guildId, message.messageId])) !==
    undefined
  );
}

export function isKnownClipMessageOn(c: Connection, message: MessageRef): boolean {
  return executeNow(c, () => isKnownClipMessageSteps(message));
}

const reactionTimesSql = (engine: 'sqlite' | 'postgres'): string => {
  const j = captureJoins(engine);
  return `SELECT reacted_at AS t FROM reactions ${j.reactionsKey} WHERE guild_id = ? AND message_id = ?
       UNION SELECT observed_at FROM reaction_baselines ${j.baselinesKey} WHERE guild_id = ? AND message_id = ?`;
};
export const REACTION_TIMES = { sqlite: reactionTimesSql('sqlite'), postgres: reactionTimesSql('postgres') };

/** Times the message's reactions count at, anonymous imported counts included (analytics place them there). */
export function* reactionTimes(w: Writer, message: MessageRef): Steps<number[]> {
  const { guildId, messageId } = message;
  const rows = yield* all<{ t: number }>(REACTION_TIMES[w.engine], [guildId, messageId, guildId, messageId]);
  return rows.map((r) => r.t);
}

/** The guild's active shares, one row per message and clip, by message (status, the multi-process tests). */
export async function listActiveShares(db: Db, guildId: string): Promise<Array<{ messageId: string; clipId: string }>> {
  return queries(db).all<{ messageId: string; clipId: string }>(
    'SELECT message_id AS "messageId", clip_id AS "clipId" FROM shares WHERE guild_id = ? AND deleted_at IS NULL ORDER BY message_id, clip_id',
    [guildId],
  );
}
