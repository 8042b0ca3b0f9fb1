// Reactions on clip messages, one row per (message, emoji, user), so every operation is idempotent. Reactions on
// messages that share no clip are ignored; the clip counters are recomputed after each change.
import type { Connection } from '../../client';
import { markDirtyHours } from '../../dirty';
import { refreshClipEngagement } from './clip-counters';
import { journalEngagementChange, withEngagementChanges } from './engagement-journal';
import { BASELINES_KEY, REACTIONS_KEY, type MessageRef } from './keys';
import { activeClipsOfMessageOn as activeClipsOfMessage, isKnownClipMessageOn as isKnownClipMessage } from './shares';

export interface ReactionEvent extends MessageRef {
  channelId: string;
  /** Unicode character, or `name:id` for a custom emoji. */
  emojiKey: string;
  userId: string;
  /** When the reaction was seen, epoch ms. */
  at: number;
}

/** The reactions of one emoji on a message as an export or a crawl saw them. */
export interface ReactionSnapshot extends MessageRef {
  channelId: string;
  emojiKey: string;
  count: number;
  userIds: string[];
  at: number;
}

/** Returns true when the reaction was new (false for a replay or a message without clips). */
export function recordReactionAddedOn(c: Connection, event: ReactionEvent, now: number): boolean {
  if (!isKnownClipMessage(c, event)) return false;
  const result = c
    .statement(`INSERT INTO reactions (guild_id, channel_id, message_id, emoji_key, user_id, reacted_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, message_id, emoji_key, user_id) DO NOTHING`)
    .run(event.guildId, event.channelId, event.messageId, event.emojiKey, event.userId, event.at);
  if (result.changes === 0) return false;
  // One more reaction at its time, for each clip the message actively shares (as analytics count them).
  const clips = activeClipsOfMessage(c, event);
  journalEngagementChange(
    c,
    event,
    clips.map((clip) => ({ guildId: clip.guildId, clipId: clip.clipId, at: event.at, shares: 0, reactions: 1 })),
  );
  afterChange(c, event, [event.at], now, clips);
  return true;
}

/**
 * Returns true when something was removed. A remove by a user we never saw (their reaction is only part of an
 * imported count) takes one from that count instead, so an export's numbers and live events never double count.
 */
export function recordReactionRemovedOn(c: Connection, event: ReactionEvent, now: number): boolean {
  if (!isKnownClipMessage(c, event)) return false;
  return withEngagementChanges(c, [event], () => removeReaction(c, event, now));
}

function removeReaction(c: Connection, event: ReactionEvent, now: number): boolean {
  const { guildId, messageId, emojiKey, userId } = event;
  const row = c
    .statement<[string, string, string, string], { reacted_at: number }>(
      'SELECT reacted_at FROM reactions WHERE guild_id = ? AND message_id = ? AND emoji_key = ? AND user_id = ?',
    )
    .get(guildId, messageId, emojiKey, userId);
  if (row) {
    c.statement('DELETE FROM reactions WHERE guild_id = ? AND message_id = ? AND emoji_key = ? AND user_id = ?').run(
      guildId,
      messageId,
      emojiKey,
      userId,
    );
    afterChange(c, event, [row.reacted_at], now);
    return true;
  }
  const baseline = c
    .statement<[string, string, string], { anonymous_count: number; observed_at: number }>(
      'SELECT anonymous_count, observed_at FROM reaction_baselines WHERE guild_id = ? AND message_id = ? AND emoji_key = ?',
    )
    .get(guildId, messageId, emojiKey);
  if (!baseline || baseline.anonymous_count <= 0) return false;
  c.statement(
    'UPDATE reaction_baselines SET anonymous_count = anonymous_count - 1 WHERE guild_id = ? AND message_id = ? AND emoji_key = ?',
  ).run(guildId, messageId, emojiKey);
  afterChange(c, event, [baseline.observed_at], now);
  return true;
}

