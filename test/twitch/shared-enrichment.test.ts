// Two enrichers over one database (docs/adr/0034-clip-claims-and-one-helix-budget.md), on both engines: each has its
// own database handle (SQLite connection or PostgreSQL pool, as a second process would open it), its own Twurple
// client and pacer, against one fake Helix. No clip is asked for twice, a storage failure releases the claims, a dead
// holder's claims are taken over at once, and the client id's one Helix bucket is never overdrawn.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client';
import type { Db } from '../../src/db/database';
import { isTransientDatabaseError } from '../../src/db/storage-errors';
import { claimClips, listClipClaims, readBudget, takeBudgetGrant } from '../../src/db/stores/helix-claims';
import { queries } from '../../src/db/sql';
import { silentLogger } from '../../src/logger';
import { newClaimHolder } from '../../src/twitch/claim-holder';
import { createTwitchApi, type TwurpleTwitchApi } from '../../src/twitch/client';
import { enrichmentQueueStatus, enrichPending, type EnrichmentDeps } from '../../src/twitch/enrich';
import { shareHelixBudget } from '../../src/twitch/shared-budget';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { startTwitchHarness, type TwitchHarness } from '../helpers/twitch';

const ROOT = path.resolve(__dirname, '../..');
const clipId = (i: number) => `Shared${String(i).padStart(4, '0')}-z`;

