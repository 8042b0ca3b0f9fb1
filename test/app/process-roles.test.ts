// Several `npm start` processes with different ROLES over one database, on both engines: two `jobs` processes run
// each tick of a job once between them (read from job_run_history), the survivor carries on when the other is
// killed with -9, and two `http` replicas give the same answers and both see new data.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/auth/tokens';
import { closeDatabase, openDatabase } from '../../src/db/client';
import type { Db } from '../../src/db/database';
import { closePostgres, openPostgres } from '../../src/db/postgres/engine';
import { recordMessage } from '../../src/capture/record-share';
import { listJobRunHistory, type JobRunRecord } from '../../src/db/stores/job-leases';
import { createPostgresDatabase, testEngines, type TestPostgresDatabase } from '../helpers/engines';
import { logLines, spawnApp, waitUntil, type Child } from '../reliability/child-process';

const GUILD = '100000000000000001';
const JOB = 'aggregate-incremental';

interface Running {
  child: Child;
  log: string;
}

const lines = (log: string): Record<string, unknown>[] => logLines(log);

const pidOf = (holder: string): number => Number(holder.split(':').at(-2));

describe.each(testEngines())('processes with roles on %s', (engine) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-roles-'));
  const started: Running[] = [];
  let pg: TestPostgresDatabase | null = null;
  let db: Db | null = null;

  afterAll(async () => {
    await Promise.all(started.map((r) => r.child.kill()));
    if (db) {
      if (engine === 'postgres') await closePostgres(db as never);
      else closeDatabase(db);
    }
    await pg?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs each job tick once across two jobs processes, survives a kill -9 of the holder, and serves the same answers from two http replicas', async () => {
    const database: Record<string, string> = {};
    if (engine === 'postgres') {
      pg = await createPostgresDatabase('roles');
      database.DATABASE_URL = pg.url;
      database.DATABASE_POOL_SIZE = '4';
    } else {
      database.DATABASE_PATH = path.join(dir, 'clipscope.db');
    }
    const common = { ...database, LOG_FORMAT: 'json', LOG_LEVEL: 'info', TZ: 'UTC' };
    const start = (name: string, env: Record<string, string>): Running => {
      const log = path.join(dir, `${name}.log`);
      const running = { child: spawnApp({ ...common, ...env }, log), log };
      started.push(running);
      return running;
    };
    const jobsEnv = { ROLES: 'jobs', AGGREGATE_INCREMENTAL_CRON: '* * * * * *', AGGREGATE_CRON: '0 0 1 1 *', JOB_LEASE_SECONDS: '2' };
    const httpEnv = { ROLES: 'http', HTTP_PORT: '0', HTTP_CACHE_SECONDS: '0', HTTP_READ_WORKERS: '0' };
    // All four start together on a new database: the migrations run once, the others wait for them.
    const jobs = [start('jobs-a', jobsEnv), start('jobs-b', jobsEnv)];
    const http = [start('http-a', httpEnv), start('http-b', httpEnv)];
    for (const r of [...jobs, ...http]) {
      await waitUntil(() => lines(r.log).some((l) => l.msg === 'clipscope running'), `${r.log} to start`, 90_000, 100);
    }
    db =
      engine === 'postgres'
        ? openPostgres({ url: database.DATABASE_URL!, poolSize: 2 })
        : openDatabase({ path: database.DATABASE_PATH!, migrate: false });
    const handle = db;

    const runs = async (): Promise<JobRunRecord[]> => (await listJobRunHistory(handle, JOB)).filter((r) => r.tick !== null);
    const waitForRuns = async (what: string, predicate: (rows: JobRunRecord[]) => boolean): Promise<JobRunRecord[]> => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const rows = await runs();
        if (predicate(rows)) return rows;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(rows)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };

    // Both processes schedule the job every second; the history shows the ticks and who ran each.
    const before = await waitForRuns('three ticks', (rows) => rows.filter((r) => r.finishedAt !== null).length >= 3);
    const holder = before.at(-1)!.holder;
    const victim = jobs.find((r) => r.child.process.pid === pidOf(holder))!;
    const survivor = jobs.find((r) => r !== victim)!;
    expect(victim).toBeDefined();
    await victim.child.kill();
    const killedAt = Date.now();

    // The survivor takes the ticks over (after the lease's expiry, if the kill came while the victim held it).
    const after = await waitForRuns(
      'three ticks run by the survivor after the kill',
      (rows) =>
        rows.filter((r) => r.startedAt >= killedAt && pidOf(r.holder) === survivor.child.process.pid && r.finishedAt !== null).length >= 3,
    );
    const ticks = after.map((r) => r.tick);
    expect(new Set(ticks).size, `each tick once: ${JSON.stringify(after)}`).toBe(ticks.length);
    expect(new Set(after.map((r) => pidOf(r.holder))).size).toBeLessThanOrEqual(2);
    expect(after.filter((r) => r.startedAt >= killedAt).every((r) => pidOf(r.holder) === survivor.child.process.pid)).toBe(true);

    // Two http replicas: the same request gets the same answer, and both see a share recorded after they started.
    const token = (await createApiToken(handle, { guildId: GUILD, name: 'roles test' }, Date.now())).token;
    const urls = http.map((r) => lines(r.log).find((l) => typeof l.url === 'string')!.url as string);
    const ask = async (url: string): Promise<unknown> => {
      const response = await fetch(`${url}/analytics/api/status`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      return response.json();
    };
    const first = await Promise.all(urls.map(ask));
    expect(first[1]).toEqual(first[0]);
    await recordMessage(
      handle,
      {
        guildId: GUILD,
        channelId: '100000000000000002',
        messageId: '100000000000000003',
        authorId: '100000000000000004',
        authorName: 'alice',
        authorIsBot: false,
        postedAt: Date.now(),
        content: 'https://clips.twitch.tv/RolesTestClip-1',
        source: 'discord',
      },
      Date.now(),
    );
    const deadline = Date.now() + 20_000;
    let answers = await Promise.all(urls.map(ask));
    while (JSON.stringify(answers[0]) === JSON.stringify(first[0]) || JSON.stringify(answers[1]) !== JSON.stringify(answers[0])) {
      if (Date.now() > deadline) throw new Error(`the replicas never both saw the new share: ${JSON.stringify(answers)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      answers = await Promise.all(urls.map(ask));
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]).not.toEqual(first[0]);
  }, 150_000);
});