/** Removes every reaction of a message, or of one emoji on it (REMOVE_ALL / REMOVE_EMOJI). */
export function recordReactionsClearedOn(c: Connection, target: MessageRef & { emojiKey?: string | null }, now: number): number {
  if (!isKnownClipMessage(c, target)) return 0;
  return withEngagementChanges(c, [target], () => clearReactions(c, target, now));
}

function clearReactions(c: Connection, target: MessageRef & { emojiKey?: string | null }, now: number): number {
  const emojiFilter = target.emojiKey ? ' AND emoji_key = ?' : '';
  const params = target.emojiKey ? [target.guildId, target.messageId, target.emojiKey] : [target.guildId, target.messageId];
  const times = c
    .statement<
      unknown[],
      { t: number }
    >(`SELECT reacted_at AS t FROM reactions ${REACTIONS_KEY} WHERE guild_id = ? AND message_id = ?${emojiFilter}
       UNION SELECT observed_at AS t FROM reaction_baselines ${BASELINES_KEY} WHERE guild_id = ? AND message_id = ?${emojiFilter}`)
    .all(...params, ...params)
    .map((r) => r.t);
  const removed = c.statement(`DELETE FROM reactions WHERE guild_id = ? AND message_id = ?${emojiFilter}`).run(...params).changes;
  const removedBaselines = c
    .statement(`DELETE FROM reaction_baselines WHERE guild_id = ? AND message_id = ?${emojiFilter}`)
    .run(...params).changes;
  if (removed + removedBaselines > 0) afterChange(c, target, times, now);
  return removed;
}

/**
 * Sets the reactions of one emoji on a message as an export or a crawl saw them. Named users become rows;
 * `count` beyond the named users is kept as an anonymous baseline. Re-applying the same snapshot changes nothing.
 */
export function recordReactionSnapshotOn(c: Connection, snapshot: ReactionSnapshot, now: number): void {
  if (!isKnownClipMessage(c, snapshot)) return;
  withEngagementChanges(c, [snapshot], () => applySnapshot(c, snapshot, now));
}

function applySnapshot(c: Connection, snapshot: ReactionSnapshot, now: number): void {
  const insert = c.statement(`INSERT INTO reactions (guild_id, channel_id, message_id, emoji_key, user_id, reacted_at)
     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, message_id, emoji_key, user_id) DO NOTHING`);
  for (const userId of snapshot.userIds) {
    insert.run(snapshot.guildId, snapshot.channelId, snapshot.messageId, snapshot.emojiKey, userId, snapshot.at);
  }
  const { guildId, messageId, emojiKey } = snapshot;
  const named =
    c
      .statement<[string, string, string], { n: number }>(
        'SELECT count(*) AS n FROM reactions WHERE guild_id = ? AND message_id = ? AND emoji_key = ?',
      )
      .get(guildId, messageId, emojiKey)?.n ?? 0;
  const anonymous = Math.max(0, snapshot.count - named);
  // A changed anonymous count keeps its first observed_at, so that hour changes too.
  const previous = c
    .statement<[string, string, string], { observed_at: number }>(
      'SELECT observed_at FROM reaction_baselines WHERE guild_id = ? AND message_id = ? AND emoji_key = ?',
    )
    .get(guildId, messageId, emojiKey);
  if (anonymous > 0) {
    c.statement(`INSERT INTO reaction_baselines (guild_id, channel_id, message_id, emoji_key, anonymous_count, observed_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (guild_id, message_id, emoji_key) DO UPDATE SET anonymous_count = excluded.anonymous_count`).run(
      guildId,
      snapshot.channelId,
      messageId,
      emojiKey,
      anonymous,
      snapshot.at,
    );
  } else {
    c.statement('DELETE FROM reaction_baselines WHERE guild_id = ? AND message_id = ? AND emoji_key = ?').run(guildId, messageId, emojiKey);
  }
  afterChange(c, snapshot, previous ? [snapshot.at, previous.observed_at] : [snapshot.at], now);
}

function afterChange(c: Connection, message: MessageRef, times: number[], now: number, clips = activeClipsOfMessage(c, message)): void {
  refreshClipEngagement(c, clips, now);
  markDirtyHours(c, message.guildId, times, 'engagement');
}
