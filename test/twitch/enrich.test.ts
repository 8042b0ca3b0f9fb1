import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger';
import { enrichmentQueueStatus, enrichPending, retryFailedClips, type EnrichmentDeps } from '../../src/twitch/enrich';
import { startTwitchHarness, type TwitchHarness } from '../helpers/twitch';

let h: TwitchHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function deps(harness: TwitchHarness, overrides: Partial<EnrichmentDeps> = {}): EnrichmentDeps {
  return {
    db: harness.temp.db,
    clock: harness.clock,
    logger: silentLogger(),
    twitch: harness.twitch,
    maxAttempts: 3,
    backoff: { baseMs: 60_000, maxMs: 600_000 },
    ...overrides,
  };
}

interface ClipRow {
  guild_id: string;
  clip_id: string;
  title: string | null;
  creator_id: string | null;
  creator_name: string | null;
  broadcaster_id: string | null;
  broadcaster_name: string | null;
  game_id: string | null;
  game_name: string | null;
  view_count: number;
  duration: number | null;
  thumbnail_url: string | null;
  clip_created_at: number | null;
  enrichment_state: string;
  enrichment_attempts: number;
  enrichment_error: string | null;
  enrichment_next_attempt_at: number;
  discord_shares: number;
}

function clipRows(harness: TwitchHarness, clipId?: string): ClipRow[] {
  const db = harness.temp.db.$client;
  return clipId === undefined
    ? db.prepare<[], ClipRow>('SELECT * FROM clips ORDER BY guild_id, clip_id').all()
    : db.prepare<[string], ClipRow>('SELECT * FROM clips WHERE clip_id = ? ORDER BY guild_id').all(clipId);
}

function slug(i: number): string {
  return `FunnyClip${String(i).padStart(4, '0')}-abc`;
}

