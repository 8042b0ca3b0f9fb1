// Issue #23's disk figures in one run (docs/adr/0041-disk-footprint.md): bytes per clip per table and index of a
// copy of a generated community with every summary built, before and after the `footprint` migration, the view-history
// thinning and a VACUUM. Run alone, on a dataset built by the code before the migration:
//   node --import tsx bench/footprint.ts --database PATH [--now ISO] [--out JSON] [--keep-before PATH] [--keep-after PATH]
//     [--postgres URL]  (also PostgreSQL: the result copied there, with and without the indexes the migration drops)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { aggregateAll } from '../src/analytics/aggregate';
import { ManualClock } from '../src/clock';
import { closeDatabase, openDatabase } from '../src/db/client';
import { thinViewHistory } from '../src/db/stores/twitch-clips';
import { databaseUrl, preparePostgresDataset } from './postgres';

/** The indexes the `footprint` migration drops on PostgreSQL, as drizzle/postgres created them. */
const DROPPED_ON_POSTGRES = [
  'CREATE INDEX "shares_guild_author_idx" ON "shares" ("guild_id", "author_id")',
  'CREATE INDEX "clips_guild_creator_idx" ON "clips" ("guild_id", "creator_id")',
  'CREATE INDEX "clips_guild_game_idx" ON "clips" ("guild_id", "game_id")',
];

interface Sizes {
  clips: number;
  fileBytes: number;
  /** Bytes per clip of each table with its indexes. */
  tables: Record<string, number>;
  /** Bytes per clip of each b-tree (table or index) by name. */
  btrees: Record<string, number>;
}

function measure(file: string): Sizes {
  const raw = new Database(file, { readonly: true });
  try {
    const clips = (raw.prepare('SELECT count(*) AS n FROM clips').get() as { n: number }).n;
    const owner = new Map(
      raw
        .prepare<[], { name: string; tbl_name: string }>("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')")
        .all()
        .map((r) => [r.name, r.tbl_name]),
    );
    const tables: Record<string, number> = {};
    const btrees: Record<string, number> = {};
    for (const row of raw
      .prepare<[], { name: string; bytes: number }>('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name')
      .all()) {
      const table = owner.get(row.name) ?? row.name;
      tables[table] = (tables[table] ?? 0) + row.bytes / clips;
      btrees[row.name] = row.bytes / clips;
    }
    return { clips, fileBytes: fs.statSync(file).size, tables, btrees };
  } finally {
    raw.close();
  }
}

const { values } = parseArgs({
  options: {
    database: { type: 'string' },
    now: { type: 'string' },
    out: { type: 'string' },
    'keep-before': { type: 'string' },
    'keep-after': { type: 'string' },
    postgres: { type: 'string' },
  },
});
if (!values.database) throw new Error('--database PATH (a generated community) is required');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-footprint-'));
const file = path.join(work, 'community.db');
fs.copyFileSync(values.database, file);
const source = new Database(file);
const end = (source.prepare('SELECT max(first_seen_at) AS t FROM clips').get() as { t: number }).t;
source.close();
const now = values.now ? Date.parse(values.now) : end;

// Before: every summary built by the code as it stood (no migration applied), then VACUUM so both sides are compact.
{
  const db = openDatabase({ path: file, migrate: false });
  await aggregateAll(db, { clock: new ManualClock(now) }, { full: true });
  db.$client.exec('VACUUM');
  closeDatabase(db);
}
const before = measure(file);
if (values['keep-before']) fs.copyFileSync(file, values['keep-before']);

// After: the migration, the thinning of the whole table (as refresh runs do, a slice at a time), VACUUM.
let thinned = 0;
{
  const db = openDatabase({ path: file });
  let after = '';
  for (;;) {
    const run = await thinViewHistory(db, now, { after, clips: 2_000 });
    thinned += run.deleted;
    if (run.next === null) break;
    after = run.next;
  }
  await aggregateAll(db, { clock: new ManualClock(now) }, {});
  db.$client.exec('VACUUM');
  closeDatabase(db);
}
const after = measure(file);
if (values['keep-after']) fs.copyFileSync(file, values['keep-after']);

