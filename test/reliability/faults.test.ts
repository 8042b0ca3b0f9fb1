// Fault injection across the outside systems on a bad day: Discord's gateway dropping (1006, 4000, 4009), REST
// 429s (global and per route) and 5xx on the message fetches capture needs, the database write lock held by
// another process, and Twitch storms of 429s with real Ratelimit-* headers, 5xx bursts, timeouts, resets,
// malformed JSON and an expired token. The end state is compared with what the fakes delivered.
import { createCaptureService } from '../../src/capture/service';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/clock';
import { createDiscordBot, type DiscordBot } from '../../src/discord/bot';
import { createLogger } from '../../src/logger';
import { TwitchApiError } from '../../src/twitch/errors';
import { enrichPending, enrichmentQueueStatus } from '../../src/twitch/enrich';
import { member, message, reactionAdd, snowflake, startFakeDiscord, textChannel, user, type FakeDiscord } from '../fakes/discord';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { startTwitchHarness, type TwitchHarness } from '../helpers/twitch';
import { seededRandom } from './child-process';

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

describe('Discord and storage faults during live capture', () => {
  let discord: FakeDiscord;
  let temp: TempDb;
  let bot: DiscordBot;
  let locker: Database.Database | null = null;
  afterEach(async () => {
    locker?.close();
    locker = null;
    await bot?.stop();
    await discord?.stop();
    temp?.cleanup();
  });

  it('keeps capturing through gateway drops, REST 429s and 5xx, and a held write lock, with every event exactly once', async () => {
    const guildId = snowflake();
    const channel = textChannel({ guild_id: guildId, name: 'clips' });
    const members = Array.from({ length: 5 }, (_, i) => user({ username: `fan${i}` }));
    discord = await startFakeDiscord({
      guilds: [{ id: guildId, name: 'Bad Day', channels: [channel], members: members.map((m) => member(m)) }],
    });
    temp = createTempDb();
    const logs: LogLine[] = [];
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) } });
    bot = createDiscordBot({
      capture: createCaptureService(temp.db, { logger: logger.child({ service: 'discord' }), clock: systemClock, batchMax: 20 }),
      logger,
      clock: systemClock,
      token: discord.token,
      apiBaseUrl: discord.apiBaseUrl,
    });
    await bot.start();

    const random = seededRandom(20240601);
    const expectedShares = new Set<string>();
    const expectedReactions = new Set<string>();
    const slugs = Array.from({ length: 15 }, (_, i) => `BadDayClip${i}-z`);
    let faults = 0;
    const post = async (): Promise<string> => {
      const slug = slugs[Math.floor(random() * slugs.length)]!;
      const author = members[Math.floor(random() * members.length)]!;
      const msg = message({
        channel_id: channel.id,
        guild_id: guildId,
        author,
        member: member(author),
        content: `https://clips.twitch.tv/${slug}`,
      });
      discord.putMessage(msg);
      expectedShares.add(`${msg.id}:${slug}`);
      await discord.dispatch('MESSAGE_CREATE', msg);
      return msg.id;
    };
    // Messages posted before the bot was watching: reactions on them make it fetch the message over REST.
    const unseen: string[] = [];
    for (let i = 0; i < 30; i++) {
      const slug = slugs[i % slugs.length]!;
      const msg = message({
        channel_id: channel.id,
        guild_id: guildId,
        author: members[0]!,
        content: `old https://clips.twitch.tv/${slug}`,
      });
      discord.putMessage(msg);
      expectedShares.add(`${msg.id}:${slug}`);
      unseen.push(msg.id);
    }
    const react = async (messageId: string): Promise<void> => {
      const fan = members[Math.floor(random() * members.length)]!;
      const emoji = ['🔥', '😂', '👍'][Math.floor(random() * 3)]!;
      expectedReactions.add(`${messageId}:${emoji}:${fan.id}`);
      await discord.dispatch(
        'MESSAGE_REACTION_ADD',
        reactionAdd({
          channel_id: channel.id,
          guild_id: guildId,
          message_id: messageId,
          user_id: fan.id,
          emoji: { id: null, name: emoji },
          member: member(fan),
        }),
      );
    };

    const posted: string[] = [];
    for (let round = 0; round < 6; round++) {
      // REST trouble on the fetches of uncached messages: per-route and global 429s, then 5xx.
      discord.rateLimit('GET', '/channels/:channelId/messages/:messageId', { retryAfter: 0.05, bucket: 'messages' }, 2);
      discord.rateLimit('GET', '/channels/:channelId/messages/:messageId', { retryAfter: 0.05, global: true }, 1);
      let serverErrors = 2;
      discord.route('GET', '/channels/:channelId/messages/:messageId', ({ params }) => {
        if (serverErrors-- > 0) return { status: 502, body: { message: 'Bad Gateway', code: 0 } };
        const found = discord.messages.get(params.channelId!)?.get(params.messageId!);
        return found ? { body: found } : { status: 404, body: { message: 'Unknown Message', code: 10008 } };
      });
      faults += 5;
      for (let i = 0; i < 10; i++) posted.push(await post());
      for (let i = 0; i < 5; i++) await react(unseen.pop()!);
      for (let i = 0; i < 10; i++) await react(posted[Math.floor(random() * posted.length)]!);

      // The gateway drops: 1006 and 4000 resume (events meanwhile are replayed), 4009 starts a new session.
      const code = [1006, 4000, 4009][round % 3]!;
      const resumesBefore = discord.resumes.length;
      const identifiesBefore = discord.identifies.length;
      discord.disconnect(code);
      faults++;
      if (code !== 4009) {
        for (let i = 0; i < 5; i++) posted.push(await post());
        await discord
          .waitFor(() => discord.resumes.length > resumesBefore && discord.connectedSessions > 0, 20_000)
          .catch((e: Error) => {
            throw new Error(
              `round ${round}, close ${code}: no resume (${discord.resumes.length} resumes, ${discord.identifies.length} identifies, ${discord.connectedSessions} connected): ${e.message}`,
            );
          });
      } else {
        // A new session gets no replay (as on Discord): post once the bot is back.
        await discord
          .waitFor(
            () => (discord.identifies.length > identifiesBefore || discord.resumes.length > resumesBefore) && discord.connectedSessions > 0,
            20_000,
          )
          .catch((e: Error) => {
            throw new Error(
              `round ${round}, close ${code}: not back (${discord.resumes.length} resumes, ${discord.identifies.length} identifies, ${discord.connectedSessions} connected): ${e.message}`,
            );
          });
      }

      // Another process holds the write lock for a while: capture keeps the batch and retries.
      if (round % 2 === 1) {
        locker = new Database(temp.path);
        locker.exec('BEGIN IMMEDIATE');
        faults++;
        for (let i = 0; i < 5; i++) posted.push(await post());
        await vi.waitFor(() => expect(logs.some((l) => /database busy, batch kept for retry/.test(l.msg))).toBe(true), { timeout: 20_000 });
        locker.exec('COMMIT');
        locker.close();
        locker = null;
      }
    }

    const sharesInDb = (): Set<string> =>
      new Set(
        (
          temp.db.$client.prepare('SELECT message_id, clip_id FROM shares WHERE deleted_at IS NULL').all() as {
            message_id: string;
            clip_id: string;
          }[]
        ).map((r) => `${r.message_id}:${r.clip_id}`),
      );
    const reactionsInDb = (): Set<string> =>
      new Set(
        (
          temp.db.$client.prepare('SELECT message_id, emoji_key, user_id FROM reactions').all() as {
            message_id: string;
            emoji_key: string;
            user_id: string;
          }[]
        ).map((r) => `${r.message_id}:${r.emoji_key}:${r.user_id}`),
      );
    await vi.waitFor(
      () => {
        expect(sharesInDb().size).toBe(expectedShares.size);
        expect(reactionsInDb().size).toBe(expectedReactions.size);
      },
      { timeout: 30_000, interval: 50 },
    );
    await bot.idle();
    expect([...sharesInDb()].sort()).toEqual([...expectedShares].sort());
    expect([...reactionsInDb()].sort()).toEqual([...expectedReactions].sort());
    // Counters equal the rows: nothing replayed was counted twice.
    const counters = temp.db.$client.prepare('SELECT clip_id, discord_shares FROM clips').all() as {
      clip_id: string;
      discord_shares: number;
    }[];
    for (const { clip_id, discord_shares } of counters) {
      expect(discord_shares, clip_id).toBe([...expectedShares].filter((k) => k.endsWith(`:${clip_id}`)).length);
    }
    expect(discord.resumes.length).toBeGreaterThanOrEqual(4);
    expect(logs.filter((l) => /write failed and was skipped/.test(l.msg))).toEqual([]);
    // 6 rounds × 5 REST faults, 6 gateway drops, 3 held write locks.
    expect(faults).toBe(39);
  }, 120_000);
});

