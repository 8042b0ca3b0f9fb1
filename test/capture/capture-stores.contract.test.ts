// Capture's store contracts, the same tests on both engines: shares, reactions, clip counters, the engagement journal
// and dirty hours, one write at a time and in capture batches; and a random stream of events leaves the same rows on
// PostgreSQL as on SQLite.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inCaptureBatch } from '../../src/capture/capture-batch';
import {
  recordReactionAdded,
  recordReactionRemoved,
  recordReactionsCleared,
  recordReactionSnapshot,
  type ReactionEvent,
} from '../../src/capture/record-reaction';
import {
  activeClipsOfMessage,
  isKnownClipMessage,
  recordMessage,
  recordMessagesDeleted,
  type MessageSnapshot,
} from '../../src/capture/record-share';
import type { Db } from '../../src/db/database';
import { HOUR_MS, recordClipHoursDirty, recordDirtyHours } from '../../src/db/dirty';
import { queries } from '../../src/db/sql';
import { messagesWithShares } from '../../src/db/stores/imports';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

const T0 = Date.UTC(2026, 0, 5, 12, 30);
const CAPTURE_TABLES = ['clips', 'shares', 'reactions', 'reaction_baselines', 'engagement_changes', 'dirty_hours', 'message_observations'];

const snapshot = (messageId: string, content: string, fields: Partial<MessageSnapshot> = {}): MessageSnapshot => ({
  guildId: 'g1',
  channelId: 'c1',
  threadId: null,
  messageId,
  authorId: 'u0',
  authorName: 'Poster',
  authorIsBot: false,
  postedAt: T0,
  content,
  source: 'discord',
  ...fields,
});
const reaction = (messageId: string, emojiKey: string, userId: string, at = T0, guildId = 'g1'): ReactionEvent => ({
  guildId,
  channelId: 'c1',
  messageId,
  emojiKey,
  userId,
  at,
});
const link = (clip: string): string => `https://clips.twitch.tv/${clip}`;

/** The capture tables as plain values, the same on both engines (booleans as 0/1, JSON parsed, no surrogate ids). */
async function captureState(db: Db): Promise<Record<string, unknown[]>> {
  const q = queries(db);
  const clips = await q.all<Record<string, unknown>>(
    `SELECT guild_id, clip_id, url, discord_shares, discord_reactions, discord_reaction_types, first_shared_at, last_updated_at, source
       FROM clips ORDER BY guild_id, clip_id`,
  );
  const shares = await q.all<Record<string, unknown>>(
    `SELECT guild_id, channel_id, thread_id, message_id, clip_id, author_id, author_name, author_is_bot, posted_at, deleted_at, source
       FROM shares ORDER BY guild_id, message_id, clip_id`,
  );
  return {
    clips: clips.map((c) => ({
      ...c,
      discord_reaction_types:
        typeof c.discord_reaction_types === 'string' ? JSON.parse(c.discord_reaction_types) : c.discord_reaction_types,
    })),
    shares: shares.map((s) => ({ ...s, author_is_bot: Number(s.author_is_bot) })),
    reactions: await q.all('SELECT * FROM reactions ORDER BY guild_id, message_id, emoji_key, user_id'),
    baselines: await q.all('SELECT * FROM reaction_baselines ORDER BY guild_id, message_id, emoji_key'),
    journal: await q.all('SELECT * FROM engagement_changes WHERE shares <> 0 OR reactions <> 0 ORDER BY guild_id, at, clip_id'),
    dirty: (await q.all<Record<string, unknown>>('SELECT * FROM dirty_hours ORDER BY guild_id, hour_start')).map((d) => ({
      ...d,
      engagement_only: Number(d.engagement_only),
    })),
  };
}

/** The journal summed per (guild, clip): what the aggregator adds up. */
async function journalTotals(db: Db): Promise<Record<string, { shares: number; reactions: number }>> {
  const rows = await queries(db).all<{ guild_id: string; clip_id: string; shares: number; reactions: number }>(
    'SELECT guild_id, clip_id, sum(shares) AS shares, sum(reactions) AS reactions FROM engagement_changes GROUP BY guild_id, clip_id',
  );
  return Object.fromEntries(rows.map((r) => [`${r.guild_id}/${r.clip_id}`, { shares: r.shares, reactions: r.reactions }]));
}

