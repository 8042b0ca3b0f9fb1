// The cluster bench section's plumbing at a tiny size on both engines: real ROLES=bot processes split over the
// shards capture every guild's stream exactly (the section checks the rows), and every figure comes out.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterSection } from '../../bench/cluster';
import { SECTIONS } from '../../bench/sections';
import type { BenchContext } from '../../bench/types';
import { openTestDatabase, testEngines } from '../helpers/engines';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe.each(testEngines())('the cluster section on %s', (engine) => {
  it('runs the stream through 1 and 2 bot processes and reports CPU, leases, lock waits and gateway memory', async () => {
    const t = await openTestDatabase(engine, 'bench-cluster');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-bench-cluster-'));
    dirs.push(dir);
    const ctx: BenchContext = {
      size: 'tiny',
      clips: 0,
      seed: 3,
      endAt: Date.UTC(2026, 0, 1),
      // SQLite: the section copies this file (the bots migrate their copy on start); PostgreSQL: it writes into the database.
      databasePath: engine === 'sqlite' ? t.target : path.join(dir, 'unused.db'),
      runs: 1,
      workDir: dir,
      engine,
      ...(engine === 'postgres' ? { postgresUrl: t.target } : {}),
      log: () => {},
    };
    try {
      const section = clusterSection({
        events: 120,
        guildsPerShard: 1,
        memoryGuilds: engine === 'sqlite' ? 8 : 0,
        rounds: 1,
        warmup: false,
        splits: [1, 2],
      });
      const figures = engine === 'sqlite' ? await section.run(ctx) : await section.postgres!.run!(ctx);
      const byName = new Map(figures.map((f) => [f.name, f]));
      for (const name of [
        'cluster.p1_events_per_s',
        'cluster.p1_events_per_cpu_s',
        'cluster.p2_events_per_s',
        'cluster.p2_events_per_cpu_s',
      ]) {
        expect(byName.get(name)?.value, name).toBeGreaterThan(0);
      }
      expect(byName.get('cluster.p2_cpu_vs_p1')?.value).toBeCloseTo(
        byName.get('cluster.p2_events_per_cpu_s')!.value / byName.get('cluster.p1_events_per_cpu_s')!.value,
        6,
      );
      expect(byName.get('cluster.p1_lease_ms')?.value).toBeGreaterThan(0);
      expect(byName.has('cluster.p4_events_per_s')).toBe(false);
      // Lock waits are sampled on PostgreSQL only (SQLite's busy waits happen inside SQLite).
      expect(byName.has('cluster.p2_lock_waits')).toBe(engine === 'postgres');
      expect(byName.get('cluster.p2_lock_wait_ms')?.value ?? 0).toBeGreaterThanOrEqual(0);
      // The memory run does not depend on the engine: measured once, on SQLite.
      if (engine === 'sqlite') {
        expect(Number.isFinite(byName.get('cluster.gateway_rss_mb_per_1000_guilds')?.value)).toBe(true);
        expect(byName.get('cluster.gateway_rss_mb_per_1000_guilds')?.note).toContain('8 GUILD_CREATEs');
      } else expect(byName.has('cluster.gateway_rss_mb_per_1000_guilds')).toBe(false);
    } finally {
      await t.close();
    }
  }, 600_000);
});

it('is a section of the benchmark, on both engines', () => {
  const section = SECTIONS.find((s) => s.name === 'cluster');
  expect(section?.postgres?.run).toBeTypeOf('function');
  expect(section?.sqlite).not.toBe(false);
});
