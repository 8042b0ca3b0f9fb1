// Claim-or-resume of a once-per-period delivery row (a digest week, a report month, one report email): the row is
// taken 'fresh' by an insert that does nothing on conflict, or 'resumed' by an update conditional on the claim being
// stale. Each step is one statement whose outcome the database decides, so of any number of processes claiming the
// same row at once exactly one wins, on both engines.
import type { Db } from './database';
import { queries, type SqlValue } from './sql';

export type Claim = 'fresh' | 'resumed';

export interface ClaimSpec {
  /** The delivery table. A closed set: table and column names are written into the SQL. */
  table: 'digest_posts' | 'report_posts' | 'report_emails';
  /** The row's key (guild_id first), in the order of the table's unique key: the insert's conflict target. */
  key: Readonly<Record<string, SqlValue>>;
  /** The column that reads 'claimed' while an attempt holds the row. */
  stateColumn: string;
  /** The column holding when the claim was taken (0 = made stale on purpose after a failure). */
  claimedAtColumn: string;
  /** Further columns of a fresh row, written again by a resumption (the channel the attempt posts to). */
  values?: Readonly<Record<string, SqlValue>>;
  /** Columns only a fresh row gets (an attempt counter's first value). */
  insertOnly?: Readonly<Record<string, SqlValue>>;
  /** Extra SQL of the resumption: a SET term and a WHERE condition with its `?` values (a cap on attempts). */
  resume?: { set?: string; where?: string; params?: readonly SqlValue[] };
  now: number;
  /** A claim taken at or before this is stale and may be resumed. */
  staleBefore: number;
}

/** Takes the row for this attempt: 'fresh', 'resumed' (an earlier claim went stale), or null (not ours to take). */
export async function claimOrResume(db: Db, spec: ClaimSpec): Promise<Claim | null> {
  const q = queries(db);
  const keyColumns = Object.keys(spec.key);
  const values = spec.values ?? {};
  const inserted = { ...values, ...spec.insertOnly };
  const insertColumns = [...keyColumns, ...Object.keys(inserted), spec.stateColumn, spec.claimedAtColumn];
  const fresh = await q.run(
    `INSERT INTO ${spec.table} (${insertColumns.join(', ')})
     VALUES (${insertColumns.map((c) => (c === spec.stateColumn ? "'claimed'" : '?')).join(', ')})
     ON CONFLICT (${keyColumns.join(', ')}) DO NOTHING`,
    [...Object.values(spec.key), ...Object.values(inserted), spec.now],
  );
  if (fresh.changes > 0) return 'fresh';
  const set = [
    ...Object.keys(values).map((c) => `${c} = ?`),
    ...(spec.resume?.set ? [spec.resume.set] : []),
    `${spec.claimedAtColumn} = ?`,
  ];
  const where = [
    ...keyColumns.map((c) => `${c} = ?`),
    `${spec.stateColumn} = 'claimed'`,
    `${spec.claimedAtColumn} <= ?`,
    ...(spec.resume?.where ? [spec.resume.where] : []),
  ];
  const resumed = await q.run(`UPDATE ${spec.table} SET ${set.join(', ')} WHERE ${where.join(' AND ')}`, [
    ...Object.values(values),
    spec.now,
    ...Object.values(spec.key),
    spec.staleBefore,
    ...(spec.resume?.params ?? []),
  ]);
  return resumed.changes > 0 ? 'resumed' : null;
}
