// Batched upkeep: inside one capture batch, clip counters and dirty hours are brought up to date once at the
// end, and end up exactly as if every write had refreshed them itself.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inCaptureBatchNow as inCaptureBatch, openCaptureBatchNow as openCaptureBatch } from '../../src/capture/record-now';
import { recordReactionAdded, recordReactionRemoved, type ReactionEvent } from '../../src/capture/record-reaction';
import { recordMessage, recordMessagesDeleted, type MessageSnapshot } from '../../src/capture/record-share';
import { inCaptureBatch as inCaptureBatchAsync } from '../../src/capture/capture-batch';
import { queries } from '../../src/db/sql';
import { clearTables } from '../helpers/clear-tables';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import type { Db } from '../../src/db/client';
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

/** traffic() through the async capture path, on either engine. */
async function trafficOn(db: Db): Promise<void> {
  await recordMessage(db, snapshot('m1', 'https://clips.twitch.tv/ClipOne'), T0);
  await recordMessage(db, snapshot('m2', 'again https://clips.twitch.tv/ClipOne and https://clips.twitch.tv/ClipTwo', T0 + HOUR_MS), T0);
  for (let i = 0; i < 50; i++)
    await recordReactionAdded(db, reaction(i % 2 ? 'm1' : 'm2', i % 3 ? '🔥' : 'Pog:123', `u${i}`, T0 + i * 600_000), T0);
  await recordReactionRemoved(db, reaction('m1', '🔥', 'u1', T0), T0);
  await recordMessage(db, snapshot('m3', 'https://clips.twitch.tv/ClipThree', T0 + 3 * HOUR_MS), T0);
  await recordMessage(db, snapshot('m2', 'only https://clips.twitch.tv/ClipTwo now', T0 + HOUR_MS), T0 + 1);
  await recordMessagesDeleted(db, 'g1', ['m3'], T0 + 2);
}

/** Whole numbers as numbers: PostgreSQL gives bigint columns as strings. */
const numeric = <T extends Record<string, unknown>>(rows: T[]): T[] =>
  rows.map(
    (row) =>
      Object.fromEntries(
        Object.entries(row).map(([k, v]) => [
          k,
          typeof v === 'string' && /^-?\d+$/.test(v) && k !== 'clip_id' && k !== 'guild_id' ? Number(v) : v,
        ]),
      ) as T,
  );

async function stateOf(db: Db): Promise<unknown> {
  return {
    clips: numeric(
      await queries(db).all<Record<string, unknown>>(
        'SELECT clip_id, discord_shares, discord_reactions, discord_reaction_types, first_shared_at FROM clips ORDER BY clip_id',
      ),
    ),
    dirty: numeric(await queries(db).all<Record<string, unknown>>('SELECT guild_id, hour_start FROM dirty_hours ORDER BY hour_start')),
  };
}

