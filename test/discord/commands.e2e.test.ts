// Slash commands end to end: INTERACTION_CREATE payloads go into a real discord.js Client logged in to the fake
// Discord; we assert the exact JSON the bot sends back to the interaction callback and webhook routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topCreators } from '../../src/analytics/top-creators';
import { getGuildSettings } from '../../src/db/guild-settings';
import { upsertTwitchLinks } from '../../src/db/stores/twitch-links';
import { EMBED_LIMITS, embedLength } from '../../src/discord/embeds/limits';
import { message, snowflake, textChannel, user, type RecordedRequest } from '../fakes/discord';
import {
  autocomplete,
  buttonPress,
  channelOption,
  roleOption,
  chatInput,
  options,
  Permissions,
  subcommand,
  subcommandGroup,
} from '../fakes/discord/interactions';
import { bodyOf, enrich, react, shareClip, startCommandBot, type CommandBot, type FixtureClip } from './command-bot';

const NOW = Date.UTC(2026, 10, 25, 12, 0); // Wednesday 25 November 2026, 12:00 UTC
const TUESDAY = Date.UTC(2026, 10, 24, 10, 0);

const guildA = snowflake();
const guildB = snowflake();
const clipsA = textChannel({ guild_id: guildA, name: 'clips' });
const digestA = textChannel({ guild_id: guildA, name: 'digest' });
const clipsB = textChannel({ guild_id: guildB, name: 'clips' });
const owner = user({ username: 'owner' });
const viewer = user({ username: 'viewer' });

const clip = (
  clipId: string,
  creator: 'alice' | 'bob' | 'carol',
  game: 'jc' | 'er',
  views: number,
  title = `Clip ${clipId}`,
): FixtureClip => ({
  clipId,
  title,
  creatorId: { alice: 'c1', bob: 'c2', carol: 'c3' }[creator],
  creatorName: { alice: 'Alice', bob: 'Bob', carol: 'Carol' }[creator],
  gameId: game === 'jc' ? 'g1' : 'g2',
  gameName: game === 'jc' ? 'Just Chatting' : 'Elden Ring',
  views,
  createdAt: TUESDAY,
  thumbnail: `https://clips-media.example/${clipId}.jpg`,
});

const SHADY_TITLE = '@everyone **FREE** [nitro](https://evil.example) <@123>';
const CLIPS: FixtureClip[] = [
  clip('AliceOne', 'alice', 'jc', 100),
  clip('AliceTwo', 'alice', 'jc', 200),
  clip('AliceThree', 'alice', 'er', 300),
  clip('BobOne', 'bob', 'er', 1000),
  clip('BobTwo', 'bob', 'jc', 50),
  clip('CarolOne', 'carol', 'er', 5, SHADY_TITLE),
  clip('CarolTwo', 'carol', 'er', 10),
];

let h: CommandBot;
let appId: string;

const run = (
  commandName: string,
  opts: ReturnType<typeof options>,
  fields: { user?: typeof owner; permissions?: string; guildId?: string | null } = {},
) =>
  chatInput({
    applicationId: appId,
    guildId: fields.guildId === undefined ? guildA : fields.guildId,
    channel: fields.guildId === guildB ? clipsB : clipsA,
    user: fields.user ?? owner,
    permissions: fields.permissions,
    commandName,
    options: opts,
  });

const callback = (requests: RecordedRequest[]) => requests.find((r) => r.method === 'POST' && r.path.startsWith('/interactions/'));
const edit = (requests: RecordedRequest[]) => requests.find((r) => r.method === 'PATCH' && /\/messages\/(@|%40)original$/.test(r.path));

