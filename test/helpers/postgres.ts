// PostgreSQL for tests: the server in TEST_DATABASE_URL (default the local one, postgres@127.0.0.1:5432, trust), a
// fresh database per test file (created by createTestDatabase, dropped by its drop()), and describeWithPostgres,
// which fails with one line saying why when the server cannot be reached, never skips silently; with
// CLIPSCOPE_SKIP_POSTGRES=1 it skips instead and prints why.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

/** The URL of another database on the same server. */
export function databaseUrl(database: string, base: string = TEST_DATABASE_URL): string {
  const parsed = new URL(base);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Why the test server cannot be used, or null when it can (one connection, `SELECT 1`, 5 s at most). */
export async function postgresProblem(url: string = TEST_DATABASE_URL): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    const code = (error as { code?: string }).code;
    return `${error instanceof Error ? error.message || error.name : String(error)}${code ? ` (${code})` : ''}`;
  } finally {
    await client.end().catch(() => {});
  }
}

const problem = await postgresProblem();

/**
 * A describe block whose tests need the PostgreSQL test server. When it is unreachable the block holds one failing
 * test whose message says why and how to proceed, or (CLIPSCOPE_SKIP_POSTGRES=1) one skipped test, with the reason
 * printed.
 */
export function describeWithPostgres(name: string, body: () => void): void {
  describe(name, () => {
    if (problem === null) {
      body();
      return;
    }
    const why = `PostgreSQL at ${redactUrl(TEST_DATABASE_URL)} is unreachable: ${problem}`;
    if (process.env.CLIPSCOPE_SKIP_POSTGRES === '1') {
      console.warn(`${name}: skipped (CLIPSCOPE_SKIP_POSTGRES=1). ${why}`);
      it.skip(`needs PostgreSQL (${why})`, () => {});
    } else {
      it('needs PostgreSQL', () => {
        throw new Error(
          `${why}. Start it (pg_ctlcluster <version> main start), point TEST_DATABASE_URL at one, or set CLIPSCOPE_SKIP_POSTGRES=1 to skip.`,
        );
      });
    }
  });
}

export interface TestDatabase {
  name: string;
  url: string;
  /** A pool on the database (closed by drop()). */
  pool: pg.Pool;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database on the test server, named after `label`. */
export async function createTestDatabase(label: string, poolSize = 5): Promise<TestDatabase> {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  const name = `clipscope_t_${slug}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = databaseUrl(name);
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  let dropped = false;
  return {
    name,
    url,
    pool,
    async drop() {
      if (dropped) return;
      dropped = true;
      await pool.end();
      await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
