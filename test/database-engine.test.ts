// `npm start` with DATABASE_URL: one line naming PostgreSQL and the database without its password; a server that
// cannot be reached is one clear line and exit status 1; a reachable one is refused, naming what is not yet
// available on PostgreSQL, instead of starting half an app.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { describeDatabase } from '../src/database-engine';
import { announcePostgresSkip, TEST_DATABASE_URL } from './helpers/engines';

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

  it.skipIf(announcePostgresSkip())('refuses to start on a reachable PostgreSQL, naming what is not yet available there', async () => {
    const run = await start({ DATABASE_URL: TEST_DATABASE_URL });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^clipscope: not starting on PostgreSQL \(postgres:\/\/.*\): these parts are not yet available on PostgreSQL: live capture/,
    );
    expect(run.stderr).toContain('Unset DATABASE_URL to run on SQLite');
    expect(run.stdout).not.toContain('clipscope running');
  });
});
