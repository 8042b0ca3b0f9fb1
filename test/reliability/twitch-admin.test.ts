// /clipscope-admin twitch … walked with Twitch configured: the real bot (discord.js against the fake gateway and
// REST), the real admin services and Twurple client against the fake Helix (TWURPLE_MOCK_API_PORT). Two guilds
// follow different channels; every reply the bot sends is asserted as JSON (interaction callbacks, edits, embeds),
// with the errors a user can meet (a malformed or unknown login, Helix failing, no permission), and guild A never
// sees or touches guild B's channels and clips.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAdminServices } from '../../src/discord/admin-services';
import { silentLogger } from '../../src/logger';
import { createTwitchApi } from '../../src/twitch/client';
import { enrichPending } from '../../src/twitch/enrich';
import { bodyOf, shareClip, startCommandBot, type CommandBot } from '../discord/command-bot';
import { snowflake, textChannel, user, type RecordedRequest } from '../fakes/discord';
import { chatInput, options, Permissions, subcommand, subcommandGroup } from '../fakes/discord/interactions';
import { FakeHelix, useFakeHelixPort } from '../fakes/helix';

const NOW = Date.UTC(2026, 10, 25, 12, 0);
const EPHEMERAL = 64;

const guildA = snowflake();
const guildB = snowflake();
const channelA = textChannel({ guild_id: guildA, name: 'clips' });
const channelB = textChannel({ guild_id: guildB, name: 'clips' });
const admin = user({ username: 'admin' });

let h: CommandBot;
let helix: FakeHelix;
let restoreEnv: () => void;
/** Every body the bot sent in answer to each guild's interactions. */
const sentTo = new Map<string, string[]>([
  [guildA, []],
  [guildB, []],
]);

async function invokeIn(guildId: string, payload: Record<string, unknown>): Promise<RecordedRequest[]> {
  const requests = await h.invoke(payload);
  sentTo.get(guildId)!.push(...requests.map((r) => JSON.stringify(r.body ?? null)));
  return requests;
}

/** Runs /clipscope-admin twitch <sub> in a guild; returns what the bot sent for it. */
function twitch(
  guildId: string,
  sub: string,
  opts: Record<string, string> = {},
  permissions: string = Permissions.manager,
): Promise<RecordedRequest[]> {
  return invokeIn(
    guildId,
    chatInput({
      applicationId: h.discord.applicationId,
      guildId,
      channel: guildId === guildA ? channelA : channelB,
      user: admin,
      permissions,
      commandName: 'clipscope-admin',
      options: [subcommandGroup('twitch', subcommand(sub, options(opts)))],
    }),
  );
}

function status(guildId: string): Promise<RecordedRequest[]> {
  return invokeIn(
    guildId,
    chatInput({
      applicationId: h.discord.applicationId,
      guildId,
      channel: guildId === guildA ? channelA : channelB,
      user: admin,
      permissions: Permissions.manager,
      commandName: 'clipscope-admin',
      options: [subcommand('status')],
    }),
  );
}

/** The text a user finally sees: the last callback or edit that carries content or embeds. */
function finalReply(requests: RecordedRequest[]): { content?: string; embeds?: unknown[]; flags?: number } {
  // A callback carries the message under data; an edit of the deferred reply carries it at the top.
  const bodies = requests
    .map((r) => bodyOf(r))
    .map((b) => (b.type !== undefined && b.data ? b.data : b) as { content?: string; embeds?: unknown[]; flags?: number })
    .filter((b) => b.content !== undefined || b.embeds !== undefined);
  return bodies.at(-1) ?? {};
}

function syncsFinished(): number {
  return h.logs.filter((l) => l.msg === 'Twitch channel sync finished').length;
}

function clipsOf(guildId: string): { clip_id: string; broadcaster_name: string; source: string; enrichment_state: string }[] {
  return h.temp.db.$client
    .prepare('SELECT clip_id, broadcaster_name, source, enrichment_state FROM clips WHERE guild_id = ? ORDER BY clip_id')
    .all(guildId) as never;
}