beforeAll(async () => {
  h = await startCommandBot({
    now: NOW,
    guilds: [
      { id: guildA, name: 'Clip Town', channels: [clipsA, digestA] },
      { id: guildB, name: 'Elsewhere', channels: [clipsB] },
    ],
  });
  appId = h.discord.applicationId;
  const db = h.temp.db;
  const messages = new Map<string, string>();
  for (const c of CLIPS) {
    messages.set(
      c.clipId,
      shareClip(db, {
        guildId: guildA,
        channelId: clipsA.id,
        clipId: c.clipId,
        authorId: viewer.id,
        authorName: 'viewer',
        at: TUESDAY + 3_600_000,
      }),
    );
    enrich(db, guildA, c);
  }
  // AliceOne is shared a second time, and gets two 😂; BobOne gets a 🔥.
  shareClip(db, {
    guildId: guildA,
    channelId: clipsA.id,
    clipId: 'AliceOne',
    authorId: owner.id,
    authorName: 'owner',
    at: TUESDAY + 7_200_000,
  });
  react(db, {
    guildId: guildA,
    channelId: clipsA.id,
    messageId: messages.get('AliceOne')!,
    emoji: '😂',
    userId: 'u1',
    at: TUESDAY + 4_000_000,
  });
  react(db, {
    guildId: guildA,
    channelId: clipsA.id,
    messageId: messages.get('AliceOne')!,
    emoji: '😂',
    userId: 'u2',
    at: TUESDAY + 4_000_000,
  });
  react(db, {
    guildId: guildA,
    channelId: clipsA.id,
    messageId: messages.get('BobOne')!,
    emoji: '🔥',
    userId: 'u1',
    at: TUESDAY + 4_000_000,
  });
  // Another guild with a busier creator and a game of its own: none of it may ever show in guild A.
  for (let i = 0; i < 5; i++) {
    const c: FixtureClip = {
      ...clip(`Mallory${i}`, 'alice', 'er', 5000),
      creatorId: 'c9',
      creatorName: 'Mallory',
      gameId: 'g9',
      gameName: 'Minecraft',
    };
    shareClip(db, { guildId: guildB, channelId: clipsB.id, clipId: c.clipId, authorId: viewer.id, authorName: 'viewer', at: TUESDAY });
    enrich(db, guildB, c);
  }
});

afterAll(async () => {
  await h.stop();
});

describe('/topcreators', () => {
  it('defers, then shows the ranked creators with medals and the exact numbers', async () => {
    const requests = await h.invoke(run('topcreators', []));
    // A public "thinking…" first: the answer may take longer than Discord's 3 seconds.
    expect(bodyOf(callback(requests))).toEqual({ type: 5, data: { flags: 0 } });
    const body = bodyOf(edit(requests));
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.components).toEqual([]);
    const [embed] = body.embeds;
    expect(embed.title).toBe('🏆 Top clip creators · All time');
    expect(embed.description).toBe('Sorted by clips');
    expect(embed.fields).toEqual([
      { name: '🥇 Alice', value: '**3 clips** · 600 views (avg 200)\n4 shares · 2 reactions · 2 games (mostly Just Chatting)' },
      { name: '🥈 Bob', value: '**2 clips** · 1,050 views (avg 525)\n2 shares · 1 reaction · 2 games (mostly Elden Ring)' },
      { name: '🥉 Carol', value: '**2 clips** · 15 views (avg 7.5)\n2 shares · 0 reactions · 1 game (mostly Elden Ring)' },
    ]);
    expect(embed.footer).toEqual({ text: 'Clipscope' });
  });

  it('shows the same numbers the analytics engine computes', async () => {
    const requests = await h.invoke(run('topcreators', options({ sort: 'total_views', limit: 2 })));
    const fields = bodyOf(edit(requests)).embeds[0].fields as { name: string; value: string }[];
    const answer = await topCreators(h.temp.db, { guildId: guildA, timezone: 'UTC', now: NOW }, { sort: 'total_views', limit: 2 });
    expect(fields.map((f) => f.name)).toEqual(answer.creators.map((c, i) => `${['🥇', '🥈'][i]} ${c.creator_name}`));
    expect(fields[0]!.value).toContain(`${answer.creators[0]!.total_views.toLocaleString('en-US')} views`);
    expect(fields.map((f) => f.name)).toEqual(['🥇 Bob', '🥈 Alice']);
  });

  it('narrows to one game picked from autocomplete', async () => {
    const requests = await h.invoke(run('topcreators', options({ game: 'id:g2', sort: 'total_views' })));
    const [embed] = bodyOf(edit(requests)).embeds;
    expect(embed.description).toBe('Sorted by total views · game: Elden Ring');
    expect(embed.fields).toEqual([
      { name: '🥇 Bob', value: '**1 clip** · 1,000 views (avg 1,000)\n1 share · 1 reaction · 1 game (mostly Elden Ring)' },
      { name: '🥈 Alice', value: '**1 clip** · 300 views (avg 300)\n1 share · 0 reactions · 1 game (mostly Elden Ring)' },
      { name: '🥉 Carol', value: '**2 clips** · 15 views (avg 7.5)\n2 shares · 0 reactions · 1 game (mostly Elden Ring)' },
    ]);
  });

  it('refuses a game this server never clipped, privately and without deferring', async () => {
    const requests = await h.invoke(run('topcreators', options({ game: 'Minecraft' })));
    expect(requests).toHaveLength(1);
    const body = bodyOf(callback(requests));
    expect(body.type).toBe(4);
    expect(body.data.flags).toBe(64);
    expect(body.data.content).toBe('This server has no clips of a game called "Minecraft". Pick one from the suggestions.');
  });

  it('answers an out-of-range option with a clear private message', async () => {
    const requests = await h.invoke(run('topcreators', options({ limit: 0 })));
    const body = bodyOf(callback(requests));
    expect(body.data.flags).toBe(64);
    expect(body.data.content).toBe('That option is not valid. `limit`: a whole number from 1 to 25');
  });

  it('never shows another guild its data', async () => {
    const requests = await h.invoke(run('topcreators', [], { guildId: guildB }));
    const fields = bodyOf(edit(requests)).embeds[0].fields as { name: string }[];
    expect(fields.map((f) => f.name)).toEqual(['🥇 Mallory']);
    const inA = await h.invoke(run('topcreators', []));
    expect(JSON.stringify(bodyOf(edit(inA)))).not.toContain('Mallory');
  });
});

