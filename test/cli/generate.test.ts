import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index';
import { closeDatabase, openDatabase } from '../../src/db/client';
import { hashDatabaseContent } from '../../src/demo/content-hash';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length > 0) fs.rmSync(dirs.pop()!, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-generate-'));
  dirs.push(dir);
  return dir;
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await runCli(args, { stdout, stderr, env: {} });
  return { code, stdout: out, stderr: err };
}

function contentOf(file: string): { clips: number; hash: string } {
  const db = openDatabase({ path: file, migrate: false });
  try {
    const { n } = db.$client.prepare('SELECT count(*) AS n FROM clips').get() as { n: number };
    return { clips: n, hash: hashDatabaseContent(db) };
  } finally {
    closeDatabase(db);
  }
}

// SQLite only: `clipscope generate` writes a new SQLite file (--out PATH); it has no PostgreSQL target to test.
describe('clipscope generate', () => {
  it('writes a community of the requested size and prints what it wrote', async () => {
    const out = path.join(tempDir(), 'demo.db');
    const result = await cli(['generate', '--size', '400', '--out', out, '--seed', '3', '--end', '2026-11-01']);
    expect(result.stderr).toContain('Generating: 400/400 clips');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/400 clips \(\d+ shared in Discord\)/);
    expect(result.stdout).toContain('seed 3');
    expect(contentOf(out).clips).toBe(400);
  });

  it('refuses to overwrite an existing database unless told to, and then rebuilds the same content', async () => {
    const out = path.join(tempDir(), 'demo.db');
    expect((await cli(['generate', '--size', '300', '--out', out, '--end', '2026-11-01'])).code).toBe(0);
    const before = contentOf(out);
    const refused = await cli(['generate', '--size', '50', '--out', out, '--end', '2026-11-01']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('already exists; pass --force');
    expect(contentOf(out)).toEqual(before);
    const forced = await cli(['generate', '--size', '300', '--out', out, '--end', '2026-11-01', '--force']);
    expect(forced.code).toBe(0);
    expect(contentOf(out)).toEqual(before);
  });

  it('explains a bad size, seed or date without creating a file', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'x.db');
    const badSize = await cli(['generate', '--size', 'XL', '--out', out]);
    expect(badSize.code).toBe(2);
    expect(badSize.stderr).toContain('size must be S, M, L or a whole number of clips');
    const badSeed = await cli(['generate', '--size', 'S', '--out', out, '--seed', '1.5']);
    expect(badSeed.stderr).toContain('--seed must be a whole number');
    const badEnd = await cli(['generate', '--size', 'S', '--out', out, '--end', 'yesterday']);
    expect(badEnd.stderr).toContain('--end must be an ISO 8601 date');
    const badJobs = await cli(['generate', '--size', 'S', '--out', out, '--jobs', '0']);
    expect(badJobs.stderr).toContain('--jobs must be a whole number from 1 to 64');
    const noOut = await cli(['generate', '--size', 'S']);
    expect(noOut.stderr).toContain('--out PATH is required');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
