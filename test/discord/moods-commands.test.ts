// /viral sort:<mood> and /clipscope-admin moods set|reset|list through the real bot (discord.js against the fake
// gateway and REST) with the real analytics and mood services: the funniest clips first, an override moving a
// custom emoji's reactions to another mood at once, the list, a reset back to the default, refusals naming what is
// wrong, and another server's overrides untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMoodAdmin } from '../../src/analytics/mood-overrides';
import { snowflake, textChannel, user, type RecordedRequest } from '../fakes/discord';
import { chatInput, options, Permissions, subcommand, subcommandGroup } from '../fakes/discord/interactions';
import { bodyOf, enrich, react, shareClip, startCommandBot, type CommandBot, type FixtureClip } from './command-bot';

const NOW = Date.UTC(2026, 10, 25, 12, 0); // Wednesday 25 November 2026
const TUESDAY = Date.UTC(2026, 10, 24, 10, 0);
const guildA = snowflake();
const guildB = snowflake();
const clipsA = textChannel({ guild_id: guildA, name: 'clips' });
const clipsB = textChannel({ guild_id: guildB, name: 'clips' });
const admin = user({ username: 'admin' });

const clip = (clipId: string, views: number): FixtureClip => ({
  clipId,
  title: `Clip ${clipId}`,
  creatorId: 'c1',
  creatorName: 'Alice',
  gameId: 'g1',
  gameName: 'Just Chatting',
  views,
  createdAt: TUESDAY,
  thumbnail: `https://clips-media.example/${clipId}.jpg`,
});

/** Per clip, the reactions it gets: [emoji, how many users]. */
const REACTIONS: Array<[string, number, Array<[string, number]>]> = [
  [
    'Laughs',
    10,
    [
      ['😂', 2],
      ['KEKW:123456789012345678', 1],
    ],
  ],
  [
    'Hyped',
    500,
    [
      ['🔥', 3],
      ['😂', 1],
    ],
  ],
  ['Joke', 20, [['KEKW:123456789012345678', 4]]],
  ['Quiet', 900, [['🦆', 1]]],
];

let h: CommandBot;

async function invoke(guildId: string, commandName: string, opts: ReturnType<typeof options>): Promise<RecordedRequest[]> {
  return h.invoke(
    chatInput({
      applicationId: h.discord.applicationId,
      guildId,
      channel: guildId === guildA ? clipsA : clipsB,
      user: admin,
      permissions: Permissions.manager,
      commandName,
      options: opts,
    }),
  );
}

const moods = async (guildId: string, sub: string, opts: Record<string, string> = {}): Promise<string> =>
  (await invoke(guildId, 'clipscope-admin', [subcommandGroup('moods', subcommand(sub, options(opts)))]))
    .map((r) => JSON.stringify(r.body ?? null))
    .join('\n');

/** The /viral answer's first page: its description and each field's name and first line. */
async function viral(sort: string): Promise<{ description: string; rows: string[] }> {
  const requests = await invoke(guildA, 'viral', options({ sort }));
  const edit = requests.find((r) => r.method === 'PATCH' && /\/messages\/(@|%40)original$/.test(r.path));
  const [embed] = bodyOf(edit).embeds as Array<{ description: string; fields?: Array<{ name: string; value: string }> }>;
  return { description: embed?.description ?? '', rows: (embed?.fields ?? []).map((f) => `${f.name} | ${f.value.split('\n')[0]}`) };
}

beforeAll(async () => {
  h = await startCommandBot({
    guilds: [
      { id: guildA, name: 'Alpha', ownerId: admin.id, channels: [clipsA] },
      { id: guildB, name: 'Beta', ownerId: admin.id, channels: [clipsB] },
    ],
    now: NOW,
    services: ({ db, clock }) => ({ moods: createMoodAdmin({ db, clock }) }),
  });
  const db = h.temp.db;
  for (const [clipId, views, reactions] of REACTIONS) {
    const messageId = shareClip(db, {
      guildId: guildA,
      channelId: clipsA.id,
      clipId,
      authorId: admin.id,
      authorName: 'admin',
      at: TUESDAY,
    });
    enrich(db, guildA, clip(clipId, views));
    let userNo = 0;
    for (const [emoji, users] of reactions) {
      for (let i = 0; i < users; i++) {
        react(db, { guildId: guildA, channelId: clipsA.id, messageId, emoji, userId: `u${userNo++}`, at: TUESDAY + 60_000 });
      }
    }
  }
});

afterAll(async () => {
  await h?.stop();
});

describe('/viral sort:<mood>', () => {
  it('ranks the funniest clips first by their funny reactions (😂 and KEKW by name)', async () => {
    const funny = await viral('funny');
    expect(funny.description).toBe('Sorted by 😂 funny reactions');
    expect(funny.rows).toEqual([
      '🥇 4 😂 funny reactions | [Clip Joke](https://clips.twitch.tv/Joke)',
      '🥈 3 😂 funny reactions | [Clip Laughs](https://clips.twitch.tv/Laughs)',
      '🥉 1 😂 funny reaction | [Clip Hyped](https://clips.twitch.tv/Hyped)',
    ]);
    expect((await viral('hype')).rows).toEqual(['🥇 3 🔥 hype reactions | [Clip Hyped](https://clips.twitch.tv/Hyped)']);
  });

  it('still sorts by views by default', async () => {
    expect((await viral('view_count')).rows[0]).toContain('900 views');
  });
});

describe('/clipscope-admin moods', () => {
  it('moves a custom emoji to another mood at once, lists it, and resets it to the default', async () => {
    expect(await moods(guildA, 'list')).toContain('None: every emoji counts as the default table says');
    const set = await moods(guildA, 'set', { emoji: '<:KEKW:123456789012345678>', mood: 'negative' });
    expect(set).toContain(':kekw: now counts as **👎 negative** (default: 😂 funny)');
    expect((await viral('funny')).rows).toEqual([
      '🥇 2 😂 funny reactions | [Clip Laughs](https://clips.twitch.tv/Laughs)',
      '🥈 1 😂 funny reaction | [Clip Hyped](https://clips.twitch.tv/Hyped)',
    ]);
    expect((await viral('negative')).rows).toEqual([
      '🥇 4 👎 negative reactions | [Clip Joke](https://clips.twitch.tv/Joke)',
      '🥈 1 👎 negative reaction | [Clip Laughs](https://clips.twitch.tv/Laughs)',
    ]);
    const listed = await moods(guildA, 'list');
    expect(listed).toContain(':kekw: → **👎 negative** (default: 😂 funny)');
    expect(listed).toContain('1 of at most 200');
    expect(await moods(guildB, 'list')).toContain('None: every emoji counts');

    expect(await moods(guildA, 'reset', { emoji: 'kekw' })).toContain(':kekw: is back to its default mood, **😂 funny**');
    expect((await viral('funny')).rows[0]).toContain('4 😂 funny reactions');
    expect(await moods(guildA, 'reset', { emoji: 'KEKW' })).toContain(':kekw: has no override here');
  });

  it('refuses a mood it does not know, naming the option', async () => {
    const answer = await moods(guildA, 'set', { emoji: '😂', mood: 'angry' });
    expect(answer).toContain('mood');
    expect(answer).not.toContain('now counts as');
  });
});
