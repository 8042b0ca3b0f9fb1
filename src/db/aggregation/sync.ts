// The summary tables' row writers: each writes only what differs from what a row holds, so rewriting unchanged data
// reads much and writes little. SQLite compares row by row on its connection (statements cost microseconds there);
// PostgreSQL sends a bucket batch's rows in one set-based statement per table (each statement is a round trip there).
// Over 400 lines: both engines' writers of the same tables side by side, over one column map, so they change together.
import { run, type Connection } from '../client';
import type { Db } from '../database';
import { queries, type SqlValue } from '../sql';
import type { BucketRows, DayTopClipRow } from './types';

export type SummaryTable = keyof BucketRows;
type Row = Array<string | number | null>;
export type Values = Record<string, string | number | null>;

/** Each summary table's key columns (after guild_id, period_type) and value columns. */
const TABLE_COLUMNS: Record<SummaryTable, { keys: string[]; values: string[]; stamped?: false }> = {
  guild_period_stats: {
    keys: ['period_start'],
    values: [
      'period_end',
      'clip_count',
      'total_views',
      'unique_creators',
      'unique_games',
      'discord_shares',
      'discord_reactions',
      'first_clip_at',
      'last_clip_at',
    ],
  },
  game_analytics: {
    keys: ['period_start', 'game_id'],
    values: [
      'game_name',
      'period_end',
      'clip_count',
      'total_views',
      'avg_view_count',
      'unique_creators',
      'discord_shares',
      'discord_reactions',
      'top_clip_id',
      'top_clip_title',
      'top_clip_views',
    ],
  },
  creator_analytics: {
    keys: ['period_start', 'creator_id'],
    values: [
      'creator_name',
      'period_end',
      'clip_count',
      'total_views',
      'avg_views',
      'discord_shares',
      'discord_reactions',
      'unique_games',
      'top_game_id',
      'top_game_name',
    ],
  },
  guild_peak_activity: { keys: ['period_start', 'weekday', 'hour'], values: ['clips', 'shares'], stamped: false },
  analytics_pair_facts: {
    keys: ['period_start', 'game_id', 'creator_id'],
    values: ['clip_count', 'total_views', 'discord_shares', 'discord_reactions'],
    stamped: false,
  },
};

/**
 * Makes the table's rows of (guild, period type) — of the given buckets, or all when scope is null — equal to
 * `rows`, writing only what differs: a nightly rebuild of unchanged data reads much and writes little.
 */
export function syncRowsOn(
  c: Connection,
  table: SummaryTable,
  guildId: string,
  type: string,
  scope: number[] | null,
  rows: readonly Row[],
  now: number,
): void {
  const { keys, values, stamped } = TABLE_COLUMNS[table];
  const columns = [...keys, ...values];
  // computed_at says when a row last changed; guild_peak_activity has none.
  const stamp = stamped === false ? [] : [now];
  const select = c.rawStatement<unknown[], Row>(
    `SELECT ${columns.join(', ')} FROM ${table} WHERE guild_id = ? AND period_type = ?${scope ? ' AND period_start = ?' : ''}`,
  );
  const existing = new Map<string, string>();
  const keyOf = (row: Row): string => JSON.stringify(row.slice(0, keys.length));
  for (const start of scope ?? [null]) {
    for (const row of scope ? select.all(guildId, type, start) : select.all(guildId, type)) existing.set(keyOf(row), JSON.stringify(row));
  }
  const insert = c.statement(
    `INSERT INTO ${table} (guild_id, period_type, ${[...columns, ...(stamp.length ? ['computed_at'] : [])].join(', ')})
     VALUES (?, ?, ${[...columns, ...stamp].map(() => '?').join(', ')})`,
  );
  const where = keys.map((k) => `${k} = ?`).join(' AND ');
  const update = c.statement(
    `UPDATE ${table} SET ${[...values, ...(stamp.length ? ['computed_at'] : [])].map((v) => `${v} = ?`).join(', ')}
      WHERE guild_id = ? AND period_type = ? AND ${where}`,
  );
  const remove = c.statement(`DELETE FROM ${table} WHERE guild_id = ? AND period_type = ? AND ${where}`);
  for (const row of rows) {
    const key = keyOf(row);
    const before = existing.get(key);
    if (before === undefined) insert.run(guildId, type, ...row, ...stamp);
    else {
      existing.delete(key);
      if (before !== JSON.stringify(row)) update.run(...row.slice(keys.length), ...stamp, guildId, type, ...row.slice(0, keys.length));
    }
  }
  for (const key of existing.keys()) remove.run(guildId, type, ...(JSON.parse(key) as Row));
}

