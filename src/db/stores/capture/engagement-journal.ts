// Journals how capture writes change the Discord engagement analytics count (engagement_changes): for each
// touched message, its engagement after the write minus before it, per guild, instant and clip. The incremental
// aggregator adds these to the stored days instead of re-reading whole days of shares and reactions.
import { openDeferredBatch, withDeferredBatch, type Connection, type DeferredBatch } from '../../client';

/** Shares and reactions counted for a clip of a guild at one instant (or their change there). */
/** A message's engagement: (guild, clip, instant) → what is counted there. */
type Engagement = Map<string, EngagementChange>;

// Messages touched by a batch (deferEngagementChanges), per connection: message id → its engagement before.
const deferred = new WeakMap<object, Map<string, Engagement>>();

/**
 * What a message counts for, by the same rules as the aggregator (analytics/day-facts.ts): each active share of
 * it counts once at its post time, and each reaction on it (and each anonymous imported count, at its
 * observation time) counts once per active share, for that share's clip.
 */
function engagementOf(c: Connection, messageId: string): Engagement {
  const engagement: Engagement = new Map();
  const shares = c
    .statement<[string], { guild_id: string; clip_id: string; posted_at: number }>(
      'SELECT guild_id, clip_id, posted_at FROM shares WHERE message_id = ? AND deleted_at IS NULL',
    )
    .all(messageId);
  // Reactions count only through active shares: a message with none counts for nothing.
  if (shares.length === 0) return engagement;
  const add = (guildId: string, clipId: string, at: number, sharesAt: number, reactionsAt: number): void => {
    const key = `${guildId}\u0000${clipId}\u0000${at}`;
    const entry = engagement.get(key);
    if (entry) {
      entry.shares += sharesAt;
      entry.reactions += reactionsAt;
    } else engagement.set(key, { guildId, clipId, at, shares: sharesAt, reactions: reactionsAt });
  };
  const reactions = c
    .statement<
      [string, string],
      { guild_id: string; at: number; n: number }
    >(`SELECT guild_id, reacted_at AS at, count(*) AS n FROM reactions WHERE message_id = ? GROUP BY guild_id, reacted_at
     UNION ALL
     SELECT guild_id, observed_at, sum(anonymous_count) FROM reaction_baselines WHERE message_id = ? GROUP BY guild_id, observed_at`)
    .all(messageId, messageId);
  for (const share of shares) {
    add(share.guild_id, share.clip_id, share.posted_at, 1, 0);
    for (const r of reactions) if (r.guild_id === share.guild_id) add(share.guild_id, share.clip_id, r.at, 0, r.n);
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
export function journalEngagementChange(c: Connection, messageId: string, changes: readonly EngagementChange[]): void {
  if (deferred.get(c.client)?.has(messageId)) return;
  writeChanges(c, changes);
}

/**
 * Runs `write`, a change to the given messages' shares, reactions or reaction counts, and journals how it changed
 * what they count for. Inside deferEngagementChanges the journal is written once at the batch's end instead.
 * Call inside the write's transaction.
 */
export function withEngagementChanges<T>(c: Connection, messageIds: readonly string[], write: () => T): T {
  const pending = deferred.get(c.client);
  if (pending) {
    for (const id of messageIds) if (!pending.has(id)) pending.set(id, engagementOf(c, id));
    return write();
  }
  const before = new Map(messageIds.map((id) => [id, engagementOf(c, id)]));
  const result = write();
  for (const [id, engagement] of before) journal(c, engagement, engagementOf(c, id));
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

const newJournalBatch = (): Map<string, Engagement> => new Map();

function flushJournalBatch(c: Connection, pending: Map<string, Engagement>): void {
  for (const [id, before] of pending) journal(c, before, engagementOf(c, id));
}
