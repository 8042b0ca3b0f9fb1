// Row counts and checksums of a database's tables, the same on both engines: each row's engine-neutral values (JSON
// in canonical form) are hashed, and the row hashes are summed (mod 2^64), so the order each engine reads in does not
// matter. Guild tables get one checksum per guild, folded into a per-guild digest; shared tables one checksum each.
import { createHash } from 'node:crypto';
import type { Db } from '../database';
import { canonicalJson, readBatch } from './rows';
import { COPY_TABLES, type CopyTable, readTableShape } from './tables';

const BATCH_ROWS = 2000;
const MOD = 1n << 64n;

export interface TableSum {
  rows: number;
  /** The sum of the rows' hashes mod 2^64, as 16 hex digits. */
  sum: string;
}

export interface DatabaseChecksums {
  /** Per table: its rows and checksum (one guild's rows when the copy is limited to a guild). */
  tables: Map<string, TableSum>;
  /** Per guild: a digest over every guild table's rows and checksum for that guild. */
  guilds: Map<string, string>;
}

function rowHash(text: string): bigint {
  return createHash('sha1').update(text).digest().readBigUInt64BE(0);
}

/** Counts and checksums of every table the copy moves (those of one guild when `guildId` is given). */
export async function databaseChecksums(
  db: Db,
  options: { guildId?: string; tables?: readonly CopyTable[] } = {},
): Promise<DatabaseChecksums> {
  const tables = new Map<string, TableSum>();
  const perGuild = new Map<string, Map<string, { rows: number; sum: bigint }>>();
  for (const table of options.tables ?? COPY_TABLES) {
    if (options.guildId !== undefined && table.guildScope === 'none') continue;
    const shape = await readTableShape(db, table.name);
    const guildColumn = table.kind === 'guild' ? shape.columns.indexOf('guild_id') : -1;
    let rows = 0;
    let sum = 0n;
    let after = null;
    for (;;) {
      const batch = await readBatch(db, table, shape, { after, limit: BATCH_ROWS, guildId: options.guildId });
      for (const row of batch.rows) {
        const text = row
          .map((v, i) => (v === null ? '\\N' : shape.kinds[i] === 'json' ? canonicalJson(String(v)) : String(v)))
          .join('\u001f');
        const hash = rowHash(text);
        rows++;
        sum = (sum + hash) % MOD;
        if (guildColumn >= 0) {
          const guild = String(row[guildColumn]);
          let byTable = perGuild.get(guild);
          if (!byTable) perGuild.set(guild, (byTable = new Map()));
          const entry = byTable.get(table.name) ?? { rows: 0, sum: 0n };
          entry.rows++;
          entry.sum = (entry.sum + hash) % MOD;
          byTable.set(table.name, entry);
        }
      }
      if (batch.lastKey === null || batch.rows.length < BATCH_ROWS) break;
      after = batch.lastKey;
    }
    tables.set(table.name, { rows, sum: sum.toString(16).padStart(16, '0') });
  }
  const guilds = new Map<string, string>();
  for (const guild of [...perGuild.keys()].sort()) {
    const digest = createHash('sha256');
    for (const [name, entry] of [...perGuild.get(guild)!].sort(([a], [b]) => (a < b ? -1 : 1))) {
      digest.update(`${name}:${entry.rows}:${entry.sum.toString(16)}\n`);
    }
    guilds.set(guild, digest.digest('hex').slice(0, 16));
  }
  return { tables, guilds };
}

/** The differences between two databases' checksums, one line each (empty when they match). */
export function compareChecksums(source: DatabaseChecksums, target: DatabaseChecksums): string[] {
  const problems: string[] = [];
  for (const [name, s] of source.tables) {
    const t = target.tables.get(name);
    if (!t) problems.push(`${name}: missing from the target`);
    else if (s.rows !== t.rows) problems.push(`${name}: ${s.rows} rows in the source, ${t.rows} in the target`);
    else if (s.sum !== t.sum) problems.push(`${name}: same ${s.rows} rows counted, different content (checksum ${s.sum} ≠ ${t.sum})`);
  }
  for (const [guild, s] of source.guilds) {
    const t = target.guilds.get(guild);
    if (t !== s) problems.push(`guild ${guild}: checksum ${s} in the source, ${t ?? 'no rows'} in the target`);
  }
  for (const guild of target.guilds.keys()) if (!source.guilds.has(guild)) problems.push(`guild ${guild}: in the target only`);
  return problems;
}
