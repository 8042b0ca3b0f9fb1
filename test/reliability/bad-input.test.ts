// Bad input, generated: the clip URL parser over arbitrary text (unicode, very long messages, nested markdown),
// and gateway payloads with missing, mistyped or unexpected fields sent to a real discord.js client through the
// fake gateway. Nothing may throw or crash; garbage is ignored with a log line; real links still count once.
import { createCaptureService } from '../../src/capture/service';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { extractClipLinks, parseClipUrl } from '../../src/capture/clip-url';
import { systemClock } from '../../src/clock';
import { createDiscordBot, type DiscordBot } from '../../src/discord/bot';
import { createLogger } from '../../src/logger';
import { member, message, snowflake, startFakeDiscord, textChannel, user, type FakeDiscord } from '../fakes/discord';
import { createTempDb, type TempDb } from '../helpers/temp-db';

const slugArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{3,20}(-[A-Za-z0-9_-]{4,16})?$/).filter((s) => /[A-Za-z0-9]$/.test(s));
const linkForms = (slug: string): string[] => [
  `https://clips.twitch.tv/${slug}`,
  `https://www.twitch.tv/somechannel/clip/${slug}?filter=clips&range=7d&sort=time`,
  `https://m.twitch.tv/clip/${slug}`,
  `clips.twitch.tv/embed?clip=${slug}&parent=example.com`,
];
const wrap = fc.constantFrom(
  (s: string) => s,
  (s: string) => `**${s}**`,
  (s: string) => `<${s}>`,
  (s: string) => `[look](${s})`,
  (s: string) => `||${s}||`,
  (s: string) => `> ${s}\n`,
  (s: string) => `\`${s}\``,
  (s: string) => `***__~~${s}~~__***`,
  (s: string) => `__${s}__`,
  (s: string) => `~~__${s}__~~`,
  (s: string) => `${s}.`,
  (s: string) => `(${s})`,
);
const noise = fc.string({ unit: 'binary', maxLength: 60 });

/** Counts of property runs, reported in the README. */
export const PROPERTY_RUNS = { arbitraryText: 2000, embeddedLinks: 1000, foreignHosts: 1000, gatewayPayloads: 300 };

describe('the clip URL parser on generated input', () => {
  it('never throws and returns only valid slugs on arbitrary unicode text, including very long messages', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          { arbitrary: fc.string({ unit: 'binary', maxLength: 500 }), weight: 20 },
          { arbitrary: fc.string({ unit: 'grapheme', maxLength: 300 }), weight: 20 },
          // Very long messages: a generated unicode piece repeated past the scanner's 100 000-character cap.
          {
            arbitrary: fc
              .tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), fc.integer({ min: 1_000, max: 6_000 }))
              .map(([piece, times]) => `${piece} clips.twitch.tv/`.repeat(times)),
            weight: 1,
          },
        ),
        (text) => {
          const links = extractClipLinks(text);
          for (const link of links) {
            expect(link.clipId).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{1,99}$/);
            expect(link.url).toBe(`https://clips.twitch.tv/${link.clipId}`);
          }
          expect(new Set(links.map((l) => l.clipId)).size).toBe(links.length);
          parseClipUrl(text);
        },
      ),
      { numRuns: PROPERTY_RUNS.arbitraryText },
    );
  });

  it('finds every embedded clip exactly once, in order, whatever markdown and text surround it', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(noise, slugArb, fc.nat(3), wrap, fc.boolean()), { minLength: 1, maxLength: 8 }), (parts) => {
        let text = '';
        const expected: string[] = [];
        for (const [before, slug, form, wrapper, repeat] of parts) {
          // Noise must not glue itself to the link (a letter before "https" makes another word).
          text += `${before} ${wrapper(linkForms(slug)[form]!)} `;
          if (repeat) text += ` again ${linkForms(slug)[(form + 1) % 4]!} `;
          if (!expected.includes(slug)) expected.push(slug);
        }
        expect(extractClipLinks(text).map((l) => l.clipId)).toEqual(expected);
      }),
      { numRuns: PROPERTY_RUNS.embeddedLinks },
    );
  });

  it('accepts no host but Twitch’s, however close the name', () => {
    const host = fc.oneof(
      fc.constantFrom(
        'nottwitch.tv',
        'twitch.tv.evil.com',
        'clips.twitch.tv.example.org',
        'twitch.com',
        'clips-twitch.tv',
        'twitch.tvx',
        'twltch.tv',
        'clips.twitch.t',
        'xn--twitch-.tv',
      ),
      fc.domain().filter((d) => !/(^|\.)twitch\.tv$/i.test(d)),
    );
    fc.assert(
      fc.property(host, slugArb, fc.constantFrom('/', '/clip/', '/channel/clip/', '/embed?clip='), (h, slug, path) => {
        expect(extractClipLinks(`see https://${h}${path}${slug} now`)).toEqual([]);
      }),
      { numRuns: PROPERTY_RUNS.foreignHosts },
    );
  });
});

