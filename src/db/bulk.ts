// Whole-database tools for the offline builders (demo generation, its parallel merge, the benchmark's fingerprint):
// synchronous by design, since each runs alone on its connection before anything else opens the database.
import { createHash } from 'node:crypto';
import { sqliteClient, type Db } from './client';

const TABLES: ReadonlyArray<readonly [string, string]> = [
  ['clips', 'guild_id, clip_id'],
  ['shares', 'guild_id, message_id, clip_id'],
  ['reactions', 'guild_id, message_id, emoji_key, user_id'],
  ['reaction_baselines', 'guild_id, message_id, emoji_key'],
  ['clip_view_history', 'clip_id, observed_at'],
  ['dirty_hours', 'guild_id, hour_start'],
  ['engagement_changes', 'guild_id, at, clip_id'],
  ['guild_settings', 'guild_id'],
];

/** SHA-256 over every content row of the capture tables, in key order. */
export function hashDatabaseContent(db: Db): string {
  const hash = createHash('sha256');
  for (const [table, order] of TABLES) {
    const columns = sqliteClient(db)
      .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}') ORDER BY cid`)
      .all()
      .map((c) => c.name)
      .filter((name) => name !== 'id');
    hash.update(`\u0000table ${table}\u0000`);
    const statement = sqliteClient(db)
      .prepare(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${order}`)
      .raw(true);
    for (const row of statement.iterate() as Iterable<unknown[]>) hash.update(`${JSON.stringify(row)}\n`);
  }
  return hash.digest('hex');
}

/** Copies every part's rows into `db`, part by part, in the parts' own row order. */
export function mergeDatabaseParts(db: Db, partPaths: readonly string[], tables: readonly string[]): void {
  const client = sqliteClient(db);
  const journal = String(client.pragma('journal_mode', { simple: true }));
  client.pragma('journal_mode = MEMORY');
  client.pragma('synchronous = OFF');
  try {
    for (const [i, part] of partPaths.entries()) {
      client.prepare('ATTACH DATABASE ? AS ?').run(part, `part${i}`);
      try {
        client
          .transaction(() => {
            for (const table of tables) {
              const all = client
                .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}') ORDER BY cid`)
                .all()
                .map((c) => c.name);
              const hasId = all.includes('id');
              const columns = all.filter((name) => name !== 'id');
              const list = columns.map((c) => `"${c}"`).join(', ');
              client.exec(`INSERT INTO main."${table}" (${list}) SELECT ${list} FROM part${i}."${table}"${hasId ? ' ORDER BY id' : ''}`);
            }
          })
          .immediate();
      } finally {
        client.prepare('DETACH DATABASE ?').run(`part${i}`);
      }
    }
  } finally {
    client.pragma(`journal_mode = ${journal}`);
    client.pragma('synchronous = NORMAL');
  }
}

/** Runs `fn` with the journal in memory and syncing off (a build from scratch that is thrown away if it fails). */
export function withBulkLoadPragmas<T>(db: Db, fn: () => T): T {
  const client = sqliteClient(db);
  const journal = String(client.pragma('journal_mode', { simple: true }));
  const synchronous = Number(client.pragma('synchronous', { simple: true }));
  client.pragma('journal_mode = MEMORY');
  client.pragma('synchronous = OFF');
  try {
    return fn();
  } finally {
    client.pragma(`journal_mode = ${journal}`);
    client.pragma(`synchronous = ${synchronous}`);
  }
}

/** Runs `fn` in one write transaction on the connection, synchronously (the generator's batches). */
export function inBulkTransaction<T>(db: Db, fn: () => T): T {
  return sqliteClient(db).transaction(fn).immediate();
}