/** PostgreSQL's type of a summary column, to read it back from the JSON a batch of rows is sent as. */
function postgresType(column: string): string {
  if (/^(period_start|period_end|first_clip_at|last_clip_at|total_views|top_clip_views|views|day_start)$/.test(column)) return 'bigint';
  if (/^avg_/.test(column)) return 'double precision';
  if (/(_id|_name|_title|^title)$/.test(column)) return 'text';
  return 'integer';
}

const postgresSyncSql = new Map<SummaryTable, string>();

/**
 * syncRowsOn for PostgreSQL in one statement: the rows arrive as one JSON array; rows of the buckets that are not in
 * it are deleted, the others upserted where a value differs (computed_at stamped only then), as SQLite's row
 * comparison does. A bucket batch of the rebuild is one round trip per table instead of one per row. (NOT IN, not NOT
 * EXISTS: the planner hashes the input for it whatever it estimates, where NOT EXISTS became a nested loop, quadratic.)
 */
export async function syncRowsPostgres(
  db: Db,
  table: SummaryTable,
  guildId: string,
  type: string,
  scope: readonly number[],
  rows: readonly Row[],
  now: number,
): Promise<void> {
  let sql = postgresSyncSql.get(table);
  if (sql === undefined) {
    const { keys, values, stamped } = TABLE_COLUMNS[table];
    const columns = [...keys, ...values];
    const read = columns.map((column, i) => {
      const t = postgresType(column);
      return t === 'text' ? `(r->>${i}) COLLATE "C" AS ${column}` : `(r->>${i})::${t} AS ${column}`;
    });
    const stamp = stamped === false ? [] : ['computed_at'];
    sql = `WITH input AS (SELECT ${read.join(', ')} FROM jsonb_array_elements(@rows::jsonb) AS r),
      gone AS (
        DELETE FROM ${table} t WHERE t.guild_id = @guild AND t.period_type = @type
           AND t.period_start >= @lo::bigint AND t.period_start <= @hi::bigint
           AND t.period_start IN (SELECT (k::text)::bigint FROM jsonb_array_elements(@scope::jsonb) AS k)
           AND (${keys.map((k) => `t.${k}`).join(', ')}) NOT IN (SELECT ${keys.join(', ')} FROM input))
      INSERT INTO ${table} (guild_id, period_type, ${[...columns, ...stamp].join(', ')})
      SELECT @guild, @type, ${columns.join(', ')}${stamp.length ? ', @now::bigint' : ''} FROM input
      ON CONFLICT (guild_id, period_type, ${keys.join(', ')}) DO UPDATE SET ${[...values, ...stamp].map((v) => `${v} = excluded.${v}`).join(', ')}
      WHERE (${values.map((v) => `${table}.${v}`).join(', ')}) IS DISTINCT FROM (${values.map((v) => `excluded.${v}`).join(', ')})`;
    postgresSyncSql.set(table, sql);
  }
  await queries(db).run(sql, {
    rows: JSON.stringify(rows),
    guild: guildId,
    type,
    scope: JSON.stringify(scope),
    // The scope's bounds as well as its keys: an index range the planner uses whatever its statistics say (with the
    // keys alone it may read every row of the guild and period type for each batch).
    lo: scope.length === 0 ? 1 : Math.min(...scope),
    hi: scope.length === 0 ? 0 : Math.max(...scope),
    now: TABLE_COLUMNS[table].stamped === false ? undefined : now,
  });
}

/** syncDayTops on PostgreSQL: one set-based statement, as syncRowsPostgres. */
const POSTGRES_SYNC_DAY_TOPS_SQL = `WITH input AS (
    SELECT (r->>0) COLLATE "C" AS game_id, (r->>1)::bigint AS day_start, (r->>2) COLLATE "C" AS clip_id, (r->>3) COLLATE "C" AS title,
           (r->>4)::bigint AS views FROM jsonb_array_elements(@rows::jsonb) AS r),
  gone AS (
    DELETE FROM analytics_day_top_clips t WHERE t.guild_id = @guild
       AND t.day_start IN (SELECT (k::text)::bigint FROM jsonb_array_elements(@scope::jsonb) AS k)
       AND (t.game_id, t.day_start) NOT IN (SELECT game_id, day_start FROM input))
  INSERT INTO analytics_day_top_clips (guild_id, game_id, day_start, clip_id, title, views)
  SELECT @guild, game_id, day_start, clip_id, title, views FROM input
  ON CONFLICT (guild_id, game_id, day_start) DO UPDATE SET clip_id = excluded.clip_id, title = excluded.title, views = excluded.views
  WHERE (analytics_day_top_clips.clip_id, analytics_day_top_clips.title, analytics_day_top_clips.views)
        IS DISTINCT FROM (excluded.clip_id, excluded.title, excluded.views)`;