describe('clip enrichment', () => {
  it('looks up 250 pending clips in exactly 3 Get Clips calls of at most 100 distinct ids', async () => {
    h = await startTwitchHarness();
    h.helix.addGame('509658', 'Just Chatting');
    const slugs = Array.from({ length: 250 }, (_, i) => slug(i));
    for (const s of slugs) h.helix.addClip({ id: s, view_count: 7 });
    for (let i = 0; i < 250; i += 10) h.share('g1', `m${i}`, slugs.slice(i, i + 10));

    const summary = await enrichPending(deps(h));

    const calls = h.helix.served('clips');
    expect(calls).toHaveLength(3);
    for (const call of calls) {
      const ids = call.query.getAll('id');
      expect(ids.length).toBeLessThanOrEqual(100);
      expect(new Set(ids).size).toBe(ids.length);
    }
    expect(calls.flatMap((c) => c.query.getAll('id')).sort()).toEqual([...slugs].sort());
    expect(summary).toMatchObject({ enriched: 250, notFound: 0, failed: 0, batches: 3 });
    expect(clipRows(h).every((r) => r.enrichment_state === 'done' && r.game_name === 'Just Chatting')).toBe(true);
    // One Get Games call for the one game of all 250 clips.
    expect(h.helix.served('games')).toHaveLength(1);
  });

  it('writes every Helix field Clipscope uses into the clip row', async () => {
    h = await startTwitchHarness();
    h.helix.addGame('32982', 'Grand Theft Auto V');
    h.helix.addClip({
      id: 'AwkwardHelplessSalamanderSwiftRage',
      title: 'the heist goes wrong',
      creator_id: '555',
      creator_name: 'ClipQueen',
      broadcaster_id: '777',
      broadcaster_name: 'BigStreamer',
      game_id: '32982',
      view_count: 1234,
      duration: 27.5,
      thumbnail_url: 'https://clips-media-assets2.twitch.tv/x-preview-480x272.jpg',
      created_at: '2024-05-30T08:15:00Z',
    });
    h.share('g1', 'm1', ['AwkwardHelplessSalamanderSwiftRage']);

    await enrichPending(deps(h));

    expect(clipRows(h)[0]).toMatchObject({
      title: 'the heist goes wrong',
      creator_id: '555',
      creator_name: 'ClipQueen',
      broadcaster_id: '777',
      broadcaster_name: 'BigStreamer',
      game_id: '32982',
      game_name: 'Grand Theft Auto V',
      view_count: 1234,
      duration: 27.5,
      thumbnail_url: 'https://clips-media-assets2.twitch.tv/x-preview-480x272.jpg',
      clip_created_at: Date.parse('2024-05-30T08:15:00Z'),
      enrichment_state: 'done',
      discord_shares: 1,
    });
    const history = h.temp.db.$client.prepare('SELECT clip_id, observed_at, view_count FROM clip_view_history').all();
    expect(history).toEqual([{ clip_id: 'AwkwardHelplessSalamanderSwiftRage', observed_at: h.clock.now(), view_count: 1234 }]);
  });

  it("fetches a clip shared in two guilds once and completes both guilds' rows", async () => {
    h = await startTwitchHarness();
    h.helix.addGame('509658', 'Just Chatting');
    h.helix.addClip({ id: 'SharedEverywhere-x1', view_count: 99 });
    h.helix.addClip({ id: 'OnlyInOne-x2', view_count: 5 });
    h.share('g1', 'm1', ['SharedEverywhere-x1', 'OnlyInOne-x2']);
    h.share('g2', 'm2', ['SharedEverywhere-x1']);

    await enrichPending(deps(h));

    const ids = h.helix.served('clips').flatMap((c) => c.query.getAll('id'));
    expect(ids.filter((id) => id === 'SharedEverywhere-x1')).toHaveLength(1);
    expect(clipRows(h, 'SharedEverywhere-x1').map((r) => [r.guild_id, r.enrichment_state, r.view_count])).toEqual([
      ['g1', 'done', 99],
      ['g2', 'done', 99],
    ]);
  });

  it('marks clips Twitch no longer returns as not_found and keeps them as shares', async () => {
    h = await startTwitchHarness();
    h.helix.addGame('509658', 'Just Chatting');
    h.helix.addClip({ id: 'StillThere-a1' });
    h.share('g1', 'm1', ['StillThere-a1', 'DeletedByStreamer-b2']);

    const summary = await enrichPending(deps(h));

    expect(summary).toMatchObject({ enriched: 1, notFound: 1 });
    expect(clipRows(h, 'DeletedByStreamer-b2')[0]).toMatchObject({ enrichment_state: 'not_found', discord_shares: 1 });
    expect(clipRows(h, 'StillThere-a1')[0]?.enrichment_state).toBe('done');
    // Gone only after a second lookup also leaves it out.
    expect(h.helix.served('clips').map((c) => c.query.getAll('id').includes('DeletedByStreamer-b2'))).toEqual([true, true]);
  });

  it('does not take a clip for deleted when one answer comes back short', async () => {
    h = await startTwitchHarness();
    h.helix.addGame('509658', 'Just Chatting');
    const slugs = Array.from({ length: 40 }, (_, i) => slug(i));
    for (const s of slugs) h.helix.addClip({ id: s });
    h.share('g1', 'm1', slugs);
    h.helix.inject({ kind: 'partial' }, 1, 'clips');

    const summary = await enrichPending(deps(h));

    expect(summary).toMatchObject({ enriched: 40, notFound: 0, processed: 40 });
    expect(clipRows(h).filter((r) => r.enrichment_state !== 'done')).toEqual([]);
    expect(h.helix.served('clips').map((c) => c.query.getAll('id').length)).toEqual([40, 20]);
  });

  it('gives up on a hung request after the timeout and retries it', async () => {
    h = await startTwitchHarness({ requestTimeoutMs: 200 });
    h.helix.addGame('509658', 'Just Chatting');
    h.helix.addClip({ id: 'Patient-p1' });
    h.share('g1', 'm1', ['Patient-p1']);
    h.helix.inject({ kind: 'slow', delayMs: 1500 }, 1, 'clips');

    await enrichPending(deps(h));

    expect(clipRows(h)[0]?.enrichment_state).toBe('done');
    expect(h.helix.requests.filter((r) => r.endpoint === 'clips')).toHaveLength(2);
  });

  it('resolves game names in batches of at most 100 ids and keeps an empty game id as the unknown game', async () => {
    h = await startTwitchHarness();
    const slugs: string[] = [];
    for (let i = 0; i < 150; i++) {
      h.helix.addGame(`g${i}`, `Game number ${i}`);
      h.helix.addClip({ id: slug(i), game_id: `g${i}` });
      slugs.push(slug(i));
    }
    h.helix.addClip({ id: 'NoGameAtAll-zz', game_id: '' });
    slugs.push('NoGameAtAll-zz');
    for (let i = 0; i < slugs.length; i += 20) h.share('g1', `m${i}`, slugs.slice(i, i + 20));

    await enrichPending(deps(h, {}), { concurrency: 1 });

    const gameCalls = h.helix.served('games');
    expect(gameCalls.length).toBeGreaterThanOrEqual(2);
    for (const call of gameCalls) expect(call.query.getAll('id').length).toBeLessThanOrEqual(100);
    expect(gameCalls.flatMap((c) => c.query.getAll('id'))).not.toContain('');
    expect(clipRows(h, slug(149))[0]).toMatchObject({ game_id: 'g149', game_name: 'Game number 149' });
    expect(clipRows(h, 'NoGameAtAll-zz')[0]).toMatchObject({ game_id: '', game_name: '', enrichment_state: 'done' });
  });

  it('rides out 429s, 500s, a dropped connection, a slow answer and malformed JSON without losing a clip', async () => {
    h = await startTwitchHarness();
    h.helix.addGame('509658', 'Just Chatting');
    const slugs = Array.from({ length: 300 }, (_, i) => slug(i));
    for (const s of slugs) h.helix.addClip({ id: s });
    for (let i = 0; i < 300; i += 50) h.share('g1', `m${i}`, slugs.slice(i, i + 50));
    h.helix.inject({ kind: 'rate_limited', resetInMs: 50 }, 1, 'clips');
    h.helix.inject({ kind: 'status', status: 503 }, 1, 'clips');
    h.helix.inject({ kind: 'drop' }, 1, 'clips');
    h.helix.inject({ kind: 'rate_limited_with_points' }, 1, 'clips');
    h.helix.inject({ kind: 'malformed' }, 1, 'clips');
    h.helix.inject({ kind: 'slow', delayMs: 300 }, 1, 'clips');

    const summary = await enrichPending(deps(h), { concurrency: 2 });

    expect(summary).toMatchObject({ enriched: 300, failed: 0, retrying: 0 });
    expect(clipRows(h).filter((r) => r.enrichment_state !== 'done')).toEqual([]);
    const statuses = h.helix.requests.filter((r) => r.endpoint === 'clips').map((r) => r.status);
    expect(statuses).toEqual(expect.arrayContaining([429, 503, -1, 200]));
  });

  it('keeps no call waiting forever behind a batch whose connections all failed', async () => {
    // Twurple's limiter leaves queued calls waiting when every call of a batch failed at the network level;
    // the call deadline retries them instead of letting the run hang.
    h = await startTwitchHarness({ retries: 0, callTimeoutMs: 1000 });
    h.helix.addGame('509658', 'Just Chatting');
    const slugs = Array.from({ length: 200 }, (_, i) => slug(i));
    for (const s of slugs) h.helix.addClip({ id: s });
    h.share('g1', 'm1', slugs.slice(0, 100));
    h.share('g1', 'm2', slugs.slice(100));
    h.helix.inject({ kind: 'drop' }, 4, 'clips');

    const summary = await enrichPending(deps(h), { concurrency: 2 });

    expect(summary.enriched + summary.retrying).toBe(200);
    const rows = clipRows(h);
    expect(rows.filter((r) => r.enrichment_state === 'done').length).toBe(summary.enriched);
    expect(rows.filter((r) => r.enrichment_state === 'pending' && r.enrichment_attempts === 1).length).toBe(summary.retrying);
  });

  it('reads the clip records of the Twitch CLI mock API, one id per call when told to', async () => {
    h = await startTwitchHarness({ idsPerCall: 1 });
    h.helix.addGame('509658', 'Just Chatting');
    for (const id of ['MockOne-m1', 'MockTwo-m2']) {
      // The mock API's shape: creator_login instead of creator_name, SQLite's datetime() for created_at.
      h.helix.addRawClip({
        id,
        broadcaster_id: '1001',
        broadcaster_name: 'MockStreamer',
        creator_id: '2002',
        creator_login: 'mockclipper',
        video_id: '',
        game_id: '509658',
        language: 'en',
        title: 'mock clip',
        view_count: 3,
        duration: 33.3,
        created_at: '2021-10-15 08:38:40',
        url: `https://clips.twitch.tv/${id}`,
        thumbnail_url: 'https://clips-media-assets2.twitch.tv/157589949-preview-480x272.jpg',
        embed_urL: `https://clips.twitch.tv/embed?clip=${id}`,
      });
    }
    h.share('g1', 'm1', ['MockOne-m1', 'MockTwo-m2']);

    await enrichPending(deps(h));

    expect(h.helix.served('clips').map((c) => c.query.getAll('id'))).toEqual([['MockOne-m1'], ['MockTwo-m2']]);
    expect(clipRows(h).map((r) => [r.clip_id, r.enrichment_state, r.creator_name, r.clip_created_at])).toEqual([
      ['MockOne-m1', 'done', 'mockclipper', Date.UTC(2021, 9, 15, 8, 38, 40)],
      ['MockTwo-m2', 'done', 'mockclipper', Date.UTC(2021, 9, 15, 8, 38, 40)],
    ]);
  });

  it('renews the app token when Twitch starts refusing it', async () => {
    h = await startTwitchHarness();
    h.helix.addGame('509658', 'Just Chatting');
    h.helix.addClip({ id: 'AfterRevoke-r1' });
    h.share('g1', 'm1', ['AfterRevoke-r1']);
    h.helix.inject({ kind: 'revoke_token' }, 1, 'clips');

    await enrichPending(deps(h));

    expect(h.helix.tokensIssued).toBe(2);
    expect(clipRows(h)[0]?.enrichment_state).toBe('done');
  });

  it('backs off after a failed batch, marks clips failed after the attempt limit, and retries them on request', async () => {
    h = await startTwitchHarness({ retries: 0 });
    h.helix.addGame('509658', 'Just Chatting');
    h.helix.addClip({ id: 'Unlucky-u1' });
    h.share('g1', 'm1', ['Unlucky-u1']);
    const d = deps(h, { maxAttempts: 3 });

    // Each run's only call gets a 429 that Twurple does not absorb; we retry 0 times so each run is one attempt.
    for (let attempt = 1; attempt <= 3; attempt++) {
      h.helix.inject({ kind: 'rate_limited_with_points' }, 1, 'clips');
      const summary = await enrichPending(d);
      expect(summary.batches).toBe(1);
      const row = clipRows(h)[0]!;
      expect(row.enrichment_attempts).toBe(attempt);
      expect(row.enrichment_error).toMatch(/HTTP 429/);
      if (attempt < 3) {
        expect(row.enrichment_state).toBe('pending');
        expect(row.enrichment_next_attempt_at).toBeGreaterThan(h.clock.now());
        // Not due yet: a run now takes nothing.
        expect((await enrichPending(d)).batches).toBe(0);
        h.clock.set(row.enrichment_next_attempt_at);
      } else {
        expect(row.enrichment_state).toBe('failed');
      }
    }
    expect(await enrichmentQueueStatus(h.temp.db, h.clock.now())).toMatchObject({ failed: 1, pending: 0 });
    expect((await enrichPending(d)).batches).toBe(0);

    expect(await retryFailedClips(h.temp.db, h.clock.now())).toBe(1);
    const summary = await enrichPending(d);
    expect(summary.enriched).toBe(1);
    expect(clipRows(h)[0]).toMatchObject({ enrichment_state: 'done', enrichment_attempts: 0, enrichment_error: null });
  });

  it('stops without charging clips an attempt when Twitch refuses the app credentials', async () => {
    h = await startTwitchHarness({ clientSecret: 'wrong-secret' });
    h.share('g1', 'm1', ['Whatever-w1']);

    await expect(enrichPending(deps(h))).rejects.toThrow(/TWITCH_CLIENT_SECRET/);
    expect(clipRows(h)[0]).toMatchObject({ enrichment_state: 'pending', enrichment_attempts: 0 });
    const stored = JSON.stringify(h.temp.db.$client.prepare('SELECT * FROM clips').all());
    expect(stored).not.toContain('wrong-secret');
  });

  it('marks the hours of the clip, its shares and their reactions (counted or named) dirty when enrichment changes them', async () => {
    h = await startTwitchHarness();
    h.helix.addGame('509658', 'Just Chatting');
    h.helix.addClip({ id: 'Dirty-d1', created_at: '2024-05-20T03:30:00Z' });
    const postedAt = Date.parse('2024-05-25T18:10:00Z');
    h.share('g1', 'm1', ['Dirty-d1'], postedAt);
    const reactedAt = Date.parse('2024-05-26T09:45:00Z');
    h.temp.db.$client
      .prepare(
        "INSERT INTO reactions (guild_id, channel_id, message_id, emoji_key, user_id, reacted_at) VALUES ('g1', 'c', 'm1', '🔥', 'u9', ?)",
      )
      .run(reactedAt);
    const observedAt = Date.parse('2024-05-27T14:05:00Z');
    h.temp.db.$client
      .prepare(
        "INSERT INTO reaction_baselines (guild_id, channel_id, message_id, emoji_key, anonymous_count, observed_at) VALUES ('g1', 'c', 'm1', '👍', 4, ?)",
      )
      .run(observedAt);
    h.temp.db.$client.prepare('DELETE FROM dirty_hours').run();

    await enrichPending(deps(h));

    const hours = h.temp.db.$client
      .prepare<[], { hour_start: number }>("SELECT hour_start FROM dirty_hours WHERE guild_id = 'g1' ORDER BY hour_start")
      .all()
      .map((r) => new Date(r.hour_start).toISOString());
    expect(hours).toEqual(['2024-05-20T03:00:00.000Z', '2024-05-25T18:00:00.000Z', '2024-05-26T09:00:00.000Z', '2024-05-27T14:00:00.000Z']);
  });
});