async function clipCounters(
  db: Db,
  clipId: string,
  guildId = 'g1',
): Promise<{ shares: number; reactions: number; types: Record<string, number> }> {
  const row = await queries(db).get<{ s: number; r: number; t: unknown }>(
    'SELECT discord_shares AS s, discord_reactions AS r, discord_reaction_types AS t FROM clips WHERE guild_id = ? AND clip_id = ?',
    [guildId, clipId],
  );
  if (!row) throw new Error(`no clip ${guildId}/${clipId}`);
  return { shares: row.s, reactions: row.r, types: typeof row.t === 'string' ? JSON.parse(row.t) : (row.t as Record<string, number>) };
}

async function clearCapture(db: Db): Promise<void> {
  for (const table of CAPTURE_TABLES) await queries(db).run(`DELETE FROM ${table}`);
}

/** A small deterministic random generator (mulberry32), so a failing stream can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Event = (db: Db) => Promise<unknown>;

/** A random stream of capture events over two guilds that reuse each other's message ids and clip slugs. */
function randomStream(seed: number, length: number): Event[] {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const guilds = ['gA', 'gB'];
  const messages = ['m1', 'm2', 'm3', 'm4', 'm5'];
  const clips = ['ClipOne', 'ClipTwo', 'ClipThree'];
  const emojis = ['🔥', 'Pog:123', '😂'];
  const users = ['u1', 'u2', 'u3', 'u4'];
  const events: Event[] = [];
  for (let i = 0; i < length; i++) {
    const guildId = pick(guilds);
    const messageId = pick(messages);
    const at = T0 + Math.floor(rnd() * 48) * (HOUR_MS / 2);
    const now = T0 + i * 1000;
    const kind = rnd();
    // Every choice is made here, not when the event runs, so that each run replays the same stream.
    const emojiKey = pick(emojis);
    const userId = pick(users);
    if (kind < 0.3) {
      const content = clips
        .filter(() => rnd() < 0.5)
        .map(link)
        .join(' ');
      const postedAt = T0 + (messages.indexOf(messageId) + 1) * HOUR_MS;
      events.push((db) => recordMessage(db, snapshot(messageId, content, { guildId, postedAt }), now));
    } else if (kind < 0.6) {
      events.push((db) => recordReactionAdded(db, reaction(messageId, emojiKey, userId, at, guildId), now));
    } else if (kind < 0.72) {
      events.push((db) => recordReactionRemoved(db, reaction(messageId, emojiKey, userId, at, guildId), now));
    } else if (kind < 0.82) {
      const userIds = users.filter(() => rnd() < 0.4);
      const count = userIds.length + Math.floor(rnd() * 4);
      events.push((db) => recordReactionSnapshot(db, { guildId, channelId: 'c1', messageId, emojiKey, count, userIds, at }, now));
    } else if (kind < 0.9) {
      const only = rnd() < 0.5 ? emojiKey : null;
      events.push((db) => recordReactionsCleared(db, { guildId, messageId, emojiKey: only }, now));
    } else {
      events.push((db) => recordMessagesDeleted(db, guildId, [messageId], now));
    }
  }
  return events;
}

/**
 * A stream where most messages are new (posted at random times, sharing clips that earlier messages shared) and most
 * reactions are new: the writes whose effect on the counters is known without a recount, with a few edits, removals
 * and deletions between them.
 */