// Both engines through the async capture batch (what the live capture queue uses); one pair of databases per engine
// for the file, emptied before each test.
describe.each(testEngines())('batched capture upkeep on %s', (engine) => {
  let each: TestDatabase;
  let batch: TestDatabase;
  beforeAll(async () => {
    each = await openTestDatabase(engine, 'batched-upkeep-each');
    batch = await openTestDatabase(engine, 'batched-upkeep-batch');
  });
  afterAll(async () => {
    await each?.close();
    await batch?.close();
  });
  beforeEach(async () => {
    await clearTables(each.db);
    await clearTables(batch.db);
  });
  const count = async (db: Db, sql: string): Promise<unknown> => numeric([(await queries(db).get<Record<string, unknown>>(sql))!])[0];

  it('leaves the same counters and dirty hours as refreshing after every write', async () => {
    await each.db.transaction((tx) => trafficOn(tx));
    await inCaptureBatchAsync(batch.db, (tx) => trafficOn(tx));
    expect(await stateOf(batch.db)).toEqual(await stateOf(each.db));
    // And they are right: ClipOne is shared by m1 only after the edit, with m1's 24 reactions less the removed one.
    expect(
      await count(batch.db, "SELECT discord_shares AS shares, discord_reactions AS reactions FROM clips WHERE clip_id = 'ClipOne'"),
    ).toEqual({ shares: 1, reactions: 24 });
  });

  it('writes each dirty hour once however many writes mark it', async () => {
    const marked: number[] = [];
    await inCaptureBatchAsync(batch.db, async (tx) => {
      await recordMessage(tx, snapshot('m1', 'https://clips.twitch.tv/ClipOne'), T0);
      for (let i = 0; i < 100; i++) await recordReactionAdded(tx, reaction('m1', '🔥', `u${i}`, T0 + i), T0);
      marked.push(
        ...(await queries(tx).all<{ hour_start: number }>('SELECT hour_start FROM dirty_hours')).map((r) => Number(r.hour_start)),
      );
    });
    // Nothing is written before the batch ends, then the one hour is.
    expect(marked).toEqual([]);
    expect(numeric(await queries(batch.db).all<Record<string, unknown>>('SELECT guild_id, hour_start FROM dirty_hours'))).toEqual([
      { guild_id: 'g1', hour_start: Math.floor(T0 / HOUR_MS) * HOUR_MS },
    ]);
  });

  it('refreshes nothing and keeps nothing when the batch fails', async () => {
    await recordMessage(batch.db, snapshot('m1', 'https://clips.twitch.tv/ClipOne'), T0);
    const before = await stateOf(batch.db);
    await expect(
      inCaptureBatchAsync(batch.db, async (tx) => {
        await recordReactionAdded(tx, reaction('m1', '🔥', 'a', T0 + HOUR_MS * 5), T0);
        throw new Error('a write that can never succeed');
      }),
    ).rejects.toThrow('a write that can never succeed');
    expect(await stateOf(batch.db)).toEqual(before);
    // The next batch is not deferred by the failed one's leftovers: a plain write refreshes at once.
    await recordReactionAdded(batch.db, reaction('m1', '🔥', 'b', T0), T0);
    expect(await count(batch.db, "SELECT discord_reactions AS n FROM clips WHERE clip_id = 'ClipOne'")).toEqual({ n: 1 });
  });

  it("marks the hours of a message's reactions dirty when an edit changes its clips, and only the posting hour for a new message", async () => {
    const hour = (t: number) => Math.floor(t / HOUR_MS) * HOUR_MS;
    const dirty = async () =>
      (await queries(batch.db).all<{ hour_start: number }>('SELECT hour_start FROM dirty_hours ORDER BY hour_start')).map((r) =>
        Number(r.hour_start),
      );
    await recordMessage(batch.db, snapshot('m1', 'https://clips.twitch.tv/ClipOne'), T0);
    expect(await dirty()).toEqual([hour(T0)]);
    await recordReactionAdded(batch.db, reaction('m1', '🔥', 'a', T0 + 5 * HOUR_MS), T0);
    await queries(batch.db).run('DELETE FROM dirty_hours');
    await recordMessage(batch.db, snapshot('m1', 'https://clips.twitch.tv/ClipTwo'), T0 + 6 * HOUR_MS);
    expect(await dirty()).toEqual([hour(T0), hour(T0 + 5 * HOUR_MS)]);
  });
});

// SQLite only: the synchronous batches below (one transaction the caller opens on the connection, as the importer and
// generator write SQLite) have no PostgreSQL form; the async batch above is what both engines share.
describe('batched capture upkeep, synchronous SQLite batches', () => {
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

  it('leaves the same counters and dirty hours as refreshing after every write, through the synchronous writers', () => {
    inTransaction(each.db, () => traffic(each.db));
    batched(batch.db, () => traffic(batch.db));
    expect(state(batch.db)).toEqual(state(each.db));
    // And they are right: ClipOne is shared by m1 only after the edit, with m1's 24 reactions less the removed one.
    const clipOne = batch.db.$client
      .prepare("SELECT discord_shares AS shares, discord_reactions AS reactions FROM clips WHERE clip_id = 'ClipOne'")
      .get();
    expect(clipOne).toEqual({ shares: 1, reactions: 24 });
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
});
