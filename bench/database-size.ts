// Figure 7: database size per clip and per million clips, split into raw capture data, summaries and the rest
// (from SQLite's dbstat table, so indexes count with their table).
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { single } from './measure';
import type { BenchSection, Figure } from './types';

/** Tables holding precomputed answers (the analytics summaries); the rest is raw capture data or bookkeeping. */
const SUMMARY_TABLES = new Set(['game_analytics', 'creator_analytics']);
const RAW_TABLES = new Set(['clips', 'shares', 'reactions', 'reaction_baselines', 'clip_view_history']);

export const databaseSizeSection: BenchSection = {
  name: 'db',
  title: 'Database size per clip, raw data and summaries',
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