function growingStream(seed: number, length: number): Event[] {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const clips = ['ClipOne', 'ClipTwo', 'ClipThree', 'ClipFour'];
  const emojis = ['🔥', 'Pog:123', '😂', '\uFF01', '❤'];
  const users = ['u1', 'u2', 'u3', 'u4', 'u5'];
  const messages: Array<{ guildId: string; messageId: string }> = [];
  const events: Event[] = [];
  for (let i = 0; i < length; i++) {
    const now = T0 + i * 1000;
    const kind = rnd();
    if (kind < 0.35 || messages.length === 0) {
      const guildId = pick(['gA', 'gB']);
      const messageId = `n${i}`;
      const content = clips
        .filter(() => rnd() < 0.4)
        .map(link)
        .join(' ');
      const postedAt = T0 + Math.floor(rnd() * 200) * 60_000;
      messages.push({ guildId, messageId });
      events.push((db) => recordMessage(db, snapshot(messageId, content, { guildId, postedAt }), now));
      continue;
    }
    const { guildId, messageId } = pick(messages);
    const emojiKey = pick(emojis);
    const userId = pick(users);
    const at = T0 + Math.floor(rnd() * 48) * (HOUR_MS / 2);
    if (kind < 0.9) events.push((db) => recordReactionAdded(db, reaction(messageId, emojiKey, userId, at, guildId), now));
    else if (kind < 0.94) events.push((db) => recordReactionRemoved(db, reaction(messageId, emojiKey, userId, at, guildId), now));
    else if (kind < 0.97) {
      // Chosen now, not when the event runs, so that the stream replays the same (as randomStream's).
      const content = link(pick(clips));
      events.push((db) => recordMessage(db, snapshot(messageId, content, { guildId, postedAt: T0 }), now));
    } else events.push((db) => recordMessagesDeleted(db, guildId, [messageId], now));
  }
  return events;
}

/** Runs the events in capture batches of random sizes, as the capture queue commits them. */
async function inBatches(db: Db, events: readonly Event[], seed: number): Promise<void> {
  const rnd = random(seed);
  for (let i = 0; i < events.length; ) {
    const size = 1 + Math.floor(rnd() * 12);
    const batch = events.slice(i, i + size);
    await inCaptureBatch(db, async (tx) => {
      for (const event of batch) await event(tx);
    });
    i += size;
  }
}

