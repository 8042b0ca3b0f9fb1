// The clip feed's remaining options end to end on both engines (fake Helix, fake Discord with a real discord.js
// client, a real database): mention_role pings that role and nothing else, post_member_shared decides whether a clip
// a member shared first is still posted, and the poll cadence follows how busy the channel is (docs/feed.md).
import { afterEach, describe, expect, it } from 'vitest';
import { createCaptureService } from '../../src/capture/service';
import { silentLogger } from '../../src/logger';
import { snowflake } from '../fakes/discord';
import { testEngines } from '../helpers/engines';
import { BROADCASTER, MINUTE, startFeedHarness, T0, type FeedHarness } from './harness';

describe.each(testEngines())('clip feed options on %s', (engine) => {
  let h: FeedHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const runs = async (runner: { runOnce(): Promise<unknown> }, times: number): Promise<void> => {
    for (let i = 0; i < times; i++) {
      h!.clock.advance(MINUTE);
      await runner.runOnce();
    }
  };

  /** The allowed_mentions of each message the bot posted in the channel, in order. */
  const allowedMentions = (channelId: string) =>
    h!.discord
      .requestsTo('POST', '/channels/:channelId/messages')
      .filter((r) => r.path.includes(`/channels/${channelId}/`))
      .map((r) => (r.body as { allowed_mentions?: unknown }).allowed_mentions);

  it('mentions the feed’s role in each clip post, allows no other mention, and pings nobody in an overflow summary', async () => {
    h = await startFeedHarness(engine);
    const role = snowflake();
    await h.addFeed({ mentionRoleId: role, maxPerHour: 2 });
    // A title that tries to ping everyone: the feed's allowed mentions keep it silent.
    h.clip('RolePing0', 0.2, { title: '@everyone look at this' });
    for (let i = 1; i < 4; i++) h.clip(`RolePing${i}`, 0.2 + i / 10);
    await runs(h.runner(), 2);
    const messages = h.messages();
    expect(h.postedClipIds()).toHaveLength(2);
    const posts = messages.filter((m) => m.startsWith('https://clips.twitch.tv/'));
    for (const post of posts) expect(post.split('\n').at(-1)).toBe(`<@&${role}>`);
    const summary = messages.find((m) => m.startsWith('📦'));
    expect(summary).toContain('**2 more clips**');
    expect(summary).not.toContain(`<@&${role}>`);
    expect(allowedMentions(h.channel.id)).toEqual([
      { parse: [], roles: [role] },
      { parse: [], roles: [role] },
      { parse: [], roles: [] },
    ]);
  });

  it('posts a clip a member shared first by default, and skips it in a feed told not to', async () => {
    h = await startFeedHarness(engine, {}, [{ name: 'clips-unshared' }]);
    const second = h.moreChannels[0]!;
    await h.addFeed();
    await h.addFeed({ channelId: second.id, postMemberShared: false });
    h.clip('SharedFirst', 0.2);
    h.clip('NobodyShared', 0.3);
    // A member shares the clip in another channel before the feed sees it: recorded by the capture service.
    const capture = createCaptureService(h.db, { logger: silentLogger(), clock: h.clock, batchMax: 10 });
    capture.write('a member shares a clip', (w) =>
      w.recordMessage({
        guildId: h!.guildId,
        channelId: snowflake(),
        threadId: null,
        messageId: snowflake(),
        authorId: snowflake(),
        authorName: 'viewer42',
        authorIsBot: false,
        postedAt: T0 + 0.5 * MINUTE,
        content: 'look https://clips.twitch.tv/SharedFirst',
        source: 'discord',
      }),
    );
    await capture.stop();
    await runs(h.runner(), 3);
    expect(h.postedClipIds().sort()).toEqual(['NobodyShared', 'SharedFirst']);
    expect(h.postedClipIds(second.id)).toEqual(['NobodyShared']);
  });

  /** The minutes (since T0) at which the runner asked Helix for the broadcaster's new clips, over `minutes` runs. */
  async function pollMinutes(minutes: number, clipEvery: number | null): Promise<number[]> {
    const runner = h!.runner();
    const polled: number[] = [];
    const windowPolls = () =>
      h!.helix.served('clips').filter((r) => r.query.get('broadcaster_id') === BROADCASTER && r.query.get('id') === null).length;
    let before = windowPolls();
    for (let minute = 1; minute <= minutes; minute++) {
      h!.clock.advance(MINUTE);
      // A clip made half a minute ago (the harness places clips by minutes since T0).
      if (clipEvery !== null && minute % clipEvery === 0) h!.clip(`Busy${minute}`, (h!.clock.now() - T0) / MINUTE - 0.5);
      await runner.runOnce();
      const now = windowPolls();
      if (now > before) polled.push(minute);
      before = now;
    }
    return polled;
  }

  it('polls a quiet channel less and less often, down to every 15 minutes, and a busy one every 2 minutes', async () => {
    h = await startFeedHarness(engine);
    await h.addFeed({ takingOff: false });
    // Quiet: 2, then 4, 8 and 15 minutes between polls.
    expect(await pollMinutes(60, null)).toEqual([1, 5, 13, 28, 43, 58]);
    // A clip every 5 minutes from now on: the poll due 15 minutes after the last quiet one sees them, and from then
    // on the channel is polled every 2 minutes.
    expect(await pollMinutes(30, 5)).toEqual([13, 15, 17, 19, 21, 23, 25, 27, 29]);
  });
});