describe('autocomplete', () => {
  const typing = (commandName: string, opts: ReturnType<typeof options>) =>
    autocomplete({ applicationId: appId, guildId: guildA, channel: clipsA, user: owner, commandName, options: opts });

  it('suggests the guild’s own games, most clipped first', async () => {
    const requests = await h.invoke(typing('topcreators', [{ name: 'game', type: 3, value: '', focused: true }]));
    expect(bodyOf(callback(requests))).toEqual({
      type: 8,
      data: {
        choices: [
          { name: 'Elden Ring (4 clips)', value: 'id:g2' },
          { name: 'Just Chatting (3 clips)', value: 'id:g1' },
        ],
      },
    });
  });

  it('filters by what was typed and never offers another guild’s names', async () => {
    const games = await h.invoke(typing('topcreators', [{ name: 'game', type: 3, value: 'mine', focused: true }]));
    expect(bodyOf(callback(games)).data.choices).toEqual([]);
    const creators = await h.invoke(
      typing('clipstats', [{ name: 'creator', type: 1, options: [{ name: 'name', type: 3, value: 'a', focused: true }] }]),
    );
    expect(bodyOf(callback(creators)).data.choices).toEqual([
      { name: 'Alice (3 clips)', value: 'id:c1' },
      { name: 'Carol (2 clips)', value: 'id:c3' },
    ]);
  });
});

describe('/viral and its pages', () => {
  let first: Record<string, any>;
  let ownerRequests: RecordedRequest[];

  const press = (customId: string, who = owner) =>
    buttonPress({
      applicationId: appId,
      guildId: guildA,
      channel: clipsA,
      user: who,
      customId,
      message: message({
        channel_id: clipsA.id,
        guild_id: guildA,
        author: h.discord.bot,
        embeds: first.embeds,
        components: first.components,
      }),
    });

  beforeAll(async () => {
    ownerRequests = await h.invoke(run('viral', []));
    first = bodyOf(edit(ownerRequests));
  });

  it('lists this week’s clips as links with creator, game, reactions and age, five per page', async () => {
    const [embed] = first.embeds;
    expect(embed.title).toBe(`🔥 Viral clips · Week of 2026-11-23`);
    expect(embed.thumbnail).toEqual({ url: 'https://clips-media.example/BobOne.jpg' });
    expect(embed.fields).toHaveLength(5);
    expect(embed.fields[0]).toEqual({
      name: '🥇 1,000 views',
      value: '[Clip BobOne](https://clips.twitch.tv/BobOne)\nby Bob · Elden Ring\n1,000 views · 1 share · 1 reaction (🔥 1) · 26 h old',
    });
    expect(embed.fields[3].name).toBe('4. 100 views');
    expect(embed.fields[3].value).toContain('2 shares · 2 reactions (😂 2)');
    expect(embed.footer).toEqual({ text: 'Page 1/2 · Clipscope' });
    const buttons = first.components[0].components as { label: string; disabled: boolean; custom_id: string }[];
    expect(buttons.map((b) => [b.label, b.disabled])).toEqual([
      ['◀ Previous', true],
      ['Next ▶', false],
    ]);
  });

  it('turns the page for the person who ran the command', async () => {
    const next = first.components[0].components[1].custom_id as string;
    const requests = await h.invoke(press(next));
    const body = bodyOf(callback(requests));
    expect(body.type).toBe(7);
    const [embed] = body.data.embeds;
    expect(embed.footer).toEqual({ text: 'Page 2/2 · Clipscope' });
    expect(embed.fields.map((f: { name: string }) => f.name)).toEqual(['6. 10 views', '7. 5 views']);
    // A clip title cannot ping or fake a link.
    expect(embed.fields[1].value).toContain(
      '[@\u200beveryone \\*\\*FREE\\*\\* \\[nitro\\]\\(https://evil.example\\) \\<@123\\>](https://clips.twitch.tv/CarolOne)',
    );
    expect(body.data.components[0].components.map((b: { disabled: boolean }) => b.disabled)).toEqual([false, true]);
  });

  it('refuses anyone else, privately', async () => {
    const next = first.components[0].components[1].custom_id as string;
    const requests = await h.invoke(press(next, viewer));
    const body = bodyOf(callback(requests));
    expect(body).toMatchObject({
      type: 4,
      data: {
        content: `Only <@${owner.id}> can turn these pages. Run \`/viral\` yourself to get your own copy.`,
        flags: 64,
        allowed_mentions: { parse: [] },
      },
    });
  });

  it('greys the buttons out once they expire, and says so', async () => {
    h.clock.advance(h.ctx.pagination.ttlMs);
    const next = first.components[0].components[1].custom_id as string;
    const requests = await h.invoke(press(next));
    const update = bodyOf(callback(requests));
    expect(update.type).toBe(7);
    expect(update.data.components[0].components.map((b: { disabled: boolean }) => b.disabled)).toEqual([true, true]);
    const followUp = requests.find((r) => r.method === 'POST' && r.path.startsWith('/webhooks/'));
    expect(bodyOf(followUp)).toMatchObject({ content: 'These buttons have expired. Run `/viral` again for fresh numbers.', flags: 64 });
    h.clock.set(NOW);
  });
});

