// The summary tables' row writers, for use inside a store's run callback: each writes only what differs from what a
// row holds, so rewriting unchanged data reads much and writes little.
import type { Connection } from '../client';
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
 * Writes one summary row given what it held (`old`, undefined when absent): inserts a new row, deletes one that
 * became empty (`next` null), and otherwise updates only the columns whose values changed, so that new shares of
 * a game rewrite its shares index entries and not its clip-count, views and average ones. `stamp` sets
 * computed_at (when the row last changed) on tables that have it.
 */
export function writeRowOn(
  c: Connection,
  table: string,
  key: Values,
  old: Values | undefined,
  next: Values | null,
  stamp: number | null,
): void {
  const keyColumns = Object.keys(key);
  const where = keyColumns.map((k) => `${k} = ?`).join(' AND ');
  if (next === null) {
    if (old) c.statement(`DELETE FROM ${table} WHERE ${where}`).run(...Object.values(key));
    return;
  }
  const stamped = stamp === null ? [] : [stamp];
  if (!old) {
    const columns = [...keyColumns, ...Object.keys(next), ...(stamp === null ? [] : ['computed_at'])];
    c.statement(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(
      ...Object.values(key),
      ...Object.values(next),
      ...stamped,
    );
    return;
  }
  const changed = Object.keys(next).filter((k) => next[k] !== old[k]);
  if (changed.length === 0) return;
  const set = [...changed, ...(stamp === null ? [] : ['computed_at'])].map((k) => `${k} = ?`).join(', ');
  c.statement(`UPDATE ${table} SET ${set} WHERE ${where}`).run(...changed.map((k) => next[k]), ...stamped, ...Object.values(key));
}

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

/** Makes the guild's day top clips — of the given days, or all when scope is null — equal to `rows`. */
export function syncDayTopsOn(c: Connection, guildId: string, scope: number[] | null, rows: readonly DayTopClipRow[]): void {
  const existing = new Map<string, string>();
  const found = scope
    ? scope.flatMap((day) =>
        c
          .rawStatement<[string, number], DayTopClipRow>(
            'SELECT game_id, day_start, clip_id, title, views FROM analytics_day_top_clips WHERE guild_id = ? AND day_start = ?',
          )
          .all(guildId, day),
      )
    : c
        .rawStatement<[string], DayTopClipRow>(
          'SELECT game_id, day_start, clip_id, title, views FROM analytics_day_top_clips WHERE guild_id = ?',
        )
        .all(guildId);
  for (const row of found) existing.set(`${row[0]}\u0000${row[1]}`, JSON.stringify(row));
  const put = c.statement(
    `INSERT INTO analytics_day_top_clips (guild_id, game_id, day_start, clip_id, title, views) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET clip_id = excluded.clip_id, title = excluded.title, views = excluded.views`,
  );
  const drop = c.statement('DELETE FROM analytics_day_top_clips WHERE guild_id = ? AND game_id = ? AND day_start = ?');
  for (const row of rows) {
    const key = `${row[0]}\u0000${row[1]}`;
    const before = existing.get(key);
    existing.delete(key);
    if (before !== JSON.stringify(row)) put.run(guildId, ...row);
  }
  for (const before of existing.values()) {
    const [game, day] = JSON.parse(before) as DayTopClipRow;
    drop.run(guildId, game, day);
  }
}