/** Makes the guild's day top clips of the given days equal to `rows`. */
export async function syncDayTops(db: Db, guildId: string, scope: readonly number[], rows: readonly DayTopClipRow[]): Promise<void> {
  const q = queries(db);
  if (db.engine === 'postgres') {
    await q.run(POSTGRES_SYNC_DAY_TOPS_SQL, { rows: JSON.stringify(rows), guild: guildId, scope: JSON.stringify(scope) });
    return;
  }
  const existing = new Map<string, string>();
  for (const day of scope) {
    const found = await q.values<DayTopClipRow>(
      'SELECT game_id, day_start, clip_id, title, views FROM analytics_day_top_clips WHERE guild_id = ? AND day_start = ?',
      [guildId, day],
    );
    for (const row of found) existing.set(`${row[0]}\u0000${row[1]}`, JSON.stringify(row));
  }
  for (const row of rows) {
    const key = `${row[0]}\u0000${row[1]}`;
    const before = existing.get(key);
    existing.delete(key);
    if (before !== JSON.stringify(row)) {
      await q.run(
        `INSERT INTO analytics_day_top_clips (guild_id, game_id, day_start, clip_id, title, views) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (guild_id, game_id, day_start) DO UPDATE SET clip_id = excluded.clip_id, title = excluded.title, views = excluded.views`,
        [guildId, ...row],
      );
    }
  }
  for (const before of existing.values()) {
    const [game, day] = JSON.parse(before) as DayTopClipRow;
    await q.run('DELETE FROM analytics_day_top_clips WHERE guild_id = ? AND game_id = ? AND day_start = ?', [guildId, game, day]);
  }
}

/** A summary bucket: its period type and start. */
export interface BucketRef {
  type: string;
  start: number;
}

/** One row of a bucket: the table's key columns after period_start. */
export interface BucketKey {
  bucket: BucketRef;
  key: readonly SqlValue[];
}

/** How `read` answers: by the JSON of [period type, period start, …the key columns after period_start]. */
export function bucketRowKey(bucket: BucketRef, key: readonly SqlValue[]): string {
  return JSON.stringify([bucket.type, bucket.start, ...key]);
}

/** The interface both engines' bucket rows share (see PostgresBucketRows and SqliteBucketRows). */
export interface BucketRowsIO {
  /** The stored value columns of the keys' rows, by bucketRowKey; absent rows are not in the map. */
  read(table: SummaryTable, keys: readonly BucketKey[]): Promise<Map<string, Values>>;
  /** writeRowOn's rule, when flushed: `key` holds the table's key columns after period_start. */
  write(table: SummaryTable, bucket: BucketRef, key: Values, old: Values | undefined, next: Values | null): void;
  /** Applies the collected writes (of `table` only, when given). */
  flush(now: number, table?: SummaryTable): Promise<void>;
}

/** `(r->>i)` as a column's PostgreSQL type; period_type is text. */
function jsonField(column: string, i: number): string {
  const t = column === 'period_type' ? 'text' : postgresType(column);
  return t === 'text' ? `(r->>${i}) COLLATE "C"` : `(r->>${i})::${t}`;
}

const postgresReadSql = new Map<SummaryTable, string>();

/**
 * PostgreSQL's read of many rows of a table, in any buckets, in one statement: a probe of the table's key per row
 * (LATERAL with LIMIT 1, so the planner cannot turn the list into a hash join over a bucket's or the guild's rows, which
 * a large guild's all_time bucket makes slow; ADR 0046). Which index the probe takes depends on the statistics (see
 * analyzeSummaries).
 */
