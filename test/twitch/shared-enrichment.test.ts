// Enrichment by several processes at once (ADR 0034), on both engines: clip claims keep every clip to one Helix
// lookup, and the budget row keeps the processes of one client id within Helix's bucket together. Each "process" is
// its own Twurple client, pacer and database handle over one database, against one fake Helix.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { readHelixBudget, takeHelixPoints, ensureHelixBudget, observeHelixBucket } from '../../src/db/stores/helix-budget';
import { claimClips, listClipClaims } from '../../src/db/stores/twitch-clips';
import { queries } from '../../src/db/sql';
import type { Db } from '../../src/db/database';
import { silentLogger } from '../../src/logger';
import { createTwitchApi } from '../../src/twitch/client';
import { enrichPending } from '../../src/twitch/enrich';
import { SharedHelixBudget } from '../../src/twitch/shared-budget';
import { FakeHelix, useFakeHelixPort } from '../fakes/helix';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

const T0 = Date.parse('2024-06-01T12:00:00Z');

describe.each(testEngines())('enrichment by two processes on %s', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(engine, 'helix-share');
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    for (const table of ['clips', 'dirty_hours', 'clip_view_history', 'twitch_clip_claims', 'helix_budgets', 'helix_grants'])
      await queries(t.db).run(`DELETE FROM ${table}`);
  });

  /** Pending clips as capture leaves them, `perStatement` rows per INSERT. */
  async function queue(db: Db, rows: readonly [guildId: string, clipId: string][], now: number): Promise<void> {
    for (let i = 0; i < rows.length; i += 200) {
      const part = rows.slice(i, i + 200);
      await queries(db).run(
        `INSERT INTO clips (guild_id, clip_id, url, first_seen_at, first_shared_at, last_updated_at, discord_shares)
         VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, 1)').join(', ')}`,
        part.flatMap(([g, c]) => [g, c, `https://clips.twitch.tv/${c}`, now, now, now]),
      );
    }
  }

  const states = async (): Promise<Record<string, number>> => {
    const rows = await queries(t.db).all<{ s: string; n: number }>(
      'SELECT enrichment_state AS s, count(*) AS n FROM clips GROUP BY enrichment_state ORDER BY 1',
    );
    return Object.fromEntries(rows.map((r) => [r.s, Number(r.n)]));
  };

  it('two runs with their own Twitch clients look each of 2,000 clips up once, and together never meet an empty bucket', async () => {
    // Twitch's 800-point bucket on a 6 s window (10× Twitch's pace, to keep the test short), empty at the start, so
    // the two processes' calls are paced by its refill from the first one.
    const points = 800;
    const windowMs = 6_000;
    const helix = new FakeHelix({ rateLimit: { points, windowMs, startEmpty: true } });
    const restore = useFakeHelixPort(await helix.start());
    // As large a pool as the first process's: four batches and the budget's takes at once.
    const other = await t.openAnother({ poolSize: 5 });
    try {
      helix.addGame('509658', 'Just Chatting');
      const rows: [string, string][] = [];
      for (let i = 0; i < 2000; i++) {
        const id = `Shared${String(i).padStart(4, '0')}-x`;
        helix.addClip({ id });
        rows.push([i % 2 === 0 ? 'g1' : 'g2', id]);
        if (i % 10 === 0) rows.push(['g3', id]);
      }
      await queue(t.db, rows, T0);
      const clock = new ManualClock(T0);
      const process = (db: Db, name: string) => {
        const logger = silentLogger();
        const sharedBudget = new SharedHelixBudget({
          db,
          clientId: helix.clientId,
          logger,
          points,
          windowMs,
        });
        const twitch = createTwitchApi({
          clientId: helix.clientId,
          clientSecret: helix.clientSecret,
          logger,
          retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 20 },
          requestTimeoutMs: 10_000,
          // 10 ids a call: 200 Get Clips calls.
          idsPerCall: 10,
          pacing: { points, windowMs, initialPoints: 0 },
          sharedBudget,
        });
        const run = enrichPending({ db, clock, logger, twitch, maxAttempts: 3, claimHolder: name }, { concurrency: 4 });
        return { run, sharedBudget };
      };
      const a = process(t.db, 'process-a');
      const b = process(other.db, 'process-b');
      const [ra, rb] = await Promise.all([a.run, b.run]);

      const looked = helix.served('clips').flatMap((r) => r.query.getAll('id'));
      expect(looked.length).toBe(2000);
      expect(new Set(looked).size).toBe(2000);
      expect(ra.enriched + rb.enriched).toBe(2000);
      // Both took part: the claims split the queue between them.
      expect(ra.enriched).toBeGreaterThan(0);
      expect(rb.enriched).toBeGreaterThan(0);
      const helixCalls = helix.requests.filter((r) => r.kind === 'helix');
      expect(helixCalls.filter((r) => r.status === 429)).toEqual([]);
      // The reserve held: no answer ever said the bucket was empty.
      expect(Math.min(...helixCalls.map((r) => r.remaining ?? points))).toBeGreaterThanOrEqual(1);
      expect(await states()).toEqual({ done: rows.length });
      expect(await listClipClaims(t.db)).toEqual([]);
      expect(a.sharedBudget.stats.grants).toBeGreaterThan(0);
      expect(b.sharedBudget.stats.grants).toBeGreaterThan(0);
      expect(a.sharedBudget.stats.unpaced + b.sharedBudget.stats.unpaced).toBe(0);
    } finally {
      await other.close();
      await helix.stop();
      restore();
    }
  }, 120_000);

  it('passes over clips a live holder claimed and takes them over once its claim expired', async () => {
    const helix = new FakeHelix();
    const restore = useFakeHelixPort(await helix.start());
    try {
      const ids = Array.from({ length: 150 }, (_, i) => `Held${String(i).padStart(3, '0')}-x`);
      for (const id of ids) helix.addClip({ id });
      helix.addGame('509658', 'Just Chatting');
      await queue(
        t.db,
        ids.map((id) => ['g1', id]),
        T0,
      );
      const clock = new ManualClock(T0);
      // A process killed mid-batch: its claims on 50 clips stay behind, good for another minute.
      const dead = ids.slice(40, 90);
      expect(await claimClips(t.db, { ids: dead, holder: 'killed-process', now: T0, expiresAt: T0 + 60_000 })).toHaveLength(50);
      const logger = silentLogger();
      const twitch = createTwitchApi({
        clientId: helix.clientId,
        clientSecret: helix.clientSecret,
        logger,
        retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 20 },
        sharedBudget: new SharedHelixBudget({ db: t.db, clientId: helix.clientId, logger, initialPoints: 800 }),
        pacing: { initialPoints: 800 },
      });
      const deps = { db: t.db, clock, logger, twitch, maxAttempts: 3 };

      const first = await enrichPending(deps);
      expect(first.enriched).toBe(100);
      const looked = new Set(helix.served('clips').flatMap((r) => r.query.getAll('id')));
      expect(dead.filter((id) => looked.has(id))).toEqual([]);
      expect(await states()).toEqual({ done: 100, pending: 50 });
      expect((await listClipClaims(t.db)).map((c) => c.holder)).toEqual(dead.map(() => 'killed-process'));

      clock.advance(60_000);
      const second = await enrichPending(deps);
      expect(second.enriched).toBe(50);
      const all = helix.served('clips').flatMap((r) => r.query.getAll('id'));
      expect(all.length).toBe(150);
      expect(new Set(all).size).toBe(150);
      expect(await states()).toEqual({ done: 150 });
      expect(await listClipClaims(t.db)).toEqual([]);
    } finally {
      await helix.stop();
      restore();
    }
  });

  it('claims a clip for one holder at a time, and for another once the claim expired', async () => {
    expect(await claimClips(t.db, { ids: ['c2', 'c1', 'c1'], holder: 'a', now: 1000, expiresAt: 2000 })).toEqual(
      expect.arrayContaining(['c1', 'c2']),
    );
    expect(await claimClips(t.db, { ids: ['c1', 'c3'], holder: 'b', now: 1500, expiresAt: 2500 })).toEqual(['c3']);
    // The holder itself may claim again (a retried batch).
    expect((await claimClips(t.db, { ids: ['c1'], holder: 'a', now: 1500, expiresAt: 3000 })).sort()).toEqual(['c1']);
    expect(await claimClips(t.db, { ids: ['c2'], holder: 'b', now: 2000, expiresAt: 4000 })).toEqual(['c2']);
    expect((await listClipClaims(t.db)).map((c) => [c.clipId, c.holder, c.expiresAt])).toEqual([
      ['c1', 'a', 3000],
      ['c2', 'b', 4000],
      ['c3', 'b', 2500],
    ]);
  });

  it('hands out no more points than the bucket refills, whichever process asks', async () => {
    let now = 0;
    const logger = silentLogger();
    const other = await t.openAnother();
    try {
      const make = (db: Db) =>
        new SharedHelixBudget({
          db,
          clientId: 'client-x',
          logger,
          grantPoints: 20,
          reserve: 2,
          points: 800,
          windowMs: 60_000,
          now: () => now,
          sleep: async (ms) => {
            now += ms;
          },
        });
      const budgets = [make(t.db), make(other.db)];
      for (let i = 0; i < 400; i++) {
        await budgets[i % 3 === 0 ? 1 : 0]!.take();
        const granted = budgets[0]!.stats.granted + budgets[1]!.stats.granted;
        // From an empty bucket at 800 a minute (75 ms a point), keeping 2 back.
        expect(granted).toBeLessThanOrEqual(Math.floor(now / 75) - 2);
      }
      expect(budgets[0]!.stats.waits + budgets[1]!.stats.waits).toBeGreaterThan(0);
      // Twitch says the bucket is lower than the model (someone else spent it): the model comes down to it.
      await observeHelixBucket(t.db, { clientId: 'client-x', limit: 800, remaining: 0, at: now, now, windowMs: 60_000 });
      expect(await takeHelixPoints(t.db, { clientId: 'client-x', holder: 'probe', want: 5, reserve: 2, now, grantTtlMs: 0 })).toEqual({
        granted: 0,
        waitMs: 225,
      });
      // A higher figure is points held in grants: the model is not raised by it.
      await observeHelixBucket(t.db, { clientId: 'client-x', limit: 800, remaining: 700, at: now, now, windowMs: 60_000 });
      expect((await readHelixBudget(t.db, 'client-x'))?.points).toBe(0);
      await ensureHelixBudget(t.db, { clientId: 'client-x', capacity: 800, windowMs: 60_000, initialPoints: 800, now });
      expect((await readHelixBudget(t.db, 'client-x'))?.points).toBe(0);
      expect(
        await takeHelixPoints(t.db, { clientId: 'client-x', holder: 'probe', want: 5, reserve: 2, now: now + 75 * 4, grantTtlMs: 0 }),
      ).toEqual({
        granted: 2,
        waitMs: 0,
      });
    } finally {
      await other.close();
    }
  });
});
