// A test database on either engine: openTestDatabase(engine, label) gives a migrated SQLite file in a temporary
// folder or a fresh database on the PostgreSQL test server (TEST_DATABASE_URL, default the local server as .ci/run
// starts it), dropped afterwards. When the server cannot be reached, the PostgreSQL half of a test file fails with
// the reason; CLIPSCOPE_SKIP_POSTGRES=1 skips it instead (and says so), for a machine without PostgreSQL.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Db, Engine } from '../../src/db/database';
import { closeDatabase, openDatabase } from '../../src/db/client';
import { closePostgres, openPostgres } from '../../src/db/postgres/engine';
import { migratePostgres } from '../../src/db/schema-postgres/migrate';
import { createTempDb } from './temp-db';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

const inCi = Boolean(process.env.CI);

/**
 * Whether the PostgreSQL tests are skipped on purpose (CLIPSCOPE_SKIP_POSTGRES=1, outside CI); otherwise they run,
 * and fail with the reason when the server is missing. In CI (CI=1, as .ci/run sets) a skip would hide a missing
 * engine, so the variable is ignored there.
 */
export const SKIP_POSTGRES = process.env.CLIPSCOPE_SKIP_POSTGRES === '1' && !inCi;

let announced = false;

/** Whether to skip the PostgreSQL tests; says once per test file why they do not run (or why CI runs them anyway). */
export function announcePostgresSkip(): boolean {
  if (!announced && process.env.CLIPSCOPE_SKIP_POSTGRES === '1') {
    announced = true;
    console.warn(
      SKIP_POSTGRES
        ? 'PostgreSQL tests skipped: CLIPSCOPE_SKIP_POSTGRES=1 is set (only SQLite is tested)'
        : 'CLIPSCOPE_SKIP_POSTGRES=1 is ignored in CI (CI is set): the PostgreSQL tests run and fail when the server is missing',
    );
  }
  return SKIP_POSTGRES;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL tests cannot run: the server at ${TEST_DATABASE_URL.replace(/:[^:@/]*@/, '@')} is unreachable ` +
        `(${error instanceof Error ? error.message : String(error)}). Start it (bash .ci/run does), set TEST_DATABASE_URL, ` +
        'or set CLIPSCOPE_SKIP_POSTGRES=1 to skip them on purpose.',
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestPostgresDatabase {
  /** The new database's URL (on the TEST_DATABASE_URL server). */
  url: string;
  name: string;
  /** Drops the database (closing whatever connections are still open to it). */
  drop(): Promise<void>;
}

/** A new, empty database named after `label`; throws with the reason when the server cannot be reached. */
export async function createPostgresDatabase(label: string): Promise<TestPostgresDatabase> {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  const name = `cs_test_${slug}_${process.pid}_${randomBytes(3).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** The engines a store contract runs on: both, or SQLite alone when PostgreSQL is skipped on purpose (said once). */
export function testEngines(): Engine[] {
  return announcePostgresSkip() ? ['sqlite'] : ['sqlite', 'postgres'];
}

export interface TestDatabase {
  engine: Engine;
  db: Db;
  /** Where the database is, as --database and the environment take it: the SQLite file's path, or the PostgreSQL URL. */
  target: string;
  /** The environment that selects this database (DATABASE_PATH, or DATABASE_URL), for the CLI and `npm start`. */
  env: { DATABASE_PATH: string } | { DATABASE_URL: string };
  /** Another handle on the same database, as another process would open it (a connection, or a pool of its own). */
  openAnother(): Promise<{ db: Db; close(): Promise<void> }>;
  /** Closes the handle and removes the database (the SQLite folder, or the PostgreSQL database). */
  close(): Promise<void>;
}

/**
 * A fresh database on `engine`, migrated unless `migrate: false`: a SQLite file in a temporary folder, or a new
 * PostgreSQL database on the test server migrated with migratePostgres. One per test file (or per test, where a test
 * needs an empty one); close() it afterwards.
 */
export async function openTestDatabase(
  engine: Engine,
  label: string,
  options: { migrate?: boolean; poolSize?: number } = {},
): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const temp = createTempDb({ migrate: options.migrate ?? true });
    return {
      engine,
      db: temp.db,
      target: temp.path,
      env: { DATABASE_PATH: temp.path },
      async openAnother() {
        const other = openDatabase({ path: temp.path, migrate: false });
        return { db: other, close: async () => closeDatabase(other) };
      },
      close: async () => temp.cleanup(),
    };
  }
  const database = await createPostgresDatabase(label);
  const db = openPostgres({ url: database.url, poolSize: options.poolSize ?? 5 });
  try {
    if (options.migrate ?? true) await migratePostgres(db.pool);
  } catch (error) {
    await closePostgres(db);
    await database.drop();
    throw error;
  }
  return {
    engine,
    db,
    target: database.url,
    env: { DATABASE_URL: database.url },
    async openAnother() {
      const other = openPostgres({ url: database.url, poolSize: 2 });
      return { db: other, close: () => closePostgres(other) };
    },
    async close() {
      await closePostgres(db);
      await database.drop();
    },
  };
}
