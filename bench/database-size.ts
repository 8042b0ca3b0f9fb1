// Figure 7: database size per clip and per million clips, split into raw capture data, summaries and the rest
// (from SQLite's dbstat table, so indexes count with their table; on PostgreSQL from pg_total_relation_size, which
// counts each table with its indexes and TOAST, in a fresh copy of the dataset after VACUUM).
import fs from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { single } from './measure';
import type { BenchSection, Figure } from './types';

/** Tables holding precomputed answers (the analytics summaries); the rest is raw capture data or bookkeeping. */
const SUMMARY_TABLES = new Set(['game_analytics', 'creator_analytics']);
const RAW_TABLES = new Set(['clips', 'shares', 'reactions', 'reaction_baselines', 'clip_view_history']);

export const databaseSizeSection: BenchSection = {
  name: 'db',
  title: 'Database size per clip, raw data and summaries',
  postgres: { needs: [], run: (ctx) => postgresSizes(ctx.postgresUrl!, ctx.log) },
  async run(ctx) {
    const raw = new Database(ctx.databasePath, { readonly: true });
    try {
      const clips = (raw.prepare('SELECT count(*) AS n FROM clips').get() as { n: number }).n;
      if (clips === 0) throw new Error(`${ctx.databasePath} has no clips`);
      const summaryRows = [...SUMMARY_TABLES].reduce(
        (sum, table) => sum + (raw.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
        0,
      );
      // Each index belongs to its table: dbstat names indexes, sqlite_master maps them back.
      const owner = new Map(
        raw
          .prepare<[], { name: string; tbl_name: string }>("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')")
          .all()
          .map((r) => [r.name, r.tbl_name]),
      );
      const byTable = new Map<string, number>();
      for (const row of raw
        .prepare<[], { name: string; bytes: number }>('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name')
        .all()) {
        const table = owner.get(row.name) ?? row.name;
        byTable.set(table, (byTable.get(table) ?? 0) + row.bytes);
      }
      const fileBytes = fs.statSync(ctx.databasePath).size + walSize(ctx.databasePath);
      const sum = (pick: (table: string) => boolean): number =>
        [...byTable].filter(([table]) => pick(table)).reduce((total, [, bytes]) => total + bytes, 0);
      const summaryBytes = sum((t) => SUMMARY_TABLES.has(t));
      const rawBytes = sum((t) => RAW_TABLES.has(t));
      const summaryNote =
        summaryRows === 0
          ? 'no summary rows in this database yet (the aggregator runs in the analytics section once merged)'
          : `${summaryRows.toLocaleString('en-US')} summary rows`;
      const figures: Figure[] = [
        single('db.bytes_per_clip', fileBytes / clips, 'B/clip', {
          better: 'lower',
          note: `whole file incl. indexes; ${summaryNote}; goal ≤ 500`,
        }),
        single('db.mb_per_million_clips', ((fileBytes / clips) * 1_000_000) / 1_048_576, 'MiB', { better: 'lower' }),
        single('db.raw_bytes_per_clip', rawBytes / clips, 'B/clip', {
          better: 'lower',
          note: 'clips, shares, reactions with their indexes',
        }),
        single('db.summary_bytes_per_clip', summaryBytes / clips, 'B/clip', { better: 'lower', note: summaryNote }),
      ];
      for (const table of ['clips', 'shares', 'reactions', 'clip_view_history', 'dirty_hours']) {
        figures.push(
          single(`db.${table}_bytes_per_clip`, (byTable.get(table) ?? 0) / clips, 'B/clip', {
            better: 'lower',
            note: 'table and its indexes',
          }),
        );
      }
      ctx.log(`${clips.toLocaleString('en-US')} clips, ${(fileBytes / 1_048_576).toFixed(1)} MiB`);
      return figures;
    } finally {
      raw.close();
    }
  },
};

function walSize(file: string): number {
  try {
    return fs.statSync(`${file}-wal`).size;
  } catch {
    return 0;
  }
}

/** The same figures on PostgreSQL: every table's relation size (heap, indexes, TOAST), and the database's. */
async function postgresSizes(url: string, log: (line: string) => void): Promise<Figure[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const clips = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM clips')).rows[0]?.n ?? 0);
    if (clips === 0) throw new Error('the PostgreSQL copy of the dataset has no clips');
    const byTable = new Map(
      (
        await client.query<{ name: string; bytes: string }>(
          `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = current_schema()`,
        )
      ).rows.map((r) => [r.name, Number(r.bytes)]),
    );
    const databaseBytes = Number((await client.query<{ b: string }>('SELECT pg_database_size(current_database()) AS b')).rows[0]?.b ?? 0);
    const tableBytes = [...byTable.values()].reduce((a, b) => a + b, 0);
    const sum = (pick: (table: string) => boolean): number =>
      [...byTable].filter(([table]) => pick(table)).reduce((total, [, bytes]) => total + bytes, 0);
    const figures: Figure[] = [
      single('db.bytes_per_clip', tableBytes / clips, 'B/clip', {
        better: 'lower',
        note: 'every table with its indexes and TOAST (pg_total_relation_size), after VACUUM ANALYZE of a fresh copy',
      }),
      single('db.database_bytes_per_clip', databaseBytes / clips, 'B/clip', {
        better: 'lower',
        note: "pg_database_size: the tables plus the catalogue's fixed ~7 MiB, which dominates small datasets",
      }),
      single('db.mb_per_million_clips', ((tableBytes / clips) * 1_000_000) / 1_048_576, 'MiB', { better: 'lower' }),
      single('db.raw_bytes_per_clip', sum((t) => RAW_TABLES.has(t)) / clips, 'B/clip', {
        better: 'lower',
        note: 'clips, shares, reactions with their indexes',
      }),
      single('db.summary_bytes_per_clip', sum((t) => SUMMARY_TABLES.has(t)) / clips, 'B/clip', { better: 'lower' }),
    ];
    for (const table of ['clips', 'shares', 'reactions', 'clip_view_history', 'dirty_hours']) {
      figures.push(
        single(`db.${table}_bytes_per_clip`, (byTable.get(table) ?? 0) / clips, 'B/clip', {
          better: 'lower',
          note: 'table and its indexes',
        }),
      );
    }
    log(`${clips.toLocaleString('en-US')} clips, ${(tableBytes / 1_048_576).toFixed(1)} MiB in tables and indexes`);
    return figures;
  } finally {
    await client.end();
  }
}
