// Reactions on clip messages, one row per (message, emoji, user), so every operation is idempotent. Reactions on
// messages that share no clip are ignored; the clip counters move by a new reaction, and are recounted after other changes. The logic is steps
// (./steps.ts): synchronous on a SQLite connection (the `…On` functions), awaited on PostgreSQL.
import type { Connection } from '../../client';
import { markDirtyHoursSteps } from '../../dirty';
import { addClipEngagement, refreshClipEngagement } from './clip-counters';
import { journalEngagementChange, withEngagementChanges } from './engagement-journal';
import { holdReaction, settleBatchWrites, sharesOfMessage } from './batch-writes';
import { captureJoins, type MessageRef } from './keys';
import { activeClipsOfMessageSteps, isKnownClipMessageSteps } from './shares';
import { all, exec, executeNow, get, type Steps, type Writer } from './steps';

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

const INSERT_REACTION = `INSERT INTO reactions (guild_id, channel_id, message_id, emoji_key, user_id, reacted_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, message_id, emoji_key, user_id) DO NOTHING`;

const pick = (e: ReactionEvent): Omit<ReactionEvent, never> => ({
  guildId: e.guildId,
  channelId: e.channelId,
  messageId: e.messageId,
  emojiKey: e.emojiKey,
  userId: e.userId,
  at: e.at,
});

/**
 * Returns true when the reaction was new (false for a replay or a message without clips). Inside a capture batch, a
 * reaction on a message the batch recorded first is judged new by the batch's own record of that message.
 */
export function* recordReactionAddedSteps(w: Writer, event: ReactionEvent, now: number): Steps<boolean> {
  // One read answers both questions (known clip message, its active clips), and none when the batch knows the message.
  const { shares, known } = yield* sharesOfMessage(w, event);
  if (shares.length === 0) return false;
  if (known?.knowsReactions) {
    // The batch knows all of this message's reactions: the row is held back to its end, with its upkeep.
    const clips = shares.filter((s) => s.deleted_at === null).map((s) => s.clip_id);
    return holdReaction(w, known, { ...pick(event), clips, now });
  }
  if ((yield* exec(INSERT_REACTION, [event.guildId, event.channelId, event.messageId, event.emojiKey, event.userId, event.at])) === 0) {
    return false;
  }
  const clips = shares.filter((s) => s.deleted_at === null).map((s) => ({ guildId: event.guildId, clipId: s.clip_id }));
  // One more reaction at its time, for each clip the message actively shares (as analytics count them).
  yield* journalEngagementChange(
    w,
    event,
    clips.map((clip) => ({ guildId: clip.guildId, clipId: clip.clipId, at: event.at, shares: 0, reactions: 1 })),
  );
  // The counters move by exactly that one reaction: no need to recount the clips from their raw rows.
  yield* addClipEngagement(
    w,
    clips.map((clip) => ({ ...clip, shares: 0, firstSharedAt: null, reactions: new Map([[event.emojiKey, 1]]) })),
    now,
  );
  yield* markDirtyHoursSteps(w, event.guildId, [event.at], 'engagement');
  return true;
}

export function recordReactionAddedOn(c: Connection, event: ReactionEvent, now: number): boolean {
  return executeNow(c, (w) => recordReactionAddedSteps(w, event, now));
}

/**
 * Returns true when something was removed. A remove by a user we never saw (their reaction is only part of an
 * imported count) takes one from that count instead, so an export's numbers and live events never double count.
 */
export function* recordReactionRemovedSteps(w: Writer, event: ReactionEvent, now: number): Steps<boolean> {
  yield* settleBatchWrites(w, [event]);
  if (!(yield* isKnownClipMessageSteps(event))) return false;
  return yield* withEngagementChanges(w, [event], removeReaction(w, event, now));
}

export function recordReactionRemovedOn(c: Connection, event: ReactionEvent, now: number): boolean {
  return executeNow(c, (w) => recordReactionRemovedSteps(w, event, now));
}

function* removeReaction(w: Writer, event: ReactionEvent, now: number): Steps<boolean> {
  const { guildId, messageId, emojiKey, userId } = event;
  const key = [guildId, messageId, emojiKey, userId];
  const row = yield* get<{ reacted_at: number }>(
    'SELECT reacted_at FROM reactions WHERE guild_id = ? AND message_id = ? AND emoji_key = ? AND user_id = ?',
    key,
  );
  if (row) {
    yield* exec('DELETE FROM reactions WHERE guild_id = ? AND message_id = ? AND emoji_key = ? AND user_id = ?', key);
    yield* afterChange(w, event, [row.reacted_at], now);
    return true;
  }
  const baseline = yield* get<{ anonymous_count: number; observed_at: number }>(
    'SELECT anonymous_count, observed_at FROM reaction_baselines WHERE guild_id = ? AND message_id = ? AND emoji_key = ?',
    [guildId, messageId, emojiKey],
  );
  if (!baseline || baseline.anonymous_count <= 0) return false;
  yield* exec(
    'UPDATE reaction_baselines SET anonymous_count = anonymous_count - 1 WHERE guild_id = ? AND message_id = ? AND emoji_key = ?',
    [guildId, messageId, emojiKey],
  );
  yield* afterChange(w, event, [baseline.observed_at], now);
  return true;
}

