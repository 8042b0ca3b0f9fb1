// `npm start` with DATABASE_URL: one line naming PostgreSQL and the database without its password; a server that
// cannot be reached is one clear line and exit status 1; a reachable one is refused, naming what is not yet
// available on PostgreSQL, instead of starting half an app. The HTTP worker opens a pool of its own there
// (docs/adr/0011), its share of DATABASE_POOL_SIZE.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config';
import { describeDatabase, poolSizes } from '../src/database-engine';
import { closeDb, databaseTarget, openDb } from '../src/db/open';
import { startHttpWorker } from '../src/http/worker-thread';
import { silentLogger } from '../src/logger';
import { announcePostgresSkip, createPostgresDatabase, TEST_DATABASE_URL } from './helpers/engines';

const ROOT = path.resolve(import.meta.dirname, '..');

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function start(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(DISCORD_|TWITCH_|HTTP_|DATABASE_)/.test(key)));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...inherited, LOG_LEVEL: 'info', HTTP_ENABLED: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('engine selection', () => {
  it('selects PostgreSQL by DATABASE_URL and SQLite by DATABASE_PATH otherwise, and checks the pool settings', () => {
    expect(describeDatabase(loadConfig({ DATABASE_PATH: '/data/x.db' }))).toMatchObject({
      engine: 'sqlite',
      line: 'database: SQLite at /data/x.db',
    });
    const pg = loadConfig({ DATABASE_URL: 'postgres://clip:pw-secret@db:5432/clips?sslmode=require', DATABASE_POOL_SIZE: '8' });
    expect(describeDatabase(pg)).toEqual({
      engine: 'postgres',
      database: 'postgres://clip@db:5432/clips',
      line: 'database: PostgreSQL at postgres://clip@db:5432/clips (pool of 8)',
    });
    expect(pg.DATABASE_STATEMENT_TIMEOUT_MS).toBe(30_000);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://db/clips' })).toThrow(/DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE: expected a whole number from 1 to 1000/);
  });

  it('exits 1 with one clear line, without the password, when PostgreSQL cannot be reached', async () => {
    const port = await closedPort();
    const run = await start({ DATABASE_URL: `postgres://clipscope:hunter2-secret@127.0.0.1:${port}/clipscope` });
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toEqual([
      `clipscope: PostgreSQL is unreachable, not starting: cannot connect to PostgreSQL at postgres://clipscope@127.0.0.1:${port}/clipscope: connect ECONNREFUSED 127.0.0.1:${port}`,
    ]);
    expect(run.stdout).toContain(`database: PostgreSQL at postgres://clipscope@127.0.0.1:${port}/clipscope`);
    expect(run.stdout + run.stderr).not.toContain('hunter2');
  });

  it.skipIf(announcePostgresSkip())(
    'starts the whole product on PostgreSQL: migrates, serves /healthz from the HTTP worker, stops cleanly on SIGTERM',
    async () => {
      const database = await createPostgresDatabase('npm-start');
      const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(DISCORD_|TWITCH_|HTTP_|DATABASE_)/.test(key)));
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: ROOT,
        env: { ...inherited, LOG_LEVEL: 'info', LOG_FORMAT: 'json', HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', DATABASE_URL: database.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        await vi.waitFor(() => expect(out).toContain('clipscope running'), { timeout: 30_000, interval: 100 });
        const url = /dashboard at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1];
        expect(url, out).toBeDefined();
        const health = await fetch(`${url}/healthz`);
        expect(health.status).toBe(200);
        expect(await health.json()).toMatchObject({ database: 'ok' });
        child.kill('SIGTERM');
        expect(await exit).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
        await exit;
        await database.drop();
      }
    },
  );
});

describe('the HTTP worker on PostgreSQL', () => {
  it('shares DATABASE_POOL_SIZE between the main thread and the worker, at least one each', () => {
    expect(poolSizes({ DATABASE_POOL_SIZE: 20, HTTP_ENABLED: true })).toEqual({ main: 10, http: 10 });
    expect(poolSizes({ DATABASE_POOL_SIZE: 5, HTTP_ENABLED: true })).toEqual({ main: 3, http: 2 });
    expect(poolSizes({ DATABASE_POOL_SIZE: 1, HTTP_ENABLED: true })).toEqual({ main: 1, http: 1 });
    expect(poolSizes({ DATABASE_POOL_SIZE: 20, HTTP_ENABLED: false })).toEqual({ main: 20, http: 0 });
  });

  it.skipIf(announcePostgresSkip())(
    'serves from its thread on a pool of its own, named clipscope-http, and closes it on stop',
    async () => {
      const database = await createPostgresDatabase('http-worker');
      const config = loadConfig({ DATABASE_URL: database.url, DATABASE_POOL_SIZE: '4' });
      // The worker does not migrate: the main thread has, as here.
      await closeDb(await openDb(databaseTarget(config)));
      const worker = await startHttpWorker(
        {
          database: databaseTarget(config),
          poolSize: poolSizes(config).http,
          logLevel: 'silent',
          host: '127.0.0.1',
          port: 0,
          options: {
            corsOrigins: [],
            rateLimitPerMinute: 100,
            rateLimitPerIpPerMinute: 100,
            cacheSeconds: 0,
            changeCheckMs: 0,
            trustProxy: false,
          },
          signIn: null,
        },
        { logger: silentLogger() },
      );
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      try {
        // A well-formed token no row matches: the worker looks it up in PostgreSQL and refuses it.
        const res = await fetch(`${worker.url}/analytics/api/overview`, { headers: { authorization: `Bearer cs_${'B'.repeat(43)}` } });
        expect(res.status).toBe(401);
        const sessions = async () =>
          (
            await admin.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'clipscope-http'",
              [database.name],
            )
          ).rows[0]!.n;
        expect(await sessions()).toBeGreaterThanOrEqual(1);
        await worker.stop();
        expect(await sessions()).toBe(0);
      } finally {
        await admin.end();
        await database.drop();
      }
    },
  );
});
