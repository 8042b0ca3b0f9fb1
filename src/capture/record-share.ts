// Records clip shares from messages (live, imported or crawled), Discord-agnostic and idempotent: a message's active
// shares are always exactly the clip links its latest known content holds.
import type { Db } from '../db/database';
import { execute, read } from '../db/stores/capture/steps';
import type { ClipKey } from '../db/stores/capture/clip-counters';
import {
  activeClipsOfMessageSteps,
  isKnownClipMessageSteps,
  recordMessageSteps,
  recordMessagesDeletedSteps,
  type MessageRef,
  type MessageSnapshot,
  type ShareChange,
} from '../db/stores/capture/shares';
import { extractClipLinks, type ClipLink } from './clip-url';

export type { ClipKey, MessageRef, MessageSnapshot, ShareChange };

export function clipLinksOf(message: Pick<MessageSnapshot, 'content' | 'embedUrls'>): ClipLink[] {
  const texts = [message.content, ...(message.embedUrls ?? [])].join('\n');
  return extractClipLinks(texts);
}

/**
 * Makes the message's active shares match the clip links in its content: new links become shares (and clip rows,
 * pending enrichment), links an edit removed stop counting, links an edit restored count again. Re-running with the
 * same snapshot changes nothing.
 */
export function recordMessage(db: Db, message: MessageSnapshot, now: number): Promise<ShareChange> {
  const links = clipLinksOf(message);
  return execute(db, (w) => recordMessageSteps(w, message, links, now));
}

/** Marks every share of the guild's given messages deleted (rows are kept with deleted_at). Idempotent. */
export function recordMessagesDeleted(db: Db, guildId: string, messageIds: readonly string[], now: number): Promise<number> {
  return execute(db, (w) => recordMessagesDeletedSteps(w, guildId, messageIds, now));
}

/** The clips a message currently shares (empty when it shares none or is unknown). */
export function activeClipsOfMessage(db: Db, message: MessageRef): Promise<ClipKey[]> {
  return read(db, () => activeClipsOfMessageSteps(message));
}

/** Whether the guild's message was ever recorded with a clip link (even if since deleted). */
export function isKnownClipMessage(db: Db, message: MessageRef): Promise<boolean> {
  return read(db, () => isKnownClipMessageSteps(message));
}
