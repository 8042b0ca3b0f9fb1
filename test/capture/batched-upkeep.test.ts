// Batched upkeep: inside one capture batch, clip counters and dirty hours are brought up to date once at the
// end, and end up exactly as if every write had refreshed them itself.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inCaptureBatchNow as inCaptureBatch, openCaptureBatchNow as openCaptureBatch } from '../../src/capture/record-now';
import { recordReactionAdded, type ReactionEvent } from '../../src/capture/record-reaction';
import { recordMessage, type MessageSnapshot } from '../../src/capture/record-share';
import { type Db } from '../../src/db/client';
import { HOUR_MS } from '../../src/db/dirty';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { sqliteClient } from '../../src/db/client';
import { recordMessageNow, recordMessagesDeletedNow, recordReactionAddedNow } from '../../src/capture/record-now';
import { recordReactionRemovedNow } from '../../src/capture/record-now';
import { inBulkTransaction as inTransaction } from '../../src/db/bulk';

const T0 = Date.UTC(2026, 0, 5, 12, 30);

const snapshot = (messageId: string, content: string, postedAt = T0): MessageSnapshot => ({
  guildId: 'g1',
  channelId: 'c1',
  messageId,
  authorId: 'u0',
  authorName: 'Poster',
  authorIsBot: false,
  postedAt,
  content,
  source: 'discord',
});
const reaction = (messageId: string, emojiKey: string, userId: string, at: number): ReactionEvent => ({
  guildId: 'g1',
  channelId: 'c1',
  messageId,
  emojiKey,
  userId,
  at,
});

/** A day of traffic: shares, re-shares, many reactions on one clip, a removal, an edit and a deletion. */
function traffic(db: Db): void {
  recordMessageNow(db, snapshot('m1', 'https://clips.twitch.tv/ClipOne'), T0);
  recordMessageNow(db, snapshot('m2', 'again https://clips.twitch.tv/ClipOne and https://clips.twitch.tv/ClipTwo', T0 + HOUR_MS), T0);
  for (let i = 0; i < 50; i++)
    recordReactionAddedNow(db, reaction(i % 2 ? 'm1' : 'm2', i % 3 ? '🔥' : 'Pog:123', `u${i}`, T0 + i * 600_000), T0);
  recordReactionRemovedNow(db, reaction('m1', '🔥', 'u1', T0), T0);
  recordMessageNow(db, snapshot('m3', 'https://clips.twitch.tv/ClipThree', T0 + 3 * HOUR_MS), T0);
  recordMessageNow(db, snapshot('m2', 'only https://clips.twitch.tv/ClipTwo now', T0 + HOUR_MS), T0 + 1);
  recordMessagesDeletedNow(db, 'g1', ['m3'], T0 + 2);
}

function state(db: Db): unknown {
  return {
    clips: sqliteClient(db)
      .prepare('SELECT clip_id, discord_shares, discord_reactions, discord_reaction_types, first_shared_at FROM clips ORDER BY clip_id')
      .all(),
    dirty: sqliteClient(db).prepare('SELECT guild_id, hour_start FROM dirty_hours ORDER BY hour_start').all(),
  };
}

const batched = (db: Db, fn: () => void): void => inCaptureBatch(db, fn);

