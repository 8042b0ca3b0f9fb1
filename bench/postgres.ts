// The benchmark's PostgreSQL plumbing: the dataset copied once (clipscope copy's code) into a template database on
// the benchmark server, and a fresh database cloned from it for each section (CREATE DATABASE … TEMPLATE, a file
// copy on the server), dropped afterwards. The server is BENCH_DATABASE_URL or --postgres (default the local one).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { closeDatabase, openDatabase } from '../src/db/client';
import { copyDatabase } from '../src/db/copy/copy-database';
import { closePostgres, openPostgres } from '../src/db/postgres/engine';
import { migratePostgres } from '../src/db/schema-postgres/migrate';

export const DEFAULT_BENCH_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of database `name` on the server of `serverUrl`. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `the PostgreSQL benchmark server at ${new URL(serverUrl).host} is unreachable (${error instanceof Error ? error.message : String(error)}): ` +
        'start it, or point --postgres / BENCH_DATABASE_URL at one',
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface PostgresDataset {
  /** The template database holding the dataset. */
  template: string;
  /** Seconds the copy from SQLite took (a figure: what moving an install of this size costs). */
  copySeconds: number;
  rows: number;
  drop(): Promise<void>;
}

/** Copies the SQLite dataset into a new template database on the server. */
export async function preparePostgresDataset(
  serverUrl: string,
  datasetPath: string,
  log: (line: string) => void,
): Promise<PostgresDataset> {
  const template = `clipscope_bench_dataset_${process.pid}_${randomBytes(3).toString('hex')}`;
  await admin(serverUrl, (c) => c.query(`CREATE DATABASE "${template}"`));
  const drop = () => admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`)).then(() => undefined);
  const source = openDatabase({ path: datasetPath, migrate: false, readonly: true });
  const target = openPostgres({ url: databaseUrl(serverUrl, template), poolSize: 2 });
  try {
    await migratePostgres(target.pool);
    const t0 = performance.now();
    let last = 0;
    const result = await copyDatabase(source, target, {
      onProgress: ({ table, copied, total }) => {
        if (performance.now() - last < 5_000) return;
        last = performance.now();
        log(`copying the dataset to PostgreSQL: ${table} ${copied.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`);
      },
    });
    const copySeconds = (performance.now() - t0) / 1000;
    // Fresh statistics, as a server's autovacuum would have them after a while: the planner needs them.
    await target.query('VACUUM ANALYZE');
    const rows = result.tables.reduce((n, t) => n + t.rows, 0);
    log(`dataset copied to PostgreSQL (${rows.toLocaleString('en-US')} rows, ${copySeconds.toFixed(1)} s, verified)`);
    return { template, copySeconds, rows, drop };
  } catch (error) {
    await closePostgres(target);
    await drop();
    throw error;
  } finally {
    closeDatabase(source);
    await closePostgres(target);
  }
}

/**
 * A template database an earlier run copied and left behind (a run stopped before its cleanup), reused instead of
 * copying again: its clip count must be the dataset's, and it is kept afterwards (drop does nothing).
 */
export async function keptPostgresDataset(
  serverUrl: string,
  template: string,
  expectedClips: number,
  log: (line: string) => void,
): Promise<PostgresDataset> {
  const clips = await admin(databaseUrl(serverUrl, template), async (c) => {
    const result = await c.query<{ n: string }>('SELECT count(*) AS n FROM clips');
    return Number(result.rows[0]?.n ?? 0);
  });
  if (clips !== expectedClips)
    throw new Error(`--postgres-template ${template} holds ${clips} clips, not the dataset's ${expectedClips}: copy it again`);
  log(`reusing the PostgreSQL template ${template} (${clips.toLocaleString('en-US')} clips; kept afterwards)`);
  return { template, copySeconds: 0, rows: clips, drop: async () => undefined };
}

/** A fresh database cloned from the dataset's template for one section; drop() removes it. */
export async function freshPostgresDatabase(
  serverUrl: string,
  template: string,
  label: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `clipscope_bench_${label.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${process.pid}_${randomBytes(3).toString('hex')}`;
  await admin(serverUrl, (c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return {
    url: databaseUrl(serverUrl, name),
    drop: () => admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