describe('/topgames', () => {
  it('ranks games with creators, engagement and their top clip', async () => {
    const requests = await h.invoke(run('topgames', []));
    const [embed] = bodyOf(edit(requests)).embeds;
    expect(embed.title).toBe('🎮 Top games · All time');
    expect(embed.fields).toEqual([
      {
        name: '🥇 Elden Ring',
        value:
          '**4 clips** · 1,315 views (avg 328.8) · 3 creators\n4 shares · 1 reaction\nTop clip: [Clip BobOne](https://clips.twitch.tv/BobOne) (1,000 views)',
      },
      {
        name: '🥈 Just Chatting',
        value:
          '**3 clips** · 350 views (avg 116.7) · 2 creators\n4 shares · 2 reactions\nTop clip: [Clip AliceTwo](https://clips.twitch.tv/AliceTwo) (200 views)',
      },
    ]);
  });
});

describe('/clipstats', () => {
  const stats = (sub: string, opts: ReturnType<typeof options> = []) => run('clipstats', [subcommand(sub, opts)]);

  it('overview: the guild’s totals at a glance', async () => {
    const [embed] = bodyOf(edit(await h.invoke(stats('overview')))).embeds;
    const value = (name: string) => embed.fields.find((f: { name: string }) => f.name === name)?.value;
    expect([value('Clips'), value('Views'), value('Creators'), value('Games'), value('Discord shares'), value('Reactions')]).toEqual([
      '7',
      '1,665',
      '3',
      '2',
      '8',
      '3',
    ]);
    expect(value('Top creator')).toBe('Alice (3 clips)');
    expect(value('Top game')).toBe('Elden Ring (4 clips)');
  });

  it('clip: one clip’s full stats, answered at once', async () => {
    const requests = await h.invoke(stats('clip', options({ url: 'https://www.twitch.tv/streamer/clip/AliceOne?filter=clips' })));
    const body = bodyOf(callback(requests));
    expect(body.type).toBe(4);
    const [embed] = body.data.embeds;
    expect(embed.title).toBe('Clip AliceOne');
    expect(embed.url).toBe('https://clips.twitch.tv/AliceOne');
    const value = (name: string) => embed.fields.find((f: { name: string }) => f.name === name)?.value;
    expect(value('Views')).toBe('100');
    expect(value('Discord shares')).toBe('2 in 1 channel');
    expect(value('Reactions')).toBe('2\n😂 2');
    expect(value('Clipped by')).toBe('Alice');
    expect(value('Shared').split('\n')).toHaveLength(2);
  });

  it('clip: a clip nobody shared here is a private, clear answer', async () => {
    const body = bodyOf(callback(await h.invoke(stats('clip', options({ url: 'https://clips.twitch.tv/Mallory1' })))));
    expect(body.data).toMatchObject({
      content: 'Nobody has shared that clip in this server yet, so Clipscope has no stats for it.',
      flags: 64,
    });
  });

  it('creator: numbers, games and best clips of one creator, by typed name', async () => {
    const [embed] = bodyOf(edit(await h.invoke(stats('creator', options({ name: 'alice' }))))).embeds;
    expect(embed.title).toBe('🎬 Alice · All time');
    const value = (name: string) => embed.fields.find((f: { name: string }) => f.name === name)?.value;
    expect([value('Clips'), value('Views'), value('Avg views'), value('Discord shares'), value('Reactions')]).toEqual([
      '3',
      '600',
      '200',
      '4',
      '2',
    ]);
    expect(value('Games clipped')).toBe('🥇 Just Chatting (2 clips)\n🥈 Elden Ring (1 clip)');
    expect(value('Best clips')).toBe(
      '🥇 [Clip AliceThree](https://clips.twitch.tv/AliceThree) · 300 views\n🥈 [Clip AliceTwo](https://clips.twitch.tv/AliceTwo) · 200 views\n🥉 [Clip AliceOne](https://clips.twitch.tv/AliceOne) · 100 views',
    );
  });

  it('creator: shows the member who linked this Twitch account (verified through Discord), without pinging them', async () => {
    const memberId = '800000000000000008';
    await upsertTwitchLinks(h.temp.db, [
      { guildId: guildA, discordUserId: memberId, discordName: 'Alice on Discord', twitchUserId: 'c1', twitchName: 'alice', linkedAt: NOW },
    ]);
    const body = bodyOf(edit(await h.invoke(stats('creator', options({ name: 'alice' })))));
    expect(body.embeds[0].description).toBe(`On Discord: <@${memberId}>`);
    expect(body.allowed_mentions).toEqual({ parse: [] });
    // Only in the guild where the member linked it.
    const other = bodyOf(edit(await h.invoke(stats('creator', options({ name: 'bob' })))));
    expect(other.embeds[0].description).toBeUndefined();
    await h.temp.db.$client.prepare('DELETE FROM twitch_links').run();
  });

  it('game: numbers and top creators of one game', async () => {
    const [embed] = bodyOf(edit(await h.invoke(stats('game', options({ name: 'id:g1' }))))).embeds;
    const value = (name: string) => embed.fields.find((f: { name: string }) => f.name === name)?.value;
    expect(value('Clips')).toBe('3');
    expect(value('Top creators')).toBe('🥇 Alice (2 clips)\n🥈 Bob (1 clip)');
  });

  it('compare: this week so far against the same days of last week, or against all of it', async () => {
    const [embed] = bodyOf(edit(await h.invoke(stats('compare')))).embeds;
    expect(embed.title).toBe('⚖️ Nov 23–25 vs Nov 16–18');
    expect(embed.fields[0]).toEqual({ name: 'Clips', value: '**7** new\nwas 0', inline: true });
    const [whole] = bodyOf(edit(await h.invoke(stats('compare', options({ against: 'whole' }))))).embeds;
    expect(whole.title).toBe('⚖️ Week of 2026-11-23 so far vs Week of 2026-11-16');
  });

  it('timeline: sparklines, the reactions by mood, and the latest buckets in a table', async () => {
    const [embed] = bodyOf(edit(await h.invoke(stats('timeline', options({ days: 7 }))))).embeds;
    expect(embed.title).toBe('📈 Timeline · last 7 days, per day');
    // Seven daily buckets, Thursday 19th to Wednesday 25th; everything happened on Tuesday the 24th.
    expect(embed.description).toContain('**Clips created** 7\n`▁▁▁▁▁█▁`');
    expect(embed.description).toContain('**Discord shares** 8\n`▁▁▁▁▁█▁`');
    expect(embed.description).toContain('2026-11-24      7   1.7K       8          3  😂2 🔥1\n');
    // Moods on the timeline: the window's reactions by mood, and each bucket's leading moods in its row.
    expect(embed.description).toContain('**Reactions by mood** 😂 funny 2 · 🔥 hype 1\n');
    expect(embed.description).toContain('2026-11-23      0      0       0          0\n');
  });

  it('peaktimes: the best hours and days in the server timezone', async () => {
    const [embed] = bodyOf(edit(await h.invoke(stats('peaktimes')))).embeds;
    expect(embed.description).toContain('Most clips are made **10:00–11:00**');
    expect(embed.description).toContain('The busiest day is **Tuesday**');
    expect(embed.fields[0]).toEqual({ name: 'Best hours for clips', value: '🥇 10:00–11:00 (7)', inline: true });
  });

  it('a failure after the public "thinking…" removes it and answers privately', async () => {
    const original = h.ctx.analytics.overview;
    h.ctx.analytics.overview = () => {
      throw new Error('SQLITE_CORRUPT: database disk image is malformed');
    };
    const requests = await h.invoke(stats('overview'));
    h.ctx.analytics.overview = original;
    expect(requests.map((r) => r.method)).toEqual(['POST', 'DELETE', 'POST']);
    expect(bodyOf(requests[2])).toMatchObject({
      content: 'Something went wrong while running `/clipstats overview`. It has been logged; please try again in a moment.',
      flags: 64,
    });
  });

  it('export: a CSV file of the leaderboard, privately', async () => {
    const requests = await h.invoke(stats('export', options({ report: 'top-creators' })));
    expect(bodyOf(callback(requests))).toEqual({ type: 5, data: { flags: 64 } });
    const upload = edit(requests);
    expect(typeof upload?.body).toBe('string');
    const text = String(upload?.body);
    expect(text).toContain('filename="clipscope-top-creators-all_time-all-time.csv"');
    expect(text).toContain(
      'rank,creator_id,creator_name,clip_count,total_views,avg_views,discord_shares,discord_reactions,unique_games,top_game\r\n' +
        '1,c1,Alice,3,600,200,4,2,2,Just Chatting\r\n2,c2,Bob,2,1050,525,2,1,2,Elden Ring\r\n3,c3,Carol,2,15,7.5,2,0,1,Elden Ring\r\n',
    );
  });

  it('export: a sort that does not fit the report is refused before any work', async () => {
    const body = bodyOf(callback(await h.invoke(stats('export', options({ report: 'top-games', sort: 'view_velocity' })))));
    expect(body.data.content).toBe(
      '`sort` for top-games must be one of: clip_count, total_views, avg_view_count, discord_shares, discord_reactions.',
    );
  });
});

