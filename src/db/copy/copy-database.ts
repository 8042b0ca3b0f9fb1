// `clipscope copy`: moves a Clipscope database to another one, either engine to either engine (SQLite → PostgreSQL
// to move an install; PostgreSQL → SQLite with a guild to take one guild home). Every table, in bounded batches in key
// order, each batch one target transaction that also records how far the copy got (clipscope_copy_progress in the
// target), so a copy that stops (Ctrl-C, a lost connection, a crash) continues where it was when run again. At the
// end: identity sequences moved past the copied ids, the copy verified by row counts and per-guild checksums, and
// (PostgreSQL) the planner's statistics gathered.
import { ClipscopeError } from '../../errors';
import type { Db } from '../database';
import { dialect, queries, type SqlValue } from '../sql';
import { compareChecksums, databaseChecksums, type DatabaseChecksums } from './checksum';
import { countRows, readBatch, targetValue } from './rows';
import { COPY_TABLES, type CopyTable, readTableShape, type TableShape, upsertedOnSqlite } from './tables';

/** The target's record of an unfinished copy; dropped once the copy is verified. */
export const PROGRESS_TABLE = 'clipscope_copy_progress';

/** Values bound per INSERT at most: far below both engines' limits (SQLite 32,766, PostgreSQL 65,535). */
const MAX_VALUES_PER_STATEMENT = 20_000;

export type CopyProblem = 'target_not_empty' | 'other_copy_in_progress' | 'schema_mismatch' | 'verification_failed' | 'same_database';

export class CopyError extends ClipscopeError {
  constructor(
    readonly problem: CopyProblem,
    message: string,
  ) {
    super(`copy_${problem}`, message, { userFacing: true });
  }
}

export interface CopyProgress {
  table: string;
  /** Rows of this table copied so far (including a previous run's). */
  copied: number;
  /** Rows of this table to copy. */
  total: number;
}

export interface CopyOptions {
  /** Only this guild's rows (and the shared rows it needs); default every row. */
  guildId?: string;
  /** Rows per batch at most (default 1,000; lower for wide tables). */
  batchRows?: number;
  /** Called after each batch and when a table starts. */
  onProgress?: (progress: CopyProgress) => void;
  /** Checked before each batch: when it returns true the copy stops, resumable, and resolves with stopped = true. */
  shouldStop?: () => boolean;
}

export interface CopyResult {
  /** Whether this run continued an earlier, unfinished copy. */
  resumed: boolean;
  /** Set when shouldStop ended the run early: the copy continues when run again. */
  stopped: boolean;
  /** Rows per table in the target after the copy. */
  tables: { name: string; rows: number }[];
  /** Checksums of the source and the target (equal: verified), absent when stopped. */
  checksums?: { source: DatabaseChecksums; target: DatabaseChecksums };
}

interface ProgressRow {
  table_name: string;
  source: string;
  guild_id: string | null;
  last_key: string | null;
  rows_copied: number;
  finished: number;
}

/**
 * Copies `source` into `target` (both open and migrated, e.g. by openDb). The target must be empty, or hold an
 * unfinished copy of the same source and guild, which this run continues. Resolves once the copy is verified; throws a
 * CopyError when refused or when verification finds a difference.
 */