beforeAll(async () => {
  helix = new FakeHelix();
  restoreEnv = useFakeHelixPort(await helix.start());
  helix.addUser({ id: '7001', login: 'alphastreamer', display_name: 'AlphaStreamer', created_at: '2019-01-01T00:00:00Z' });
  helix.addUser({ id: '7002', login: 'alpha_two', display_name: 'Alpha_Two', created_at: '2019-01-01T00:00:00Z' });
  helix.addUser({ id: '7009', login: 'betasecret', display_name: 'BetaSecretStreamer', created_at: '2019-01-01T00:00:00Z' });
  for (let i = 0; i < 3; i++)
    helix.addClip({
      id: `AlphaSyncClip${i}`,
      broadcaster_id: '7001',
      broadcaster_name: 'AlphaStreamer',
      created_at: `2026-11-0${i + 1}T10:00:00Z`,
    });
  helix.addClip({ id: 'AlphaTwoClip', broadcaster_id: '7002', broadcaster_name: 'Alpha_Two', created_at: '2026-10-10T10:00:00Z' });
  for (let i = 0; i < 2; i++)
    helix.addClip({
      id: `BetaSecretClip${i}`,
      broadcaster_id: '7009',
      broadcaster_name: 'BetaSecretStreamer',
      created_at: `2026-11-1${i}T10:00:00Z`,
    });
  const twitchApi = createTwitchApi({
    clientId: helix.clientId,
    clientSecret: helix.clientSecret,
    logger: silentLogger(),
    // Twurple itself tries a 5xx four times (0.5, 1, 2 s apart); no retries of ours on top keeps the walk short.
    retry: { retries: 0 },
    requestTimeoutMs: 5000,
  });
  h = await startCommandBot({
    guilds: [
      { id: guildA, name: 'Alpha', channels: [channelA] },
      { id: guildB, name: 'Beta', channels: [channelB] },
    ],
    now: NOW,
    services: ({ db, clock, logger }) => {
      const services = createAdminServices({
        db,
        clock,
        logger,
        twitch: twitchApi,
        discord: { token: 'unused', apiBaseUrl: 'http://127.0.0.1:9/api' },
      });
      return { twitch: services.twitch };
    },
  });
});

afterAll(async () => {
  await h?.stop();
  await helix?.stop();
  restoreEnv?.();
});