describe('Twitch storms during enrichment', () => {
  let h: TwitchHarness;
  afterEach(async () => h?.close());

  it('completes every clip through 429 storms, 5xx bursts, timeouts, resets, malformed JSON and an expired token', async () => {
    h = await startTwitchHarness({ retries: 2 });
    h.helix.addGame('509658', 'Just Chatting');
    const slugs = Array.from({ length: 400 }, (_, i) => `StormClip${i}-s`);
    // Every tenth clip was deleted on Twitch: it must end not_found, not pending or failed.
    slugs.forEach((s, i) => (i % 10 === 9 ? undefined : h.helix.addClip({ id: s })));
    for (let i = 0; i < slugs.length; i += 20) h.share('g1', `m${i}`, slugs.slice(i, i + 20));

    const random = seededRandom(42);
    const kinds = [
      () => h.helix.inject({ kind: 'rate_limited', resetInMs: 30 }, 1 + Math.floor(random() * 4), 'clips'),
      () => h.helix.inject({ kind: 'rate_limited_with_points' }, 1 + Math.floor(random() * 3), 'clips'),
      () =>
        h.helix.inject({ kind: 'status', status: [500, 502, 503, 504][Math.floor(random() * 4)]! }, 1 + Math.floor(random() * 5), 'clips'),
      () => h.helix.inject({ kind: 'slow', delayMs: 2_100 }, 1, 'clips'), // beyond the 2 s request timeout
      () => h.helix.inject({ kind: 'drop' }, 1 + Math.floor(random() * 2), 'clips'),
      () => h.helix.inject({ kind: 'malformed' }, 1 + Math.floor(random() * 2), 'clips'),
      () => h.helix.inject({ kind: 'revoke_token' }, 1, 'clips'),
    ];
    let storms = 0;
    let runs = 0;
    let abortedRuns = 0;
    // Runs as the scheduler would: a storm before each run, the clock moved on to the next retry time between runs.
    while ((await enrichmentQueueStatus(h.temp.db, h.clock.now())).pending > 0) {
      expect(runs++, 'enrichment never finished').toBeLessThan(200);
      // The first run meets every kind of fault, the next five three random ones each; then the storm is over.
      const picks = runs === 1 ? kinds : runs <= 6 ? [0, 1, 2].map(() => kinds[Math.floor(random() * kinds.length)]!) : [];
      for (const inject of picks) {
        inject();
        storms++;
      }
      try {
        await enrichPending(
          { db: h.temp.db, clock: h.clock, logger: createLogger({ level: 'silent' }), twitch: h.twitch, maxAttempts: 8 },
          { concurrency: 2 },
        );
      } catch (error) {
        // A run that meets a refused token stops without charging clips; the scheduler runs again later.
        if (!(error instanceof TwitchApiError && error.kind === 'auth')) throw error;
        abortedRuns++;
      }
      h.helix.clearFaults();
      const next = h.temp.db.$client
        .prepare("SELECT min(enrichment_next_attempt_at) AS t FROM clips WHERE enrichment_state = 'pending'")
        .get() as { t: number | null };
      if (next.t !== null && next.t > h.clock.now()) h.clock.set(next.t);
    }
    const states = Object.fromEntries(
      (
        h.temp.db.$client.prepare('SELECT enrichment_state AS s, count(*) AS n FROM clips GROUP BY 1').all() as { s: string; n: number }[]
      ).map((r) => [r.s, r.n]),
    );
    expect(states).toEqual({ done: 360, not_found: 40 });
    const statuses = new Set(h.helix.requests.map((r) => r.status));
    expect([...statuses]).toEqual(expect.arrayContaining([200, 401, 429, -1]));
    expect([...statuses].some((s) => s >= 500)).toBe(true);
    expect(abortedRuns).toBeLessThan(runs);
    expect(storms).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