export async function copyDatabase(source: Db, target: Db, options: CopyOptions = {}): Promise<CopyResult> {
  if (source.engine === target.engine && source.location === target.location)
    throw new CopyError('same_database', `the source and the target are the same database (${source.location})`);
  const tables = COPY_TABLES.filter((t) => options.guildId === undefined || t.guildScope !== 'none');
  const shapes = new Map<string, { source: TableShape; target: TableShape }>();
  for (const table of tables) {
    const [s, t] = await Promise.all([readTableShape(source, table.name), readTableShape(target, table.name)]);
    if (s.columns.join() !== t.columns.join())
      throw new CopyError(
        'schema_mismatch',
        `${table.name} has other columns in the source (${s.columns.join(', ')}) than in the target (${t.columns.join(', ')}): ` +
          'run the same Clipscope version on both (clipscope migrate) and copy again',
      );
    shapes.set(table.name, { source: s, target: t });
  }

  const progress = await startOrResume(source, target, tables, options.guildId);
  const triggered = target.engine === 'postgres' ? await tablesWithTriggers(target) : new Set<string>();
  for (const table of tables) {
    const state = progress.rows.get(table.name)!;
    const total = await countRows(source, table, options.guildId);
    options.onProgress?.({ table: table.name, copied: state.rows_copied, total });
    if (state.finished) continue;
    const shape = shapes.get(table.name)!;
    const limit = Math.max(1, Math.min(options.batchRows ?? 1000, Math.floor(MAX_VALUES_PER_STATEMENT / shape.source.columns.length)));
    let after: SqlValue[] | null = state.last_key === null ? null : (JSON.parse(state.last_key) as SqlValue[]);
    for (;;) {
      if (options.shouldStop?.()) return { resumed: progress.resumed, stopped: true, tables: [] };
      const batch = await readBatch(source, table, shape.source, { after, limit, guildId: options.guildId });
      const finished = batch.rows.length < limit;
      await target.transaction(async (tx) => {
        const q = queries(tx);
        const pause = triggered.has(table.name);
        if (pause) await q.run(`ALTER TABLE ${table.name} DISABLE TRIGGER USER`);
        if (batch.rows.length > 0) await insertRows(tx, table, shape.target, batch.rows);
        if (pause) await q.run(`ALTER TABLE ${table.name} ENABLE TRIGGER USER`);
        await q.run(`UPDATE ${PROGRESS_TABLE} SET last_key = ?, rows_copied = rows_copied + ?, finished = ? WHERE table_name = ?`, [
          batch.lastKey === null ? state.last_key : JSON.stringify(batch.lastKey),
          batch.rows.length,
          finished ? 1 : 0,
          table.name,
        ]);
      });
      state.rows_copied += batch.rows.length;
      if (batch.lastKey !== null) state.last_key = JSON.stringify(batch.lastKey);
      options.onProgress?.({ table: table.name, copied: state.rows_copied, total });
      if (finished) break;
      after = batch.lastKey;
    }
  }
  if (target.engine === 'postgres') await resetIdentities(target, tables, shapes);

  const [sourceSums, targetSums] = await Promise.all([
    databaseChecksums(source, { guildId: options.guildId, tables }),
    databaseChecksums(target, { tables }),
  ]);
  const problems = compareChecksums(sourceSums, targetSums);
  if (problems.length > 0)
    throw new CopyError(
      'verification_failed',
      `the copy does not match its source: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}. ` +
        'Was the source written to during the copy? Copy again into an empty database with Clipscope stopped',
    );
  await queries(target).run(`DROP TABLE ${PROGRESS_TABLE}`);
  // Planner statistics: a bulk load leaves PostgreSQL with none until autovacuum's next ANALYZE (minutes on a busy
  // server, never where autovacuum is off), and without them it plans a guild's reads as if the guild had a few rows:
  // at L, an incremental aggregation run of the largest guild took 1.73 s before this ANALYZE and 1.05 s after.
  if (target.engine === 'postgres') await queries(target).run(`ANALYZE ${tables.map((t) => t.name).join(', ')}`);
  return {
    resumed: progress.resumed,
    stopped: false,
    tables: tables.map((t) => ({ name: t.name, rows: targetSums.tables.get(t.name)?.rows ?? 0 })),
    checksums: { source: sourceSums, target: targetSums },
  };
}