describe.each(testEngines())('capture stores on %s', (engine) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'capture-stores');
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    await clearCapture(t.db);
  });

  /** The events one write at a time, then again from empty tables with each group as one capture batch. */
  async function oneByOneThenBatched(batches: Event[][]) {
    const oneByOne: unknown[] = [];
    for (const event of batches.flat()) oneByOne.push(await event(t.db));
    const expected = await captureState(t.db);
    await clearCapture(t.db);
    const batched: unknown[] = [];
    for (const batch of batches) {
      batched.push(
        ...(await inCaptureBatch(t.db, async (tx) => {
          const out: unknown[] = [];
          for (const event of batch) out.push(await event(tx));
          return out;
        })),
      );
    }
    return { oneByOne, batched, expected };
  }

  it('counts a clip posted in three messages as three shares, and keeps guilds apart', async () => {
    for (const id of ['m1', 'm2', 'm3']) await recordMessage(t.db, snapshot(id, link('ClipOne')), T0);
    await recordMessage(t.db, snapshot('m1', link('ClipOne'), { guildId: 'g2' }), T0);
    expect((await clipCounters(t.db, 'ClipOne')).shares).toBe(3);
    expect((await clipCounters(t.db, 'ClipOne', 'g2')).shares).toBe(1);
    expect(await isKnownClipMessage(t.db, { guildId: 'g2', messageId: 'm2' })).toBe(false);
    expect(await activeClipsOfMessage(t.db, { guildId: 'g1', messageId: 'm2' })).toEqual([{ guildId: 'g1', clipId: 'ClipOne' }]);
  });

  it('finds which of a guild’s messages were ever recorded with a clip link, in one read, by guild', async () => {
    await recordMessage(t.db, snapshot('m1', link('ClipOne')), T0);
    await recordMessage(t.db, snapshot('m2', link('ClipOne')), T0);
    await recordMessage(t.db, snapshot('m2', 'the link was edited out'), T0 + 1);
    await recordMessage(t.db, snapshot('m3', link('ClipOne'), { guildId: 'g2' }), T0);
    expect(await messagesWithShares(t.db, 'g1', ['m1', 'm2', 'm3', 'never'])).toEqual(new Set(['m1', 'm2']));
    expect(await messagesWithShares(t.db, 'g2', ['m1', 'm3'])).toEqual(new Set(['m3']));
    expect(await messagesWithShares(t.db, 'g1', [])).toEqual(new Set());
  });

  it('follows edits: links removed stop counting, restored ones count again, and replays change nothing', async () => {
    expect(await recordMessage(t.db, snapshot('m1', `${link('A1')} ${link('B2')}`), T0)).toEqual({ added: ['A1', 'B2'], removed: [] });
    expect(await recordMessage(t.db, snapshot('m1', link('B2')), T0 + 1)).toEqual({ added: [], removed: ['A1'] });
    const before = await captureState(t.db);
    expect(await recordMessage(t.db, snapshot('m1', link('B2')), T0 + 2)).toEqual({ added: [], removed: [] });
    expect(await captureState(t.db)).toEqual(before);
    expect(await recordMessage(t.db, snapshot('m1', `${link('A1')} ${link('B2')}`), T0 + 3)).toEqual({ added: ['A1'], removed: [] });
    expect((await clipCounters(t.db, 'A1')).shares).toBe(1);
    const shares = (await captureState(t.db)).shares as Array<{ clip_id: string; deleted_at: number | null; author_is_bot: number }>;
    expect(shares.map((s) => [s.clip_id, s.deleted_at, s.author_is_bot])).toEqual([
      ['A1', null, 0],
      ['B2', null, 0],
    ]);
  });

  it('counts reactions once per user and emoji, removes them once, and clears them by emoji or all', async () => {
    await recordMessage(t.db, snapshot('m1', link('ClipOne')), T0);
    await recordMessage(t.db, snapshot('m2', `x ${link('ClipOne')}`), T0);
    expect(await recordReactionAdded(t.db, reaction('m1', '🔥', 'u1'), T0)).toBe(true);
    expect(await recordReactionAdded(t.db, reaction('m1', '🔥', 'u1'), T0)).toBe(false);
    await recordReactionAdded(t.db, reaction('m2', '🔥', 'u1'), T0);
    await recordReactionAdded(t.db, reaction('m2', 'Pog:123', 'u2'), T0);
    expect(await recordReactionAdded(t.db, reaction('no-clip', '🔥', 'u1'), T0)).toBe(false);
    expect(await clipCounters(t.db, 'ClipOne')).toEqual({ shares: 2, reactions: 3, types: { '🔥': 2, 'Pog:123': 1 } });
    expect(await recordReactionRemoved(t.db, reaction('m2', '🔥', 'u1'), T0)).toBe(true);
    expect(await recordReactionRemoved(t.db, reaction('m2', '🔥', 'u1'), T0)).toBe(false);
    expect(await recordReactionsCleared(t.db, { guildId: 'g1', messageId: 'm2', emojiKey: 'Pog:123' }, T0)).toBe(1);
    expect(await clipCounters(t.db, 'ClipOne')).toEqual({ shares: 2, reactions: 1, types: { '🔥': 1 } });
    expect(await recordReactionsCleared(t.db, { guildId: 'g1', messageId: 'm1' }, T0)).toBe(1);
    expect(await clipCounters(t.db, 'ClipOne')).toEqual({ shares: 2, reactions: 0, types: {} });
  });

  it('keeps a snapshot count beyond its named users as a baseline, takes unknown removals from it, never below zero', async () => {
    await recordMessage(t.db, snapshot('m1', link('ClipOne')), T0);
    const snap = { guildId: 'g1', channelId: 'c1', messageId: 'm1', emojiKey: '🔥', count: 5, userIds: ['u1', 'u2'], at: T0 + 10 };
    await recordReactionSnapshot(t.db, snap, T0);
    await recordReactionSnapshot(t.db, snap, T0);
    expect(await queries(t.db).all('SELECT anonymous_count FROM reaction_baselines')).toEqual([{ anonymous_count: 3 }]);
    expect((await clipCounters(t.db, 'ClipOne')).reactions).toBe(5);
    for (let i = 0; i < 5; i++) await recordReactionRemoved(t.db, reaction('m1', '🔥', `stranger${i}`), T0);
    expect(await queries(t.db).all('SELECT anonymous_count FROM reaction_baselines')).toEqual([{ anonymous_count: 0 }]);
    expect((await clipCounters(t.db, 'ClipOne')).reactions).toBe(2);
  });

  it('stops counting a deleted message, keeps its rows, and journals exactly what analytics count', async () => {
    await recordMessage(t.db, snapshot('m1', link('ClipOne')), T0);
    await recordMessage(t.db, snapshot('m2', link('ClipOne'), { postedAt: T0 + HOUR_MS }), T0);
    await recordReactionAdded(t.db, reaction('m1', '🔥', 'u1', T0 + 5), T0);
    await recordReactionAdded(t.db, reaction('m1', '🔥', 'u2', T0 + 6), T0);
    expect(await journalTotals(t.db)).toEqual({ 'g1/ClipOne': { shares: 2, reactions: 2 } });
    expect(await recordMessagesDeleted(t.db, 'g1', ['m1', 'unknown'], T0 + 9)).toBe(1);
    expect(await recordMessagesDeleted(t.db, 'g1', ['m1'], T0 + 10)).toBe(0);
    expect(await journalTotals(t.db)).toEqual({ 'g1/ClipOne': { shares: 1, reactions: 0 } });
    expect(await clipCounters(t.db, 'ClipOne')).toEqual({ shares: 1, reactions: 0, types: {} });
    expect(await queries(t.db).all('SELECT count(*) AS n FROM reactions')).toEqual([{ n: 2 }]);
  });

  it('marks the hours that changed, engagement only, and a clips mark wins over an engagement one', async () => {
    await recordMessage(t.db, snapshot('m1', link('ClipOne'), { postedAt: T0 }), T0);
    await recordReactionAdded(t.db, reaction('m1', '🔥', 'u1', T0 + 2 * HOUR_MS), T0);
    const hour = (ts: number): number => Math.floor(ts / HOUR_MS) * HOUR_MS;
    expect((await captureState(t.db)).dirty).toEqual([
      { guild_id: 'g1', hour_start: hour(T0), engagement_only: 1 },
      { guild_id: 'g1', hour_start: hour(T0 + 2 * HOUR_MS), engagement_only: 1 },
    ]);
    await recordDirtyHours(t.db, 'g1', [T0 + 10, T0 + 5 * HOUR_MS, null], 'clips');
    await recordDirtyHours(t.db, 'g1', [T0 + 11], 'engagement');
    await recordClipHoursDirty(t.db, 'g2', ['ClipOne']);
    expect((await captureState(t.db)).dirty).toEqual([
      { guild_id: 'g1', hour_start: hour(T0), engagement_only: 0 },
      { guild_id: 'g1', hour_start: hour(T0 + 2 * HOUR_MS), engagement_only: 1 },
      { guild_id: 'g1', hour_start: hour(T0 + 5 * HOUR_MS), engagement_only: 0 },
    ]);
    await recordClipHoursDirty(t.db, 'g1', ['ClipOne']);
    expect(((await captureState(t.db)).dirty as Array<{ engagement_only: number }>).map((d) => d.engagement_only)).toEqual([0, 0, 0]);
  });

  it('leaves the same rows in capture batches as one write at a time, and nothing of a batch that fails', async () => {
    const events = randomStream(7, 120);
    for (const event of events) await event(t.db);
    const oneByOne = await captureState(t.db);
    await clearCapture(t.db);
    await inBatches(t.db, events, 7);
    expect(await captureState(t.db)).toEqual(oneByOne);
    const failing = inCaptureBatch(t.db, async (tx) => {
      await recordMessage(tx, snapshot('new', link('ClipNine'), { guildId: 'gA' }), T0);
      await recordReactionAdded(tx, reaction('new', '🔥', 'u1', T0, 'gA'), T0);
      throw new Error('the batch fails');
    });
    await expect(failing).rejects.toThrow('the batch fails');
    expect(await captureState(t.db)).toEqual(oneByOne);
    // Nothing stays deferred after the failed batch: the next write refreshes its counters at once.
    await recordMessage(t.db, snapshot('new', link('ClipNine'), { guildId: 'gA' }), T0);
    expect((await clipCounters(t.db, 'ClipNine', 'gA')).shares).toBe(1);
  });

  it.each([31, 32, 33])(
    'holds a batch’s new shares and reactions to its end and leaves the same rows and answers as one write at a time (stream %i)',
    async (seed) => {
      // Mostly new messages and reactions on them (the writes a batch holds back), with replays, removals, edits and
      // deletions between them that must see the held rows; batches up to 120 writes, as a busy queue fills them.
      const events = growingStream(seed, 400);
      const oneByOne: unknown[] = [];
      for (const event of events) oneByOne.push(await event(t.db));
      const expected = await captureState(t.db);
      await clearCapture(t.db);
      const rnd = random(seed);
      const batched: unknown[] = [];
      for (let i = 0; i < events.length; ) {
        const batch = events.slice(i, i + 1 + Math.floor(rnd() * 120));
        // The answers of the batch's last run (on PostgreSQL a batch may run twice, see the next test).
        const answers = await inCaptureBatch(t.db, async (tx) => {
          const out: unknown[] = [];
          for (const event of batch) out.push(await event(tx));
          return out;
        });
        batched.push(...answers);
        i += batch.length;
      }
      // A change's `removed` follows the order the message's share rows are read in, which PostgreSQL leaves open.
      const sorted = (answers: unknown[]): unknown[] =>
        answers.map((a) =>
          a && typeof a === 'object' && 'removed' in a ? { ...a, removed: [...(a as { removed: string[] }).removed].sort() } : a,
        );
      expect(sorted(batched)).toEqual(sorted(oneByOne));
      expect(await captureState(t.db)).toEqual(expected);
    },
  );

  it('answers as one write at a time when a message it takes for just posted (so new) was recorded before', async () => {
    const now = T0 + 60_000;
    await recordMessage(t.db, snapshot('m1', link('ClipOne')), T0);
    await recordReactionAdded(t.db, reaction('m1', '🔥', 'u1'), T0);
    let runs = 0;
    const answers = await inCaptureBatch(t.db, async (tx) => {
      runs++;
      return [
        await recordMessage(tx, snapshot('m2', link('ClipTwo')), now),
        // Posted just now as far as the batch can tell, yet already recorded: on PostgreSQL the batch runs again.
        await recordMessage(tx, snapshot('m1', `${link('ClipOne')} ${link('ClipTwo')}`), now),
        await recordReactionAdded(tx, reaction('m1', '🔥', 'u1'), now),
        await recordReactionAdded(tx, reaction('m1', '😂', 'u2'), now),
      ];
    });
    expect(answers).toEqual([{ added: ['ClipTwo'], removed: [] }, { added: ['ClipTwo'], removed: [] }, false, true]);
    expect(runs).toBe(engine === 'postgres' ? 2 : 1);
    expect(await clipCounters(t.db, 'ClipOne')).toEqual({ shares: 1, reactions: 2, types: { '🔥': 1, '😂': 1 } });
    expect(await clipCounters(t.db, 'ClipTwo')).toEqual({ shares: 2, reactions: 2, types: { '🔥': 1, '😂': 1 } });
    expect(await journalTotals(t.db)).toEqual({ 'g1/ClipOne': { shares: 1, reactions: 2 }, 'g1/ClipTwo': { shares: 2, reactions: 2 } });
  });

  it('judges a reaction replayed, removed and added again inside one batch as one write at a time does', async () => {
    const answers = await inCaptureBatch(t.db, async (tx) => [
      await recordMessage(tx, snapshot('m1', `${link('ClipOne')} ${link('ClipTwo')} ${link('ClipOne')}`), T0),
      await recordReactionAdded(tx, reaction('m1', '🔥', 'u1'), T0),
      await recordReactionAdded(tx, reaction('m1', '🔥', 'u1'), T0),
      await recordMessage(tx, snapshot('m1', `${link('ClipOne')} ${link('ClipTwo')}`), T0),
      await recordReactionRemoved(tx, reaction('m1', '🔥', 'u1'), T0),
      await recordReactionAdded(tx, reaction('m1', '🔥', 'u1'), T0 + HOUR_MS),
      await recordReactionAdded(tx, reaction('m1', '😂', 'u2'), T0 + HOUR_MS),
    ]);
    expect(answers).toEqual([{ added: ['ClipOne', 'ClipTwo'], removed: [] }, true, false, { added: [], removed: [] }, true, true, true]);
    expect(await clipCounters(t.db, 'ClipOne')).toEqual({ shares: 1, reactions: 2, types: { '🔥': 1, '😂': 1 } });
    expect(await journalTotals(t.db)).toEqual({ 'g1/ClipOne': { shares: 1, reactions: 2 }, 'g1/ClipTwo': { shares: 1, reactions: 2 } });
  });

  it('judges reactions on messages of an earlier batch, and on messages another edit or deletion did not touch, as one write at a time', async () => {
    const first: Event[] = [
      (db) => recordMessage(db, snapshot('m1', link('ClipOne')), T0),
      (db) => recordReactionAdded(db, reaction('m1', '🔥', 'u1'), T0),
    ];
    const second: Event[] = [
      // m1 was recorded by the earlier batch: its reactions are read with it (PostgreSQL) or inserted one by one.
      (db) => recordReactionAdded(db, reaction('m1', '🔥', 'u1'), T0 + 1),
      (db) => recordReactionAdded(db, reaction('m1', '😂', 'u2'), T0 + 2),
      (db) => recordMessage(db, snapshot('m2', link('ClipTwo')), T0 + 3),
      (db) => recordReactionAdded(db, reaction('m2', '🔥', 'u1'), T0 + 4),
      // A deletion of an unknown message and an edit of m1 write what the batch holds; m2 stays known.
      (db) => recordMessagesDeleted(db, 'g1', ['m3'], T0 + 5),
      (db) => recordMessage(db, snapshot('m1', `${link('ClipOne')} ${link('ClipTwo')}`), T0 + 6),
      (db) => recordReactionAdded(db, reaction('m2', '🔥', 'u1'), T0 + 7),
      (db) => recordReactionAdded(db, reaction('m2', '😂', 'u3'), T0 + HOUR_MS),
      (db) => recordReactionAdded(db, reaction('m1', '😂', 'u2'), T0 + 8),
      (db) => recordReactionAdded(db, reaction('m1', '👍', 'u4'), T0 + 9),
      (db) => recordMessagesDeleted(db, 'g1', ['m2'], T0 + 10),
      (db) => recordReactionAdded(db, reaction('m2', '👍', 'u5'), T0 + 11),
      (db) => recordReactionAdded(db, reaction('m1', '👍', 'u4'), T0 + 12),
    ];
    const { oneByOne, batched, expected } = await oneByOneThenBatched([first, second]);
    expect(batched).toEqual(oneByOne);
    expect(oneByOne.slice(2).filter((a) => typeof a === 'boolean')).toEqual([false, true, true, false, true, false, true, true, false]);
    expect(await captureState(t.db)).toEqual(expected);
  });

  it('judges reactions on a message with more reactions than a batch keeps as one write at a time', async () => {
    const first: Event[] = [
      (db) => recordMessage(db, snapshot('m1', link('ClipOne')), T0),
      ...Array.from(
        { length: 105 },
        (_, i): Event =>
          (db) =>
            recordReactionAdded(db, reaction('m1', '🔥', `u${i}`), T0 + i),
      ),
    ];
    const second: Event[] = [
      (db) => recordReactionAdded(db, reaction('m1', '🔥', 'u3'), T0 + 200),
      (db) => recordReactionAdded(db, reaction('m1', '😂', 'u3'), T0 + 201),
      (db) => recordReactionAdded(db, reaction('m1', '😂', 'u3'), T0 + 202),
    ];
    const { oneByOne, batched, expected } = await oneByOneThenBatched([first, second]);
    expect(batched).toEqual(oneByOne);
    expect(batched.slice(-3)).toEqual([false, true, false]);
    expect(await captureState(t.db)).toEqual(expected);
  });

  it.each([
    [21, 'in capture batches'],
    [22, 'one write at a time'],
  ])('keeps every clip’s counters equal to a recount of its raw rows after random stream %i, %s', async (seed, how) => {
    const events = growingStream(seed, 250);
    if (how === 'one write at a time') for (const event of events) await event(t.db);
    else await inBatches(t.db, events, seed);
    const recount = await recountedCounters(t.db);
    const rows = await queries(t.db).all<{ guild_id: string; clip_id: string; s: number; r: number; t: unknown; first: number | null }>(
      'SELECT guild_id, clip_id, discord_shares AS s, discord_reactions AS r, discord_reaction_types AS t, first_shared_at AS first FROM clips',
    );
    expect(rows.length).toBeGreaterThan(2);
    for (const row of rows) {
      const want = recount.get(`${row.guild_id}/${row.clip_id}`) ?? { shares: 0, first: null, types: {} };
      const types = typeof row.t === 'string' ? (JSON.parse(row.t) as Record<string, number>) : (row.t as Record<string, number>);
      const label = `${row.guild_id}/${row.clip_id}`;
      expect({ label, shares: row.s, reactions: Number(row.r), types }).toEqual({
        label,
        shares: want.shares,
        reactions: Object.values(want.types).reduce((a, b) => a + b, 0),
        types: want.types,
      });
      if (want.shares > 0) expect({ label, first: Number(row.first) }).toEqual({ label, first: want.first });
      if (engine === 'sqlite' && typeof row.t === 'string') {
        // SQLite keeps the per-emoji text in the recount's order: most reactions first, ties by emoji.
        const order = Object.entries(types).sort((a, b) => b[1] - a[1] || Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
        expect(Object.keys(types)).toEqual(order.map(([emoji]) => emoji));
      }
    }
  });

  it('keeps the journal equal to what the raw rows count after a random stream, per clip', async () => {
    await inBatches(t.db, randomStream(11, 150), 3);
    const counted = await queries(t.db).all<{ guild_id: string; clip_id: string; s: number; r: number }>(
      'SELECT guild_id, clip_id, discord_shares AS s, discord_reactions AS r FROM clips ORDER BY guild_id, clip_id',
    );
    const journal = await journalTotals(t.db);
    for (const c of counted) {
      // Each reaction counts once per active share of its message, as the journal does; the clip counter counts the
      // same (reactions through every active share), so both agree for every clip.
      expect(journal[`${c.guild_id}/${c.clip_id}`] ?? { shares: 0, reactions: 0 }).toEqual({ shares: c.s, reactions: c.r });
    }
  });
});

