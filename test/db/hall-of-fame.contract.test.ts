// The hall of fame's stores, the same tests on both engines: settings per guild, repost claims (exactly one winner
// among concurrent claimers, stale claims taken over), edit and removal claims, the reads of captured reactions and
// the stats, every one scoped by guild.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordReactionAdded, recordReactionSnapshot } from '../../src/capture/record-reaction';
import { recordMessage, recordMessagesDeleted } from '../../src/capture/record-share';
import {
  abandonHallOfFameClaim,
  claimHallOfFameEdit,
  claimHallOfFamePost,
  claimHallOfFameRemoval,
  deleteHallOfFameSettings,
  getHallOfFamePost,
  getHallOfFameSettings,
  listHallOfFameSettings,
  messageReactors,
  recentShareTallies,
  recordHallOfFameFailure,
  recordHallOfFameSent,
  releaseHallOfFameEdit,
  releaseHallOfFameRemoval,
  sentHallOfFamePosts,
  setHallOfFameSettings,
  sharedMessage,
  staleHallOfFameClaims,
  topHallOfFameEntries,
  topHallOfFameSharers,
} from '../../src/db/stores/hall-of-fame';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

const claimOf = (guildId: string, messageId: string, now: number) => ({
  guildId,
  messageId,
  channelId: 'c1',
  clipId: 'ClipA',
  authorId: 'author',
  hallChannelId: 'hall',
  nonce: `n-${messageId}`,
  postedCount: 5,
  now,
  staleBefore: now - 300_000,
});