describe('/clipscope-admin', () => {
  const admin = (opts: ReturnType<typeof options>, permissions = Permissions.manager) => run('clipscope-admin', opts, { permissions });

  it('refuses members without Manage Server, even if the command was made visible to them', async () => {
    const body = bodyOf(callback(await h.invoke(admin([subcommand('status')], Permissions.member))));
    expect(body).toMatchObject({
      type: 4,
      data: { content: 'You need the **Manage Server** permission to use `/clipscope-admin`.', flags: 64, allowed_mentions: { parse: [] } },
    });
    expect(body.data.embeds ?? []).toEqual([]);
  });

  it('sets the digest channel, day, hour and timezone', async () => {
    const payload = chatInput({
      applicationId: appId,
      guildId: guildA,
      channel: clipsA,
      user: owner,
      permissions: Permissions.manager,
      commandName: 'clipscope-admin',
      options: [subcommand('digest', [channelOption('channel', digestA.id), ...options({ day: 5, hour: 18, timezone: 'Europe/Berlin' })])],
      resolvedChannels: [digestA],
    });
    const body = bodyOf(callback(await h.invoke(payload)));
    expect(body.data.flags).toBe(64);
    expect(body.data.content).toBe('✅ Digest settings saved.');
    expect(body.data.embeds[0].description).toContain(
      `Posted in <#${digestA.id}> Fridays at 18:00 (Europe/Berlin), covering the week before.`,
    );
    const settings = await getGuildSettings(h.temp.db, guildA);
    expect(settings).toMatchObject({ digestChannelId: digestA.id, digestWeekday: 5, digestHour: 18, timezone: 'Europe/Berlin' });
    // Back to UTC so the other tests' periods stay where they were.
    await h.invoke(admin([subcommand('digest', options({ timezone: 'UTC' }))]));
    expect((await getGuildSettings(h.temp.db, guildA)).timezone).toBe('UTC');
    // Each change is recorded with who made it and from where (the dashboard records its own the same way).
    const recorded = h.temp.db.$client
      .prepare(
        "SELECT field, old_value, new_value, actor_id, source FROM settings_changes WHERE guild_id = ? AND field = 'timezone' ORDER BY id",
      )
      .all(guildA);
    expect(recorded).toEqual([
      { field: 'timezone', old_value: '"UTC"', new_value: '"Europe/Berlin"', actor_id: owner.id, source: 'command' },
      { field: 'timezone', old_value: '"Europe/Berlin"', new_value: '"UTC"', actor_id: owner.id, source: 'command' },
    ]);
  });

  it('rejects an unknown timezone without changing anything', async () => {
    const body = bodyOf(callback(await h.invoke(admin([subcommand('digest', options({ timezone: 'Mars/Olympus' }))]))));
    expect(body.data.content).toContain('`timezone`: not a timezone Clipscope knows');
    expect((await getGuildSettings(h.temp.db, guildA)).timezone).toBe('UTC');
  });

  it('sets capture channels and the bot rule', async () => {
    const payload = chatInput({
      applicationId: appId,
      guildId: guildA,
      channel: clipsA,
      user: owner,
      permissions: Permissions.manager,
      commandName: 'clipscope-admin',
      options: [subcommand('capture', [channelOption('add_channel', clipsA.id), ...options({ include_bots: true })])],
      resolvedChannels: [clipsA],
    });
    const body = bodyOf(callback(await h.invoke(payload)));
    expect(body.data.embeds[0].description).toBe(`Recording clip links in <#${clipsA.id}>; including links posted by bots.`);
    expect(await getGuildSettings(h.temp.db, guildA)).toMatchObject({ captureChannelIds: [clipsA.id], includeBots: true });
    await h.invoke(admin([subcommand('capture', options({ all_channels: true, include_bots: false }))]));
    expect(await getGuildSettings(h.temp.db, guildA)).toMatchObject({ captureChannelIds: [], includeBots: false });
  });

  it('sets, shows and clears the dashboard viewer role, never @everyone', async () => {
    const roleId = '700000000000000007';
    const set = bodyOf(
      callback(await h.invoke(admin([subcommandGroup('dashboard', subcommand('viewers', [roleOption('role', roleId)]))]))),
    );
    expect(set.data.content).toBe(
      `✅ Saved. Members with <@&${roleId}> may view this server’s dashboard (read-only) after signing in with Discord; members with Manage Server may change its settings.`,
    );
    expect((await getGuildSettings(h.temp.db, guildA)).dashboardViewerRoleId).toBe(roleId);
    const shown = bodyOf(callback(await h.invoke(admin([subcommandGroup('dashboard', subcommand('viewers'))]))));
    expect(shown.data.content).toContain(`<@&${roleId}>`);
    const everyone = bodyOf(
      callback(await h.invoke(admin([subcommandGroup('dashboard', subcommand('viewers', [roleOption('role', guildA)]))]))),
    );
    expect(everyone.data.content).toContain('other than @everyone');
    expect((await getGuildSettings(h.temp.db, guildA)).dashboardViewerRoleId).toBe(roleId);
    await h.invoke(admin([subcommandGroup('dashboard', subcommand('viewers', options({ clear: true })))]));
    expect((await getGuildSettings(h.temp.db, guildA)).dashboardViewerRoleId).toBeNull();
  });

  it('says plainly when Twitch enrichment is not configured', async () => {
    const body = bodyOf(callback(await h.invoke(admin([subcommandGroup('twitch', subcommand('retry'))]))));
    expect(body.data).toMatchObject({
      content: 'Twitch enrichment is not configured: set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET for Clipscope and restart it.',
      flags: 64,
    });
  });

  it('shows status: queue sizes, the digest setup and errors', async () => {
    h.temp.db.$client
      .prepare('INSERT INTO job_runs (job, last_started_at, last_finished_at, last_error) VALUES (?, ?, ?, ?)')
      .run('aggregate-incremental', NOW - 60_000, NOW - 59_000, 'database is locked');
    const body = bodyOf(callback(await h.invoke(admin([subcommand('status')]))));
    expect(body.data.flags).toBe(64);
    const [embed] = body.data.embeds;
    expect(embedLength(embed)).toBeLessThanOrEqual(EMBED_LIMITS.total);
    const value = (name: string) => embed.fields.find((f: { name: string }) => f.name === name)?.value as string;
    expect(value('Clips')).toContain('7 clips, 8 live shares');
    expect(value('Clips')).toContain('Enrichment queue: 0 pending · 0 failed · 0 gone from Twitch');
    expect(value('Background jobs')).toContain('`aggregate-incremental` ❌ failed');
    expect(value('Errors')).toBe('Job `aggregate-incremental`: database is locked');
    expect(value('Recent settings changes')).toMatch(/^`includeBots` true → false by \S+ \(slash command\) <t:\d+:R>$/m);
    expect(value('Recent settings changes')).toMatch(/^`dashboardViewerRoleId` <@&700000000000000007> → none by \S+ \(slash command\)/m);
  });

  it('turns an internal failure into a short private message and logs the detail', async () => {
    h.ctx.services.aggregateGuild = async () => {
      throw new Error('disk on fire at /var/lib/secret');
    };
    const requests = await h.invoke(admin([subcommand('aggregate')]));
    h.ctx.services.aggregateGuild = null;
    expect(bodyOf(callback(requests))).toEqual({ type: 5, data: { flags: 64 } });
    const shown = bodyOf(edit(requests));
    expect(shown.content).toBe(
      'Something went wrong while running `/clipscope-admin aggregate`. It has been logged; please try again in a moment.',
    );
    expect(JSON.stringify(shown)).not.toContain('disk on fire');
    expect(h.logs.some((l) => l.msg === 'command failed' && JSON.stringify(l).includes('disk on fire'))).toBe(true);
  });

  it('registers Twitch channels through the Twitch service and starts their sync', async () => {
    const synced: string[] = [];
    h.ctx.services.twitch = {
      registerChannels: async (_guildId, logins) => logins.map((login) => ({ login, name: login.toUpperCase() })),
      startSync: (guildId) => void synced.push(guildId),
      retryFailed: async () => 0,
      listChannels: async () => [],
      removeChannels: async () => ({ removed: [], notFollowed: [] }),
    };
    const requests = await h.invoke(
      admin([subcommandGroup('twitch', subcommand('add', options({ channels: '@Streamer, other_one streamer' })))]),
    );
    h.ctx.services.twitch = null;
    expect(bodyOf(callback(requests))).toEqual({ type: 5, data: { flags: 64 } });
    expect(bodyOf(edit(requests)).content).toBe(
      '✅ Following **STREAMER**, **OTHER\\_ONE**. Their clips are being imported now; `/clipscope-admin status` shows progress.',
    );
    expect(synced).toEqual([guildA]);
  });

  it('backfills a channel, editing its private reply with progress', async () => {
    h.ctx.services.backfill = {
      crawl: async (input, progress) => {
        await progress(`100 messages, 3 clip links (guild ${input.guildId === guildA ? 'ok' : 'wrong'})`);
        return '250 messages scanned, 7 clip links found.';
      },
    };
    const payload = chatInput({
      applicationId: appId,
      guildId: guildA,
      channel: clipsA,
      user: owner,
      permissions: Permissions.manager,
      commandName: 'clipscope-admin',
      options: [subcommand('backfill', [channelOption('channel', clipsA.id), ...options({ since: '2026-01-31' })])],
      resolvedChannels: [clipsA],
    });
    const requests = await h.invoke(payload);
    h.ctx.services.backfill = null;
    const edits = requests.filter((r) => r.method === 'PATCH').map((r) => bodyOf(r).content);
    expect(edits).toEqual([
      `⏳ Backfilling <#${clipsA.id}>: 100 messages, 3 clip links (guild ok)`,
      `✅ Backfill of <#${clipsA.id}> done. 250 messages scanned, 7 clip links found.`,
    ]);
  });

  it('creates an API token shown once, only to the admin', async () => {
    h.ctx.services.createApiToken = async (guildId, name) => ({ token: `cs_${guildId}_secret`, prefix: 'cs_abc', name });
    const body = bodyOf(callback(await h.invoke(admin([subcommandGroup('token', subcommand('create', options({ name: 'overlay' })))]))));
    h.ctx.services.createApiToken = null;
    expect(body.data.flags).toBe(64);
    expect(body.data.content).toContain(`\`\`\`\ncs_${guildA}_secret\n\`\`\``);
  });
});