/** Removes every reaction of a message, or of one emoji on it (REMOVE_ALL / REMOVE_EMOJI). */
export function* recordReactionsClearedSteps(w: Writer, target: MessageRef & { emojiKey?: string | null }, now: number): Steps<number> {
  yield* settleBatchWrites(w, [target]);
  if (!(yield* isKnownClipMessageSteps(target))) return 0;
  return yield* withEngagementChanges(w, [target], clearReactions(w, target, now));
}

export function recordReactionsClearedOn(c: Connection, target: MessageRef & { emojiKey?: string | null }, now: number): number {
  return executeNow(c, (w) => recordReactionsClearedSteps(w, target, now));
}

function* clearReactions(w: Writer, target: MessageRef & { emojiKey?: string | null }, now: number): Steps<number> {
  const j = captureJoins(w.engine);
  const emojiFilter = target.emojiKey ? ' AND emoji_key = ?' : '';
  const params = target.emojiKey ? [target.guildId, target.messageId, target.emojiKey] : [target.guildId, target.messageId];
  const times = (yield* all<{ t: number }>(
    `SELECT reacted_at AS t FROM reactions ${j.reactionsKey} WHERE guild_id = ? AND message_id = ?${emojiFilter}
       UNION SELECT observed_at AS t FROM reaction_baselines ${j.baselinesKey} WHERE guild_id = ? AND message_id = ?${emojiFilter}`,
    [...params, ...params],
  )).map((r) => r.t);
  const removed = yield* exec(`DELETE FROM reactions WHERE guild_id = ? AND message_id = ?${emojiFilter}`, params);
  const removedBaselines = yield* exec(`DELETE FROM reaction_baselines WHERE guild_id = ? AND message_id = ?${emojiFilter}`, params);
  if (removed + removedBaselines > 0) yield* afterChange(w, target, times, now);
  return removed;
}

/**
 * Sets the reactions of one emoji on a message as an export or a crawl saw them. Named users become rows;
 * `count` beyond the named users is kept as an anonymous baseline. Re-applying the same snapshot changes nothing.
 */
export function* recordReactionSnapshotSteps(w: Writer, snapshot: ReactionSnapshot, now: number): Steps<void> {
  yield* settleBatchWrites(w, [snapshot]);
  if (!(yield* isKnownClipMessageSteps(snapshot))) return;
  yield* withEngagementChanges(w, [snapshot], applySnapshot(w, snapshot, now));
}

export function recordReactionSnapshotOn(c: Connection, snapshot: ReactionSnapshot, now: number): void {
  executeNow(c, (w) => recordReactionSnapshotSteps(w, snapshot, now));
}

// PostgreSQL: a snapshot's named users in one statement.
const INSERT_REACTIONS_POSTGRES = `INSERT INTO reactions (guild_id, channel_id, message_id, emoji_key, user_id, reacted_at)
     SELECT ?::text, ?::text, ?::text, ?::text, u, ?::bigint FROM unnest(?::text[]) AS u ON CONFLICT (guild_id, message_id, emoji_key, user_id) DO NOTHING`;

function* applySnapshot(w: Writer, snapshot: ReactionSnapshot, now: number): Steps<void> {
  const { guildId, messageId, emojiKey } = snapshot;
  if (w.engine === 'sqlite') {
    for (const userId of snapshot.userIds) {
      yield* exec(INSERT_REACTION, [guildId, snapshot.channelId, messageId, emojiKey, userId, snapshot.at]);
    }
  } else if (snapshot.userIds.length > 0) {
    yield* exec(INSERT_REACTIONS_POSTGRES, [guildId, snapshot.channelId, messageId, emojiKey, snapshot.at, [...snapshot.userIds]]);
  }
  const key = [guildId, messageId, emojiKey];
  const named =
    (yield* get<{ n: number }>('SELECT count(*) AS n FROM reactions WHERE guild_id = ? AND message_id = ? AND emoji_key = ?', key))?.n ?? 0;
  const anonymous = Math.max(0, snapshot.count - named);
  // A changed anonymous count keeps its first observed_at, so that hour changes too.
  const previous = yield* get<{ observed_at: number }>(
    'SELECT observed_at FROM reaction_baselines WHERE guild_id = ? AND message_id = ? AND emoji_key = ?',
    key,
  );
  if (anonymous > 0) {
    yield* exec(
      `INSERT INTO reaction_baselines (guild_id, channel_id, message_id, emoji_key, anonymous_count, observed_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (guild_id, message_id, emoji_key) DO UPDATE SET anonymous_count = excluded.anonymous_count`,
      [guildId, snapshot.channelId, messageId, emojiKey, anonymous, snapshot.at],
    );
  } else {
    yield* exec('DELETE FROM reaction_baselines WHERE guild_id = ? AND message_id = ? AND emoji_key = ?', key);
  }
  yield* afterChange(w, snapshot, previous ? [snapshot.at, previous.observed_at] : [snapshot.at], now);
}

/** A change whose effect on the counters is not known without reading: the message's clips are recounted. */
function* afterChange(w: Writer, message: MessageRef, times: number[], now: number): Steps<void> {
  yield* refreshClipEngagement(w, yield* activeClipsOfMessageSteps(message), now);
  yield* markDirtyHoursSteps(w, message.guildId, times, 'engagement');
}
