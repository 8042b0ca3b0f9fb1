// The PostgreSQL engine on the real local server: statements, transactions and savepoints, the statement timeout,
// a full pool, a broken connection, type parsing confined to the pool, and URLs described without their secrets.
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionNow, readNow, run } from '../../src/db/client';
import { PostgresError } from '../../src/db/postgres/errors';
import { checkPostgres, closePostgres, describePostgresUrl, openPostgres, type PostgresDb } from '../../src/db/postgres/engine';
import { announcePostgresSkip, createPostgresDatabase, type TestPostgresDatabase } from '../helpers/engines';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('describePostgresUrl', () => {
  it('names user, host, port and database, never the password nor the query string', () => {
    const url = 'postgres://alice:s3cr%40t-pw@db.example.com:5433/clips?sslmode=require&password=other-secret';
    const described = describePostgresUrl(url);
    expect(described).toBe('postgres://alice@db.example.com:5433/clips');
    expect(described).not.toContain('s3cr');
    expect(described).not.toContain('other-secret');
    expect(describePostgresUrl('postgresql://db.internal/clipscope')).toBe('postgresql://db.internal/clipscope');
    expect(describePostgresUrl('postgres://:secret@')).not.toContain('secret');
    expect(describePostgresUrl('not a url with password hunter2')).not.toContain('hunter2');
  });
});