/** The target's progress rows: new ones for an empty target, or those of the unfinished copy it holds. */
async function startOrResume(
  source: Db,
  target: Db,
  tables: readonly CopyTable[],
  guildId: string | undefined,
): Promise<{ resumed: boolean; rows: Map<string, ProgressRow> }> {
  const q = queries(target);
  if (await tableExists(target, PROGRESS_TABLE)) {
    const rows = await q.all<ProgressRow>(`SELECT table_name, source, guild_id, last_key, rows_copied, finished FROM ${PROGRESS_TABLE}`);
    const first = rows[0];
    if (!first || first.source !== source.location || (first.guild_id ?? undefined) !== guildId || rows.length !== tables.length)
      throw new CopyError(
        'other_copy_in_progress',
        `${target.location} holds an unfinished copy of ${first?.source ?? 'another database'}${first?.guild_id ? ` (guild ${first.guild_id})` : ''}: ` +
          'run that copy again to finish it, or copy into another, empty database',
      );
    return {
      resumed: true,
      rows: new Map(rows.map((r) => [r.table_name, { ...r, rows_copied: Number(r.rows_copied), finished: Number(r.finished) }])),
    };
  }
  for (const table of COPY_TABLES) {
    const any = await q.get(`SELECT 1 AS found FROM ${table.name} LIMIT 1`);
    if (any)
      throw new CopyError(
        'target_not_empty',
        `${target.location} is not empty (${table.name} has rows): clipscope copy writes only into an empty database. ` +
          'Create a new one (createdb, or a new SQLite file) and copy into it',
      );
  }
  await target.transaction(async (tx) => {
    await queries(tx).run(
      `CREATE TABLE ${PROGRESS_TABLE} (table_name TEXT PRIMARY KEY, source TEXT NOT NULL, guild_id TEXT, last_key TEXT, ` +
        'rows_copied BIGINT NOT NULL, finished INTEGER NOT NULL)',
    );
    for (const table of tables) {
      await queries(tx).run(`INSERT INTO ${PROGRESS_TABLE} VALUES (?, ?, ?, NULL, 0, 0)`, [table.name, source.location, guildId ?? null]);
    }
  });
  const rows = tables.map(
    (t): ProgressRow => ({
      table_name: t.name,
      source: source.location,
      guild_id: guildId ?? null,
      last_key: null,
      rows_copied: 0,
      finished: 0,
    }),
  );
  return { resumed: false, rows: new Map(rows.map((r) => [r.table_name, r])) };
}

async function insertRows(tx: Db, table: CopyTable, shape: TableShape, rows: readonly SqlValue[][]): Promise<void> {
  const columns = shape.columns;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const values: SqlValue[] = [];
  for (const row of rows) for (let i = 0; i < columns.length; i++) values.push(targetValue(row[i]!, shape.kinds[i]!, tx.engine));
  // PostgreSQL's identity columns are GENERATED ALWAYS: a copied id needs OVERRIDING SYSTEM VALUE.
  const overriding = tx.engine === 'postgres' && shape.identity !== null ? ' OVERRIDING SYSTEM VALUE' : '';
  // On SQLite, clips' triggers have already written latest_names rows: the source's rows replace them.
  const upsert =
    tx.engine === 'sqlite' && upsertedOnSqlite(table.name)
      ? ` ON CONFLICT (${shape.key.join(', ')}) DO UPDATE SET ${columns
          .filter((c) => !shape.key.includes(c))
          .map((c) => `${c} = excluded.${c}`)
          .join(', ')}`
      : '';
  await queries(tx).run(
    `INSERT INTO ${table.name} (${columns.join(', ')})${overriding} VALUES ${rows.map(() => tuple).join(', ')}${upsert}`,
    values,
  );
}

/** Moves each identity sequence past the largest id copied, so the next insert does not collide with a copied row. */
async function resetIdentities(target: Db, tables: readonly CopyTable[], shapes: Map<string, { target: TableShape }>): Promise<void> {
  for (const table of tables) {
    const column = shapes.get(table.name)?.target.identity;
    if (!column) continue;
    await queries(target).get(
      `SELECT setval(pg_get_serial_sequence(?, ?), max(${column})) AS value FROM ${table.name} HAVING max(${column}) IS NOT NULL`,
      [table.name, column],
    );
  }
}

async function tableExists(db: Db, name: string): Promise<boolean> {
  const row = await queries(db).get(
    dialect(db, {
      sqlite: "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?",
      postgres: 'SELECT 1 AS found FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?',
    }),
    [name],
  );
  return row !== undefined;
}

async function tablesWithTriggers(db: Db): Promise<Set<string>> {
  const rows = await queries(db).all<{ name: string }>(
    `SELECT DISTINCT c.relname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND n.nspname = current_schema()`,
  );
  return new Set(rows.map((r) => r.name));
}
