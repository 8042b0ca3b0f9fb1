import { createCrawlStore } from '../../src/capture/service';
import type { REST } from '@discordjs/rest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordReactionAdded } from '../../src/capture/record-reaction';
import { recordMessage } from '../../src/capture/record-share';
import { ManualClock } from '../../src/clock';
import { updateGuildSettings } from '../../src/db/guild-settings';
import { BackfillError, backfillChannel, createDiscordRest, type BackfillProgress } from '../../src/discord/backfill';
import { startFakeDiscordHistory, type FakeDiscordHistory, type FakeMessage } from '../fakes/discord-history';
import { queries } from '../../src/db/sql';
import { clearTables } from '../helpers/clear-tables';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

const TOKEN = 'fake-bot-token';
const GUILD = '800000000000000001';
const CHANNEL = '810000000000000001';
const THREAD = '830000000000000001';
const EPOCH = 1420070400000;
const START = Date.UTC(2023, 0, 1);
const NOW = Date.UTC(2025, 0, 1);
const POG = 'PogChamp:920000000000000001';

function snowflake(ms: number, seq: number): string {
  return ((BigInt(ms - EPOCH) << 22n) | BigInt(seq)).toString();
}

/** 250 messages an hour apart; every 10th shares a clip; the 5th is a bot's. */
function history(count = 250): FakeMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const at = START + i * 3_600_000;
    return {
      id: snowflake(at, i),
      timestamp: new Date(at).toISOString(),
      content:
        i % 10 === 0
          ? `clip ${i}: https://clips.twitch.tv/HistoryClip${i}`
          : i === 5
            ? 'bot: https://clips.twitch.tv/BotClip'
            : `chat ${i}`,
      author:
        i === 5
          ? { id: '900000000000000099', username: 'ClipBot', bot: true }
          : { id: `90000000000000${String(i % 7).padStart(4, '0')}`, username: `user${i % 7}`, global_name: `User ${i % 7}` },
      ...(i === 20 ? { embeds: [{ url: 'https://clips.twitch.tv/EmbeddedHistoryClip' }] } : {}),
    };
  });
}

const users = (n: number, offset = 0): string[] => Array.from({ length: n }, (_, i) => String(910000000000000000n + BigInt(offset + i)));

