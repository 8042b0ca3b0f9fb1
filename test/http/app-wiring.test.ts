import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp, type App } from '../../src/app';
import { systemClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { createApiToken } from '../../src/auth/tokens';
import { createLogger } from '../../src/logger';
import { GUILD_A, GUILD_B, seedCommunity, shareNewClipOn } from '../fixtures/http-community';
import { databaseTarget, openDb } from '../../src/db/open';
import { queries } from '../../src/db/sql';
import { clearTables } from '../helpers/clear-tables';
import { createPostgresDatabase, testEngines, type TestPostgresDatabase } from '../helpers/engines';
import { createTempDb } from '../helpers/temp-db';
import { copyTables, RAW_TABLES } from '../analytics/community-seed';

function captureLogger(): { logger: ReturnType<typeof createLogger>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines };
}

// On PostgreSQL the app runs on the file's one database (DATABASE_URL), opened by openDb as the entry point does and
// emptied for each test.
describe.each(testEngines())('app wiring of the HTTP server on %s', (engine) => {
  let app: App | null = null;
  let dir = '';
  let postgres: TestPostgresDatabase | undefined;
  beforeAll(async () => {
    if (engine === 'postgres') postgres = await createPostgresDatabase('app-wiring');
  });
  afterAll(() => postgres?.drop());
  afterEach(async () => {
    await app?.stop();
    app = null;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The app over this engine's database, with `env` on top: the SQLite file in `dir`, or the PostgreSQL database. */
  const createEngineApp = async (env: Record<string, string>, logger: ReturnType<typeof createLogger>): Promise<App> => {
    if (!postgres)
      return createApp({ config: loadConfig({ DATABASE_PATH: path.join(dir, 'app.db'), ...env }), logger, clock: systemClock });
    const config = loadConfig({ DATABASE_URL: postgres.url, ...env });
    const db = await openDb(databaseTarget(config));
    await clearTables(db);
    return createApp({ config, logger, clock: systemClock, db });
  };

  it('starts the dashboard and API with npm start, logging the URL', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-app-'));
    const { logger, lines } = captureLogger();
    app = await createEngineApp({ HTTP_PORT: '0', HTTP_HOST: '127.0.0.1' }, logger);
    await app.start();
    expect(app.services.map((s) => s.name)).toContain('http');
    const url = lines.map((l) => l.url).find((u): u is string => typeof u === 'string');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ database: 'ok' });
    const page = await fetch(`${url}/`);
    expect(await page.text()).toContain('Clipscope');
    // Without the OAuth2 settings, one line says sign-in is off and which variables turn it on.
    const signIn = lines.filter((l) => String(l.msg).startsWith('Sign in with Discord'));
    expect(signIn).toHaveLength(1);
    expect(signIn[0]!.msg).toBe(
      'Sign in with Discord disabled (the dashboard takes API tokens only): set DISCORD_CLIENT_ID (or DISCORD_APPLICATION_ID), DISCORD_CLIENT_SECRET, PUBLIC_URL, DISCORD_TOKEN to enable it',
    );
  });

  it('serves the API from its worker thread: exposes the actual port, reads what the main thread writes, stops cleanly', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-app-'));
    const { logger, lines } = captureLogger();
    const started = await createEngineApp({ HTTP_PORT: '0', HTTP_HOST: '127.0.0.1', HTTP_CHANGE_CHECK_MS: '0' }, logger);
    app = started;
    if (engine === 'sqlite') seedCommunity(started.db);
    else {
      // The fixtures write SQLite: their rows (and the dirty hours capture marked) are copied over.
      const seed = createTempDb();
      try {
        seedCommunity(seed.db);
        await copyTables(seed.db, started.db, [...RAW_TABLES, 'dirty_hours']);
      } finally {
        seed.cleanup();
      }
    }
    const tokenA = (await createApiToken(started.db, { guildId: GUILD_A }, Date.now())).token;
    const tokenB = (await createApiToken(started.db, { guildId: GUILD_B }, Date.now())).token;
    expect(started.httpUrl).toBeNull();
    await started.start();

    const url = started.httpUrl;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:0$/);
    expect(lines.find((l) => typeof l.url === 'string')?.url).toBe(url);

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ database: 'ok' });
    expect((await fetch(`${url}/analytics/api/overview`)).status).toBe(401);

    const overview = (token: string) =>
      fetch(`${url}/analytics/api/overview`, { headers: { authorization: `Bearer ${token}` } }).then(async (res) => {
        expect(res.status).toBe(200);
        return (await res.json()) as { total_clips: number; top_creator: { name: string } | null };
      });
    expect(await overview(tokenA)).toMatchObject({ total_clips: 4, top_creator: { name: 'Alice' } });
    const guildB = await overview(tokenB);
    // The worker's connection wrote last_used_at; the main thread's connection sees it.
    const used = await queries(started.db).get<{ last_used_at: number | null }>('SELECT last_used_at FROM api_tokens WHERE guild_id = ?', [
      GUILD_A,
    ]);
    expect(used?.last_used_at).not.toBeNull();

    // A share captured on the main thread reaches the worker's answers (the change marker works across connections).
    await shareNewClipOn(started.db, GUILD_A, 'FreshFromMainThread', {
      views: 5,
      creator: ['c9', 'Newcomer'],
      at: Date.now(),
      messageId: '9001',
    });
    await vi.waitFor(async () => expect((await overview(tokenA)).total_clips).toBe(5), { timeout: 10_000, interval: 50 });
    expect(await overview(tokenB)).toEqual(guildB);

    await started.stop();
    app = null;
    expect(started.httpUrl).toBeNull();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(lines.some((l) => l.msg === 'stopped')).toBe(true);
  });

  it('fails to start with a clear error when the port is taken', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-app-'));
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as net.AddressInfo).port;
      const { logger } = captureLogger();
      app = await createEngineApp({ HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' }, logger);
      await expect(app.start()).rejects.toThrow(new RegExp(`HTTP server failed to start on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
      expect(app.httpUrl).toBeNull();
    } finally {
      await app?.stop();
      app = null;
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('leaves the HTTP server off when HTTP_ENABLED=false', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-app-'));
    const { logger, lines } = captureLogger();
    app = await createEngineApp({ HTTP_ENABLED: 'false' }, logger);
    await app.start();
    expect(app.services.map((s) => s.name)).not.toContain('http');
    expect(lines.some((l) => String(l.msg).includes('HTTP_ENABLED=false'))).toBe(true);
  });
});
