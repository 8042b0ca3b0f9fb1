// A process writing to PostgreSQL killed with SIGKILL, and its connections cut by the server
// (pg_terminate_backend, never a server restart: the server is shared), in the middle of a stream of batches:
// `clipscope copy` of a generated community. Run again, it continues where the last committed batch left off, and
// the copy verifies: every row present exactly once (row counts and per-guild checksums equal to the source's).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/db/client';
import { databaseChecksums } from '../../src/db/copy/checksum';
import { closePostgres, openPostgres } from '../../src/db/postgres/engine';
import { generateCommunity } from '../../src/demo/generator';
import { announcePostgresSkip, createPostgresDatabase, type TestPostgresDatabase } from '../helpers/engines';
import { spawnNode } from './child-process';

const END = Date.parse('2026-11-01T00:00:00Z');
/** Small batches, so that the stream lasts long enough to be cut in its middle. */
const BATCH = '10';

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Rows the copy has committed so far (0 until its progress table exists). */
async function committedRows(url: string): Promise<number> {
  return withClient(url, async (c) => {
    const exists = await c.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'clipscope_copy_progress'");
    if (exists.rowCount === 0) return 0;
    return Number((await c.query('SELECT coalesce(sum(rows_copied), 0) AS n FROM clipscope_copy_progress')).rows[0].n);
  });
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.skipIf(announcePostgresSkip())('a copy into PostgreSQL interrupted mid-stream', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-pg-faults-'));
  const source = path.join(dir, 'community.db');
  const logFile = path.join(dir, 'copy.log');
  let expected: Awaited<ReturnType<typeof databaseChecksums>>;
  const databases: TestPostgresDatabase[] = [];

  beforeAll(async () => {
    const db = openDatabase({ path: source });
    generateCommunity(db, { clips: 500, guilds: 2, seed: 11, endAt: END });
    expected = await databaseChecksums(db);
    closeDatabase(db);
  }, 60_000);
  afterAll(async () => {
    for (const database of databases) await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const copy = (url: string) => spawnNode(['src/cli/index.ts', 'copy', '--from', source, '--to', url, '--batch', BATCH], {}, logFile);

  /** The target's checksums equal the source's: every row there exactly once. */
  async function expectExactCopy(url: string): Promise<void> {
    const db = openPostgres({ url, poolSize: 2 });
    try {
      const actual = await databaseChecksums(db);
      expect(actual.tables).toEqual(expected.tables);
      expect(actual.guilds).toEqual(expected.guilds);
      expect(expected.tables.get('clips')?.rows).toBe(500);
    } finally {
      await closePostgres(db);
    }
  }

  it('continues after a SIGKILL and ends with every row exactly once', async () => {
    const database = await createPostgresDatabase('copy-kill');
    databases.push(database);
    const first = copy(database.url);
    await waitFor(async () => (await committedRows(database.url)) >= 300, 60_000, 'the copy to commit 300 rows');
    expect(await first.kill()).toBe(true);
    const kept = await committedRows(database.url);
    expect(kept).toBeGreaterThanOrEqual(300);

    const second = copy(database.url);
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(fs.readFileSync(logFile, 'utf8')).toMatch(/Finished the copy into postgres:\/\/\S+, verified:/);
    await expectExactCopy(database.url);
  }, 120_000);

  it('stops with one line when the server cuts its connections, and continues when run again', async () => {
    const database = await createPostgresDatabase('copy-cut');
    databases.push(database);
    fs.writeFileSync(logFile, '');
    const first = copy(database.url);
    await waitFor(async () => (await committedRows(database.url)) >= 300, 60_000, 'the copy to commit 300 rows');
    // Cut every connection of the copy, a few times over, so one lands inside a batch's transaction.
    const name = new URL(database.url).pathname.slice(1);
    for (let i = 0; i < 20 && first.process.exitCode === null; i++) {
      await withClient(database.url, (c) =>
        c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'clipscope-copy'", [
          name,
        ]),
      );
      await new Promise((r) => setTimeout(r, 20));
    }
    const outcome = await first.exited;
    const log = fs.readFileSync(logFile, 'utf8');
    if (outcome.code !== 0) {
      // The lost connection is one line naming the server (not the password) and what to do.
      expect(outcome).toEqual({ code: 1, signal: null });
      expect(log).toMatch(
        /\nclipscope copy: lost the connection to PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:5432\/\w+: .+; run the same command again to continue the copy\n$/,
      );
      const second = copy(database.url);
      expect(await second.exited).toEqual({ code: 0, signal: null });
    }
    expect(fs.readFileSync(logFile, 'utf8')).toMatch(/(Finished the copy|Copied) into postgres:\/\/\S+, verified:/);
    await expectExactCopy(database.url);
  }, 120_000);
});
