// A fingerprint of a database's captured content, to check that a seed always builds the same community.
// Surrogate ids are left out: two databases with the same rows in the same keys hash the same.
import { createHash } from 'node:crypto';
import type { Db } from '../db/client';
import { legacyClient } from '../db/client';

const TABLES: ReadonlyArray<readonly [string, string]> = [
  ['clips', 'guild_id, clip_id'],
  ['shares', 'message_id, clip_id'],
  ['reactions', 'message_id, emoji_key, user_id'],
  ['reaction_baselines', 'message_id, emoji_key'],
  ['clip_view_history', 'clip_id, observed_at'],
  ['dirty_hours', 'guild_id, hour_start'],
  ['engagement_changes', 'guild_id, at, clip_id'],
  ['guild_settings', 'guild_id'],
];

/** SHA-256 over every content row of the capture tables, in key order. */
export function hashDatabaseContent(db: Db): string {
  const hash = createHash('sha256');
  for (const [table, order] of TABLES) {
    const columns = legacyClient(db)
      .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}') ORDER BY cid`)
      .all()
      .map((c) => c.name)
      .filter((name) => name !== 'id');
    hash.update(`\u0000table ${table}\u0000`);
    const statement = legacyClient(db).prepare(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${order}`).raw(true);
    for (const row of statement.iterate() as Iterable<unknown[]>) hash.update(`${JSON.stringify(row)}\n`);
  }
  return hash.digest('hex');
}
