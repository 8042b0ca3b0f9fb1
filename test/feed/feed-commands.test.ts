// /clipscope-admin feed … walked through the real bot (discord.js against the fake gateway and REST) with the real
// feed service over the fake Helix: a feed is added, listed, edited, paused, resumed and removed; an unknown Twitch
// login, a channel Clipscope may not post in and a feed of another server are refused with a message naming them;
// a feed paused for missing permissions shows its reason in /clipscope-admin status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFeeds, setFeedPaused } from '../../src/db/stores/feeds';
import { createFeedAdmin } from '../../src/feed/admin';
import { silentLogger } from '../../src/logger';
import { createTwitchApi } from '../../src/twitch/client';
import { startCommandBot, type CommandBot } from '../discord/command-bot';
import { snowflake, textChannel, user, type RecordedRequest } from '../fakes/discord';
import { chatInput, options, Permissions, subcommand, subcommandGroup } from '../fakes/discord/interactions';
import { FakeHelix, useFakeHelixPort } from '../fakes/helix';

const NOW = Date.UTC(2026, 10, 25, 12, 0);
const guildA = snowflake();
const guildB = snowflake();
const admin = user({ username: 'admin' });
const clips = textChannel({ guild_id: guildA, name: 'clips' });
const locked = textChannel({
  guild_id: guildA,
  name: 'locked',
  permission_overwrites: [{ id: guildA, type: 0, allow: '0', deny: (1n << 11n).toString() }],
});
const channelB = textChannel({ guild_id: guildB, name: 'clips' });

let h: CommandBot;
let helix: FakeHelix;
let restoreEnv: () => void;

/** Everything the bot answered to one /clipscope-admin invocation, as JSON text. */
async function admin_(
  guildId: string,
  group: string | null,
  sub: string,
  opts: Record<string, string | number | boolean> = {},
): Promise<string> {
  const requests: RecordedRequest[] = await h.invoke(
    chatInput({
      applicationId: h.discord.applicationId,
      guildId,
      channel: guildId === guildA ? clips : channelB,
      user: admin,
      permissions: Permissions.manager,
      commandName: 'clipscope-admin',
      options: group ? [subcommandGroup(group, subcommand(sub, options(opts)))] : [subcommand(sub, options(opts))],
    }),
  );
  return requests.map((r) => JSON.stringify(r.body ?? null)).join('\n');
}
const feed = (guildId: string, sub: string, opts: Record<string, string | number | boolean> = {}) => admin_(guildId, 'feed', sub, opts);

beforeAll(async () => {
  helix = new FakeHelix();
  restoreEnv = useFakeHelixPort(await helix.start());
  helix.addUser({ id: '7001', login: 'alphastreamer', display_name: 'AlphaStreamer' });
  const twitch = createTwitchApi({
    clientId: helix.clientId,
    clientSecret: helix.clientSecret,
    logger: silentLogger(),
    retry: { retries: 0 },
  });
  h = await startCommandBot({
    guilds: [
      { id: guildA, name: 'Alpha', ownerId: admin.id, channels: [clips, locked] },
      { id: guildB, name: 'Beta', ownerId: admin.id, channels: [channelB] },
    ],
    now: NOW,
    services: ({ db, clock }) => ({ feeds: createFeedAdmin({ db, clock, twitch }) }),
  });
});

afterAll(async () => {
  await h?.stop();
  await helix?.stop();
  restoreEnv?.();
});

describe('/clipscope-admin feed', () => {
  it('adds a feed with its filters, and refuses an unknown login or a channel Clipscope may not post in', async () => {
    expect(await feed(guildA, 'add', { channel: clips.id, twitch: 'nobodyhere' })).toContain('Twitch knows no channel \\"nobodyhere\\"');
    expect(await feed(guildA, 'add', { channel: locked.id, twitch: 'alphastreamer' })).toContain(
      `Clipscope needs Send Messages in <#${locked.id}>`,
    );
    expect(await feed(guildA, 'add', { channel: clips.id, twitch: 'not a login!' })).toContain('`twitch`: a Twitch login');
    expect(await listFeeds(h.temp.db, guildA)).toEqual([]);

    const added = await feed(guildA, 'add', {
      channel: clips.id,
      twitch: 'https://www.twitch.tv/AlphaStreamer',
      games: 'Just Chatting,  Grand Theft Auto V',
      min_views: 25,
      max_per_hour: 6,
    });
    expect(added).toContain(`Feed **#1** posts new clips of **AlphaStreamer** in <#${clips.id}>`);
    expect(added).toContain('at least 25 views · games: just chatting, grand theft auto v · at most 6/hour · taking-off alerts');
    expect(await listFeeds(h.temp.db, guildA)).toMatchObject([
      { id: 1, broadcasterId: '7001', broadcasterLogin: 'alphastreamer', channelId: clips.id, minViews: 25, maxPerHour: 6, startsAt: NOW },
    ]);
  });

  it('lists, edits, pauses, resumes and removes a feed, and never touches another server’s', async () => {
    expect(await feed(guildA, 'list')).toContain('**#1** AlphaStreamer');
    expect(await feed(guildB, 'list')).toContain('This server has no clip feeds yet');
    expect(await feed(guildB, 'pause', { feed: 1 })).toContain('This server has no feed #1');
    expect(await feed(guildB, 'remove', { feed: 1 })).toContain('This server has no feed #1');

    expect(await feed(guildA, 'edit', { feed: 1 })).toContain('Give at least one option to change');
    const edited = await feed(guildA, 'edit', { feed: 1, games: 'none', max_per_hour: 0, creators_exclude: 'SpamBot' });
    expect(edited).toContain('Filters: at least 25 views · not by: spambot · taking-off alerts');
    expect(await feed(guildA, 'edit', { feed: 1, alert_channel: locked.id })).toContain(`Clipscope needs Send Messages in <#${locked.id}>`);
    expect(await feed(guildA, 'edit', { feed: 1, taking_off: false })).toContain('no taking-off alerts');
    expect(await feed(guildA, 'edit', { feed: 1, channel: locked.id })).toContain('Clipscope needs Send Messages');

    expect(await feed(guildA, 'pause', { feed: 1 })).toContain('Feed **#1** paused');
    expect((await listFeeds(h.temp.db, guildA))[0]).toMatchObject({ paused: true, pauseCause: 'admin' });
    expect(await feed(guildA, 'list')).toContain('⏸️ paused');
    expect(await feed(guildA, 'resume', { feed: 1 })).toContain('Feed **#1** resumed');
    expect((await listFeeds(h.temp.db, guildA))[0]).toMatchObject({ paused: false, pauseCause: null });
  });

  it('shows in status why a feed is paused for permissions', async () => {
    await setFeedPaused(
      h.temp.db,
      guildA,
      1,
      { cause: 'permissions', reason: `Clipscope needs Embed Links in <#${clips.id}>.` },
      NOW,
      'permissions',
    );
    const status = await admin_(guildA, null, 'status');
    expect(status).toContain(`Clip feed #1: Clipscope needs Embed Links in <#${clips.id}>.`);
    expect(status).toContain('Clip feeds');

    expect(await feed(guildA, 'remove', { feed: 1 })).toContain('Feed **#1** removed');
    expect(await listFeeds(h.temp.db, guildA)).toEqual([]);
  });
});
