// Records reactions on clip messages, one row per (message, emoji, user), so every operation is idempotent.
// Reactions on messages that share no clip are ignored; the clip counters are recomputed after each change.
import type { Db } from '../db/database';
import {
  recordReactionAddedSteps,
  recordReactionRemovedSteps,
  recordReactionsClearedSteps,
  recordReactionSnapshotSteps,
  type ReactionEvent,
  type ReactionSnapshot,
} from '../db/stores/capture/reactions';
import type { MessageRef } from '../db/stores/capture/shares';
import { execute } from '../db/stores/capture/steps';

export type { ReactionEvent, ReactionSnapshot };

/** The storage key of an emoji: the character itself, or `name:id` for a custom emoji. */
export function emojiKey(emoji: { id?: string | null; name?: string | null }): string | null {
  const name = emoji.name?.trim() || null;
  if (emoji.id) return `${name ?? 'emoji'}:${emoji.id}`;
  return name;
}

/** Returns true when the reaction was new (false for a replay or a message without clips). */
export function recordReactionAdded(db: Db, event: ReactionEvent, now: number): Promise<boolean> {
  return execute(db, (w) => recordReactionAddedSteps(w, event, now));
}

/**
 * Returns true when something was removed. A remove by a user we never saw (their reaction is only part of an
 * imported count) takes one from that count instead, so an export's numbers and live events never double count.
 */
export function recordReactionRemoved(db: Db, event: ReactionEvent, now: number): Promise<boolean> {
  return execute(db, (w) => recordReactionRemovedSteps(w, event, now));
}

/** Removes every reaction of a message, or of one emoji on it (REMOVE_ALL / REMOVE_EMOJI). */
export function recordReactionsCleared(db: Db, target: MessageRef & { emojiKey?: string | null }, now: number): Promise<number> {
  return execute(db, (w) => recordReactionsClearedSteps(w, target, now));
}

/**
 * Sets the reactions of one emoji on a message as an export or a crawl saw them. Named users become rows; `count`
 * beyond the named users is kept as an anonymous baseline. Re-applying the same snapshot changes nothing.
 */
export function recordReactionSnapshot(db: Db, snapshot: ReactionSnapshot, now: number): Promise<void> {
  return execute(db, (w) => recordReactionSnapshotSteps(w, snapshot, now));
}
