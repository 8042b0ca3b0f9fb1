import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/db/client';
import { hashDatabaseContent } from '../../src/demo/content-hash';
import { generateCommunity } from '../../src/demo/generator';
import { buildCommunityInParallel, planParts } from '../../src/demo/parallel-build';
import { createTempDb, type TempDb } from '../helpers/temp-db';

const OPTIONS = { clips: 600, seed: 13, endAt: Date.UTC(2026, 10, 1), guilds: 4 };
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

describe('parallel community build', () => {
  it('splits guilds so the workers carry similar loads', () => {
    expect(planParts([200, 100, 90, 60, 50], 2)).toEqual([
      [0, 4],
      [1, 2, 3],
    ]);
    expect(planParts([10, 5], 4)).toEqual([[0], [1]]);
    expect(planParts([7], 1)).toEqual([[0]]);
  });

  it('writes the same content as a single-process build, with no part files left behind', async () => {
    const single: TempDb = createTempDb();
    cleanups.push(() => single.cleanup());
    generateCommunity(single.db, OPTIONS);
    const expected = hashDatabaseContent(single.db);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-parallel-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const out = path.join(dir, 'community.db');
    const progress: number[] = [];
    const summary = await buildCommunityInParallel({ ...OPTIONS, path: out, jobs: 2, onProgress: (done) => progress.push(done) });
    expect(summary.clips).toBe(600);
    expect(summary.guilds).toBe(4);
    expect(progress.at(-1)).toBe(600);
    const db = openDatabase({ path: out });
    try {
      expect(hashDatabaseContent(db)).toBe(expected);
      expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      closeDatabase(db);
    }
    expect(fs.readdirSync(dir).filter((f) => f.includes('.part'))).toEqual([]);
  });

  it('refuses to build over an existing file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-parallel-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const out = path.join(dir, 'community.db');
    fs.writeFileSync(out, 'keep me');
    await expect(buildCommunityInParallel({ ...OPTIONS, path: out, jobs: 2 })).rejects.toThrow('already exists');
    expect(fs.readFileSync(out, 'utf8')).toBe('keep me');
  });
});
