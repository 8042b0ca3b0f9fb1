// Translates discord.js messages into the Discord-agnostic MessageSnapshot that src/capture records,
// checking the fields it relies on so that an odd gateway payload is reported instead of stored.
import type { Message, PartialMessage } from 'discord.js';
import { z } from 'zod';
import type { MessageSnapshot } from '../capture/record-share';
import type { MessagePlace } from './capture-context';

const snowflake = z.string().regex(/^\d{1,20}$/, 'a snowflake');

const snapshotSchema = z.object({
  guildId: snowflake,
  channelId: snowflake,
  threadId: snowflake.nullable(),
  messageId: snowflake,
  authorId: snowflake,
  authorName: z.string(),
  authorIsBot: z.boolean(),
  postedAt: z.number().int().positive(),
  content: z.string(),
  embedUrls: z.array(z.string()),
  source: z.literal('discord'),
});

export type SnapshotResult = { ok: true; snapshot: MessageSnapshot } | { ok: false; problem: string };

/** The snapshot of a full (non-partial) message at a place, or why it cannot be made. */
export function snapshotOf(message: Message | PartialMessage, place: MessagePlace): SnapshotResult {
  const author = message.author;
  const candidate = {
    guildId: place.guildId,
    channelId: place.channelId,
    threadId: place.threadId,
    messageId: message.id,
    authorId: author?.id,
    authorName: message.member?.displayName ?? author?.displayName ?? author?.username ?? '',
    authorIsBot: author?.bot ?? false,
    postedAt: message.createdTimestamp,
    content: message.content,
    embedUrls: (message.embeds ?? []).map((e) => e.url).filter((u): u is string => typeof u === 'string' && u !== ''),
    source: 'discord' as const,
  };
  const parsed = snapshotSchema.safeParse(candidate);
  if (!parsed.success) {
    return { ok: false, problem: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  }
  return { ok: true, snapshot: parsed.data };
}

/** Same set of clip ids, regardless of order. */
export function sameClipIds(a: readonly { clipId: string }[], b: readonly { clipId: string }[]): boolean {
  if (a.length !== b.length) return false;
  const ids = new Set(a.map((l) => l.clipId));
  return b.every((l) => ids.has(l.clipId));
}
