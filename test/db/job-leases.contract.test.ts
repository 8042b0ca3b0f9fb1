// The job lease and run history contract, the same on both engines: of concurrent takers exactly one wins, a tick
// runs once, an expired lease is taken over, a renewed one is not, and the history stays bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database';
import {
  listJobLeases,
  listJobRunHistory,
  recordJobRunFinished,
  recordJobRunStarted,
  releaseJobLease,
  renewJobLease,
  takeJobLease,
} from '../../src/db/stores/job-leases';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

describe.each(testEngines())('job leases on %s', (engine) => {
  let t: TestDatabase;
  const others: Array<{ db: Db; close(): Promise<void> }> = [];

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'job-leases', { poolSize: 8 });
    // Handles as other processes would open them: their own connection (SQLite) or pool (PostgreSQL).
    for (let i = 0; i < 3; i++) others.push(await t.openAnother());
  });

  afterAll(async () => {
    for (const other of others) await other.close();
    await t?.close();
  });

  const take = (db: Db, job: string, holder: string, now: number, tick: number | null, ttlMs = 1000) =>
    takeJobLease(db, { job, holder, now, ttlMs, tick });

  it('lets exactly one of many concurrent takers win a tick', async () => {
    const handles = [t.db, ...others.map((o) => o.db)];
    const attempts = handles.flatMap((db, i) => [0, 1, 2].map((j) => take(db, 'race', `p${i}-${j}`, 1000, 60_000)));
    const won = await Promise.all(attempts);
    expect(won.filter(Boolean)).toHaveLength(1);
    const [lease] = await listJobLeases(t.db);
    expect(lease).toMatchObject({ job: 'race', expiresAt: 2000, lastTick: 60_000, takenAt: 1000 });
    expect(lease?.holder).toBe(`p${Math.floor(won.indexOf(true) / 3)}-${won.indexOf(true) % 3}`);
  });

  it('runs a tick once: after the winner releases it, nobody takes the same tick, the next tick is free', async () => {
    expect(await take(t.db, 'once', 'a', 0, 5000)).toBe(true);
    expect(await take(others[0]!.db, 'once', 'b', 10, 5000)).toBe(false);
    await releaseJobLease(t.db, { job: 'once', holder: 'a', now: 20 });
    expect(await take(others[0]!.db, 'once', 'b', 30, 5000)).toBe(false);
    expect(await take(others[0]!.db, 'once', 'b', 40, 4000)).toBe(false);
    expect(await take(others[0]!.db, 'once', 'b', 50, 6000)).toBe(true);
  });

  it('lets a holder take its own unreleased lease again for a later tick, not for the same one', async () => {
    expect(await take(t.db, 'own', 'a', 0, 1000, 60_000)).toBe(true);
    expect(await take(t.db, 'own', 'a', 100, 1000, 60_000)).toBe(false);
    expect(await take(others[0]!.db, 'own', 'b', 100, 2000, 60_000)).toBe(false);
    expect(await take(t.db, 'own', 'a', 200, 2000, 60_000)).toBe(true);
  });

  it("takes over a killed holder's lease once it has expired, but not before", async () => {
    expect(await take(t.db, 'takeover', 'dead', 0, 1000, 3000)).toBe(true);
    // The holder is gone and never releases; the next tick comes before the lease expires, then after.
    expect(await take(others[1]!.db, 'takeover', 'alive', 2000, 2000)).toBe(false);
    expect(await take(others[1]!.db, 'takeover', 'alive', 3000, 3000)).toBe(true);
    expect((await listJobLeases(t.db)).find((l) => l.job === 'takeover')).toMatchObject({ holder: 'alive', lastTick: 3000 });
    // The dead holder's renewal (had it only stalled) no longer counts: the lease is someone else's.
    expect(await renewJobLease(t.db, { job: 'takeover', holder: 'dead', now: 3100, ttlMs: 3000 })).toBe(false);
  });

  it('keeps a renewed lease from being taken over', async () => {
    expect(await take(t.db, 'renewed', 'a', 0, 1000, 1000)).toBe(true);
    expect(await renewJobLease(t.db, { job: 'renewed', holder: 'a', now: 800, ttlMs: 1000 })).toBe(true);
    expect(await take(others[2]!.db, 'renewed', 'b', 1500, 1500)).toBe(false);
    expect(await take(others[2]!.db, 'renewed', 'b', 1800, 1800)).toBe(true);
  });

  it('lets a run by hand take a free lease without using up a tick', async () => {
    expect(await take(t.db, 'manual', 'a', 0, 1000)).toBe(true);
    expect(await take(others[0]!.db, 'manual', 'b', 100, null)).toBe(false);
    await releaseJobLease(t.db, { job: 'manual', holder: 'a', now: 200 });
    expect(await take(others[0]!.db, 'manual', 'b', 300, null)).toBe(true);
    expect((await listJobLeases(t.db)).find((l) => l.job === 'manual')).toMatchObject({ holder: 'b', lastTick: 1000 });
    await releaseJobLease(others[0]!.db, { job: 'manual', holder: 'b', now: 400 });
    expect(await take(t.db, 'manual', 'a', 500, 2000)).toBe(true);
  });

  it('records each run with its tick, holder, times and error, and keeps only the last runs of each job', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await recordJobRunStarted(t.db, { job: 'hist', tick: i * 1000, holder: `h${i % 2}`, startedAt: i * 1000 + 5 });
      await recordJobRunFinished(t.db, { id, job: 'hist', finishedAt: i * 1000 + 9, error: i === 3 ? 'Helix 503' : null }, 3);
      ids.push(id);
    }
    await recordJobRunStarted(t.db, { job: 'other', tick: null, holder: 'h0', startedAt: 1 });
    expect(await listJobRunHistory(t.db, 'hist')).toEqual(
      [2, 3, 4].map((i) => ({
        id: ids[i],
        job: 'hist',
        tick: i * 1000,
        holder: `h${i % 2}`,
        startedAt: i * 1000 + 5,
        finishedAt: i * 1000 + 9,
        error: i === 3 ? 'Helix 503' : null,
      })),
    );
    expect((await listJobRunHistory(t.db)).map((r) => r.job)).toEqual(['hist', 'hist', 'hist', 'other']);
  });
});