describe.skipIf(announcePostgresSkip())('PostgreSQL engine', () => {
  let database: TestPostgresDatabase;
  let db: PostgresDb;

  beforeAll(async () => {
    database = await createPostgresDatabase('engines');
    db = openPostgres({ url: database.url, poolSize: 4, statementTimeoutMs: 5000, acquireTimeoutMs: 2000 });
    await db.query('CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, amount numeric)');
  });

  afterAll(async () => {
    if (db) await closePostgres(db);
    await database?.drop();
  });

  it('connects, reports the server, and describes its location without credentials', async () => {
    const check = await checkPostgres(db);
    expect(check.serverVersion).toMatch(/^\d+/);
    expect(db.engine).toBe('postgres');
    expect(db.location).toBe(describePostgresUrl(database.url));
    expect(db.inTransaction).toBe(false);
  });

  it('returns bigint and numeric as numbers through this pool only, leaving pg’s global parsers alone', async () => {
    const { rows } = await db.query<{ big: number; amount: number; n: number }>(
      'SELECT 9007199254740991::bigint AS big, 12.5::numeric AS amount, count(*) AS n FROM items',
    );
    expect(rows[0]).toEqual({ big: 9007199254740991, amount: 12.5, n: 0 });
    const plain = new pg.Client({ connectionString: database.url });
    await plain.connect();
    try {
      const other = await plain.query<{ n: unknown }>('SELECT count(*) AS n FROM items');
      expect(other.rows[0]!.n).toBe('0');
    } finally {
      await plain.end();
    }
  });

  it('commits a transaction, and rolls back one whose callback throws', async () => {
    await db.transaction(async (tx) => {
      expect(tx.inTransaction).toBe(true);
      await (tx as PostgresDb).query({ text: 'INSERT INTO items (id, name) VALUES ($1, $2)', values: [1, 'kept'] });
    });
    await expect(
      db.transaction(async (tx) => {
        await (tx as PostgresDb).query({ text: 'INSERT INTO items (id, name) VALUES ($1, $2)', values: [2, 'lost'] });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const { rows } = await db.query<{ id: number }>('SELECT id FROM items ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual([1]);
  });

  it('rolls back a transaction whose statement fails, and the connection goes back to the pool usable', async () => {
    const before = db.pool.totalCount;
    await expect(
      db.transaction(async (tx) => {
        await (tx as PostgresDb).query({ text: 'INSERT INTO items (id, name) VALUES ($1, $2)', values: [3, 'first'] });
        await (tx as PostgresDb).query({ text: 'INSERT INTO items (id, name) VALUES ($1, $2)', values: [3, 'duplicate'] });
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect((await db.query('SELECT 1 FROM items WHERE id = 3')).rowCount).toBe(0);
    expect(db.pool.totalCount).toBe(before);
  });

  it('nests savepoints: an inner failure rolls back only the inner writes', async () => {
    await db.transaction(async (tx) => {
      await (tx as PostgresDb).query({ text: 'INSERT INTO items (id, name) VALUES ($1, $2)', values: [10, 'outer'] });
      await expect(
        tx.transaction(async (inner) => {
          expect(inner.inTransaction).toBe(true);
          await (inner as PostgresDb).query({ text: 'INSERT INTO items (id, name) VALUES ($1, $2)', values: [11, 'inner'] });
          await (inner as PostgresDb).query({ text: 'INSERT INTO items (id, name) VALUES ($1, $2)', values: [10, 'clash'] });
        }),
      ).rejects.toMatchObject({ code: '23505' });
      await tx.transaction(async (inner) => {
        await (inner as PostgresDb).query({ text: 'INSERT INTO items (id, name) VALUES ($1, $2)', values: [12, 'inner kept'] });
      });
    });
    const { rows } = await db.query<{ id: number }>('SELECT id FROM items WHERE id >= 10 ORDER BY id');
    expect(rows.map((r) => r.id)).toEqual([10, 12]);
  });

  it('a handle used after its transaction ended refuses', async () => {
    let escaped: PostgresDb | null = null;
    await db.transaction(async (tx) => {
      escaped = tx as PostgresDb;
    });
    await expect(escaped!.query('SELECT 1')).rejects.toThrow(/already ended/);
  });

  it('a read-only transaction sees one snapshot and refuses writes', async () => {
    const seen = await db.transaction(
      async (tx) => {
        const first = (await (tx as PostgresDb).query<{ n: number }>('SELECT count(*) AS n FROM items')).rows[0]!.n;
        // Committed by another connection meanwhile: invisible inside the snapshot.
        await db.query({ text: 'INSERT INTO items (id, name) VALUES ($1, $2)', values: [20, 'meanwhile'] });
        const second = (await (tx as PostgresDb).query<{ n: number }>('SELECT count(*) AS n FROM items')).rows[0]!.n;
        return { first, second };
      },
      { readOnly: true },
    );
    expect(seen.second).toBe(seen.first);
    await expect(
      db.transaction((tx) => (tx as PostgresDb).query("INSERT INTO items (id, name) VALUES (21, 'no')"), { readOnly: true }),
    ).rejects.toMatchObject({ code: '25006' });
  });

  it('a statement past the statement timeout fails with SQLSTATE 57014 named as the timeout, and the pool carries on', async () => {
    const quick = openPostgres({ url: database.url, poolSize: 1, statementTimeoutMs: 200 });
    try {
      const started = Date.now();
      const error = await quick.query('SELECT pg_sleep(5)').catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(error).toBeInstanceOf(PostgresError);
      expect(error).toMatchObject({ problem: 'statement_timeout', sqlState: '57014', code: 'postgres_statement_timeout' });
      expect((error as Error).message).toMatch(/statement timeout \(200 ms, DATABASE_STATEMENT_TIMEOUT_MS\)/);
      // The same inside a transaction, which then rolls back.
      await expect(quick.transaction((tx) => (tx as PostgresDb).query('SELECT pg_sleep(5)'))).rejects.toMatchObject({
        problem: 'statement_timeout',
      });
      expect((await quick.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    } finally {
      await closePostgres(quick);
    }
  });

  it('with every connection busy, a caller waits up to the acquire bound and then gets a clear error, never a hang', async () => {
    const small = openPostgres({ url: database.url, poolSize: 2, acquireTimeoutMs: 300 });
    const gate = deferred();
    const holders = [0, 1].map(() => small.transaction(() => gate.promise));
    try {
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      const error = await small.query('SELECT 1').catch((e: unknown) => e);
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(250);
      expect(waited).toBeLessThan(2000);
      expect(error).toMatchObject({ problem: 'pool_exhausted', code: 'postgres_pool_exhausted' });
      expect((error as Error).message).toMatch(/within 300 ms: all 2 connections of the pool \(DATABASE_POOL_SIZE\) are in use/);
      // A waiter is served as soon as a connection frees up within the bound.
      const waiting = small.query<{ one: number }>('SELECT 1 AS one');
      gate.resolve();
      await Promise.all(holders);
      expect((await waiting).rows[0]!.one).toBe(1);
    } finally {
      gate.resolve();
      await Promise.allSettled(holders);
      await closePostgres(small);
    }
  });

  it('destroys a connection that broke inside a transaction instead of handing it to the next caller', async () => {
    const own = openPostgres({ url: database.url, poolSize: 2 });
    try {
      const error = await own
        .transaction(async (tx) => {
          const pid = (await (tx as PostgresDb).query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
          await db.query({ text: 'SELECT pg_terminate_backend($1)', values: [pid] });
          await (tx as PostgresDb).query('SELECT 1');
        })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ problem: 'connection_lost' });
      expect(own.pool.totalCount).toBe(0);
      expect((await own.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    } finally {
      await closePostgres(own);
    }
  });

  it('survives an idle connection killed by the server: the next statement gets a fresh one', async () => {
    const own = openPostgres({ url: database.url, poolSize: 1 });
    try {
      const pid = (await own.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await db.query({ text: 'SELECT pg_terminate_backend($1)', values: [pid] });
      await new Promise((r) => setTimeout(r, 200));
      expect((await own.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    } finally {
      await closePostgres(own);
    }
  });

  it('a server that cannot be reached is one clear error without the password, promptly', async () => {
    const port = await closedPort();
    const unreachable = openPostgres({ url: `postgres://clipscope:hunter2-secret@127.0.0.1:${port}/clipscope`, acquireTimeoutMs: 2000 });
    try {
      const error = await checkPostgres(unreachable).catch((e: unknown) => e);
      expect(error).toMatchObject({ problem: 'unreachable' });
      expect((error as Error).message).toBe(
        `cannot connect to PostgreSQL at postgres://clipscope@127.0.0.1:${port}/clipscope: connect ECONNREFUSED 127.0.0.1:${port}`,
      );
      expect(JSON.stringify(error)).not.toContain('hunter2');
      expect(unreachable.location).not.toContain('hunter2');
    } finally {
      await closePostgres(unreachable);
    }
  });

  it('a store still written for SQLite only fails with a clear error on PostgreSQL, not a TypeError', async () => {
    await expect(run(db, (c) => c.statement('SELECT 1').get())).rejects.toThrow(/not yet available on PostgreSQL/);
    expect(() => readNow(db, (c) => c.statement('SELECT 1').get())).toThrow(/not yet available on PostgreSQL/);
    expect(() => connectionNow(db)).toThrow(/not yet available on PostgreSQL/);
  });

  it('honours sslmode in the URL', async () => {
    const ssl = (await db.query<{ ssl: string }>('SHOW ssl')).rows[0]!.ssl;
    // libpq's meaning of sslmode=require (encrypt, do not verify); pg's own meaning will change to it in pg 9.
    const withSsl = openPostgres({ url: `${database.url}?uselibpqcompat=true&sslmode=require`, poolSize: 1 });
    try {
      if (ssl === 'on') {
        const { rows } = await withSsl.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
        expect(rows[0]!.ssl).toBe(true);
      } else {
        await expect(checkPostgres(withSsl)).rejects.toThrow(/does not support SSL/);
      }
    } finally {
      await closePostgres(withSsl);
    }
    const without = openPostgres({ url: `${database.url}?sslmode=disable`, poolSize: 1 });
    try {
      const { rows } = await without.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(rows[0]!.ssl).toBe(false);
    } finally {
      await closePostgres(without);
    }
  });
});