/** Every clip's counters as the raw rows count them, written here apart from the stores' own statements. */
async function recountedCounters(db: Db): Promise<Map<string, { shares: number; first: number | null; types: Record<string, number> }>> {
  const q = queries(db);
  const counted = new Map<string, { shares: number; first: number | null; types: Record<string, number> }>();
  const entry = (guildId: string, clipId: string) => {
    const key = `${guildId}/${clipId}`;
    let e = counted.get(key);
    if (!e) counted.set(key, (e = { shares: 0, first: null, types: {} }));
    return e;
  };
  for (const r of await q.all<{ guild_id: string; clip_id: string; n: number; first: number }>(
    'SELECT guild_id, clip_id, count(*) AS n, min(posted_at) AS first FROM shares WHERE deleted_at IS NULL GROUP BY guild_id, clip_id',
  )) {
    const e = entry(r.guild_id, r.clip_id);
    e.shares = Number(r.n);
    e.first = Number(r.first);
  }
  const perEmoji = [
    `SELECT s.guild_id, s.clip_id, r.emoji_key, count(*) AS n FROM shares s
       JOIN reactions r ON r.guild_id = s.guild_id AND r.message_id = s.message_id
      WHERE s.deleted_at IS NULL GROUP BY s.guild_id, s.clip_id, r.emoji_key`,
    `SELECT s.guild_id, s.clip_id, b.emoji_key, sum(b.anonymous_count) AS n FROM shares s
       JOIN reaction_baselines b ON b.guild_id = s.guild_id AND b.message_id = s.message_id
      WHERE s.deleted_at IS NULL GROUP BY s.guild_id, s.clip_id, b.emoji_key`,
  ];
  for (const sql of perEmoji) {
    for (const r of await q.all<{ guild_id: string; clip_id: string; emoji_key: string; n: number }>(sql)) {
      const e = entry(r.guild_id, r.clip_id);
      e.types[r.emoji_key] = (e.types[r.emoji_key] ?? 0) + Number(r.n);
    }
  }
  for (const e of counted.values()) for (const [emoji, n] of Object.entries(e.types)) if (n <= 0) delete e.types[emoji];
  return counted;
}

describe.skipIf(!testEngines().includes('postgres'))('capture on PostgreSQL and SQLite', () => {
  let sqlite: TestDatabase;
  let postgres: TestDatabase;
  beforeAll(async () => {
    sqlite = await openTestDatabase('sqlite', 'capture-twin');
    postgres = await openTestDatabase('postgres', 'capture-twin');
  });
  afterAll(async () => {
    await sqlite?.close();
    await postgres?.close();
  });

  it.each([1, 2, 3, 4])('leaves the same rows on both engines after random stream %i, batched as the queue batches', async (seed) => {
    for (const t of [sqlite, postgres]) await clearCapture(t.db);
    const events = randomStream(seed * 101, 200);
    await inBatches(sqlite.db, events, seed);
    await inBatches(postgres.db, events, seed);
    expect(await captureState(postgres.db)).toEqual(await captureState(sqlite.db));
  });
});