describe('malformed gateway payloads', () => {
  let discord: FakeDiscord;
  let temp: TempDb;
  let bot: DiscordBot;
  const logs: { level: number; msg: string }[] = [];
  const guildId = snowflake();
  const channel = textChannel({ guild_id: guildId, name: 'clips' });
  const alice = user({ username: 'alice' });

  beforeAll(async () => {
    discord = await startFakeDiscord({ guilds: [{ id: guildId, name: 'Fuzz Guild', channels: [channel], members: [member(alice)] }] });
    temp = createTempDb();
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logs.push(JSON.parse(line)) } });
    bot = createDiscordBot({
      capture: createCaptureService(temp.db, { logger: logger.child({ service: 'discord' }), clock: systemClock, batchMax: 50 }),
      logger,
      clock: systemClock,
      token: discord.token,
      apiBaseUrl: discord.apiBaseUrl,
    });
    await bot.start();
  });
  afterAll(async () => {
    await bot.stop();
    await discord.stop();
    temp.cleanup();
  });

  it('ignores payloads with missing, mistyped or unexpected fields, unknown emoji shapes and unknown channels, and keeps capturing', async () => {
    const valid = message({
      channel_id: channel.id,
      guild_id: guildId,
      author: alice,
      content: 'https://clips.twitch.tv/FuzzValidClip-ok1',
    });
    const anything = fc.oneof(
      fc.constant(null),
      fc.constant(undefined),
      fc.integer(),
      fc.string({ maxLength: 30 }),
      fc.boolean(),
      fc.constant({}),
      fc.constant([]),
      fc.object({ maxDepth: 1 }),
    );
    const event = fc.constantFrom(
      'MESSAGE_CREATE',
      'MESSAGE_UPDATE',
      'MESSAGE_DELETE',
      'MESSAGE_DELETE_BULK',
      'MESSAGE_REACTION_ADD',
      'MESSAGE_REACTION_REMOVE',
      'MESSAGE_REACTION_REMOVE_ALL',
      'MESSAGE_REACTION_REMOVE_EMOJI',
    );
    const base = (): Record<string, unknown> => ({
      ...valid,
      id: snowflake(),
      // Targets other than the valid message sent at the end: a well-formed delete of it would rightly stick.
      message_id: snowflake(),
      user_id: alice.id,
      ids: [snowflake()],
      emoji: { id: null, name: '🔥' },
    });
    const mutation = fc.oneof(
      // a field removed
      fc
        .constantFrom('id', 'channel_id', 'guild_id', 'author', 'content', 'emoji', 'user_id', 'message_id', 'ids')
        .map((k) => (d: Record<string, unknown>) => void delete d[k]),
      // a field with the wrong type
      fc.tuple(fc.constantFrom('id', 'channel_id', 'author', 'content', 'emoji', 'user_id', 'ids', 'guild_id'), anything).map(
        ([k, v]) =>
          (d: Record<string, unknown>) =>
            void (d[k] = v),
      ),
      // unknown emoji shapes
      fc
        .constantFrom(
          { id: 'abc', name: null },
          { id: null, name: null },
          { animated: true },
          { id: '1', name: 'x', roles: 5 },
          'string-emoji',
          7,
        )
        .map((e) => (d: Record<string, unknown>) => void (d.emoji = e)),
      // a channel or guild the bot does not know
      fc.constant((d: Record<string, unknown>) => void (d.channel_id = snowflake())),
      fc.constant((d: Record<string, unknown>) => void (d.guild_id = snowflake())),
      // unexpected extra fields
      fc.tuple(fc.string({ maxLength: 12 }), anything).map(
        ([k, v]) =>
          (d: Record<string, unknown>) =>
            void (d[`x_${k}`] = v),
      ),
    );
    const before = logs.length;
    await fc.assert(
      fc.asyncProperty(event, fc.array(mutation, { minLength: 1, maxLength: 3 }), async (t, mutations) => {
        const d = base();
        for (const mutate of mutations) mutate(d);
        await discord.dispatch(t, d);
      }),
      { numRuns: PROPERTY_RUNS.gatewayPayloads },
    );
    // Still capturing: a valid message after all of that is recorded once.
    await discord.dispatch('MESSAGE_CREATE', valid);
    await vi.waitFor(
      () =>
        expect(
          temp.db.$client.prepare("SELECT count(*) AS n FROM shares WHERE clip_id = 'FuzzValidClip-ok1' AND message_id = ?").get(valid.id),
        ).toEqual({ n: 1 }),
      { timeout: 20_000 },
    );
    await bot.idle();
    expect(discord.connectedSessions).toBe(1);
    // Each dropped payload is one log line that names the event and the problem.
    const dropped = logs.slice(before).filter((l) => l.msg === 'gateway: malformed dispatch ignored');
    expect(dropped.length).toBeGreaterThan(0);
    expect(logs.filter((l) => l.level >= 60)).toEqual([]);
    expect(temp.db.$client.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
  }, 120_000);
});
