// A full PostgreSQL pool: a request waits up to DATABASE_ACQUIRE_TIMEOUT_MS for a free connection, then the HTTP API
// answers 503 with Retry-After (never a hang, never a 500, no server details), and answers normally again once a
// connection is free. (The engine's named pool_exhausted error itself: test/db/engines.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/auth/tokens';
import type { Db } from '../../src/db/database';
import { closePostgres, openPostgres, type PostgresDb } from '../../src/db/postgres/engine';
import { migratePostgres } from '../../src/db/schema-postgres/migrate';
import type { HttpServer } from '../../src/http/server';
import { announcePostgresSkip, createPostgresDatabase, type TestPostgresDatabase } from '../helpers/engines';
import { bearer, startTestServer, TEST_NOW } from '../helpers/http-server';

const GUILD = '123456789012345678';
const ACQUIRE_MS = 400;

/** Holds every connection of `db`'s pool in open transactions until release() is called. */
async function holdEveryConnection(db: Db, connections: number): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const started: Promise<void>[] = [];
  const held: Promise<unknown>[] = [];
  for (let i = 0; i < connections; i++) {
    let begun!: () => void;
    started.push(new Promise<void>((resolve) => (begun = resolve)));
    held.push(
      db.transaction(async () => {
        begun();
        await released;
      }),
    );
  }
  await Promise.all(started);
  return {
    async release() {
      release();
      await Promise.all(held);
    },
  };
}

describe.skipIf(announcePostgresSkip())('a full PostgreSQL pool', () => {
  let database: TestPostgresDatabase;
  let db: PostgresDb;
  let server: HttpServer;
  let token: string;

  beforeAll(async () => {
    database = await createPostgresDatabase('pool-exhausted');
    db = openPostgres({ url: database.url, poolSize: 1, acquireTimeoutMs: ACQUIRE_MS });
    await migratePostgres(db.pool);
    token = (await createApiToken(db, { guildId: GUILD, name: 'pool' }, TEST_NOW)).token;
    ({ server } = await startTestServer(db));
  });
  afterAll(async () => {
    await server?.close();
    if (db) await closePostgres(db);
    await database?.drop();
  });

  // A well-formed token that no row matches: every request looks it up (one indexed read on the pool) and is refused.
  const unknown = `cs_${'A'.repeat(43)}`;
  const request = () => server.app.inject({ url: '/analytics/api/overview', headers: bearer(unknown) });

  it('answers 503 with Retry-After once the acquire timeout has passed, then serves again', async () => {
    // With a free connection the unknown token is looked up and refused: the database answered.
    expect((await request()).statusCode).toBe(401);

    const hold = await holdEveryConnection(db, 1);
    const t0 = performance.now();
    const busy = await request();
    const waited = performance.now() - t0;
    await hold.release();

    expect(busy.statusCode, busy.body).toBe(503);
    expect(busy.headers['retry-after']).toBe('5');
    expect(busy.json()).toEqual({
      error: 'database_unavailable',
      message: 'The database is busy (every connection in use, or the query ran past its time limit); retry in a few seconds.',
    });
    expect(busy.body).not.toContain('postgres://');
    expect(waited).toBeGreaterThanOrEqual(ACQUIRE_MS - 20);
    expect(waited).toBeLessThan(ACQUIRE_MS + 3_000);

    expect((await request()).statusCode).toBe(401);
  });
});