describe.each(testEngines())('hall of fame stores on %s', (engine) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'hall-of-fame');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('keeps one hall of fame per guild, changed in place and turned off by deleting it', async () => {
    const base = { channelId: 'hall', threshold: 3, emojis: ['⭐', 'pog:123'], removeBelow: null, selfReactions: false, nsfw: false };
    await setHallOfFameSettings(t.db, { guildId: 'g-set', ...base, updatedAt: 1 });
    await setHallOfFameSettings(t.db, { guildId: 'g-set2', ...base, updatedAt: 1 });
    await setHallOfFameSettings(t.db, { guildId: 'g-set', ...base, threshold: 7, removeBelow: 2, selfReactions: true, updatedAt: 2 });
    expect(await getHallOfFameSettings(t.db, 'g-set')).toEqual({
      guildId: 'g-set',
      ...base,
      threshold: 7,
      removeBelow: 2,
      selfReactions: true,
      updatedAt: 2,
    });
    expect((await listHallOfFameSettings(t.db, '', 10)).map((s) => s.guildId)).toEqual(['g-set', 'g-set2']);
    expect((await listHallOfFameSettings(t.db, 'g-set', 10)).map((s) => s.guildId)).toEqual(['g-set2']);
    expect(await deleteHallOfFameSettings(t.db, 'g-set')).toBe(true);
    expect(await deleteHallOfFameSettings(t.db, 'g-set')).toBe(false);
    expect(await getHallOfFameSettings(t.db, 'g-set')).toBeNull();
    expect(await getHallOfFameSettings(t.db, 'g-set2')).not.toBeNull();
  });

  it('gives a repost to exactly one of many concurrent claimers, per guild', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => claimHallOfFamePost(t.db, claimOf('g-claim', 'm1', 1_000_000))));
    expect(results.filter((r) => r === 'fresh')).toHaveLength(1);
    expect(results.filter((r) => r === null)).toHaveLength(7);
    // The same message id in another guild is another repost.
    expect(await claimHallOfFamePost(t.db, claimOf('g-claim-other', 'm1', 1_000_000))).toBe('fresh');
  });

  it('lets a failed or abandoned claim be taken over once, and a sent one never', async () => {
    await claimHallOfFamePost(t.db, claimOf('g-stale', 'm1', 1_000_000));
    // Still fresh: nobody takes it over.
    expect(await claimHallOfFamePost(t.db, claimOf('g-stale', 'm1', 1_000_100))).toBeNull();
    await recordHallOfFameFailure(t.db, { guildId: 'g-stale', messageId: 'm1' }, { message: 'Discord 503', permanent: false });
    expect((await staleHallOfFameClaims(t.db, 'g-stale', 1_000_100, 10)).map((p) => p.messageId)).toEqual(['m1']);
    const takeovers = await Promise.all([1, 2, 3].map(() => claimHallOfFamePost(t.db, claimOf('g-stale', 'm1', 1_000_200))));
    expect(takeovers.filter((r) => r === 'resumed')).toHaveLength(1);
    await recordHallOfFameSent(t.db, { guildId: 'g-stale', messageId: 'm1' }, 'repost-1', 6, 1_000_300);
    const post = await getHallOfFamePost(t.db, { guildId: 'g-stale', messageId: 'm1' });
    expect(post).toMatchObject({ state: 'sent', repostMessageId: 'repost-1', postedCount: 6, attempts: 2, error: null });
    expect(await claimHallOfFamePost(t.db, claimOf('g-stale', 'm1', 9_000_000))).toBeNull();

    await claimHallOfFamePost(t.db, claimOf('g-stale', 'm2', 1_000_000));
    await recordHallOfFameFailure(t.db, { guildId: 'g-stale', messageId: 'm2' }, { message: 'Missing Access', permanent: true });
    expect(await getHallOfFamePost(t.db, { guildId: 'g-stale', messageId: 'm2' })).toMatchObject({ state: 'failed' });
    expect(await claimHallOfFamePost(t.db, claimOf('g-stale', 'm2', 9_000_000))).toBeNull();

    // A claim whose original may no longer be reposted ends as removed; a sent repost is not touched by it.
    await claimHallOfFamePost(t.db, claimOf('g-stale', 'm3', 1_000_000));
    expect(await abandonHallOfFameClaim(t.db, { guildId: 'g-stale', messageId: 'm3' }, 'deleted', 1_000_500)).toBe(true);
    expect(await getHallOfFamePost(t.db, { guildId: 'g-stale', messageId: 'm3' })).toMatchObject({
      state: 'removed',
      removedAt: 1_000_500,
    });
    expect(await claimHallOfFamePost(t.db, claimOf('g-stale', 'm3', 9_000_000))).toBeNull();
    expect(await abandonHallOfFameClaim(t.db, { guildId: 'g-stale', messageId: 'm1' }, 'deleted', 1_000_500)).toBe(false);
  });

  it('gives each edit and the removal to exactly one caller, and takes them back when Discord failed', async () => {
    const key = { guildId: 'g-edit', messageId: 'm1' };
    await claimHallOfFamePost(t.db, claimOf('g-edit', 'm1', 1));
    await recordHallOfFameSent(t.db, key, 'r1', 5, 2);
    const edits = await Promise.all([1, 2, 3].map(() => claimHallOfFameEdit(t.db, key, 5, 8)));
    expect(edits.filter(Boolean)).toHaveLength(1);
    await releaseHallOfFameEdit(t.db, key, 8, 'Discord 500');
    expect(await getHallOfFamePost(t.db, key)).toMatchObject({ postedCount: -1, error: 'Discord 500' });
    expect(await claimHallOfFameEdit(t.db, key, -1, 9)).toBe(true);

    const removals = await Promise.all([1, 2].map(() => claimHallOfFameRemoval(t.db, key, 'below 3', 10)));
    expect(removals.filter(Boolean)).toHaveLength(1);
    expect(await sentHallOfFamePosts(t.db, 'g-edit', 10)).toEqual([]);
    await releaseHallOfFameRemoval(t.db, key, 'Discord 502');
    expect(await getHallOfFamePost(t.db, key)).toMatchObject({ state: 'sent', removedAt: null, postedCount: -1 });
    expect(await claimHallOfFameRemoval(t.db, key, 'below 3', 11)).toBe(true);
    expect(await getHallOfFamePost(t.db, key)).toMatchObject({ state: 'removed', removedAt: 11 });
    expect(await claimHallOfFameEdit(t.db, key, -1, 4)).toBe(false);
  });

  it('tallies recent shares per emoji, leaving out the sharer unless asked, old, deleted and bot shares, and other guilds', async () => {
    const g = 'g-tally';
    const share = (messageId: string, postedAt: number, extra: { authorIsBot?: boolean; content?: string } = {}) =>
      recordMessage(
        t.db,
        {
          guildId: g,
          messageId,
          channelId: 'c1',
          threadId: messageId === 'm-thread' ? 'th1' : null,
          authorId: 'author',
          authorName: 'Author',
          authorIsBot: extra.authorIsBot ?? false,
          postedAt,
          content: extra.content ?? `look https://clips.twitch.tv/Clip${messageId}`,
          source: 'discord',
        },
        postedAt,
      );
    const react = (messageId: string, emojiKey: string, userId: string) =>
      recordReactionAdded(t.db, { guildId: g, channelId: 'c1', messageId, emojiKey, userId, at: 5_000 }, 5_000);
    await share('m-new', 4_000, { content: 'two clips https://clips.twitch.tv/ClipX https://clips.twitch.tv/ClipY' });
    await share('m-old', 1_000);
    await share('m-bot', 4_000, { authorIsBot: true });
    await share('m-gone', 4_000);
    await share('m-thread', 4_000);
    for (const [m, e, u] of [
      ['m-new', '⭐', 'u1'],
      ['m-new', '⭐', 'u2'],
      ['m-new', '⭐', 'author'],
      ['m-new', '🔥', 'u1'],
      ['m-old', '⭐', 'u1'],
      ['m-bot', '⭐', 'u1'],
      ['m-gone', '⭐', 'u1'],
    ] as const)
      await react(m, e, u);
    await recordReactionSnapshot(
      t.db,
      { guildId: g, channelId: 'c1', messageId: 'm-new', emojiKey: '🔥', count: 4, userIds: [], at: 5_000 },
      5_000,
    );
    await recordMessagesDeleted(t.db, g, ['m-gone'], 6_000);
    // Another guild's reactions on the same message id never count.
    await recordReactionAdded(
      t.db,
      { guildId: 'g-else', channelId: 'c1', messageId: 'm-new', emojiKey: '⭐', userId: 'u9', at: 5_000 },
      5_000,
    );

    expect(await recentShareTallies(t.db, g, { since: 2_000, selfReactions: false })).toEqual([
      { messageId: 'm-new', emojiKey: '⭐', named: 2, anonymous: 0 },
      { messageId: 'm-new', emojiKey: '🔥', named: 1, anonymous: 3 },
    ]);
    expect(await recentShareTallies(t.db, g, { since: 2_000, selfReactions: true })).toContainEqual({
      messageId: 'm-new',
      emojiKey: '⭐',
      named: 3,
      anonymous: 0,
    });
    expect(await messageReactors(t.db, g, 'm-new')).toEqual({
      named: [
        { emojiKey: '⭐', userId: 'author' },
        { emojiKey: '⭐', userId: 'u1' },
        { emojiKey: '⭐', userId: 'u2' },
        { emojiKey: '🔥', userId: 'u1' },
      ],
      anonymous: [{ emojiKey: '🔥', count: 3 }],
    });
    expect(await sharedMessage(t.db, g, 'm-new')).toMatchObject({ clipId: 'ClipX', channelId: 'c1', threadId: null, deleted: false });
    expect(await sharedMessage(t.db, g, 'm-thread')).toMatchObject({ threadId: 'th1' });
    expect(await sharedMessage(t.db, g, 'm-gone')).toMatchObject({ deleted: true });
    expect(await sharedMessage(t.db, 'g-else', 'm-new')).toBeNull();
  });

  it('ranks the standing reposts by count and the sharers by how often they reached the hall, and lists the newest first', async () => {
    const g = 'g-stats';
    const post = async (messageId: string, authorId: string, count: number, removed = false) => {
      await claimHallOfFamePost(t.db, { ...claimOf(g, messageId, Number(messageId.slice(1))), authorId });
      await recordHallOfFameSent(t.db, { guildId: g, messageId }, `r-${messageId}`, count, 2);
      if (removed) await claimHallOfFameRemoval(t.db, { guildId: g, messageId }, 'deleted', 3);
    };
    await post('m1', 'alice', 12);
    await post('m2', 'bob', 30);
    await post('m3', 'alice', 7, true);
    await post('m4', 'carol', 9);
    await claimHallOfFamePost(t.db, { ...claimOf(g, 'm5', 1), authorId: 'bob' });
    expect((await topHallOfFameEntries(t.db, g, 2)).map((e) => [e.messageId, e.count])).toEqual([
      ['m2', 30],
      ['m1', 12],
    ]);
    expect(await topHallOfFameSharers(t.db, g, 10)).toEqual([
      { authorId: 'alice', reposts: 2, best: 12 },
      { authorId: 'bob', reposts: 1, best: 30 },
      { authorId: 'carol', reposts: 1, best: 9 },
    ]);
    expect(await topHallOfFameEntries(t.db, 'g-stats-other', 5)).toEqual([]);
    // The standing reposts the pass keeps up to date: the newest first.
    expect((await sentHallOfFamePosts(t.db, g, 2)).map((p) => p.messageId)).toEqual(['m4', 'm2']);
  });
});
