import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAnalyticsSection } from '../../bench/analytics';
import { captureStorageSection } from '../../bench/capture-storage';
import { databaseSizeSection } from '../../bench/database-size';
import { ratio, single, summarise } from '../../bench/measure';
import { formatTable, type BenchResults } from '../../bench/run';
import { reportSection } from '../../bench/report';
import { SECTIONS } from '../../bench/sections';
import { takeoffSection } from '../../bench/takeoff';
import type { BenchContext } from '../../bench/types';
import { closeDatabase, openDatabase } from '../../src/db/client';
import { hashDatabaseContent } from '../../src/demo/content-hash';
import { generateCommunity } from '../../src/demo/generator';

const END = Date.UTC(2026, 0, 1);
const dirs: string[] = [];
afterEach(() => {
  while (dirs.length > 0) fs.rmSync(dirs.pop()!, { recursive: true, force: true });
});

function tinyDataset(clips: number): { ctx: BenchContext; hash: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-bench-test-'));
  dirs.push(dir);
  const file = path.join(dir, 'community.db');
  const db = openDatabase({ path: file });
  generateCommunity(db, { clips, seed: 5, endAt: END, guilds: 2 });
  const hash = hashDatabaseContent(db);
  closeDatabase(db);
  const workDir = path.join(dir, 'work');
  fs.mkdirSync(workDir);
  return { ctx: { size: String(clips), clips, seed: 5, endAt: END, databasePath: file, runs: 1, workDir, log: () => {} }, hash };
}

function contentHash(file: string): string {
  const db = openDatabase({ path: file, migrate: false });
  try {
    return hashDatabaseContent(db);
  } finally {
    closeDatabase(db);
  }
}

