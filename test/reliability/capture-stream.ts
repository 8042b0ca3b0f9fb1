// The capture stream the kill and connection-cut tests replay: one generated guild's Discord events in the order a
// bot sees them, and what the database holds of them afterwards (the rows that events decide, not the write times).
import type { CaptureWriter } from '../../src/capture/service';
import type { ReactionEvent } from '../../src/capture/record-reaction';
import type { MessageSnapshot } from '../../src/capture/record-share';
import type { Db } from '../../src/db/database';
import { queries } from '../../src/db/sql';
import { buildGuild, createGuildContext, resolveCommunity } from '../../src/demo/community';
import { messageSnapshotOf } from '../../src/demo/generator';

export const STREAM_GUILD = '424242424242424242';

export type StreamEvent =
  | { kind: 'message'; snapshot: MessageSnapshot }
  | { kind: 'reaction'; event: ReactionEvent }
  | { kind: 'delete'; messageId: string };

/** ~1,000 events: 400 clips' messages with their reactions, edits and deletions. */
export function captureStream(clips = 400): StreamEvent[] {
  const resolved = resolveCommunity({ clips, seed: 99, endAt: Date.UTC(2026, 10, 1), guilds: 1 });
  const guild = buildGuild(createGuildContext(resolved), 0);
  const events: StreamEvent[] = [];
  for (const message of guild.messages) {
    const snapshot = messageSnapshotOf(STREAM_GUILD, guild, message);
    if (!snapshot) continue;
    events.push({ kind: 'message', snapshot });
    for (const reaction of message.reactions) {
      const user = guild.members[reaction.user];
      const emoji = guild.emojis[reaction.emoji];
      if (!user || !emoji) continue;
      events.push({
        kind: 'reaction',
        event: {
          guildId: STREAM_GUILD,
          channelId: message.channelId,
          messageId: message.id,
          emojiKey: emoji.key,
          userId: user.id,
          at: reaction.at,
        },
      });
    }
    if (message.edit) events.push({ kind: 'message', snapshot: { ...snapshot, content: message.edit.content } });
    if (message.deletedAt !== null) events.push({ kind: 'delete', messageId: message.id });
  }
  return events;
}

export async function applyEvent(writer: CaptureWriter, event: StreamEvent): Promise<void> {
  if (event.kind === 'message') await writer.recordMessage(event.snapshot);
  else if (event.kind === 'reaction') await writer.reactionAdded(event.event);
  else await writer.recordMessagesDeleted(STREAM_GUILD, [event.messageId]);
}

/**
 * What the events decided, engine-neutral: every share (and whether it is deleted), every reaction, and every clip's
 * share and reaction counters. Equal for two databases = the same events, each counted once.
 */
export async function capturedState(db: Db): Promise<Record<string, unknown[]>> {
  const q = queries(db);
  return {
    shares: await q.values(
      `SELECT message_id, clip_id, channel_id, author_id, posted_at, CASE WHEN deleted_at IS NULL THEN 0 ELSE 1 END
         FROM shares WHERE guild_id = ? ORDER BY message_id, clip_id`,
      [STREAM_GUILD],
    ),
    reactions: await q.values(
      'SELECT message_id, emoji_key, user_id, reacted_at FROM reactions WHERE guild_id = ? ORDER BY message_id, emoji_key, user_id',
      [STREAM_GUILD],
    ),
    clips: await q.values('SELECT clip_id, discord_shares, discord_reactions FROM clips WHERE guild_id = ? ORDER BY clip_id', [
      STREAM_GUILD,
    ]),
  };
}
