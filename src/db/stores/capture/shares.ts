// Shares: a message's active shares are always exactly the clip links its latest known content holds; every
// write here is idempotent. Call inside a capture batch's transaction.
import type { Connection } from '../../client';
import { markDirtyHours } from '../../dirty';
import type { Source } from '../../schema';
import { refreshClipEngagement, type ClipKey } from './clip-counters';
import { journalEngagementChange, withEngagementChanges } from './engagement-journal';
import { BASELINES_KEY, REACTIONS_KEY, type MessageRef } from './keys';

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
export function recordMessageOn(c: Connection, message: MessageSnapshot, links: readonly ClipLink[], now: number): ShareChange {
  const existing = c
    .statement<[string, string], { clip_id: string; deleted_at: number | null }>(
      'SELECT clip_id, deleted_at FROM shares WHERE guild_id = ? AND message_id = ?',
    )
    .all(message.guildId, message.messageId);
  if (existing.length > 0) return withEngagementChanges(c, [message], () => writeMessage(c, message, links, existing, now));
  // A message seen for the first time has no reactions yet (they are only recorded on known clip messages): it
  // now counts one share per clip at its post time, and nothing needs reading back to journal that.
  const change = writeMessage(c, message, links, existing, now);
  journalEngagementChange(
    c,
    message,
    [...new Set(change.added)].map((clipId) => ({ guildId: message.guildId, clipId, at: message.postedAt, shares: 1, reactions: 0 })),
  );
  return change;
}

function writeMessage(
  c: Connection,
  message: MessageSnapshot,
  links: readonly ClipLink[],
  existing: ReadonlyArray<{ clip_id: string; deleted_at: number | null }>,
  now: number,
): ShareChange {
  const current = new Map(existing.map((row) => [row.clip_id, row]));
  const wanted = new Set(links.map((l) => l.clipId));
  const added: string[] = [];
  const removed: string[] = [];

  const insertClip = c.statement(`INSERT INTO clips (guild_id, clip_id, url, first_seen_at, first_shared_at, last_updated_at, source)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, clip_id) DO NOTHING`);
  const insertShare =
    c.statement(`INSERT INTO shares (guild_id, channel_id, thread_id, message_id, clip_id, author_id, author_name, author_is_bot, posted_at, source)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, message_id, clip_id) DO NOTHING`);
  for (const link of links) {
    const row = current.get(link.clipId);
    if (row && row.deleted_at === null) continue;
    insertClip.run(message.guildId, link.clipId, link.url, now, message.postedAt, now, message.source);
    if (row) {
      c.statement('UPDATE shares SET deleted_at = NULL WHERE guild_id = ? AND message_id = ? AND clip_id = ?').run(
        message.guildId,
        message.messageId,
        link.clipId,
      );
    } else {
      insertShare.run(
        message.guildId,
        message.channelId,
        message.threadId ?? null,
        message.messageId,
        link.clipId,
        message.authorId,
        message.authorName,
        message.authorIsBot ? 1 : 0,
        message.postedAt,
        message.source,
      );
    }
    added.push(link.clipId);
  }
  for (const row of existing) {
    if (row.deleted_at === null && !wanted.has(row.clip_id)) {
      c.statement('UPDATE shares SET deleted_at = ? WHERE guild_id = ? AND message_id = ? AND clip_id = ?').run(
        now,
        message.guildId,
        message.messageId,
        row.clip_id,
      );
      removed.push(row.clip_id);
    }
  }
  if (added.length > 0 || removed.length > 0) {
    const keys: ClipKey[] = [...added, ...removed].map((clipId) => ({ guildId: message.guildId, clipId }));
    refreshClipEngagement(c, keys, now);
    // A message seen for the first time has no reactions yet: they are only recorded on known clip messages.
    const times = existing.length === 0 ? [message.postedAt] : [message.postedAt, ...reactionTimes(c, message)];
    // Capture never changes a clip's Twitch metadata (new clip rows wait for enrichment and count for nothing yet).
    markDirtyHours(c, message.guildId, times, 'engagement');
  }
  return { added, removed };
}

/** Marks every share of the guild's given messages deleted (rows are kept with deleted_at). Idempotent. */
export function recordMessagesDeletedOn(c: Connection, guildId: string, messageIds: readonly string[], now: number): number {
  const messages = messageIds.map((messageId) => ({ guildId, messageId }));
  return withEngagementChanges(c, messages, () => deleteMessages(c, messages, now));
}

function deleteMessages(c: Connection, messages: readonly MessageRef[], now: number): number {
  const select = c.statement<[string, string], { clip_id: string; posted_at: number }>(
    'SELECT clip_id, posted_at FROM shares WHERE guild_id = ? AND message_id = ? AND deleted_at IS NULL',
  );
  const markDeleted = c.statement('UPDATE shares SET deleted_at = ? WHERE guild_id = ? AND message_id = ? AND deleted_at IS NULL');
  const keys: ClipKey[] = [];
  for (const message of messages) {
    const { guildId, messageId } = message;
    const rows = select.all(guildId, messageId);
    if (rows.length === 0) continue;
    markDeleted.run(now, guildId, messageId);
    for (const row of rows) keys.push({ guildId, clipId: row.clip_id });
    markDirtyHours(c, guildId, [...rows.map((row) => row.posted_at), ...reactionTimes(c, message)], 'engagement');
  }
  refreshClipEngagement(c, keys, now);
  return keys.length;
}

/** The clips a message currently shares (empty when it shares none or is unknown). */
export function activeClipsOfMessageOn(c: Connection, message: MessageRef): ClipKey[] {
  return c
    .statement<[string, string], { guildId: string; clipId: string }>(
      'SELECT guild_id AS guildId, clip_id AS clipId FROM shares WHERE guild_id = ? AND message_id = ? AND deleted_at IS NULL',
    )
    .all(message.guildId, message.messageId);
}

/** Whether the guild's message was ever recorded with a clip link (even if since deleted). */
export function isKnownClipMessageOn(c: Connection, message: MessageRef): boolean {
  return (
    c.statement('SELECT 1 FROM shares WHERE guild_id = ? AND message_id = ? LIMIT 1').get(message.guildId, message.messageId) !== undefined
  );
}

/** Times the message's reactions count at, anonymous imported counts included (analytics place them there). */
function reactionTimes(c: Connection, message: MessageRef): number[] {
  const { guildId, messageId } = message;
  return c
    .statement<[string, string, string, string], { t: number }>(
      `SELECT reacted_at AS t FROM reactions ${REACTIONS_KEY} WHERE guild_id = ? AND message_id = ?
       UNION SELECT observed_at FROM reaction_baselines ${BASELINES_KEY} WHERE guild_id = ? AND message_id = ?`,
    )
    .all(guildId, messageId, guildId, messageId)
    .map((r) => r.t);
}