describe.each(testEngines())('the history crawl on %s', (engine) => {
  let fake: FakeDiscordHistory;
  let t: TestDatabase;
  let clock: ManualClock;
  const rests: REST[] = [];
  let messages: FakeMessage[];

  function rest(): REST {
    const client = createDiscordRest({ token: TOKEN, apiBaseUrl: fake.apiBaseUrl });
    rests.push(client);
    return client;
  }

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'backfill');
  });
  afterAll(async () => {
    await t?.close();
  });

  beforeEach(async () => {
    fake = await startFakeDiscordHistory({ token: TOKEN });
    await clearTables(t.db);
    clock = new ManualClock(NOW);
    messages = history();
    fake.addChannel({ id: CHANNEL, type: 0, guild_id: GUILD, name: 'general' }, messages);
    // 150 users laughed at clip 0 (two pages of users), two PogChamps on clip 240.
    fake.setReactionUsers(messages[0]!.id, '😂', users(150));
    fake.setReactionUsers(messages[240]!.id, POG, users(2, 500));
    fake.setReactionUsers(messages[1]!.id, '👍', users(3)); // not a clip message
  });

  afterEach(async () => {
    for (const client of rests.splice(0)) {
      client.clearHashSweeper();
      client.clearHandlerSweeper();
    }
    await fake.close();
  });

  const deps = () => ({ store: createCrawlStore(t.db), clock, rest: rest() });
  /** Rows as SQLite gives them on both engines: booleans as 0/1, JSON as SQLite's text (most reactions first). */
  const q = async <T>(sql: string, ...params: unknown[]): Promise<T[]> =>
    (await queries(t.db).all<Record<string, unknown>>(sql, params as never)).map((row) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) {
        out[k] = typeof v === 'boolean' ? Number(v) : v !== null && typeof v === 'object' ? jsonText(v as Record<string, number>) : v;
      }
      return out as T;
    });
  function jsonText(types: Record<string, number>): string {
    const entries = Object.entries(types).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
    return JSON.stringify(Object.fromEntries(entries));
  }
  const messageRequests = () => fake.requests.filter((r) => r.path.endsWith('/messages') && r.status === 200);

  async function stateOfDatabase(): Promise<unknown> {
    return {
      shares: await q(
        'SELECT guild_id, channel_id, thread_id, message_id, clip_id, author_name, author_is_bot, posted_at, deleted_at, source FROM shares ORDER BY message_id, clip_id',
      ),
      clips: await q('SELECT clip_id, discord_shares, discord_reactions, discord_reaction_types FROM clips ORDER BY clip_id'),
      reactions: await q('SELECT * FROM reactions ORDER BY message_id, emoji_key, user_id'),
      baselines: await q('SELECT * FROM reaction_baselines'),
    };
  }

  describe('backfilling a channel from its history', () => {
    it('pages back through the whole channel, records every clip share and every reaction user, and reports progress per page', async () => {
      const seen: BackfillProgress[] = [];
      const result = await backfillChannel(deps(), { channelId: CHANNEL, onProgress: (p) => void seen.push(p) });

      expect(result).toMatchObject({
        status: 'completed',
        done: true,
        messagesScanned: 250,
        sharesFound: 26,
        guildId: GUILD,
        channelName: 'general',
      });
      expect(seen.map((p) => p.messagesScanned)).toEqual([100, 200, 250]);
      expect(seen.map((p) => p.done)).toEqual([false, false, true]);
      expect(seen[2]?.oldestReachedAt).toBe(START);
      // Pages: newest first, then before= the oldest of the previous page.
      expect(messageRequests().map((r) => r.query.get('before'))).toEqual([null, messages[150]!.id, messages[50]!.id]);
      expect(messageRequests().every((r) => r.query.get('limit') === '100')).toBe(true);

      const shares = await q<{ clip_id: string; source: string; channel_id: string; author_name: string }>(
        'SELECT clip_id, source, channel_id, author_name FROM shares ORDER BY posted_at',
      );
      expect(shares).toHaveLength(26);
      expect(shares[0]).toEqual({ clip_id: 'HistoryClip0', source: 'backfill', channel_id: CHANNEL, author_name: 'User 0' });
      expect(shares.map((s) => s.clip_id)).toContain('EmbeddedHistoryClip');
      expect(shares.map((s) => s.clip_id)).not.toContain('BotClip');
      expect(await q('SELECT count(*) AS n FROM clips WHERE enrichment_state = ?', 'pending')).toEqual([{ n: 26 }]);

      // 150 😂 fetched over two pages of users (after=the 100th user), stored per user.
      const reactionCalls = fake.requests.filter((r) => r.path.includes('/reactions/'));
      expect(reactionCalls.filter((r) => r.path.endsWith(encodeURIComponent('😂'))).map((r) => r.query.get('after'))).toEqual([
        null,
        users(150)[99],
      ]);
      expect(reactionCalls.some((r) => r.path.endsWith(`/reactions/${POG}`))).toBe(true);
      expect(reactionCalls.some((r) => r.path.includes(messages[1]!.id))).toBe(false);
      expect(await q('SELECT count(*) AS n FROM reactions WHERE message_id = ?', messages[0]!.id)).toEqual([{ n: 150 }]);
      expect(await q('SELECT discord_reactions, discord_reaction_types FROM clips WHERE clip_id = ?', 'HistoryClip240')).toEqual([
        { discord_reactions: 2, discord_reaction_types: JSON.stringify({ [POG]: 2 }) },
      ]);
      expect(await q('SELECT count(*) AS n FROM reaction_baselines')).toEqual([{ n: 0 }]);
      expect(
        await q(
          'SELECT messages_scanned, shares_found, completed_at, before_message_id FROM backfill_checkpoints WHERE channel_id = ?',
          CHANNEL,
        ),
      ).toEqual([{ messages_scanned: 250, shares_found: 26, completed_at: NOW, before_message_id: messages[0]!.id }]);
    });

    it('waits out 429s, per route and global, as Discord asks, and ends with the same data', async () => {
      await backfillChannel(deps(), { channelId: CHANNEL });
      const expected = await stateOfDatabase();
      await clearTables(t.db);
      fake.requests.length = 0;

      fake.rateLimit({ every: 3, retryAfter: 0.2, times: 3 });
      await backfillChannel(deps(), { channelId: CHANNEL });
      fake.rateLimit({ every: 2, retryAfter: 0.2, global: true, times: 1 });
      await backfillChannel(deps(), { channelId: CHANNEL, restart: true });

      const limited = fake.requests.filter((r) => r.status === 429);
      expect(limited).toHaveLength(4);
      for (const hit of limited) {
        // The same request is sent again, no sooner than Retry-After.
        const retry = fake.requests.find(
          (r) => r.at >= hit.at && r !== hit && r.path === hit.path && r.query.toString() === hit.query.toString() && r.status === 200,
        );
        expect(retry).toBeDefined();
        expect(retry!.at - hit.at).toBeGreaterThanOrEqual(150);
      }
      expect(await stateOfDatabase()).toEqual(expected);
    });

    it('resumes from its checkpoint after a restart instead of starting over', async () => {
      await backfillChannel(deps(), { channelId: CHANNEL });
      const expected = await stateOfDatabase();
      await clearTables(t.db);
      fake.requests.length = 0;

      const stop = new AbortController();
      const first = await backfillChannel(deps(), { channelId: CHANNEL, signal: stop.signal, onProgress: () => stop.abort() });
      expect(first).toMatchObject({ status: 'stopped', messagesScanned: 100, done: false });
      expect(await q('SELECT before_message_id, completed_at FROM backfill_checkpoints')).toEqual([
        { before_message_id: messages[150]!.id, completed_at: null },
      ]);

      fake.requests.length = 0;
      // A new process: new REST client, same database.
      const second = await backfillChannel(deps(), { channelId: CHANNEL });
      expect(second).toMatchObject({ status: 'completed', messagesScanned: 250, sharesFound: 26, pagesThisRun: 2 });
      expect(messageRequests().map((r) => r.query.get('before'))).toEqual([messages[150]!.id, messages[50]!.id]);
      expect(await stateOfDatabase()).toEqual(expected);

      fake.requests.length = 0;
      const third = await backfillChannel(deps(), { channelId: CHANNEL });
      expect(third.status).toBe('already_complete');
      expect(messageRequests()).toHaveLength(0);
    });

    it('stops at --since and goes further back when asked for an earlier date later', async () => {
      const since = Date.parse(messages[180]!.timestamp);
      const result = await backfillChannel(deps(), { channelId: CHANNEL, since });
      expect(result).toMatchObject({ status: 'completed', messagesScanned: 70 });
      expect((await q<{ clip_id: string }>('SELECT clip_id FROM shares ORDER BY posted_at')).map((r) => r.clip_id)).toEqual([
        'HistoryClip180',
        'HistoryClip190',
        'HistoryClip200',
        'HistoryClip210',
        'HistoryClip220',
        'HistoryClip230',
        'HistoryClip240',
      ]);
      expect((await backfillChannel(deps(), { channelId: CHANNEL, since })).status).toBe('already_complete');

      fake.requests.length = 0;
      const further = await backfillChannel(deps(), { channelId: CHANNEL, since: Date.parse(messages[100]!.timestamp) });
      expect(further).toMatchObject({ status: 'completed', messagesScanned: 150 });
      expect(messageRequests()[0]?.query.get('before')).toBe(messages[180]!.id);
      expect(await q('SELECT count(*) AS n FROM shares')).toEqual([{ n: 15 }]);
    });

    it('counts a thread for its parent channel and follows the guild setting for bots', async () => {
      fake.addChannel({ id: THREAD, type: 11, guild_id: GUILD, parent_id: CHANNEL, name: 'Best of' }, [
        {
          id: snowflake(NOW - 1000, 1),
          timestamp: new Date(NOW - 1000).toISOString(),
          content: 'https://clips.twitch.tv/ThreadClip',
          author: { id: '900000000000000001', username: 'alice' },
        },
      ]);
      await backfillChannel(deps(), { channelId: THREAD });
      expect(await q('SELECT channel_id, thread_id, clip_id FROM shares')).toEqual([
        { channel_id: CHANNEL, thread_id: THREAD, clip_id: 'ThreadClip' },
      ]);

      await updateGuildSettings(t.db, GUILD, { includeBots: true }, NOW);
      await backfillChannel(deps(), { channelId: CHANNEL });
      expect(await q('SELECT author_is_bot FROM shares WHERE clip_id = ?', 'BotClip')).toEqual([{ author_is_bot: 1 }]);
    });

    it('runs safely alongside live capture: nothing recorded live is counted twice', async () => {
      const message = messages[0]!;
      const live = { guildId: GUILD, channelId: CHANNEL, messageId: message.id };
      await recordMessage(
        t.db,
        {
          ...live,
          authorId: '900000000000000000',
          authorName: 'User 0',
          authorIsBot: false,
          postedAt: Date.parse(message.timestamp),
          content: message.content,
          source: 'discord',
        },
        NOW,
      );
      await recordReactionAdded(t.db, { ...live, emojiKey: '😂', userId: users(1)[0]!, at: NOW }, NOW);

      await backfillChannel(deps(), { channelId: CHANNEL });
      expect(await q('SELECT source FROM shares WHERE message_id = ?', message.id)).toEqual([{ source: 'discord' }]);
      expect(await q('SELECT discord_shares, discord_reactions FROM clips WHERE clip_id = ?', 'HistoryClip0')).toEqual([
        { discord_shares: 1, discord_reactions: 150 },
      ]);
      // A live add after the crawl by someone new counts once more; a replay of a crawled one does not.
      expect(await recordReactionAdded(t.db, { ...live, emojiKey: '😂', userId: users(1, 150)[0]!, at: NOW + 1 }, NOW + 1)).toBe(true);
      expect(await recordReactionAdded(t.db, { ...live, emojiKey: '😂', userId: users(1, 10)[0]!, at: NOW + 1 }, NOW + 1)).toBe(false);
      expect(await q('SELECT discord_reactions FROM clips WHERE clip_id = ?', 'HistoryClip0')).toEqual([{ discord_reactions: 151 }]);
    });

    it('marks clip messages deleted while the bot was away, and only those', async () => {
      // Recorded earlier (an import) but no longer in the channel: between messages 99 and 100.
      const goneAt = START + 99 * 3_600_000 + 1_800_000;
      const gone = {
        guildId: GUILD,
        channelId: CHANNEL,
        messageId: snowflake(goneAt, 7),
        authorId: '900000000000000001',
        authorName: 'alice',
        authorIsBot: false,
        postedAt: goneAt,
        content: 'https://clips.twitch.tv/DeletedMeanwhile',
        source: 'import' as const,
      };
      await recordMessage(t.db, gone, NOW);
      // Same time, another channel, and a thread of this one: not this crawl's business.
      await recordMessage(
        t.db,
        { ...gone, channelId: '810000000000000009', messageId: snowflake(goneAt, 8), content: 'https://clips.twitch.tv/OtherChannelClip' },
        NOW,
      );
      await recordMessage(
        t.db,
        { ...gone, threadId: THREAD, messageId: snowflake(goneAt, 9), content: 'https://clips.twitch.tv/ThreadOnlyClip' },
        NOW,
      );

      await backfillChannel(deps(), { channelId: CHANNEL });
      expect(
        await q(
          'SELECT clip_id, deleted_at FROM shares WHERE clip_id IN (?, ?, ?) ORDER BY clip_id',
          'DeletedMeanwhile',
          'OtherChannelClip',
          'ThreadOnlyClip',
        ),
      ).toEqual([
        { clip_id: 'DeletedMeanwhile', deleted_at: NOW },
        { clip_id: 'OtherChannelClip', deleted_at: null },
        { clip_id: 'ThreadOnlyClip', deleted_at: null },
      ]);
      expect(await q('SELECT discord_shares FROM clips WHERE clip_id = ?', 'DeletedMeanwhile')).toEqual([{ discord_shares: 0 }]);
      expect(await q('SELECT count(*) AS n FROM shares WHERE deleted_at IS NULL AND source = ?', 'backfill')).toEqual([{ n: 26 }]);
    });

    it('explains channels it cannot crawl', async () => {
      fake.denyChannel(CHANNEL);
      await expect(backfillChannel(deps(), { channelId: CHANNEL })).rejects.toThrow(
        new BackfillError(`the bot cannot read the history of channel ${CHANNEL}: give it View Channel and Read Message History there`),
      );
      await expect(backfillChannel(deps(), { channelId: '999' })).rejects.toThrow('channel 999 does not exist (or the bot cannot see it)');
      fake.addChannel({ id: '811', type: 0, guild_id: '42', name: 'elsewhere' });
      await expect(backfillChannel(deps(), { channelId: '811', guildId: GUILD })).rejects.toThrow(
        `channel 811 belongs to server 42, not ${GUILD}`,
      );
      await updateGuildSettings(t.db, '42', { captureChannelIds: ['812'] }, NOW);
      await expect(backfillChannel(deps(), { channelId: '811' })).rejects.toThrow(
        "channel #elsewhere is not one of this server's capture channels: add it to them first",
      );
      expect(await q('SELECT count(*) AS n FROM backfill_checkpoints')).toEqual([{ n: 0 }]);
    });
  });
});
