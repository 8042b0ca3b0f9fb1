// Records clip shares from messages (live, imported or crawled), Discord-agnostic and idempotent:
// a message's active shares are always exactly the clip links its latest known content holds.
import { cachedStatement, type Db } from '../db/client';
import { markDirtyHours } from '../db/dirty';
import type { Source } from '../db/schema';
import { extractClipLinks, type ClipLink } from './clip-url';
import { refreshClipEngagement, type ClipKey } from './engagement';
import { journalEngagementChange, withEngagementChanges } from './engagement-changes';

export interface MessageSnapshot {
  guildId: string;
  /** The channel the share counts for: a thread's or forum post's parent channel. */
  channelId: string;
  /** The thread, when the message was posted in one. */
  threadId?: string | null;
  messageId: string;
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

export function clipLinksOf(message: Pick<MessageSnapshot, 'content' | 'embedUrls'>): ClipLink[] {
  const texts = [message.content, ...(message.embedUrls ?? [])].join('\n');
  return extractClipLinks(texts);
}

/**
 * Makes the message's active shares match the clip links in its content: new links become shares (and clip
 * rows, pending enrichment), links an edit removed stop counting, links an edit restored count again.
 * Re-running with the same snapshot changes nothing. Call inside a transaction.
 */
export function recordMessage(db: Db, message: MessageSnapshot, now: number): ShareChange {
  const existing = cachedStatement<[string], { clip_id: string; deleted_at: number | null; guild_id: string }>(db,
      'SELECT clip_id, deleted_at, guild_id FROM shares WHERE message_id = ?',
    )
    .all(message.messageId);
  if (existing.length > 0) return withEngagementChanges(db, [message.messageId], () => writeMessage(db, message, existing, now));
  // A message seen for the first time has no reactions yet (they are only recorded on known clip messages): it
  // now counts one share per clip at its post time, and nothing needs reading back to journal that.
  const change = writeMessage(db, message, existing, now);
  journalEngagementChange(
    db,
    message.messageId,
    [...new Set(change.added)].map((clipId) => ({ guildId: message.guildId, clipId, at: message.postedAt, shares: 1, reactions: 0 })),
  );
  return change;
}

function writeMessage(
  db: Db,
  message: MessageSnapshot,
  existing: ReadonlyArray<{ clip_id: string; deleted_at: number | null; guild_id: string }>,
  now: number,
): ShareChange {
  const links = clipLinksOf(message);
  const current = new Map(existing.map((row) => [row.clip_id, row]));
  const wanted = new Set(links.map((l) => l.clipId));
  const added: string[] = [];
  const removed: string[] = [];

  const insertClip = cachedStatement(db, 
    `INSERT INTO clips (guild_id, clip_id, url, first_seen_at, first_shared_at, last_updated_at, source)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, clip_id) DO NOTHING`,
  );
  const insertShare = cachedStatement(db, 
    `INSERT INTO shares (guild_id, channel_id, thread_id, message_id, clip_id, author_id, author_name, author_is_bot, posted_at, source)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id, clip_id) DO NOTHING`,
  );
  for (const link of links) {
    const row = current.get(link.clipId);
    if (row && row.deleted_at === null) continue;
    insertClip.run(message.guildId, link.clipId, link.url, now, message.postedAt, now, message.source);
    if (row) {
      cachedStatement(db, 'UPDATE shares SET deleted_at = NULL WHERE message_id = ? AND clip_id = ?').run(message.messageId, link.clipId);
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
      cachedStatement(db, 'UPDATE shares SET deleted_at = ? WHERE message_id = ? AND clip_id = ?').run(now, message.messageId, row.clip_id);
      removed.push(row.clip_id);
    }
  }
  if (added.length > 0 || removed.length > 0) {
    const keys: ClipKey[] = [...added, ...removed].map((clipId) => ({ guildId: message.guildId, clipId }));
    refreshClipEngagement(db, keys, now);
    // A message seen for the first time has no reactions yet: they are only recorded on known clip messages.
    const times = existing.length === 0 ? [message.postedAt] : [message.postedAt, ...reactionTimes(db, message.messageId)];
    // Capture never changes a clip's Twitch metadata (new clip rows wait for enrichment and count for nothing yet).
    markDirtyHours(db, message.guildId, times, 'engagement');
  }
  return { added, removed };
}

/** Marks every share of the given messages deleted (rows are kept with deleted_at). Idempotent. */
export function recordMessagesDeleted(db: Db, messageIds: readonly string[], now: number): number {
  return withEngagementChanges(db, messageIds, () => deleteMessages(db, messageIds, now));
}

function deleteMessages(db: Db, messageIds: readonly string[], now: number): number {
  const select = cachedStatement<[string], { guild_id: string; clip_id: string; posted_at: number }>(db, 
    'SELECT guild_id, clip_id, posted_at FROM shares WHERE message_id = ? AND deleted_at IS NULL',
  );
  const markDeleted = cachedStatement(db, 'UPDATE shares SET deleted_at = ? WHERE message_id = ? AND deleted_at IS NULL');
  const keys: ClipKey[] = [];
  for (const messageId of messageIds) {
    const rows = select.all(messageId);
    if (rows.length === 0) continue;
    markDeleted.run(now, messageId);
    for (const row of rows) {
      keys.push({ guildId: row.guild_id, clipId: row.clip_id });
      markDirtyHours(db, row.guild_id, [row.posted_at, ...reactionTimes(db, messageId)], 'engagement');
    }
  }
  refreshClipEngagement(db, keys, now);
  return keys.length;
}

/** The clips a message currently shares (empty when it shares none or is unknown). */
export function activeClipsOfMessage(db: Db, messageId: string): ClipKey[] {
  return cachedStatement<[string], { guildId: string; clipId: string }>(db, 
      'SELECT guild_id AS guildId, clip_id AS clipId FROM shares WHERE message_id = ? AND deleted_at IS NULL',
    )
    .all(messageId);
}

/** Whether the message was ever recorded with a clip link (even if since deleted). */
export function isKnownClipMessage(db: Db, messageId: string): boolean {
  return cachedStatement(db, 'SELECT 1 FROM shares WHERE message_id = ? LIMIT 1').get(messageId) !== undefined;
}

/** Times the message's reactions count at, anonymous imported counts included (analytics place them there). */
function reactionTimes(db: Db, messageId: string): number[] {
  return cachedStatement<[string, string], { t: number }>(
    db,
    'SELECT reacted_at AS t FROM reactions WHERE message_id = ? UNION SELECT observed_at FROM reaction_baselines WHERE message_id = ?',
  )
    .all(messageId, messageId)
    .map((r) => r.t);
}
