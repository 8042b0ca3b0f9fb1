// What `clipscope copy` moves and how: every Clipscope table in a fixed order, each table's columns and key as the
// source and target engines have them, the columns whose type differs between the engines (booleans, jsonb), and
// which rows belong to one guild (for --guild).
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../database';
import * as postgresSchema from '../schema-postgres';
import { DISTRIBUTED_TABLES, REFERENCE_TABLES } from '../schema-postgres/citus';
import { dialect, queries } from '../sql';

/** How a table's rows are picked when the copy is limited to one guild (--guild). */
export type GuildScope =
  /** Rows whose guild_id is the guild. */
  | 'guild_id'
  /** Rows of the guild's clips (clip_view_history, keyed by Twitch clip id, shared by guilds). */
  | 'clips'
  /** Every row (small shared Twitch and job tables, useful to any install). */
  | 'all'
  /** None: the dashboard's sessions and sign-ins belong to people on the old host, who sign in again. */
  | 'none';

/**
 * Columns whose type differs between the engines (docs/adr/0007): 0/1 on SQLite and boolean on PostgreSQL, JSON text
 * on SQLite and jsonb on PostgreSQL. Read off the PostgreSQL schema, so a table added later is converted without a
 * list to keep in step (readTableShape still checks the live database against it).
 */
const { BOOLEAN_COLUMNS, JSON_COLUMNS } = (() => {
  const booleans: Record<string, string[]> = {};
  const json: Record<string, string[]> = {};
  for (const value of Object.values(postgresSchema)) {
    if (!is(value, PgTable)) continue;
    const config = getTableConfig(value);
    for (const column of config.columns) {
      const into = column.columnType === 'PgBoolean' ? booleans : column.columnType === 'PgJsonb' ? json : null;
      if (into) (into[config.name] ??= []).push(column.name);
    }
  }
  return { BOOLEAN_COLUMNS: booleans as Record<string, readonly string[]>, JSON_COLUMNS: json as Record<string, readonly string[]> };
})();

/**
 * Tables whose rows a SQLite target's triggers write while other tables are copied (clips' triggers fill
 * latest_names): copied right after those, as upserts, so that the source's rows win.
 */
const UPSERTED_ON_SQLITE = new Set(['latest_names']);

export interface CopyTable {
  name: string;
  /** Per-guild (guild_id leads every key; checksummed per guild) or shared (a Citus reference table). */
  kind: 'guild' | 'shared';
  guildScope: GuildScope;
}

/**
 * Every table, in copy order: clips first and latest_names second (see UPSERTED_ON_SQLITE), then the rest by name.
 * The list is citus.ts's, which test/db/postgres-schema.test.ts keeps complete.
 */
export const COPY_TABLES: readonly CopyTable[] = (() => {
  const guild = DISTRIBUTED_TABLES.map((name): CopyTable => ({ name, kind: 'guild', guildScope: 'guild_id' }));
  const shared = REFERENCE_TABLES.map(
    (name): CopyTable => ({
      name,
      kind: 'shared',
      guildScope:
        name === 'api_tokens' ? 'guild_id' : name === 'clip_view_history' ? 'clips' : name.startsWith('dashboard_') ? 'none' : 'all',
    }),
  );
  const first = ['clips', 'latest_names'];
  const rest = [...guild, ...shared].filter((t) => !first.includes(t.name)).sort((a, b) => a.name.localeCompare(b.name));
  return [...first.map((name) => guild.find((t) => t.name === name)!), ...rest];
})();

export type ColumnKind = 'boolean' | 'json' | 'plain';

/** A table as one engine has it: its columns (in the order copied) and its primary key (the copy's read order). */
export interface TableShape {
  columns: string[];
  kinds: ColumnKind[];
  key: string[];
  /** Whether the table's inserts need OVERRIDING SYSTEM VALUE (a PostgreSQL identity column). */
  identity: string | null;
}

export function columnKind(table: string, column: string): ColumnKind {
  if (BOOLEAN_COLUMNS[table]?.includes(column)) return 'boolean';
  if (JSON_COLUMNS[table]?.includes(column)) return 'json';
  return 'plain';
}

export function upsertedOnSqlite(table: string): boolean {
  return UPSERTED_ON_SQLITE.has(table);
}

interface ColumnRow {
  name: string;
  type: string;
  pk: number;
  identity: number;
}

/**
 * The table's shape on `db`'s engine, read from the catalogue; throws when the table is missing (a database that is
 * not Clipscope's, or not migrated), or when a column's PostgreSQL type disagrees with what the copy converts.
 */
export async function readTableShape(db: Db, table: string): Promise<TableShape> {
  const rows = await queries(db).all<ColumnRow>(
    dialect(db, {
      sqlite: 'SELECT name, type, pk, 0 AS identity FROM pragma_table_info(?) ORDER BY cid',
      postgres: `SELECT c.column_name AS name, c.data_type AS type,
          coalesce((SELECT k.ordinal_position FROM information_schema.table_constraints t
            JOIN information_schema.key_column_usage k ON k.constraint_name = t.constraint_name AND k.table_schema = t.table_schema
            WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = c.table_schema AND t.table_name = c.table_name
              AND k.column_name = c.column_name), 0) AS pk,
          CASE WHEN c.is_identity = 'YES' THEN 1 ELSE 0 END AS identity
        FROM information_schema.columns c
        WHERE c.table_schema = current_schema() AND c.table_name = ? ORDER BY c.ordinal_position`,
    }),
    [table],
  );
  if (rows.length === 0) throw new Error(`table ${table} is missing from ${db.location}: is it a migrated Clipscope database?`);
  const columns = rows.map((r) => r.name).sort();
  const kinds = columns.map((c) => columnKind(table, c));
  if (db.engine === 'postgres') {
    for (const row of rows) {
      const expected = row.type === 'boolean' ? 'boolean' : row.type === 'jsonb' ? 'json' : 'plain';
      if (expected !== columnKind(table, row.name))
        throw new Error(`${table}.${row.name} is ${row.type} on PostgreSQL, which the copy does not convert (src/db/copy/tables.ts)`);
    }
  }
  const key = rows
    .filter((r) => Number(r.pk) > 0)
    .sort((a, b) => Number(a.pk) - Number(b.pk))
    .map((r) => r.name);
  if (key.length === 0) throw new Error(`table ${table} has no primary key on ${db.location}`);
  return { columns, kinds, key, identity: rows.find((r) => Number(r.identity) === 1)?.name ?? null };
}
