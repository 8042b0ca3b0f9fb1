// Reading a table in bounded batches in its own key order, on either engine, and the engine-neutral form of its
// values: booleans as 1/0 and JSON as text, whichever engine they come from; the form `clipscope copy` writes from and
// its checksums hash.
import type { Db } from '../database';
import { queries, type SqlValue } from '../sql';
import type { ColumnKind, CopyTable, TableShape } from './tables';

/** A row as the copy carries it: values in TableShape.columns order, in their engine-neutral form. */
export type NeutralRow = SqlValue[];

/** The engine-neutral form of one value read from either engine. */
export function neutralValue(value: unknown, kind: ColumnKind): SqlValue {
  if (value === null || value === undefined) return null;
  if (kind === 'boolean') return value === true || value === 1 || value === '1' ? 1 : 0;
  if (kind === 'json') return typeof value === 'string' ? value : JSON.stringify(value);
  return value as SqlValue;
}

/** The value as the target engine binds it: PostgreSQL takes booleans (1/0 fails for a boolean parameter). */
export function targetValue(value: SqlValue, kind: ColumnKind, engine: Db['engine']): SqlValue {
  if (value === null) return null;
  if (kind === 'boolean' && engine === 'postgres') return value === 1;
  return value;
}

/** JSON text in one canonical form (object keys sorted, no spaces): SQLite keeps the text as written, jsonb does not. */
export function canonicalJson(text: string): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as object)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  try {
    return JSON.stringify(sort(JSON.parse(text)));
  } catch {
    return text;
  }
}

/** The WHERE condition (and its values) that limits a table to one guild's rows, or null for every row. */
export function guildCondition(table: CopyTable, guildId: string | undefined): { sql: string; values: SqlValue[] } | null {
  if (guildId === undefined) return null;
  switch (table.guildScope) {
    case 'guild_id':
      return { sql: 'guild_id = ?', values: [guildId] };
    case 'clips':
      return { sql: 'clip_id IN (SELECT clip_id FROM clips WHERE guild_id = ?)', values: [guildId] };
    case 'all':
      return null;
    case 'none':
      return { sql: '1 = 0', values: [] };
  }
}

/** How many rows of the table the copy moves (all, or the guild's). */
export async function countRows(db: Db, table: CopyTable, guildId: string | undefined): Promise<number> {
  const where = guildCondition(table, guildId);
  const row = await queries(db).get<{ n: number }>(
    `SELECT count(*) AS n FROM ${table.name}${where ? ` WHERE ${where.sql}` : ''}`,
    where?.values ?? [],
  );
  return Number(row?.n ?? 0);
}

export interface Batch {
  rows: NeutralRow[];
  /** The key of the batch's last row (where the next batch starts), in TableShape.key order. */
  lastKey: SqlValue[] | null;
}

/**
 * Up to `limit` rows after `after` (a key; null = from the start) in the table's key order on `db`'s engine, as
 * neutral rows. Keyset pagination: each batch is one indexed range read, whatever the table's size.
 */
export async function readBatch(
  db: Db,
  table: CopyTable,
  shape: TableShape,
  options: { after: SqlValue[] | null; limit: number; guildId: string | undefined },
): Promise<Batch> {
  const conditions: string[] = [];
  const values: SqlValue[] = [];
  const where = guildCondition(table, options.guildId);
  if (where) {
    conditions.push(where.sql);
    values.push(...where.values);
  }
  if (options.after !== null) {
    conditions.push(`(${shape.key.join(', ')}) > (${shape.key.map(() => '?').join(', ')})`);
    values.push(...options.after);
  }
  // Key columns are read after the copied ones, so that the next batch's start is known whatever their order.
  const sql =
    `SELECT ${[...shape.columns, ...shape.key].join(', ')} FROM ${table.name}` +
    `${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''} ORDER BY ${shape.key.join(', ')} LIMIT ${Math.trunc(options.limit)}`;
  const raw = await queries(db).values<unknown[]>(sql, values);
  const width = shape.columns.length;
  const rows = raw.map((r) => shape.columns.map((_, i) => neutralValue(r[i], shape.kinds[i]!)));
  const last = raw.at(-1);
  return { rows, lastKey: last ? (last.slice(width) as SqlValue[]) : null };
}