function postgresRead(table: SummaryTable): string {
  let sql = postgresReadSql.get(table);
  if (sql === undefined) {
    const { keys, values } = TABLE_COLUMNS[table];
    const own = keys.slice(1);
    const match = ['period_type', 'period_start', ...own].map((column, i) => ` AND t.${column} = ${jsonField(column, i)}`).join('');
    sql = `SELECT r->>0 AS period_type, (r->>1)::bigint AS period_start, x.* FROM jsonb_array_elements(@keys::jsonb) AS r
      CROSS JOIN LATERAL (SELECT ${[...own, ...values].map((c) => `t.${c}`).join(', ')} FROM ${table} t
                           WHERE t.guild_id = @guild${match} LIMIT 1) AS x`;
    postgresReadSql.set(table, sql);
  }
  return sql;
}

/**
 * An incremental step's reads and writes of summary rows on PostgreSQL, in bulk over all the buckets it carries:
 * `read` fetches the stored rows of many keys in one statement, `write` (writeRowOn's rule: insert, delete, or update
 * when a value differs) collects, and `flush` applies every collected row of every table in one statement (one
 * data-modifying CTE per table and kind). Each statement is a round trip on PostgreSQL, where SQLite's per-row
 * statements cost microseconds, so SQLite keeps writeRowOn's statements.
 */
export class PostgresBucketRows implements BucketRowsIO {
  private readonly upserts = new Map<SummaryTable, Row[]>();
  private readonly deletes = new Map<SummaryTable, Row[]>();

  constructor(
    private readonly db: Db,
    private readonly guildId: string,
  ) {}

  async read(table: SummaryTable, keys: readonly BucketKey[]): Promise<Map<string, Values>> {
    const found = new Map<string, Values>();
    if (keys.length === 0) return found;
    const own = TABLE_COLUMNS[table].keys.slice(1);
    const rows = await queries(this.db).all<Values>(postgresRead(table), {
      guild: this.guildId,
      keys: JSON.stringify(keys.map((k) => [k.bucket.type, k.bucket.start, ...k.key])),
    });
    for (const row of rows) {
      const bucket = { type: row.period_type as string, start: Number(row.period_start) };
      found.set(
        bucketRowKey(
          bucket,
          own.map((k) => row[k] as SqlValue),
        ),
        row,
      );
    }
    return found;
  }

  write(table: SummaryTable, bucket: BucketRef, key: Values, old: Values | undefined, next: Values | null): void {
    const { keys, values } = TABLE_COLUMNS[table];
    const own = keys.slice(1).map((k) => key[k] as string | number);
    if (next === null) {
      if (old) this.add(this.deletes, table, [bucket.type, bucket.start, ...own]);
      return;
    }
    if (old && values.every((v) => next[v] === old[v])) return;
    this.add(this.upserts, table, [bucket.type, bucket.start, ...own, ...values.map((v) => next[v] ?? null)]);
  }

  private add(map: Map<SummaryTable, Row[]>, table: SummaryTable, row: Row): void {
    let rows = map.get(table);
    if (!rows) map.set(table, (rows = []));
    rows.push(row);
  }

  async flush(now: number, table?: SummaryTable): Promise<void> {
    // The statements of every table and kind with rows, as CTEs of one statement: they see one snapshot, and touch
    // distinct rows (a key is written once per flush), so their order does not matter.
    const parts: string[] = [];
    const params: Record<string, SqlValue | undefined> = { guild: this.guildId };
    for (const t of table ? [table] : (Object.keys(TABLE_COLUMNS) as SummaryTable[])) {
      const { keys, values, stamped } = TABLE_COLUMNS[t];
      const gone = this.deletes.get(t);
      if (gone && gone.length > 0) {
        this.deletes.delete(t);
        const name = `d_${t}`;
        params[name] = JSON.stringify(gone);
        const columns = ['period_type', ...keys];
        parts.push(`${name} AS (DELETE FROM ${t} WHERE guild_id = @guild AND (${columns.join(', ')}) IN
          (SELECT ${columns.map((c, i) => jsonField(c, i)).join(', ')} FROM jsonb_array_elements(@${name}::jsonb) AS r))`);
      }
      const put = this.upserts.get(t);
      if (put && put.length > 0) {
        this.upserts.delete(t);
        const name = `u_${t}`;
        params[name] = JSON.stringify(put);
        const stamp = stamped === false ? [] : ['computed_at'];
        if (stamp.length > 0) params.now = now;
        const columns = ['period_type', ...keys, ...values];
        parts.push(`${name} AS (INSERT INTO ${t} (guild_id, ${[...columns, ...stamp].join(', ')})
           SELECT @guild, ${columns.map((c, i) => `${jsonField(c, i)}`).join(', ')}${stamp.length ? ', @now::bigint' : ''}
             FROM jsonb_array_elements(@${name}::jsonb) AS r
           ON CONFLICT (guild_id, period_type, ${keys.join(', ')})
           DO UPDATE SET ${[...values, ...stamp].map((v) => `${v} = excluded.${v}`).join(', ')})`);
      }
    }
    if (parts.length === 0) return;
    await queries(this.db).run(`WITH ${parts.join(',\n')} SELECT 1`, params);
  }
}

