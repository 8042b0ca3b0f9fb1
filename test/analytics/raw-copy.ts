// Copies what the aggregation reads from a SQLite test database into a PostgreSQL one, so the same raw data, dirty
// hours and engagement journal (written by SQLite's capture functions) can be aggregated on both engines and the
// results compared. Each call makes the PostgreSQL tables equal to SQLite's: clips are upserted (their triggers keep
// latest_names, as SQLite's do), the other tables replaced. Values move as jsonb_populate_recordset reads them:
// 0/1 flags become booleans, JSON text becomes jsonb.
import type { Db } from '../../src/db/database';
import { sqliteClient } from '../../src/db/client';
import { queries } from '../../src/db/sql';

/** Raw and bookkeeping tables the aggregation reads, guild data each. */
const REPLACED = [
  'shares',
  'reactions',
  'reaction_baselines',
  'engagement_changes',
  'dirty_hours',
  'aggregation_pending',
  'guild_settings',
] as const;

interface Column {
  column_name: string;
  data_type: string;
}

async function columnsOf(pg: Db, table: string): Promise<Column[]> {
  return queries(pg).all<Column>(
    'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position',
    [table],
  );
}

/** SQLite rows as JSON PostgreSQL's jsonb_populate_recordset reads into the table's types. */
function rowsAsJson(sqlite: Db, table: string, columns: readonly Column[]): string {
  const rows = sqliteClient(sqlite).prepare(`SELECT * FROM ${table}`).all() as Array<Record<string, unknown>>;
  const converted = rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const { column_name: name, data_type: type } of columns) {
      const v = row[name];
      out[name] = v === null || v === undefined ? null : type === 'boolean' ? v !== 0 : type === 'jsonb' ? JSON.parse(v as string) : v;
    }
    return out;
  });
  return JSON.stringify(converted);
}

/** Makes the PostgreSQL database's raw tables, marks and journal equal to the SQLite database's. */
export async function copyRawTables(sqlite: Db, pg: Db): Promise<void> {
  await pg.transaction(async (tx) => {
    const q = queries(tx);
    const clipColumns = await columnsOf(tx, 'clips');
    const updated = clipColumns.map((c) => c.column_name).filter((c) => c !== 'guild_id' && c !== 'clip_id' && c !== 'id');
    const clips = rowsAsJson(sqlite, 'clips', clipColumns);
    await q.run(
      `DELETE FROM clips c WHERE NOT EXISTS (SELECT 1 FROM jsonb_populate_recordset(NULL::clips, ?::jsonb) AS n
        WHERE n.guild_id = c.guild_id AND n.clip_id = c.clip_id)`,
      [clips],
    );
    await q.run(
      `INSERT INTO clips OVERRIDING SYSTEM VALUE SELECT * FROM jsonb_populate_recordset(NULL::clips, ?::jsonb)
       ON CONFLICT (guild_id, clip_id) DO UPDATE SET (${updated.join(', ')}) = ROW(${updated.map((c) => `excluded.${c}`).join(', ')})`,
      [clips],
    );
    for (const table of REPLACED) {
      const columns = await columnsOf(tx, table);
      await q.run(`DELETE FROM ${table}`);
      const identity = columns.some((c) => c.column_name === 'id') ? ' OVERRIDING SYSTEM VALUE' : '';
      await q.run(`INSERT INTO ${table}${identity} SELECT * FROM jsonb_populate_recordset(NULL::${table}, ?::jsonb)`, [
        rowsAsJson(sqlite, table, columns),
      ]);
    }
  });
}

/** Every stored summary and fact row (ids and computed_at aside), in key order, the same query on both engines. */
export type SummaryDump = Record<
  'games' | 'creators' | 'totals' | 'peaks' | 'pairs' | 'tops' | 'names' | 'state' | 'left',
  Array<Record<string, unknown>>
>;

export async function summaryRows(db: Db): Promise<SummaryDump> {
  const q = queries(db);
  return {
    games: await q.all<Record<string, unknown>>(
      `SELECT guild_id, game_id, game_name, period_type, period_start, period_end, clip_count, total_views, avg_view_count, unique_creators,
              discord_shares, discord_reactions, top_clip_id, top_clip_title, top_clip_views FROM game_analytics ORDER BY 1, 4, 5, 2`,
    ),
    creators: await q.all<Record<string, unknown>>(
      `SELECT guild_id, creator_id, creator_name, period_type, period_start, period_end, clip_count, total_views, avg_views,
              discord_shares, discord_reactions, unique_games, top_game_id, top_game_name FROM creator_analytics ORDER BY 1, 4, 5, 2`,
    ),
    totals: await q.all<Record<string, unknown>>(
      `SELECT guild_id, period_type, period_start, period_end, clip_count, total_views, unique_creators, unique_games, discord_shares,
              discord_reactions, first_clip_at, last_clip_at FROM guild_period_stats ORDER BY 1, 2, 3`,
    ),
    peaks: await q.all<Record<string, unknown>>(
      'SELECT guild_id, period_type, period_start, weekday, hour, clips, shares FROM guild_peak_activity ORDER BY 1, 2, 3, 4, 5',
    ),
    pairs: await q.all<Record<string, unknown>>(
      `SELECT guild_id, period_type, period_start, game_id, creator_id, clip_count, total_views, discord_shares, discord_reactions
         FROM analytics_pair_facts ORDER BY 1, 2, 3, 4, 5`,
    ),
    tops: await q.all<Record<string, unknown>>(
      'SELECT guild_id, game_id, day_start, clip_id, title, views FROM analytics_day_top_clips ORDER BY 1, 2, 3',
    ),
    names: await q.all<Record<string, unknown>>('SELECT guild_id, kind, entity_id, name FROM latest_names ORDER BY 1, 2, 3'),
    state: await q.all<Record<string, unknown>>('SELECT guild_id, period_type, timezone, facts_version FROM analytics_state ORDER BY 1, 2'),
    left: await q.all<Record<string, unknown>>(
      `SELECT 'dirty' AS what, count(*) AS n FROM dirty_hours UNION ALL SELECT 'pending', count(*) FROM aggregation_pending
       UNION ALL SELECT 'journal', count(*) FROM engagement_changes ORDER BY 1`,
    ),
  };
}