const names = [...new Set([...Object.keys(before.btrees), ...Object.keys(after.btrees)])].sort(
  (a, b) => (before.btrees[b] ?? 0) - (before.btrees[a] ?? 0),
);
const row = (name: string, a: number | undefined, b: number | undefined): string =>
  `| ${name} | ${a === undefined ? '–' : a.toFixed(0)} | ${b === undefined ? '–' : b.toFixed(0)} |`;
console.log(`${before.clips} clips; now ${new Date(now).toISOString()}; ${thinned} view readings thinned`);
console.log('| b-tree | before B/clip | after B/clip |\n|:--|--:|--:|');
for (const name of names)
  if ((before.btrees[name] ?? 0) >= 1 || (after.btrees[name] ?? 0) >= 1) console.log(row(name, before.btrees[name], after.btrees[name]));
console.log('\n| table (with indexes) | before B/clip | after B/clip |\n|:--|--:|--:|');
const tables = [...new Set([...Object.keys(before.tables), ...Object.keys(after.tables)])].sort(
  (a, b) => (before.tables[b] ?? 0) - (before.tables[a] ?? 0),
);
for (const t of tables)
  if ((before.tables[t] ?? 0) >= 1 || (after.tables[t] ?? 0) >= 1) console.log(row(t, before.tables[t], after.tables[t]));
console.log(row('whole file', before.fileBytes / before.clips, after.fileBytes / after.clips));
let postgres: Record<string, unknown> | null = null;
if (values.postgres) postgres = await postgresSizes(values.postgres, file, after.clips);
if (values.out) fs.writeFileSync(values.out, JSON.stringify({ now, thinned, before, after, postgres, load: os.loadavg() }, null, 1));
fs.rmSync(work, { recursive: true, force: true });

/**
 * The migrated, thinned database copied to PostgreSQL (the product's copy, verified) and measured per table
 * (pg_total_relation_size after VACUUM ANALYZE); then the dropped indexes made again and measured: PostgreSQL has no
 * rowid, so the migration's only change there is those indexes (and the thinning, measured on SQLite).
 */
async function postgresSizes(serverUrl: string, sqliteFile: string, clips: number): Promise<Record<string, unknown>> {
  const dataset = await preparePostgresDataset(serverUrl, sqliteFile, (line) => console.error(line));
  const client = new pg.Client({ connectionString: databaseUrl(serverUrl, dataset.template) });
  await client.connect();
  try {
    const tables = async () =>
      Object.fromEntries(
        (
          await client.query<{ name: string; bytes: string }>(
            `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = current_schema()`,
          )
        ).rows.map((r) => [r.name, Number(r.bytes) / clips]),
      );
    const after = await tables();
    for (const statement of DROPPED_ON_POSTGRES) await client.query(statement);
    await client.query('VACUUM ANALYZE');
    const before = await tables();
    const indexes = Object.fromEntries(
      (
        await client.query<{ name: string; bytes: string }>(
          `SELECT relname AS name, pg_relation_size(oid) AS bytes FROM pg_class
            WHERE relname IN ('shares_guild_author_idx', 'clips_guild_creator_idx', 'clips_guild_game_idx')`,
        )
      ).rows.map((r) => [r.name, Number(r.bytes) / clips]),
    );
    console.log('\n| PostgreSQL table with its indexes | with the dropped indexes B/clip | after B/clip |\n|:--|--:|--:|');
    const sum = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0);
    for (const t of Object.keys(before).sort((a, b) => (before[b] ?? 0) - (before[a] ?? 0)))
      if ((before[t] ?? 0) >= 1) console.log(row(t, before[t], after[t]));
    console.log(row('every table', sum(before), sum(after)));
    for (const [name, bytes] of Object.entries(indexes)) console.log(`| index ${name} | ${bytes.toFixed(0)} | – |`);
    return { before, after, indexes };
  } finally {
    await client.end();
    await dataset.drop();
  }
}