/**
 * PostgresBucketRows's interface on SQLite, with the same per-row statements as writeRowOn: `read` runs a primary-key
 * read per key and `flush` writeRowOn's statements per collected row, each batch in one tick on the connection (one
 * await per batch instead of one per row: on SQLite the statements cost microseconds, the awaits as much).
 */
export class SqliteBucketRows implements BucketRowsIO {
  private readonly writes: Array<{ table: SummaryTable; bucket: BucketRef; key: Values; old: Values | undefined; next: Values | null }> =
    [];

  constructor(
    private readonly db: Db,
    private readonly guildId: string,
  ) {}

  read(table: SummaryTable, keys: readonly BucketKey[]): Promise<Map<string, Values>> {
    if (keys.length === 0) return Promise.resolve(new Map());
    const { keys: keyColumns, values } = TABLE_COLUMNS[table];
    const sql = `SELECT ${values.join(', ')} FROM ${table} WHERE guild_id = ? AND period_type = ? AND ${keyColumns.map((k) => `${k} = ?`).join(' AND ')}`;
    return run(this.db, (c) => {
      const statement = c.statement<SqlValue[], Values>(sql);
      const found = new Map<string, Values>();
      for (const { bucket, key } of keys) {
        const row = statement.get(this.guildId, bucket.type, bucket.start, ...key);
        if (row !== undefined) found.set(bucketRowKey(bucket, key), row);
      }
      return found;
    });
  }

  write(table: SummaryTable, bucket: BucketRef, key: Values, old: Values | undefined, next: Values | null): void {
    this.writes.push({ table, bucket, key, old, next });
  }

  /** Applies the collected writes (of `table` only, when given), in the order they were made. */
  flush(now: number, table?: SummaryTable): Promise<void> {
    const due = table === undefined ? this.writes.splice(0) : this.take(table);
    if (due.length === 0) return Promise.resolve();
    return run(this.db, (c) => {
      for (const w of due) {
        const key: Values = { guild_id: this.guildId, period_type: w.bucket.type, period_start: w.bucket.start, ...w.key };
        writeRowOn(c, w.table, key, w.old, w.next, TABLE_COLUMNS[w.table].stamped === false ? null : now);
      }
    });
  }

  private take(table: SummaryTable): SqliteBucketRows['writes'] {
    const taken = this.writes.filter((w) => w.table === table);
    const kept = this.writes.filter((w) => w.table !== table);
    this.writes.length = 0;
    this.writes.push(...kept);
    return taken;
  }
}

/**
 * Writes one summary row given what it held (`old`, undefined when absent): inserts a new row, deletes one that
 * became empty (`next` null), and otherwise updates only the columns whose values changed, so that new shares of
 * a game rewrite its shares index entries and not its clip-count, views and average ones. `stamp` sets
 * computed_at (when the row last changed) on tables that have it.
 */
function writeRowOn(c: Connection, table: string, key: Values, old: Values | undefined, next: Values | null, stamp: number | null): void {
  const keyColumns = Object.keys(key);
  const where = keyColumns.map((k) => `${k} = ?`).join(' AND ');
  if (next === null) {
    if (old) c.statement(`DELETE FROM ${table} WHERE ${where}`).run(Object.values(key));
    return;
  }
  const stamped = stamp === null ? [] : [stamp];
  if (!old) {
    const columns = [...keyColumns, ...Object.keys(next), ...(stamp === null ? [] : ['computed_at'])];
    c.statement(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run([
      ...Object.values(key),
      ...Object.values(next),
      ...stamped,
    ]);
    return;
  }
  const changed = Object.keys(next).filter((k) => next[k] !== old[k]);
  if (changed.length === 0) return;
  const set = [...changed, ...(stamp === null ? [] : ['computed_at'])].map((k) => `${k} = ?`).join(', ');
  c.statement(`UPDATE ${table} SET ${set} WHERE ${where}`).run([
    ...changed.map((k) => next[k] as SqlValue),
    ...stamped,
    ...Object.values(key),
  ]);
}