describe('/clipscope-admin twitch with Twitch configured', () => {
  it('adds channels for a guild, syncs their clips into that guild only, and lists them in status', async () => {
    const addedA = await twitch(guildA, 'add', { channels: 'AlphaStreamer, @alpha_two' });
    // Deferred privately (type 5, ephemeral), then the edit names both channels by their display names.
    expect(bodyOf(addedA[0]!)).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    expect(addedA.at(-1)!.method).toBe('PATCH');
    expect(finalReply(addedA)).toMatchObject({
      content:
        '✅ Following **Alpha\\_Two**, **AlphaStreamer**. Their clips are being imported now; `/clipscope-admin status` shows progress.',
      allowed_mentions: { parse: [] },
    });
    await vi.waitFor(() => expect(syncsFinished()).toBe(1), { timeout: 10_000 });

    const addedB = await twitch(guildB, 'add', { channels: 'betasecret' });
    expect(finalReply(addedB).content).toMatch(/^✅ Following \*\*BetaSecretStreamer\*\*\./);
    await vi.waitFor(() => expect(syncsFinished()).toBe(2), { timeout: 10_000 });

    expect(clipsOf(guildA)).toEqual([
      { clip_id: 'AlphaSyncClip0', broadcaster_name: 'AlphaStreamer', source: 'twitch_sync', enrichment_state: 'done' },
      { clip_id: 'AlphaSyncClip1', broadcaster_name: 'AlphaStreamer', source: 'twitch_sync', enrichment_state: 'done' },
      { clip_id: 'AlphaSyncClip2', broadcaster_name: 'AlphaStreamer', source: 'twitch_sync', enrichment_state: 'done' },
      { clip_id: 'AlphaTwoClip', broadcaster_name: 'Alpha_Two', source: 'twitch_sync', enrichment_state: 'done' },
    ]);
    expect(clipsOf(guildB).map((c) => c.clip_id)).toEqual(['BetaSecretClip0', 'BetaSecretClip1']);

    // The listing is /clipscope-admin status: guild A's channels, never guild B's.
    const listed = JSON.stringify(finalReply(await status(guildA)));
    expect(listed).toContain('AlphaStreamer');
    expect(listed).toContain('Alpha\\\\_Two');
    expect(listed).not.toMatch(/BetaSecret/);
    const listedB = JSON.stringify(finalReply(await status(guildB)));
    expect(listedB).toContain('BetaSecretStreamer');
    expect(listedB).not.toMatch(/Alpha/);
  });

  it('syncs new clips on demand, for the asking guild only', async () => {
    helix.addClip({
      id: 'AlphaSyncClipNew',
      broadcaster_id: '7001',
      broadcaster_name: 'AlphaStreamer',
      created_at: '2026-11-24T10:00:00Z',
    });
    helix.addClip({
      id: 'BetaSecretClipNew',
      broadcaster_id: '7009',
      broadcaster_name: 'BetaSecretStreamer',
      created_at: '2026-11-24T10:00:00Z',
    });
    const before = syncsFinished();
    const requests = await twitch(guildA, 'sync');
    expect(requests.map((r) => bodyOf(r))).toEqual([
      {
        type: 4,
        data: {
          content: '🔄 Sync of the followed Twitch channels started. `/clipscope-admin status` shows how it went.',
          flags: EPHEMERAL,
          allowed_mentions: { parse: [] },
          tts: false,
          enforce_nonce: false,
        },
      },
    ]);
    await vi.waitFor(() => expect(syncsFinished()).toBe(before + 1), { timeout: 10_000 });
    expect(clipsOf(guildA).map((c) => c.clip_id)).toContain('AlphaSyncClipNew');
    // Guild B's channel was not synced by guild A's command.
    expect(clipsOf(guildB).map((c) => c.clip_id)).toEqual(['BetaSecretClip0', 'BetaSecretClip1']);
    expect(h.logs.filter((l) => l.msg === 'Twitch channel sync finished').at(-1)).toMatchObject({
      guildId: guildA,
      channels: 2,
      errors: [],
    });
  });

  it('refuses a malformed login, an unknown login and a member without Manage Server, registering nothing', async () => {
    const channelsBefore = h.temp.db.$client.prepare('SELECT count(*) AS n FROM twitch_channels').get();
    const malformed = await twitch(guildA, 'add', { channels: 'not-a-login!' });
    expect(finalReply(malformed)).toMatchObject({
      content: expect.stringContaining('Twitch logins are 1–25 letters, digits or underscores'),
      flags: EPHEMERAL,
    });

    const unknown = await twitch(guildA, 'add', { channels: 'alphastreamer nobodyhere' });
    expect(bodyOf(unknown[0]!)).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    expect(finalReply(unknown).content).toBe('Twitch knows no channel "nobodyhere"; nothing was registered');

    const member = await twitch(guildA, 'sync', {}, Permissions.member);
    expect(member.map((r) => bodyOf(r))).toEqual([
      {
        type: 4,
        data: {
          content: 'You need the **Manage Server** permission to use `/clipscope-admin`.',
          flags: EPHEMERAL,
          allowed_mentions: { parse: [] },
          tts: false,
          enforce_nonce: false,
        },
      },
    ]);
    expect(h.temp.db.$client.prepare('SELECT count(*) AS n FROM twitch_channels').get()).toEqual(channelsBefore);
  });

  it('answers Helix 5xx on add with "Twitch is unavailable, try again" and on sync with the failure in status', async () => {
    const channelsBefore = h.temp.db.$client.prepare('SELECT count(*) AS n FROM twitch_channels').get();
    helix.inject({ kind: 'status', status: 503, body: { error: 'Service Unavailable', status: 503, message: '' } }, 20, 'users');
    const add = await twitch(guildA, 'add', { channels: 'alphastreamer' });
    helix.clearFaults();
    expect(bodyOf(add[0]!)).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    expect(finalReply(add)).toMatchObject({
      content: 'Twitch is unavailable right now, so no channel was added. Please try again in a few minutes.',
      allowed_mentions: { parse: [] },
    });
    expect(h.logs.filter((l) => l.msg === 'Twitch lookup for /clipscope-admin twitch add failed').at(-1)).toMatchObject({
      level: 40,
      guildId: guildA,
      err: expect.stringMatching(/HTTP 503/),
    });
    expect(h.temp.db.$client.prepare('SELECT count(*) AS n FROM twitch_channels').get()).toEqual(channelsBefore);

    const before = syncsFinished();
    // Every try of the first channel's first page fails (Twurple's four); the second channel syncs.
    helix.inject({ kind: 'status', status: 500 }, 4, 'clips');
    await twitch(guildA, 'sync');
    await vi.waitFor(() => expect(syncsFinished()).toBe(before + 1), { timeout: 20_000 });
    helix.clearFaults();
    const finished = h.logs.filter((l) => l.msg === 'Twitch channel sync finished').at(-1);
    expect(finished).toMatchObject({
      guildId: guildA,
      channels: 1,
      errors: [{ channel: 'alpha_two', error: expect.stringMatching(/HTTP 500/) }],
    });
    const shown = JSON.stringify(finalReply(await status(guildA)));
    expect(shown).toMatch(/Alpha\\\\_Two[^"]*500/);
    expect(shown).not.toMatch(/BetaSecret/);
    // Guild B's channel shows no error from guild A's failed sync.
    expect(JSON.stringify(finalReply(await status(guildB)))).not.toMatch(/500/);
  });

  it('answers a Helix 429 that outlived the retries on add with "Twitch is unavailable, try again", adding nothing', async () => {
    const channelsBefore = h.temp.db.$client.prepare('SELECT count(*) AS n FROM twitch_channels').get();
    helix.inject({ kind: 'rate_limited_with_points' }, 20, 'users');
    const add = await twitch(guildA, 'add', { channels: 'alphastreamer' });
    helix.clearFaults();
    expect(helix.requests.filter((r) => r.endpoint === 'users' && r.status === 429).length).toBeGreaterThan(0);
    expect(bodyOf(add[0]!)).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    expect(finalReply(add)).toMatchObject({
      content: 'Twitch is unavailable right now, so no channel was added. Please try again in a few minutes.',
    });
    expect(h.logs.filter((l) => l.msg === 'Twitch lookup for /clipscope-admin twitch add failed').at(-1)).toMatchObject({
      err: expect.stringMatching(/HTTP 429/),
    });
    expect(h.temp.db.$client.prepare('SELECT count(*) AS n FROM twitch_channels').get()).toEqual(channelsBefore);
  });

  it('answers refused app credentials on add by naming the variables to check, never the secret', async () => {
    const channelsBefore = h.temp.db.$client.prepare('SELECT count(*) AS n FROM twitch_channels').get();
    // 401 to the call and to the one Twurple makes again with a renewed token: Twitch refuses the app itself.
    helix.inject({ kind: 'status', status: 401, body: { error: 'Unauthorized', status: 401, message: 'Invalid OAuth token' } }, 2, 'users');
    const add = await twitch(guildA, 'add', { channels: 'alphastreamer' });
    helix.clearFaults();
    expect(bodyOf(add[0]!)).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    expect(finalReply(add)).toMatchObject({
      content:
        "Twitch refused Clipscope's app credentials, so no channel was added. Whoever runs Clipscope should check `TWITCH_CLIENT_ID` and `TWITCH_CLIENT_SECRET` and restart it.",
    });
    expect(JSON.stringify(add.map((r) => r.body))).not.toContain(helix.clientSecret);
    expect(h.temp.db.$client.prepare('SELECT count(*) AS n FROM twitch_channels').get()).toEqual(channelsBefore);
  });

  it('answers a request Twitch refuses as such (HTTP 400) with the generic line naming the full command', async () => {
    helix.inject({ kind: 'status', status: 400, body: { error: 'Bad Request', status: 400, message: 'Invalid login names' } }, 1, 'users');
    const add = await twitch(guildA, 'add', { channels: 'alphastreamer' });
    helix.clearFaults();
    expect(finalReply(add).content).toBe(
      'Something went wrong while running `/clipscope-admin twitch add`. It has been logged; please try again in a moment.',
    );
    expect(h.logs.filter((l) => l.msg === 'command failed').at(-1)).toMatchObject({
      command: 'clipscope-admin twitch add',
      err: { message: expect.stringMatching(/HTTP 400/) },
    });
  });

  it('puts back only the asking guild’s failed clips when retrying', async () => {
    // Clips shared in both guilds whose lookups fail until they are given up ('failed').
    const share = (guildId: string, slug: string): void => {
      shareClip(h.temp.db, {
        guildId,
        channelId: guildId === guildA ? channelA.id : channelB.id,
        clipId: slug,
        authorId: admin.id,
        authorName: 'admin',
        at: NOW - 60_000,
      });
      helix.addClip({ id: slug, broadcaster_id: '7001' });
    };
    share(guildA, 'AlphaFailingClip1');
    share(guildA, 'AlphaFailingClip2');
    share(guildB, 'BetaSecretFailingClip');
    helix.inject({ kind: 'status', status: 500 }, 30, 'clips');
    await enrichPending({
      db: h.temp.db,
      clock: h.clock,
      logger: silentLogger(),
      twitch: createTwitchApi({
        clientId: helix.clientId,
        clientSecret: helix.clientSecret,
        logger: silentLogger(),
        retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 },
      }),
      maxAttempts: 1,
    });
    helix.clearFaults();
    const failed = (guildId: string): string[] =>
      h.temp.db.$client
        .prepare("SELECT clip_id FROM clips WHERE guild_id = ? AND enrichment_state = 'failed' ORDER BY clip_id")
        .pluck()
        .all(guildId) as string[];
    expect(failed(guildA)).toEqual(['AlphaFailingClip1', 'AlphaFailingClip2']);
    expect(failed(guildB)).toEqual(['BetaSecretFailingClip']);

    const retried = await twitch(guildA, 'retry');
    expect(retried.map((r) => bodyOf(r))).toEqual([
      {
        type: 4,
        data: {
          content: '🔁 2 clips put back in the enrichment queue.',
          flags: EPHEMERAL,
          allowed_mentions: { parse: [] },
          tts: false,
          enforce_nonce: false,
        },
      },
    ]);
    expect(failed(guildA)).toEqual([]);
    expect(failed(guildB)).toEqual(['BetaSecretFailingClip']);
    const again = await twitch(guildA, 'retry');
    expect(finalReply(again).content).toBe(
      'No clips are waiting for a retry: every clip either has its Twitch details or is still queued.',
    );

    // Back in the queue, they are enriched by the next run.
    await enrichPending({
      db: h.temp.db,
      clock: h.clock,
      logger: silentLogger(),
      twitch: createTwitchApi({ clientId: helix.clientId, clientSecret: helix.clientSecret, logger: silentLogger() }),
      maxAttempts: 1,
    });
    expect(
      clipsOf(guildA)
        .filter((c) => c.clip_id.startsWith('AlphaFailing'))
        .map((c) => c.enrichment_state),
    ).toEqual(['done', 'done']);
    expect(failed(guildB)).toEqual(['BetaSecretFailingClip']);
  });

  it('lists the guild’s own channels with their clips, last sync and error, and an empty list plainly', async () => {
    const listA = await twitch(guildA, 'list');
    expect(listA).toHaveLength(1);
    const body = bodyOf(listA[0]!);
    expect(body).toMatchObject({ type: 4, data: { flags: EPHEMERAL, allowed_mentions: { parse: [] } } });
    expect(body.data.embeds).toHaveLength(1);
    const embed = body.data.embeds[0];
    expect(embed.title).toBe('📺 Followed Twitch channels');
    const lines = (embed.description as string).split('\n');
    // alpha_two's last sync failed (the 500 above); alphastreamer has its four synced clips plus the two shared ones.
    expect(lines[0]).toMatch(/^\*\*Alpha\\_Two\*\* \(`alpha_two`\) · 1 clip · synced <t:\d+:R>$/);
    expect(lines[1]).toMatch(/^  ⚠️ last sync failed: .*HTTP 500/);
    expect(lines[2]).toMatch(/^\*\*AlphaStreamer\*\* \(`alphastreamer`\) · 6 clips · synced <t:\d+:R>$/);
    expect(lines).toHaveLength(3);
    const listB = JSON.stringify(bodyOf((await twitch(guildB, 'list'))[0]!));
    expect(listB).toContain('BetaSecretStreamer');
    expect(listB).not.toMatch(/alpha/i);
  });

  it('removes only the asking guild’s channels, keeps their clips, and says which logins it does not follow', async () => {
    // Guild A cannot remove guild B's channel: it is not one A follows.
    const foreign = await twitch(guildA, 'remove', { channels: 'betasecret' });
    expect(finalReply(foreign)).toMatchObject({
      content: 'This server follows none of `betasecret`; `/clipscope-admin twitch list` shows the ones it follows.',
      flags: EPHEMERAL,
    });
    expect(
      h.temp.db.$client.prepare('SELECT guild_id, broadcaster_login FROM twitch_channels WHERE broadcaster_login = ?').all('betasecret'),
    ).toEqual([{ guild_id: guildB, broadcaster_login: 'betasecret' }]);

    const clipsBefore = clipsOf(guildA).length;
    const removed = await twitch(guildA, 'remove', { channels: '@Alpha_Two betasecret' });
    expect(removed.map((r) => bodyOf(r))).toEqual([
      {
        type: 4,
        data: {
          content: '🗑️ Stopped following **Alpha\\_Two**. Their clips stay in this server’s history. Not followed here: `betasecret`.',
          flags: EPHEMERAL,
          allowed_mentions: { parse: [] },
          tts: false,
          enforce_nonce: false,
        },
      },
    ]);
    expect(clipsOf(guildA)).toHaveLength(clipsBefore);
    expect(
      h.temp.db.$client
        .prepare('SELECT guild_id, broadcaster_login FROM twitch_channels ORDER BY guild_id = ?, broadcaster_login')
        .all(guildB),
    ).toEqual([
      { guild_id: guildA, broadcaster_login: 'alphastreamer' },
      { guild_id: guildB, broadcaster_login: 'betasecret' },
    ]);
    // A sync now leaves the removed channel alone.
    helix.addClip({
      id: 'AlphaTwoClipAfterRemove',
      broadcaster_id: '7002',
      broadcaster_name: 'Alpha_Two',
      created_at: '2026-11-24T11:00:00Z',
    });
    const before = syncsFinished();
    await twitch(guildA, 'sync');
    await vi.waitFor(() => expect(syncsFinished()).toBe(before + 1), { timeout: 10_000 });
    expect(clipsOf(guildA).map((c) => c.clip_id)).not.toContain('AlphaTwoClipAfterRemove');

    await twitch(guildA, 'remove', { channels: 'alphastreamer' });
    expect(finalReply(await twitch(guildA, 'list'))).toMatchObject({
      content: 'This server follows no Twitch channels yet. Add some with `/clipscope-admin twitch add`.',
      flags: EPHEMERAL,
    });
  });

  it('never showed guild B’s Twitch channels or clips in anything sent to guild A, nor A’s to B', () => {
    expect(sentTo.get(guildA)!.length).toBeGreaterThan(10);
    expect(sentTo.get(guildB)!.length).toBeGreaterThan(2);
    // B's data (its channel's display name, its clips); A typing B's login is echoed back to A exactly as any login
    // A does not follow, so it tells A nothing about B.
    expect(sentTo.get(guildA)!.filter((body) => /BetaSecretStreamer|BetaSecretClip|BetaSecretFailing|7009/.test(body))).toEqual([]);
    expect(sentTo.get(guildB)!.filter((body) => /Alpha|alpha|7001|7002/.test(body))).toEqual([]);
  });
});
