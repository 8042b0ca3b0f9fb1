// DATABASE_CACHE_MB (docs/adr/0040): every SQLite connection Clipscope opens from the configuration gets that page
// cache, the app's own and the ones the HTTP worker and its read workers open from the same target; on PostgreSQL the
// setting is accepted and changes nothing (the server's shared_buffers is its cache).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app';
import { systemClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { closeDatabase, DEFAULT_DATABASE_CACHE_MB, openDatabase, type SqliteDb } from '../../src/db/client';
import { closeDb, databaseTarget, openDb } from '../../src/db/open';
import type { PostgresDb } from '../../src/db/postgres/engine';
import { silentLogger } from '../../src/logger';
import { announcePostgresSkip, createPostgresDatabase } from '../helpers/engines';

/** The connection's page cache in MB (a negative cache_size is KiB). */
const cacheMbOf = (db: unknown): number => -Number((db as SqliteDb).$client.pragma('cache_size', { simple: true })) / 1024;

describe('the SQLite page cache per connection', () => {
  let dir = '';
  let app: App | null = null;
  afterEach(async () => {
    await app?.stop();
    app = null;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  const file = (): string => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-cache-size-'));
    return path.join(dir, 'app.db');
  };

  it('gives the connection the app opens the configured DATABASE_CACHE_MB', () => {
    const config = loadConfig({ DATABASE_PATH: file(), DATABASE_CACHE_MB: '24', HTTP_ENABLED: 'false' });
    app = createApp({ config, logger: silentLogger(), clock: systemClock });
    expect(cacheMbOf(app.db)).toBe(24);
  });

  it('gives the same cache to a connection opened from the target the HTTP worker and read workers receive', async () => {
    const config = loadConfig({ DATABASE_PATH: file(), DATABASE_CACHE_MB: '40' });
    const target = databaseTarget(config);
    // The target crosses to the worker threads as plain data: the setting must travel inside it.
    expect(structuredClone(target)).toEqual({ engine: 'sqlite', path: config.DATABASE_PATH, cacheMb: 40 });
    const db = await openDb(target);
    try {
      expect(cacheMbOf(db)).toBe(40);
    } finally {
      await closeDb(db);
    }
  });

  it(`uses ${DEFAULT_DATABASE_CACHE_MB} MB when the setting is not given`, () => {
    expect(loadConfig({}).DATABASE_CACHE_MB).toBe(DEFAULT_DATABASE_CACHE_MB);
    const db = openDatabase({ path: file() });
    try {
      expect(cacheMbOf(db)).toBe(DEFAULT_DATABASE_CACHE_MB);
    } finally {
      closeDatabase(db);
    }
  });
});

describe.skipIf(announcePostgresSkip())('DATABASE_CACHE_MB on PostgreSQL', () => {
  it('is accepted and leaves the pool as it was (the server caches pages, not the client)', async () => {
    const database = await createPostgresDatabase('cache-size');
    try {
      const config = loadConfig({ DATABASE_URL: database.url, DATABASE_CACHE_MB: '8' });
      const target = databaseTarget(config);
      expect(target).not.toHaveProperty('cacheMb');
      const db = (await openDb(target)) as PostgresDb;
      try {
        const { rows } = await db.pool.query<{ ok: number }>('SELECT 1 AS ok');
        expect(rows).toEqual([{ ok: 1 }]);
      } finally {
        await closeDb(db);
      }
    } finally {
      await database.drop();
    }
  });
});