describe.each(testEngines())('shared enrichment on %s', (engine) => {
  let t: TestDatabase;
  let other: { db: Db; close(): Promise<void> };
  let h: TwitchHarness;
  beforeAll(async () => {
    t = await openTestDatabase(engine, 'shared-enrichment');
    other = await t.openAnother();
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });
  beforeEach(async () => {
    for (const table of ['clips', 'dirty_hours', 'clip_view_history', 'game_name_misses', 'helix_clip_claims', 'helix_budgets'])
      await queries(t.db).run(`DELETE FROM ${table}`);
  });
  afterEach(async () => {
    await h?.close();
  });

  /** A clip shared in `guildId`, waiting for enrichment, as capture writes it. */
  const shared = (guildId: string, id: string) =>
    queries(t.db).run(
      `INSERT INTO clips (guild_id, clip_id, url, first_seen_at, first_shared_at, last_updated_at, discord_shares) VALUES (?, ?, ?, ?, ?, ?, 1)`,
      [guildId, id, `https://clips.twitch.tv/${id}`, h.clock.now(), h.clock.now(), h.clock.now()],
    );
  const states = () =>
    queries(t.db).all<{ s: string; a: number; n: number }>(
      'SELECT enrichment_state AS s, enrichment_attempts AS a, count(*) AS n FROM clips GROUP BY enrichment_state, enrichment_attempts',
    );
  /** A second Twurple client on the same fake Helix, as another process of the same app would have. */
  const secondClient = (pacing?: { points: number; windowMs: number }): TwurpleTwitchApi =>
    createTwitchApi({
      clientId: h.helix.clientId,
      clientSecret: h.helix.clientSecret,
      logger: silentLogger(),
      retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 20 },
      requestTimeoutMs: 5000,
      pacing: pacing ? { ...pacing, initialPoints: pacing.points } : { points: 800, windowMs: 60_000, initialPoints: 800 },
      idsPerCall: pacing ? 1 : undefined,
    });
  const deps = (db: Db, twitch: TwurpleTwitchApi, overrides: Partial<EnrichmentDeps> = {}): EnrichmentDeps => ({
    db,
    clock: h.clock,
    logger: silentLogger(),
    twitch,
    maxAttempts: 3,
    backoff: { baseMs: 60_000, maxMs: 600_000 },
    random: () => 0.5,
    ...overrides,
  });

  it('enriches every due clip with two enrichers at once, asking Helix for each clip id once', async () => {
    h = await startTwitchHarness();
    h.helix.addGame('509658', 'Just Chatting');
    for (let i = 0; i < 450; i++) {
      h.helix.addClip({ id: clipId(i), view_count: i });
      await shared(i % 2 === 0 ? 'g1' : 'g2', clipId(i));
      if (i % 10 === 0) await shared('g3', clipId(i));
    }
    // A little latency per answer, so the two enrichers' batches overlap.
    h.helix.inject({ kind: 'slow', delayMs: 15 }, 1000, 'clips');
    const [a, b] = await Promise.all([
      enrichPending(deps(t.db, h.twitch), { concurrency: 2 }),
      enrichPending(deps(other.db, secondClient()), { concurrency: 2 }),
    ]);

    const counts = h.helix.requestedIds();
    expect(counts.size).toBe(450);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(a.enriched + b.enriched).toBe(450);
    expect(await states()).toEqual([{ s: 'done', a: 0, n: 495 }]);
    expect(await listClipClaims(t.db)).toEqual([]);
  });

  it('enriches every due clip with two clipscope enrich processes at once, asking Helix for each clip id once', async () => {
    h = await startTwitchHarness();
    h.helix.addGame('509658', 'Just Chatting');
    for (let i = 0; i < 600; i++) {
      h.helix.addClip({ id: clipId(i), view_count: i });
      await shared(i % 2 === 0 ? 'g1' : 'g2', clipId(i));
    }
    h.helix.inject({ kind: 'slow', delayMs: 30 }, 1000, 'clips');
    const env = {
      ...process.env,
      ...(engine === 'sqlite' ? { DATABASE_PATH: t.target } : { DATABASE_URL: t.target }),
      TWITCH_CLIENT_ID: h.helix.clientId,
      TWITCH_CLIENT_SECRET: h.helix.clientSecret,
      TWURPLE_MOCK_API_PORT: String(h.helix.port),
      LOG_LEVEL: 'silent',
    };
    const runs = await Promise.all([runEnrichProcess(env), runEnrichProcess(env)]);

    for (const run of runs) {
      // Each either drained the queue or stopped, in one line, because the other held every clip still due.
      if (run.code !== 0) expect(run.stderr).toMatch(/being enriched by another process: \S+:\d+:[0-9a-f]+ \(\d+ clips?, claims expire in/);
    }
    expect(runs.some((run) => run.code === 0)).toBe(true);
    const counts = h.helix.requestedIds();
    expect(counts.size).toBe(600);
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    expect(await states()).toEqual([{ s: 'done', a: 0, n: 600 }]);
    expect(await listClipClaims(t.db)).toEqual([]);
  }, 60_000);

  it('releases the claims of a batch whose write the database refused, so the next run enriches those clips', async () => {
    h = await startTwitchHarness();
    h.helix.addGame('509658', 'Just Chatting');
    for (let i = 0; i < 150; i++) {
      // Long titles: storing them needs new pages, which a full SQLite file refuses.
      h.helix.addClip({ id: clipId(i), title: 'a long title from Twitch '.repeat(100) });
      await shared('g1', clipId(i));
    }
    let refusing: { db: Db; close(): Promise<void> };
    if (engine === 'sqlite') {
      // No free pages left by earlier tests, then a few made on purpose (claims written and deleted): the claims still
      // fit and only the clip writes fail.
      await queries(t.db).run('VACUUM');
      const filler = newClaimHolder();
      await claimClips(t.db, { ...filler, clipIds: Array.from({ length: 150 }, (_, i) => clipId(i)), now: h.clock.now(), ttlMs: 1 });
      await queries(t.db).run('DELETE FROM helix_clip_claims');
      const full = openDatabase({ path: t.target, migrate: false });
      full.$client.pragma('max_page_count = 1');
      refusing = { db: full, async close() {} };
    } else {
      // PostgreSQL's own disk_full, raised for every change of a clip row.
      await queries(t.db).run(
        `CREATE OR REPLACE FUNCTION cs_test_disk_full() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END $$ LANGUAGE plpgsql`,
      );
      await queries(t.db).run('CREATE TRIGGER cs_test_disk_full BEFORE UPDATE ON clips FOR EACH ROW EXECUTE FUNCTION cs_test_disk_full()');
      refusing = {
        db: other.db,
        async close() {
          await queries(t.db).run('DROP TRIGGER cs_test_disk_full ON clips');
        },
      };
    }
    const failed = await enrichPending(deps(refusing.db, h.twitch)).then(
      () => null,
      (error: unknown) => error,
    );
    await refusing.close();

    expect(isTransientDatabaseError(failed)).toBe(true);
    expect(await listClipClaims(t.db)).toEqual([]);
    expect(await states()).toEqual([{ s: 'pending', a: 0, n: 150 }]);
    const next = await enrichPending(deps(other.db, secondClient()));
    expect(next.enriched).toBe(150);
    expect(await states()).toEqual([{ s: 'done', a: 0, n: 150 }]);
  });

  it("takes over at once the claims of a dead process on this host, and passes over a live one's", async () => {
    h = await startTwitchHarness();
    for (let i = 0; i < 60; i++) {
      h.helix.addClip({ id: clipId(i) });
      await shared('g1', clipId(i));
    }
    const deadPid = await exitedPid();
    const now = h.clock.now();
    const dead = { holder: `${os.hostname()}:${deadPid}:deadbeef`, host: os.hostname(), pid: deadPid };
    const live = newClaimHolder();
    const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => clipId(from + i));
    expect(await claimClips(t.db, { ...dead, clipIds: ids(0, 30), now, ttlMs: 600_000 })).toHaveLength(30);
    expect(await claimClips(other.db, { ...live, clipIds: ids(30, 40), now, ttlMs: 600_000 })).toHaveLength(10);

    const summary = await enrichPending(deps(t.db, h.twitch));

    expect(summary.enriched).toBe(50);
    expect(summary.heldElsewhere).toBe(10);
    const counts = h.helix.requestedIds();
    expect(ids(0, 30).every((id) => counts.get(id) === 1)).toBe(true);
    expect(ids(30, 40).some((id) => counts.has(id))).toBe(false);
    expect((await listClipClaims(t.db)).map((c) => c.holder)).toEqual(Array(10).fill(live.holder));
    expect(await enrichmentQueueStatus(t.db, h.clock.now())).toMatchObject({ pending: 10, done: 50 });
  });

  it('never overdraws the bucket of one client id when two processes take grants at once', async () => {
    // The store alone: 100 points per second, two takers on their own handles for 600 ms of real time.
    const clientId = 'shared-client';
    const capacity = 100;
    const windowMs = 1000;
    const start = Date.now();
    const taker = async (db: Db): Promise<number> => {
      let total = 0;
      while (Date.now() - start < 600) {
        const { granted } = await takeBudgetGrant(db, { clientId, now: Date.now(), capacity, windowMs, want: 20 });
        total += granted;
        if (granted === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return total;
    };
    const [x, y] = await Promise.all([taker(t.db), taker(other.db)]);
    const elapsed = Date.now() - start;
    // The bucket starts full; after that only the refill can be granted.
    expect(x + y).toBeLessThanOrEqual(capacity + Math.ceil((elapsed * capacity) / windowMs));
    expect(x).toBeGreaterThan(0);
    expect(y).toBeGreaterThan(0);
    expect((await readBudget(t.db, clientId))?.points).toBeGreaterThanOrEqual(0);
  });

  it('keeps two enrichers of one client id within the Helix bucket: Twitch never answers 429', async () => {
    const rate = { points: 100, windowMs: 1000 };
    h = await startTwitchHarness({ helix: { rateLimit: rate }, idsPerCall: 1, pacing: { ...rate, initialPoints: rate.points } });
    for (let i = 0; i < 400; i++) {
      h.helix.addClip({ id: clipId(i), game_id: '' });
      await shared('g1', clipId(i));
    }
    const second = secondClient(rate);
    const budget = { clock: { now: () => Date.now() }, logger: silentLogger(), clientId: h.helix.clientId, ...rate };
    shareHelixBudget(h.twitch, { db: t.db, ...budget });
    shareHelixBudget(second, { db: other.db, ...budget });

    const [a, b] = await Promise.all([
      enrichPending(deps(t.db, h.twitch), { concurrency: 2 }),
      enrichPending(deps(other.db, second), { concurrency: 2 }),
    ]);

    expect(a.enriched + b.enriched).toBe(400);
    expect(h.helix.requests.filter((r) => r.status === 429)).toEqual([]);
    // The grants came from the bucket row (a refused grant would fall back to each process's own model).
    expect(await readBudget(t.db, h.helix.clientId)).not.toBeNull();
    expect([...h.helix.requestedIds().values()].every((n) => n === 1)).toBe(true);
  }, 30_000);
});

/** `clipscope enrich` in a process of its own, as an operator runs it beside the service. */
function runEnrichProcess(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/clipscope.js'), 'enrich'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

/** The pid of a process that has exited (and been reaped), as a crashed enricher leaves behind. */
function exitedPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve(child.pid ?? -1));
  });
}
