// The clip feed's stores, the same tests on both engines: feeds per guild, the post claim (exactly one winner among
// concurrent claimers, stale claims taken over once), the poll lease, and the clips a feed may still post.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimFeedPost,
  createFeed,
  feedPostByMessage,
  feedPostsSentSince,
  getFeed,
  getPollState,
  leaseBroadcaster,
  listAllFeeds,
  listFeeds,
  memberSharedClips,
  recordFeedPostFailure,
  recordFeedPostSent,
  recordPoll,
  recordSummarised,
  releaseBroadcaster,
  removeFeed,
  setFeedPaused,
  staleFeedClaims,
  unpostedClips,
  updateFeed,
  upsertFeedClips,
  type NewFeed,
  type SeenClip,
} from '../../src/db/stores/feeds';
import { queries } from '../../src/db/sql';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

const filters = {
  minViews: 0,
  games: [],
  excludeGames: [],
  creatorsExclude: [],
  maxPerHour: null,
  mentionRoleId: null,
  postMemberShared: true,
  takingOff: true,
  alertChannelId: null,
};

function newFeed(guildId: string, over: Partial<NewFeed> = {}): NewFeed {
  return { guildId, channelId: 'c1', broadcasterId: 'b1', broadcasterLogin: 'alpha', broadcasterName: 'Alpha', ...filters, ...over };
}

function seen(id: string, createdAt: number, views = 0): SeenClip {
  return {
    clipId: id,
    broadcasterId: 'b1',
    url: `https://clips.twitch.tv/${id}`,
    title: `Clip ${id}`,
    creatorId: 'u1',
    creatorName: 'Clipper',
    gameId: 'g1',
    gameName: 'Game One',
    viewCount: views,
    duration: 30,
    clipCreatedAt: createdAt,
  };
}

