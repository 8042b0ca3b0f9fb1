// The clip feed end to end on both engines: fake Helix, fake Discord with a real discord.js client, a real database.
// Every eligible clip is posted exactly once, no ineligible clip is posted, the overflow is summarised, and Helix is
// never called beyond the run's budget.
import { afterEach, describe, expect, it } from 'vitest';
import { digestStore } from '../../src/db/stores/digests';
import { claimFeedPost, getFeed, leaseBroadcaster, listFeedPosts, updateFeed } from '../../src/db/stores/feeds';
import { createDiscordClient } from '../../src/discord/client';
import { postNonce } from '../../src/feed/deliver';
import { testEngines } from '../helpers/engines';
import { MINUTE, startFeedHarness, T0, type FeedHarness } from './harness';

const SEND_MESSAGES = 1n << 11n;

describe.each(testEngines())('clip feed on %s', (engine) => {
  let h: FeedHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** Runs the runner `times` times, a minute apart. */
  const runs = async (runner: { runOnce(): Promise<unknown> }, times: number): Promise<void> => {
    for (let i = 0; i < times; i++) {
      h!.clock.advance(MINUTE);
      await runner.runOnce();
    }
  };

  it('posts each new clip once over several polls, with pagination and a clip that appears late', async () => {
    h = await startFeedHarness(engine);
    await h.addFeed();
    h.clip('BeforeTheFeed', -5);
    h.helix.addClip({ id: 'OtherChannel', broadcaster_id: '888', created_at: new Date(h.clock.now() + MINUTE).toISOString() });
    // 130 clips in the first minutes: two pages of Get Clips, posted over several runs (20 per feed and run).
    const burst = Array.from({ length: 130 }, (_, i) => `Burst${String(i).padStart(3, '0')}`);
    burst.forEach((id, i) => h!.clip(id, 0.5 + i / 300));
    const runner = h.runner();
    await runs(runner, 8);
    expect(h.helix.served('clips').length).toBeGreaterThanOrEqual(2);
    expect(h.postedClipIds().sort()).toEqual([...burst].sort());

    // A clip made 10 minutes ago that Helix lists only now, after polls that covered its time.
    h.clock.advance(20 * MINUTE);
    await runner.runOnce();
    h.clip('LateOne', (h.clock.now() - 10 * MINUTE - T0) / MINUTE);
    await runs(runner, 3);
    const posted = h.postedClipIds();
    expect(posted).toContain('LateOne');
    expect(posted).not.toContain('BeforeTheFeed');
    expect(posted).not.toContain('OtherChannel');
    expect(new Set(posted).size).toBe(posted.length);
    expect(posted).toHaveLength(131);
    // The post is the URL (Discord unfurls it) and a compact line.
    expect(h.messages().find((m) => m.startsWith('https://clips.twitch.tv/LateOne'))).toMatch(
      /^https:\/\/clips\.twitch\.tv\/LateOne\n\*\*Clip LateOne\*\* · clipped by Clipper · Just Chatting · 5 views · 0:30$/,
    );
  });

  it('posts only what the filters let through, and a min_views clip once its views reach the count', async () => {
    h = await startFeedHarness(engine);
    await h.addFeed({ games: ['just chatting'], creatorsExclude: ['spammer'], minViews: 10 });
    h.clip('ChattingHit', 0.5, { view_count: 20 });
    h.clip('OtherGame', 0.5, { view_count: 50, game_id: '32982' });
    h.clip('BySpammer', 0.5, { view_count: 50, creator_name: 'Spammer' });
    h.clip('SlowStarter', 0.5, { view_count: 3 });
    const runner = h.runner();
    await runs(runner, 3);
    expect(h.postedClipIds()).toEqual(['ChattingHit']);

    h.helix.clips.get('SlowStarter')!.view_count = 12;
    // Views are read again at most every 10 minutes while the clip waits.
    h.clock.advance(15 * MINUTE);
    await runs(runner, 3);
    expect(h.postedClipIds()).toEqual(['ChattingHit', 'SlowStarter']);
    await runs(runner, 3);
    expect(h.postedClipIds()).toEqual(['ChattingHit', 'SlowStarter']);
  });

  it('never posts a clip twice in a channel across an edit of the feed and a restart that left a claim behind', async () => {
    h = await startFeedHarness(engine);
    const feed = await h.addFeed({ games: ['grand theft auto v'] });
    h.clip('Chatting', 0.5);
    h.clip('Driving', 0.5, { game_id: '32982' });
    h.clip('Crashed', 0.5, { game_id: '32982' });
    const first = h.runner({ owner: 'first' });
    await runs(first, 2);
    expect(h.postedClipIds().sort()).toEqual(['Crashed', 'Driving']);

    // A process claimed this clip, posted it, and died before recording the message.
    h.clip('DiedMidway', 2.5, { game_id: '32982' });
    const key = { guildId: h.guildId, channelId: h.channel.id, clipId: 'DiedMidway', kind: 'clip' as const };
    await claimFeedPost(h.db, { ...key, feedId: feed.id, nonce: postNonce(key), now: h.clock.now(), staleBefore: 0 });
    const channel = await h.client.channels.fetch(h.channel.id);
    if (!channel?.isSendable()) throw new Error('the feed channel is not sendable');
    await channel.send('https://clips.twitch.tv/DiedMidway\n**Clip DiedMidway**');
    // It also held the broadcaster's lease.
    await leaseBroadcaster(h.db, {
      broadcasterId: '777',
      owner: 'dead',
      now: h.clock.now(),
      leaseUntil: h.clock.now() + 5 * MINUTE,
      intervalMs: 120_000,
    });

    // Editing the feed lets the other game through: judged again, but what was posted stays posted.
    await updateFeed(h.db, h.guildId, feed.id, { games: [] }, h.clock.now());
    const restarted = h.runner({ owner: 'restarted', client: await h.login() });
    await runs(restarted, 10);
    const posted = h.postedClipIds();
    expect(posted.sort()).toEqual(['Chatting', 'Crashed', 'DiedMidway', 'Driving']);
    const died = (await listFeedPosts(h.db, h.guildId)).find((p) => p.clipId === 'DiedMidway');
    expect(died).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('posts each clip once when two processes run the feed at the same moment', async () => {
    h = await startFeedHarness(engine);
    await h.addFeed();
    for (let i = 0; i < 30; i++) h.clip(`Both${i}`, 0.5 + i / 60);
    const other = await h.t.openAnother();
    try {
      const a = h.runner({ owner: 'a' });
      const b = h.runner({ owner: 'b', db: other.db, client: await h.login() });
      for (let i = 0; i < 4; i++) {
        h.clock.advance(MINUTE);
        await Promise.all([a.runOnce(), b.runOnce()]);
      }
    } finally {
      await other.close();
    }
    const posted = h.postedClipIds();
    expect(posted).toHaveLength(30);
    expect(new Set(posted).size).toBe(30);
  });

  it('recognises a post Discord accepted before answering 5xx, and rides out a 429 burst', async () => {
    h = await startFeedHarness(engine);
    await h.addFeed();
    h.clip('AcceptedThenFailed', 0.5);
    const discord = h.discord;
    let failures = 0;
    // Accepts the post, then answers 500 to it and to every retry of it.
    discord.route('POST', '/channels/:channelId/messages', ({ params, body }) => {
      discord.postMessage(params.channelId!, body);
      failures += 1;
      return { status: 500, body: { message: 'Internal Server Error', code: 0 } };
    });
    const runner = h.runner();
    await runs(runner, 1);
    expect(failures).toBeGreaterThan(0);
    expect((await listFeedPosts(h.db, h.guildId))[0]).toMatchObject({ clipId: 'AcceptedThenFailed', state: 'claimed' });
    const postsSoFar = discord.requestsTo('POST', `/channels/${h.channel.id}/messages`).length;
    // The next run finds the accepted post in the channel instead of posting it again.
    await runs(runner, 1);
    expect((await listFeedPosts(h.db, h.guildId))[0]).toMatchObject({ clipId: 'AcceptedThenFailed', state: 'sent' });
    expect(discord.requestsTo('POST', `/channels/${h.channel.id}/messages`)).toHaveLength(postsSoFar);

    discord.route('POST', '/channels/:channelId/messages', ({ params, body }) => ({ body: discord.postMessage(params.channelId!, body) }));
    discord.rateLimit('POST', '/channels/:channelId/messages', { retryAfter: 0.05 }, 3);
    for (let i = 0; i < 5; i++) h.clip(`AfterBurst${i}`, 2.1 + i / 10);
    await runs(runner, 3);
    const posted = h.postedClipIds();
    expect(posted.filter((id) => id === 'AcceptedThenFailed')).toHaveLength(1);
    expect(posted.sort()).toEqual(['AcceptedThenFailed', 'AfterBurst0', 'AfterBurst1', 'AfterBurst2', 'AfterBurst3', 'AfterBurst4']);
    expect((await listFeedPosts(h.db, h.guildId)).every((p) => p.state === 'sent')).toBe(true);
  });

  it('pauses while Clipscope may not send messages in the channel, says why, and resumes once it may', async () => {
    h = await startFeedHarness(engine);
    const denied = { id: h.guildId, type: 0, allow: '0', deny: SEND_MESSAGES.toString() };
    await h.discord.dispatch('CHANNEL_UPDATE', { ...h.channel, permission_overwrites: [denied] });
    const feed = await h.addFeed();
    h.clip('WhilePaused', 0.5);
    const runner = h.runner();
    await expect
      .poll(
        () =>
          h!.client.channels.cache.get(h!.channel.id)?.isSendable() &&
          (h!.client.channels.cache.get(h!.channel.id) as { permissionOverwrites?: { cache: Map<string, unknown> } }).permissionOverwrites
            ?.cache.size,
      )
      .toBe(1);
    await runs(runner, 2);
    expect(h.discord.requestsTo('POST', `/channels/${h.channel.id}/messages`)).toHaveLength(0);
    expect(await getFeed(h.db, h.guildId, feed.id)).toMatchObject({ paused: true, pauseCause: 'permissions' });
    expect((await getFeed(h.db, h.guildId, feed.id))?.pauseReason).toContain('Send Messages');

    await h.discord.dispatch('CHANNEL_UPDATE', { ...h.channel, permission_overwrites: [] });
    await expect
      .poll(
        () =>
          (h!.client.channels.cache.get(h!.channel.id) as { permissionOverwrites?: { cache: Map<string, unknown> } }).permissionOverwrites
            ?.cache.size,
      )
      .toBe(0);
    await runs(runner, 1);
    expect(await getFeed(h.db, h.guildId, feed.id)).toMatchObject({ paused: false, pauseReason: null });
    expect(h.postedClipIds()).toEqual(['WhilePaused']);
  });

  it('pauses when Discord answers Missing Permissions to a post, and posts that clip once after resuming', async () => {
    h = await startFeedHarness(engine);
    const feed = await h.addFeed();
    h.clip('Refused', 0.5);
    const discord = h.discord;
    discord.route('POST', '/channels/:channelId/messages', () => ({ status: 403, body: { message: 'Missing Permissions', code: 50013 } }));
    const runner = h.runner();
    await runs(runner, 1);
    expect(await getFeed(h.db, h.guildId, feed.id)).toMatchObject({ paused: true, pauseCause: 'permissions' });
    expect((await listFeedPosts(h.db, h.guildId))[0]).toMatchObject({ clipId: 'Refused', state: 'claimed' });

    discord.route('POST', '/channels/:channelId/messages', ({ params, body }) => ({ body: discord.postMessage(params.channelId!, body) }));
    await runs(runner, 2);
    expect(await getFeed(h.db, h.guildId, feed.id)).toMatchObject({ paused: false });
    expect(h.postedClipIds()).toEqual(['Refused']);
  });

  it('neither posts nor pauses while the bot is not connected to Discord yet', async () => {
    h = await startFeedHarness(engine);
    const feed = await h.addFeed();
    h.clip('Waiting', 0.5);
    const offline = createDiscordClient({ apiBaseUrl: h.discord.apiBaseUrl });
    try {
      await runs(h.runner({ client: offline }), 2);
    } finally {
      await offline.destroy();
    }
    expect(await getFeed(h.db, h.guildId, feed.id)).toMatchObject({ paused: false, pauseReason: null });
    expect(h.postedClipIds()).toEqual([]);
    await runs(h.runner(), 1);
    expect(h.postedClipIds()).toEqual(['Waiting']);
  });

  it('summarises what goes past max_per_hour in one message, and posts again the next hour', async () => {
    h = await startFeedHarness(engine);
    await h.addFeed({ maxPerHour: 3 });
    for (let i = 0; i < 8; i++) h.clip(`Raid${i}`, 0.1 + i / 10, { view_count: 100 + i });
    const runner = h.runner();
    await runs(runner, 3);
    expect(h.postedClipIds()).toEqual(['Raid0', 'Raid1', 'Raid2']);
    const summaries = h.messages().filter((m) => m.startsWith('📦'));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toContain('**5 more clips** of BigStreamer this hour');
    for (const id of ['Raid3', 'Raid4', 'Raid5', 'Raid6', 'Raid7']) expect(summaries[0]).toContain(`https://clips.twitch.tv/${id}`);

    h.clock.advance(60 * MINUTE);
    h.clip('NextHour', 65);
    await runs(runner, 6);
    expect(h.postedClipIds()).toEqual(['Raid0', 'Raid1', 'Raid2', 'NextHour']);
  });

  it('never calls Helix beyond the run budget, and finishes a paginated window over later runs', async () => {
    h = await startFeedHarness(engine);
    await h.addFeed();
    for (let i = 0; i < 250; i++) h.clip(`Many${String(i).padStart(3, '0')}`, 0.5 + i / 600, { view_count: i });
    const runner = h.runner({ helixCallsPerRun: 1 });
    let served = 0;
    for (let i = 0; i < 20; i++) {
      h.clock.advance(MINUTE);
      await runner.runOnce();
      const now = h.helix.requests.filter((r) => r.kind === 'helix').length;
      expect(now - served).toBeLessThanOrEqual(1);
      served = now;
    }
    const posted = h.postedClipIds();
    expect(new Set(posted).size).toBe(250);
    expect(posted).toHaveLength(250);
  });

  it('shares no state with the weekly digest: neither suppresses the other in the same channel', async () => {
    h = await startFeedHarness(engine);
    const feed = await h.addFeed();
    const digests = digestStore(h.db);
    const week = { guildId: h.guildId, weekStart: h.clock.now() - 7 * 24 * 60 * MINUTE };
    expect(await digests.claim({ ...week, channelId: h.channel.id, now: h.clock.now(), staleBefore: 0 })).toBe('fresh');
    // The digest's post in the feed's channel (an embed, no content), and a feed claim left unfinished for a clip.
    const channel = await h.client.channels.fetch(h.channel.id);
    if (!channel?.isSendable()) throw new Error('the feed channel is not sendable');
    const digestPost = await channel.send({ embeds: [{ title: '📊 Weekly clip digest' }] });
    await digests.recordPosted(week, digestPost.id, h.clock.now());
    h.clip('AfterDigest', 0.5);
    const key = { guildId: h.guildId, channelId: h.channel.id, clipId: 'AfterDigest', kind: 'clip' as const };
    await claimFeedPost(h.db, { ...key, feedId: feed.id, nonce: postNonce(key), now: 0, staleBefore: 0 });
    await runs(h.runner(), 2);
    // The digest's message is not taken for the clip's post, and the feed's posts leave the digest's record alone.
    expect(h.postedClipIds()).toEqual(['AfterDigest']);
    expect((await listFeedPosts(h.db, h.guildId))[0]).toMatchObject({ state: 'sent', messageId: expect.not.stringMatching(digestPost.id) });
    expect(await digests.status(week)).toBe('posted');
    const nextWeek = { guildId: h.guildId, weekStart: week.weekStart + 7 * 24 * 60 * MINUTE };
    expect(await digests.claim({ ...nextWeek, channelId: h.channel.id, now: h.clock.now(), staleBefore: 0 })).toBe('fresh');
  });
});