describe('outside a server', () => {
  it('explains that commands work inside a server', async () => {
    const body = bodyOf(callback(await h.invoke(run('topgames', [], { guildId: null }))));
    expect(body.data).toMatchObject({
      content: 'Clipscope commands work inside a server, where your community shares its clips.',
      flags: 64,
    });
  });
});

describe('once the summaries are aggregated', () => {
  it('suggests and resolves names from the all-time summary, with the same answers', async () => {
    const { aggregateAnalytics } = await import('../../src/analytics/aggregate');
    await aggregateAnalytics(h.temp.db, { guildId: guildA }, { clock: h.clock });
    const summaryRows = h.temp.db.$client
      .prepare("SELECT count(*) AS n FROM game_analytics WHERE guild_id = ? AND period_type = 'all_time'")
      .get(guildA);
    expect(summaryRows).toEqual({ n: 2 });
    const typing = autocomplete({
      applicationId: appId,
      guildId: guildA,
      channel: clipsA,
      user: owner,
      commandName: 'topcreators',
      options: [{ name: 'game', type: 3, value: 'RING', focused: true }],
    });
    expect(bodyOf(callback(await h.invoke(typing))).data.choices).toEqual([{ name: 'Elden Ring (4 clips)', value: 'id:g2' }]);
    const [embed] = bodyOf(edit(await h.invoke(run('topcreators', options({ game: 'elden ring', sort: 'total_views' }))))).embeds;
    expect(embed.fields.map((f: { name: string }) => f.name)).toEqual(['🥇 Bob', '🥈 Alice', '🥉 Carol']);
  });
});