describe.each(testEngines())('feed stores on %s', (engine) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'feed-stores');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('keeps several feeds per guild, each guild seeing only its own, with filters read back as written', async () => {
    const a = await createFeed(t.db, newFeed('g-a', { games: ['just chatting'], maxPerHour: 5, minViews: 10 }), 1000);
    const b = await createFeed(t.db, newFeed('g-a', { channelId: 'c2', excludeGames: ['chess'], postMemberShared: false }), 1100);
    await createFeed(t.db, newFeed('g-b'), 1200);
    expect((await listFeeds(t.db, 'g-a')).map((f) => f.id)).toEqual([a.id, b.id]);
    expect(await getFeed(t.db, 'g-b', a.id)).toBeNull();
    expect(await getFeed(t.db, 'g-a', a.id)).toMatchObject({
      games: ['just chatting'],
      maxPerHour: 5,
      minViews: 10,
      postMemberShared: true,
      paused: false,
      startsAt: 1000,
    });
    expect((await getFeed(t.db, 'g-a', b.id))?.postMemberShared).toBe(false);

    const edited = await updateFeed(t.db, 'g-a', a.id, { games: [], minViews: 0, channelId: 'c9' }, 2000);
    expect(edited).toMatchObject({ games: [], minViews: 0, channelId: 'c9', maxPerHour: 5, updatedAt: 2000, startsAt: 1000 });
    expect(await updateFeed(t.db, 'g-b', a.id, { minViews: 3 }, 2000)).toBeNull();
    expect((await listAllFeeds(t.db)).filter((f) => f.guildId.startsWith('g-')).length).toBe(3);

    expect(await removeFeed(t.db, 'g-b', a.id)).toBe(false);
    expect(await removeFeed(t.db, 'g-a', b.id)).toBe(true);
    expect((await listFeeds(t.db, 'g-a')).map((f) => f.id)).toEqual([a.id]);
  });

  it('pauses for missing permissions and resumes only a feed paused for that cause', async () => {
    const f = await createFeed(t.db, newFeed('g-pause'), 1000);
    expect(await setFeedPaused(t.db, 'g-pause', f.id, { cause: 'permissions', reason: 'needs Send Messages' }, 1100, 'permissions')).toBe(
      true,
    );
    expect(await getFeed(t.db, 'g-pause', f.id)).toMatchObject({
      paused: true,
      pauseCause: 'permissions',
      pauseReason: 'needs Send Messages',
    });
    expect(await setFeedPaused(t.db, 'g-pause', f.id, null, 1200, 'permissions')).toBe(true);
    expect(await getFeed(t.db, 'g-pause', f.id)).toMatchObject({ paused: false, pauseCause: null, pauseReason: null });

    expect(await setFeedPaused(t.db, 'g-pause', f.id, { cause: 'admin', reason: 'paused by an admin' }, 1300)).toBe(true);
    // The job's "permissions are back" resume leaves an admin's pause alone; an admin's resume ends it.
    expect(await setFeedPaused(t.db, 'g-pause', f.id, null, 1400, 'permissions')).toBe(false);
    expect((await getFeed(t.db, 'g-pause', f.id))?.pauseCause).toBe('admin');
    expect(await setFeedPaused(t.db, 'g-pause', f.id, { cause: 'permissions', reason: 'x' }, 1400, 'permissions')).toBe(false);
    expect(await setFeedPaused(t.db, 'g-pause', f.id, null, 1500)).toBe(true);
    expect((await getFeed(t.db, 'g-pause', f.id))?.paused).toBe(false);
  });

  it('lets exactly one of many concurrent claimers claim a post, and one claimer take over a stale claim', async () => {
    const key = { guildId: 'g-claim', channelId: 'c1', clipId: 'Clip1', kind: 'clip' as const };
    const claims = await Promise.all(
      Array.from({ length: 8 }, () => claimFeedPost(t.db, { ...key, feedId: 1, nonce: 'n1', now: 5000, staleBefore: 4000 })),
    );
    expect(claims.filter((c) => c === 'fresh')).toHaveLength(1);
    expect(claims.filter((c) => c !== 'fresh').every((c) => c === null)).toBe(true);

    // Still being sent: not stale yet.
    expect(await staleFeedClaims(t.db, 'g-claim', 1, 4999, 10)).toEqual([]);
    await recordFeedPostFailure(t.db, key, { message: 'Discord 503', permanent: false });
    expect((await staleFeedClaims(t.db, 'g-claim', 1, 4999, 10)).map((p) => p.error)).toEqual(['Discord 503']);
    const takeovers = await Promise.all(
      Array.from({ length: 5 }, () => claimFeedPost(t.db, { ...key, feedId: 1, nonce: 'n1', now: 6000, staleBefore: 5500 })),
    );
    expect(takeovers.filter((c) => c === 'resumed')).toHaveLength(1);
    expect(takeovers.filter((c) => c === null)).toHaveLength(4);

    await recordFeedPostSent(t.db, key, 'm1', 6100);
    expect(await claimFeedPost(t.db, { ...key, feedId: 1, nonce: 'n1', now: 99_000, staleBefore: 98_000 })).toBeNull();
    expect(await feedPostByMessage(t.db, 'g-claim', 'm1')).toMatchObject({ clipId: 'Clip1', state: 'sent', attempts: 2 });
    expect(await feedPostByMessage(t.db, 'g-other', 'm1')).toBeNull();
    expect(await feedPostsSentSince(t.db, 'g-claim', 1, 6000)).toBe(1);
    expect(await feedPostsSentSince(t.db, 'g-claim', 1, 6200)).toBe(0);

    // A refusal for good is never retried.
    const refused = { ...key, clipId: 'Clip2' };
    expect(await claimFeedPost(t.db, { ...refused, feedId: 1, nonce: 'n2', now: 7000, staleBefore: 6000 })).toBe('fresh');
    await recordFeedPostFailure(t.db, refused, { message: 'Missing Permissions', permanent: true });
    expect(await claimFeedPost(t.db, { ...refused, feedId: 1, nonce: 'n2', now: 99_000, staleBefore: 98_000 })).toBeNull();
  });

  it('offers a feed the clips of its broadcaster since it started that have no post in its channel', async () => {
    await upsertFeedClips(t.db, [seen('Old', 500), seen('A', 1500, 3), seen('B', 1600), seen('C', 1700)], 2000);
    // Views never go backwards, whatever order the answers come in.
    await upsertFeedClips(t.db, [seen('A', 1500, 1)], 2100);
    const feed = { guildId: 'g-cand', channelId: 'c1', broadcasterId: 'b1', since: 1000, minViews: 0 };
    expect((await unpostedClips(t.db, feed, 10)).map((c) => [c.clipId, c.viewCount])).toEqual([
      ['A', 3],
      ['B', 0],
      ['C', 0],
    ]);
    await claimFeedPost(t.db, {
      guildId: 'g-cand',
      channelId: 'c1',
      clipId: 'A',
      kind: 'clip',
      feedId: 1,
      nonce: 'x',
      now: 1,
      staleBefore: 0,
    });
    expect(
      await recordSummarised(t.db, [{ guildId: 'g-cand', channelId: 'c1', clipId: 'B', kind: 'clip', feedId: 1, nonce: 'y' }], 3000),
    ).toEqual(['B']);
    // Another kind (a taking-off alert) or another channel does not count as the clip's post here.
    await claimFeedPost(t.db, {
      guildId: 'g-cand',
      channelId: 'c1',
      clipId: 'C',
      kind: 'taking_off',
      feedId: 1,
      nonce: 'z',
      now: 1,
      staleBefore: 0,
    });
    await claimFeedPost(t.db, {
      guildId: 'g-cand',
      channelId: 'c2',
      clipId: 'C',
      kind: 'clip',
      feedId: 2,
      nonce: 'z',
      now: 1,
      staleBefore: 0,
    });
    expect((await unpostedClips(t.db, feed, 10)).map((c) => c.clipId)).toEqual(['C']);
    expect((await unpostedClips(t.db, { ...feed, guildId: 'g-elsewhere' }, 2)).map((c) => c.clipId)).toEqual(['A', 'B']);
    // Clips still short of min_views take no room: however many wait, the ones with enough views are offered.
    expect((await unpostedClips(t.db, { ...feed, guildId: 'g-elsewhere', minViews: 3 }, 2)).map((c) => c.clipId)).toEqual(['A']);
  });

  it('leases a broadcaster to exactly one of several pollers, and only the holder records its outcome', async () => {
    const lease = { broadcasterId: 'b-lease', now: 10_000, leaseUntil: 70_000, intervalMs: 120_000 };
    const got = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((owner) => leaseBroadcaster(t.db, { ...lease, owner })));
    expect(got.filter((s) => s !== null)).toHaveLength(1);
    const winner = ['p1', 'p2', 'p3', 'p4'][got.findIndex((s) => s !== null)]!;
    const loser = winner === 'p1' ? 'p2' : 'p1';
    const outcome = {
      broadcasterId: 'b-lease',
      polledThrough: 9000,
      lastPollAt: 10_000,
      nextPollAt: 130_000,
      intervalMs: 120_000,
      windowStart: null,
      windowEnd: null,
      cursor: null,
      lastError: null,
    };
    expect(await recordPoll(t.db, loser, outcome)).toBe(false);
    expect(await recordPoll(t.db, winner, outcome)).toBe(true);
    expect(await leaseBroadcaster(t.db, { ...lease, owner: 'p3', now: 20_000, leaseUntil: 80_000 })).toBeNull();
    expect(await releaseBroadcaster(t.db, 'b-lease', winner)).toBe(true);
    expect(await leaseBroadcaster(t.db, { ...lease, owner: 'p3', now: 20_000, leaseUntil: 80_000 })).toMatchObject({ nextPollAt: 130_000 });
    expect(await releaseBroadcaster(t.db, 'b-lease', 'p1')).toBe(false);
    expect(await releaseBroadcaster(t.db, 'b-lease', 'p3')).toBe(true);
    expect(await leaseBroadcaster(t.db, { ...lease, owner: 'p1', now: 130_000, leaseUntil: 190_000 })).toMatchObject({
      polledThrough: 9000,
    });
    // A poller that died keeps the lease until it runs out; then another takes over.
    expect(await leaseBroadcaster(t.db, { ...lease, owner: 'p2', now: 150_000 })).toBeNull();
    expect(await leaseBroadcaster(t.db, { ...lease, owner: 'p2', now: 190_000, leaseUntil: 250_000 })).not.toBeNull();
    expect(await recordPoll(t.db, 'p1', outcome)).toBe(false);
    expect((await getPollState(t.db, 'b-lease'))?.lastPollAt).toBe(10_000);
  });

  it("tells which clips a member shared in the guild: not a bot's share, a deleted one, nor another guild's", async () => {
    // Share rows as capture writes them (the capture stores are written for SQLite only so far).
    const share = (guild: string, message: string, clip: string, bot: boolean, deletedAt: number | null) =>
      queries(t.db).run(
        `INSERT INTO shares (guild_id, channel_id, message_id, clip_id, author_id, author_name, author_is_bot, posted_at, deleted_at, source)
         VALUES (?, 'c1', ?, ?, 'u1', 'someone', ?, 1000, ?, 'discord')`,
        [guild, message, clip, bot, deletedAt],
      );
    await share('g-shared', 'm1', 'ByMember', false, null);
    await share('g-shared', 'm2', 'ByBot', true, null);
    await share('g-shared', 'm3', 'Deleted', false, 2000);
    await share('g-elsewhere', 'm4', 'Elsewhere', false, null);
    expect(await memberSharedClips(t.db, 'g-shared', ['ByMember', 'ByBot', 'Deleted', 'Elsewhere', 'Never'])).toEqual(
      new Set(['ByMember']),
    );
  });
});
