// Journals how capture writes change the Discord engagement analytics count (engagement_changes): for each
// touched message, its engagement after the write minus before it, per guild, instant and clip. The incremental
// aggregator adds these to the stored days instead of re-reading whole days of shares and reactions.
import { openDeferredBatch, withDeferredBatch, type Connection, type DeferredBatch } from '../../client';
import { BASELINES_KEY, REACTIONS_KEY, type MessageRef } from './keys';

/** Shares and reactions counted for a clip of a guild at one instant (or their change there). */
/** A message's engagement: (guild, clip, instant) → what is counted there. */
type Engagement = Map<string, EngagementChange>;

// Messages touched by a batch (deferEngagementChanges), per connection: guild and message id → the message and its
// engagement before.
const deferred = new WeakMap<object, Map<string, { message: MessageRef; before: Engagement }>>();

const messageKey = (message: MessageRef): string => `${message.guildId}\u0000${message.messageId}`;

/**
 * What a message counts for, by the same rules as the aggregator (analytics/day-facts.ts): each active share of
 * it counts once at its post time, and each reaction on it (and each anonymous imported count, at its
 * observation time) counts once per active share, for that share's clip.
 */
function engagementOf(c: Connection, message: MessageRef): Engagement {
  const { guildId, messageId } = message;
  const engagement: Engagement = new Map();
  const shares = c
    .statement<[string, string], { clip_id: string; posted_at: number }>(
      'SELECT clip_id, posted_at FROM shares WHERE guild_id = ? AND message_id = ? AND deleted_at IS NULL',
    )
    .all(guildId, messageId);
  // Reactions count only through active shares: a message with none counts for nothing.
  if (shares.length === 0) return engagement;
  const add = (clipId: string, at: number, sharesAt: number, reactionsAt: number): void => {
    const key = `${clipId}\u0000${at}`;
    const entry = engagement.get(key);
    if (entry) {
      entry.shares += sharesAt;
      entry.reactions += reactionsAt;
    } else engagement.set(key, { guildId, clipId, at, shares: sharesAt, reactions: reactionsAt });
  };
  const reactions = c
    .statement<
      [string, string, string, string],
      { at: number; n: number }
    >(`SELECT reacted_at AS at, count(*) AS n FROM reactions ${REACTIONS_KEY} WHERE guild_id = ? AND message_id = ? GROUP BY reacted_at
     UNION ALL
     SELECT observed_at, sum(anonymous_count) FROM reaction_baselines ${BASELINES_KEY} WHERE guild_id = ? AND message_id = ? GROUP BY observed_at`)
    .all(guildId, messageId, guildId, messageId);
  for (const share of shares) {
    add(share.clip_id, share.posted_at, 1, 0);
    for (const r of reactions) add(share.clip_id, r.at, 0, r.n);
  }
  return engagement;
}

/** Adds the non-zero changes to the journal. */
function writeChanges(c: Connection, changes: Iterable<EngagementChange>): void {
  const add = c.statement<
    [string, number, string, number, number]
  >(`INSERT INTO engagement_changes (guild_id, at, clip_id, shares, reactions) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (guild_id, at, clip_id) DO UPDATE SET shares = shares + excluded.shares, reactions = reactions + excluded.reactions`);
  for (const c of changes) if (c.shares !== 0 || c.reactions !== 0) add.run(c.guildId, c.at, c.clipId, c.shares, c.reactions);
}

/** Journals after − before of one message. */
function journal(c: Connection, before: Engagement, after: Engagement): void {
  const changes: EngagementChange[] = [];
  for (const [key, now] of after) {
    const was = before.get(key);
    changes.push({ ...now, shares: now.shares - (was?.shares ?? 0), reactions: now.reactions - (was?.reactions ?? 0) });
  }
  for (const [key, was] of before) if (!after.has(key)) changes.push({ ...was, shares: -was.shares, reactions: -was.reactions });
  writeChanges(c, changes);
}

export interface EngagementChange {
  guildId: string;
  clipId: string;
  at: number;
  shares: number;
  reactions: number;
}

/**
 * Journals the change a write just made to one message, when the writer knows it exactly without reading the
 * message back (a message seen for the first time, a new reaction): the common events cost no extra reads. Inside
 * a batch that already took the message's engagement before an earlier write, the batch's end accounts for it.
 */
export function journalEngagementChange(c: Connection, message: MessageRef, changes: readonly EngagementChange[]): void {
  if (deferred.get(c.client)?.has(messageKey(message))) return;
  writeChanges(c, changes);
}

/**
 * Runs `write`, a change to the given messages' shares, reactions or reaction counts, and journals how it changed
 * what they count for. Inside deferEngagementChanges the journal is written once at the batch's end instead.
 * Call inside the write's transaction.
 */
export function withEngagementChanges<T>(c: Connection, messages: readonly MessageRef[], write: () => T): T {
  const pending = deferred.get(c.client);
  if (pending) {
    for (const message of messages) {
      const key = messageKey(message);
      if (!pending.has(key)) pending.set(key, { message, before: engagementOf(c, message) });
    }
    return write();
  }
  const before = new Map(messages.map((message) => [messageKey(message), { message, before: engagementOf(c, message) }]));
  const result = write();
  flushJournalBatch(c, before);
  return result;
}

/**
 * Runs `fn` (a batch of capture writes inside one transaction) with each touched message's engagement read once
 * before its first write and once at the end, so a message that 200 reactions touched is journaled once.
 * If `fn` throws, nothing is journaled (the transaction rolls back anyway).
 */
export function deferEngagementChanges<T>(c: Connection, fn: () => T): T {
  return withDeferredBatch(deferred, c, newJournalBatch, (pending) => flushJournalBatch(c, pending), fn);
}

/** deferEngagementChanges for a transaction that does not fit one callback: the journal is written at flush(). */
export function openEngagementChangesBatch(c: Connection): DeferredBatch {
  return openDeferredBatch(deferred, c, newJournalBatch, (pending) => flushJournalBatch(c, pending));
}

const newJournalBatch = (): Map<string, { message: MessageRef; before: Engagement }> => new Map();

function flushJournalBatch(c: Connection, pending: Map<string, { message: MessageRef; before: Engagement }>): void {
  for (const { message, before } of pending.values()) journal(c, before, engagementOf(c, message));
}
