// Transitional: capture's writes as synchronous calls, for the bulk writers (importer, history crawl, demo generator)
// that still run their own synchronous transactions. Live capture uses the async functions of record-share.ts.
import { connectionNow } from '../db/client';
import type { Db } from '../db/database';
import { inCaptureBatchOn, openCaptureBatchOn } from '../db/stores/capture/batch';
import {
  recordReactionAddedOn,
  recordReactionRemovedOn,
  recordReactionsClearedOn,
  recordReactionSnapshotOn,
  type ReactionEvent,
  type ReactionSnapshot,
} from '../db/stores/capture/reactions';
import {
  recordMessageOn,
  recordMessagesDeletedOn,
  type MessageRef,
  type MessageSnapshot,
  type ShareChange,
} from '../db/stores/capture/shares';
import type { DeferredBatch } from '../db/client';
import { clipLinksOf } from './record-share';

/** @deprecated Transitional: recordMessage for a caller inside its own synchronous transaction. */
export function recordMessageNow(db: Db, message: MessageSnapshot, now: number): ShareChange {
  return recordMessageOn(connectionNow(db), message, clipLinksOf(message), now);
}

/** @deprecated Transitional: recordMessagesDeleted for a caller inside its own synchronous transaction. */
export function recordMessagesDeletedNow(db: Db, guildId: string, messageIds: readonly string[], now: number): number {
  return recordMessagesDeletedOn(connectionNow(db), guildId, messageIds, now);
}

/** @deprecated Transitional: recordReactionAdded for a caller inside its own synchronous transaction. */
export function recordReactionAddedNow(db: Db, event: ReactionEvent, now: number): boolean {
  return recordReactionAddedOn(connectionNow(db), event, now);
}

/** @deprecated Transitional: recordReactionRemoved for a caller inside its own synchronous transaction. */
export function recordReactionRemovedNow(db: Db, event: ReactionEvent, now: number): boolean {
  return recordReactionRemovedOn(connectionNow(db), event, now);
}

/** @deprecated Transitional: recordReactionsCleared for a caller inside its own synchronous transaction. */
export function recordReactionsClearedNow(db: Db, target: MessageRef & { emojiKey?: string | null }, now: number): number {
  return recordReactionsClearedOn(connectionNow(db), target, now);
}

/** @deprecated Transitional: recordReactionSnapshot for a caller inside its own synchronous transaction. */
export function recordReactionSnapshotNow(db: Db, snapshot: ReactionSnapshot, now: number): void {
  recordReactionSnapshotOn(connectionNow(db), snapshot, now);
}

/** @deprecated Transitional: a synchronous capture batch (one transaction, upkeep once at its end). */
export function inCaptureBatchNow<T>(db: Db, fn: () => T): T {
  return inCaptureBatchOn(connectionNow(db), fn);
}

/** @deprecated Transitional: the upkeep of a capture batch for a transaction the caller opens and commits itself. */
export function openCaptureBatchNow(db: Db): DeferredBatch {
  return openCaptureBatchOn(connectionNow(db));
}