describe('batched capture upkeep', () => {
  let each: TempDb;
  let batch: TempDb;
  beforeEach(() => {
    each = createTempDb();
    batch = createTempDb();
  });
  afterEach(() => {
    each.cleanup();
    batch.cleanup();
  });

  it('leaves the same counters and dirty hours as refreshing after every write', () => {
    inTransaction(each.db, () => traffic(each.db));
    batched(batch.db, () => traffic(batch.db));
    expect(state(batch.db)).toEqual(state(each.db));
    // And they are right: ClipOne is shared by m1 only after the edit, with m1's 24 reactions less the removed one.
    const clipOne = batch.db.$client
      .prepare("SELECT discord_shares AS shares, discord_reactions AS reactions FROM clips WHERE clip_id = 'ClipOne'")
      .get();
    expect(clipOne).toEqual({ shares: 1, reactions: 24 });
  });

  it('writes each dirty hour once however many writes mark it', () => {
    const marked: number[] = [];
    batched(batch.db, () => {
      recordMessageNow(batch.db, snapshot('m1', 'https://clips.twitch.tv/ClipOne'), T0);
      for (let i = 0; i < 100; i++) recordReactionAddedNow(batch.db, reaction('m1', '🔥', `u${i}`, T0 + i), T0);
      marked.push(
        ...(batch.db.$client.prepare('SELECT hour_start FROM dirty_hours').all() as { hour_start: number }[]).map((r) => r.hour_start),
      );
    });
    // Nothing is written before the batch ends, then the one hour is.
    expect(marked).toEqual([]);
    expect(batch.db.$client.prepare('SELECT guild_id, hour_start FROM dirty_hours').all()).toEqual([
      { guild_id: 'g1', hour_start: Math.floor(T0 / HOUR_MS) * HOUR_MS },
    ]);
  });

  it('refreshes nothing and keeps nothing when the batch fails', async () => {
    await recordMessage(batch.db, snapshot('m1', 'https://clips.twitch.tv/ClipOne'), T0);
    const before = state(batch.db);
    expect(() =>
      batched(batch.db, () => {
        recordReactionAddedNow(batch.db, reaction('m1', '🔥', 'a', T0 + HOUR_MS * 5), T0);
        throw new Error('a write that can never succeed');
      }),
    ).toThrow('a write that can never succeed');
    expect(state(batch.db)).toEqual(before);
    // The next batch is not deferred by the failed one's leftovers: a plain write refreshes at once.
    await recordReactionAdded(batch.db, reaction('m1', '🔥', 'b', T0), T0);
    expect(batch.db.$client.prepare("SELECT discord_reactions AS n FROM clips WHERE clip_id = 'ClipOne'").get()).toEqual({ n: 1 });
  });

  it('leaves the same counters, dirty hours and engagement journal with a batch opened and flushed by hand (as the importer does)', async () => {
    const journal = (db: Db): unknown =>
      sqliteClient(db)
        .prepare(
          'SELECT guild_id, at, clip_id, shares, reactions FROM engagement_changes WHERE shares <> 0 OR reactions <> 0 ORDER BY 1, 2, 3',
        )
        .all();
    inCaptureBatch(each.db, () => traffic(each.db));
    batch.db.$client.exec('BEGIN IMMEDIATE');
    const upkeep = openCaptureBatch(batch.db);
    traffic(batch.db);
    // Nothing of the upkeep is written before the flush.
    expect(batch.db.$client.prepare('SELECT count(*) AS n FROM dirty_hours').get()).toEqual({ n: 0 });
    upkeep.flush();
    batch.db.$client.exec('COMMIT');
    expect(state(batch.db)).toEqual(state(each.db));
    expect(journal(batch.db)).toEqual(journal(each.db));
    // The batch has ended: a later write refreshes the counters at once.
    await recordReactionAdded(batch.db, reaction('m1', '🔥', 'late', T0), T0);
    expect(batch.db.$client.prepare("SELECT discord_reactions AS n FROM clips WHERE clip_id = 'ClipOne'").get()).toEqual({ n: 25 });
  });

  it('writes nothing of a discarded batch and defers nothing after it', async () => {
    await recordMessage(batch.db, snapshot('m1', 'https://clips.twitch.tv/ClipOne'), T0);
    const before = state(batch.db);
    batch.db.$client.exec('BEGIN IMMEDIATE');
    const upkeep = openCaptureBatch(batch.db);
    await recordReactionAdded(batch.db, reaction('m1', '🔥', 'a', T0 + HOUR_MS * 5), T0);
    upkeep.discard();
    batch.db.$client.exec('ROLLBACK');
    upkeep.flush(); // ended already: does nothing
    expect(state(batch.db)).toEqual(before);
    await recordReactionAdded(batch.db, reaction('m1', '🔥', 'b', T0), T0);
    expect(batch.db.$client.prepare("SELECT discord_reactions AS n FROM clips WHERE clip_id = 'ClipOne'").get()).toEqual({ n: 1 });
  });

  it("marks the hours of a message's reactions dirty when an edit changes its clips, and only the posting hour for a new message", async () => {
    const hour = (t: number) => Math.floor(t / HOUR_MS) * HOUR_MS;
    const dirty = () =>
      (batch.db.$client.prepare('SELECT hour_start FROM dirty_hours ORDER BY hour_start').all() as { hour_start: number }[]).map(
        (r) => r.hour_start,
      );
    await recordMessage(batch.db, snapshot('m1', 'https://clips.twitch.tv/ClipOne'), T0);
    expect(dirty()).toEqual([hour(T0)]);
    await recordReactionAdded(batch.db, reaction('m1', '🔥', 'a', T0 + 5 * HOUR_MS), T0);
    batch.db.$client.prepare('DELETE FROM dirty_hours').run();
    await recordMessage(batch.db, snapshot('m1', 'https://clips.twitch.tv/ClipTwo'), T0 + 6 * HOUR_MS);
    expect(dirty()).toEqual([hour(T0), hour(T0 + 5 * HOUR_MS)]);
  });
});