describe('benchmark harness', () => {
  it('summarises runs as median, min and max', () => {
    expect(summarise([5, 1, 3])).toMatchObject({ median: 3, min: 1, max: 5 });
    expect(summarise([4, 1, 3, 2])).toMatchObject({ median: 2.5, min: 1, max: 4 });
    expect(() => summarise([])).toThrow();
    const r = ratio('x', { ...single('a', 10, 'u'), min: 8, max: 12 }, { ...single('b', 5, 'u'), min: 4, max: 6 }, '');
    expect(r).toMatchObject({ value: 2, min: 8 / 6, max: 3 });
  });

  it('has uniquely named sections', () => {
    const names = SECTIONS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['capture', 'enrichment', 'analytics', 'http', 'import', 'db']));
  });

  it('measures capture on a copy of the dataset, never the dataset itself', async () => {
    const { ctx, hash } = tinyDataset(600);
    const figures = await captureStorageSection(120).run(ctx);
    const byName = new Map(figures.map((f) => [f.name, f]));
    for (const name of ['capture.storage_events_per_s', 'capture.floor_batched_events_per_s', 'capture.floor_one_txn_events_per_s']) {
      const f = byName.get(name);
      expect(f?.value).toBeGreaterThan(0);
      expect(f?.runs).toBe(1);
      expect(f?.min).toBeLessThanOrEqual(f?.value ?? 0);
    }
    const ratioFigure = byName.get('capture.storage_vs_batched_floor');
    expect(ratioFigure?.value).toBeCloseTo(
      byName.get('capture.storage_events_per_s')!.value / byName.get('capture.floor_batched_events_per_s')!.value,
      6,
    );
    expect(contentHash(ctx.databasePath)).toBe(hash);
    const copy = path.join(ctx.workDir, 'capture.db');
    const db = openDatabase({ path: copy, migrate: false });
    const shares = (db.$client.prepare('SELECT count(*) AS n FROM shares').get() as { n: number }).n;
    const original = openDatabase({ path: ctx.databasePath, migrate: false });
    const before = (original.$client.prepare('SELECT count(*) AS n FROM shares').get() as { n: number }).n;
    closeDatabase(original);
    closeDatabase(db);
    expect(shares).toBeGreaterThan(before);
  });

  it('measures aggregation and reads on a copy of the dataset, beside the floor and the raw baseline', async () => {
    const { ctx, hash } = tinyDataset(600);
    const figures = await createAnalyticsSection({ readCalls: 20, rawCalls: 5 }).run(ctx);
    const byName = new Map(figures.map((f) => [f.name, f]));
    for (const name of [
      'analytics.bare_group_by_s',
      'analytics.full_aggregation_s',
      'analytics.incremental_1000_events_s',
      'analytics.incremental_1000_scattered_events_s',
    ]) {
      expect(byName.get(name)?.value).toBeGreaterThan(0);
    }
    expect(byName.get('analytics.full_vs_floor')?.value).toBeCloseTo(
      byName.get('analytics.full_aggregation_s')!.value / byName.get('analytics.bare_group_by_s')!.value,
      6,
    );
    for (const key of ['overview', 'top_creators', 'top_creators_day', 'top_games', 'timeline', 'peak_times']) {
      const p50 = byName.get(`analytics.read_${key}_p50_ms`);
      const p99 = byName.get(`analytics.read_${key}_p99_ms`);
      expect(p50?.value).toBeGreaterThan(0);
      expect(p99!.value).toBeGreaterThanOrEqual(p50!.value);
      expect(byName.get(`analytics.speedup_${key}_p99`)?.value).toBeCloseTo(
        byName.get(`analytics.raw_${key}_p99_ms`)!.value / p99!.value,
        6,
      );
    }
    expect(byName.get('analytics.read_viral_p99_ms')?.value).toBeGreaterThan(0);
    expect(byName.has('analytics.raw_viral_p99_ms')).toBe(false);
    // The section worked on its copy: the summaries are there, the dataset is untouched.
    expect(contentHash(ctx.databasePath)).toBe(hash);
    const db = openDatabase({ path: path.join(ctx.workDir, 'analytics.db'), migrate: false });
    const summaries = (db.$client.prepare('SELECT count(*) AS n FROM creator_analytics').get() as { n: number }).n;
    const added = (db.$client.prepare("SELECT count(*) AS n FROM shares WHERE message_id LIKE 'bench-%'").get() as { n: number }).n;
    closeDatabase(db);
    expect(summaries).toBeGreaterThan(0);
    expect(added).toBeGreaterThan(0);
  });

  it('reports the database size per clip from the file and its tables', async () => {
    const { ctx } = tinyDataset(500);
    const figures = await databaseSizeSection.run(ctx);
    const byName = new Map(figures.map((f) => [f.name, f.value]));
    expect(byName.get('db.bytes_per_clip')! * 500).toBe(fs.statSync(ctx.databasePath).size);
    expect(byName.get('db.raw_bytes_per_clip')).toBeLessThan(byName.get('db.bytes_per_clip')!);
    expect(byName.get('db.clips_bytes_per_clip')).toBeGreaterThan(0);
    expect(byName.get('db.summary_bytes_per_clip')).toBeGreaterThanOrEqual(0);
  });

  it('measures the clip feed and taking-off alerts on a copy of the dataset, with a precision above a random pick', async () => {
    const { ctx, hash } = tinyDataset(4000);
    const figures = await takeoffSection.run(ctx);
    const byName = new Map(figures.map((f) => [f.name, f.value]));
    expect(byName.get('takeoff.poll_decide_ms_per_broadcaster')).toBeGreaterThan(0);
    expect(byName.get('takeoff.floor_get_clips_ms_per_broadcaster')).toBeGreaterThan(0);
    expect(byName.get('takeoff.detect_ms_per_1k_clips')).toBeGreaterThan(0);
    expect(byName.get('takeoff.alerted_share_pct')).toBeGreaterThan(0);
    // Alerted clips end in the top 10 % more often than a random tenth would.
    expect(byName.get('takeoff.precision_lift')).toBeGreaterThan(1);
    expect(contentHash(ctx.databasePath)).toBe(hash);
  }, 120_000);

  it("measures a month's PDF report on a copy of the dataset: its reads, its drawing and one chart alone", async () => {
    const { ctx, hash } = tinyDataset(600);
    const figures = await reportSection.run(ctx);
    const byName = new Map(figures.map((f) => [f.name, f.value]));
    for (const name of ['report.collect_ms', 'report.pdf_ms', 'report.floor_one_chart_ms', 'report.pdf_kib'])
      expect(byName.get(name), name).toBeGreaterThan(0);
    expect(byName.get('report.pdf_pages')).toBeGreaterThanOrEqual(2);
    expect(contentHash(ctx.databasePath)).toBe(hash);
  }, 120_000);

  it('prints every figure in a Markdown table with the machine and commit', () => {
    const results = {
      size: 'S',
      clips: 10_000,
      date: '2026-11-25T17:00:00.000Z',
      git: { commit: 'abc123', dirty: false },
      machine: { node: 'v20', cpu: 'Test CPU', cores: 2 },
      figures: [
        {
          ...single('capture.storage_events_per_s', 12_345.6, 'events/s'),
          size: 'S',
          commit: 'abc123',
          node: 'v20',
          cpu: 'Test CPU',
          date: '',
        },
      ],
    } as unknown as BenchResults;
    const table = formatTable(results);
    expect(table).toContain('| capture.storage_events_per_s | 12,346 | 12,346 | 12,346 | events/s |    1 |');
    expect(table).toContain('commit abc123');
    expect(table).toContain('Test CPU × 2');
  });
});
