// A guild's own games and creators by name: suggestions for what a user typed (most clipped first) and the entity
// a picked id or a typed full name means. Only the guild's own rows are ever read.
import type { Db } from '../client';
import { readRow, readRows } from './postgres-text';

export interface NamedEntity {
  id: string;
  name: string;
  clip_count: number;
}

export type EntityKind = 'game' | 'creator';

/** A LIKE pattern for "contains the text", case-insensitive, with its wildcards escaped ("100%" and "a_b" match literally). */
function likePattern(typed: string): string {
  return `%${typed
    .trim()
    .toLowerCase()
    .replace(/[\\%_]/g, '\\$&')}%`;
}

/**
 * Whether the all-time summary of the guild is filled (by the aggregation job). Suggestions then come from it:
 * a few thousand rows instead of every clip, at the price of trailing the newest clips by one aggregation run.
 */
async function hasAllTimeSummary(db: Db, guildId: string, table: 'game_analytics' | 'creator_analytics'): Promise<boolean> {
  return (
    (await readRow(db, `SELECT 1 AS one FROM ${table} WHERE guild_id = ? AND period_type = 'all_time' LIMIT 1`, [guildId])) !== undefined
  );
}

/** Up to `limit` games of the guild whose name contains the text, most clipped first ('' = the top ones). */
export async function suggestGames(db: Db, guildId: string, typed: string, limit: number): Promise<NamedEntity[]> {
  if (await hasAllTimeSummary(db, guildId, 'game_analytics')) {
    return readRows<NamedEntity>(
      db,
      `SELECT game_id AS id, game_name AS name, clip_count FROM game_analytics
            WHERE guild_id = ? AND period_type = 'all_time' AND game_id <> '' AND lower(game_name) LIKE ? ESCAPE '\\'
            ORDER BY clip_count DESC, game_name LIMIT ?`,
      [guildId, likePattern(typed), limit],
    );
  }
  return readRows<NamedEntity>(
    db,
    `SELECT game_id AS id, max(game_name) AS name, count(*) AS clip_count
           FROM clips
          WHERE guild_id = ? AND game_id IS NOT NULL AND game_id <> '' AND game_name IS NOT NULL
            AND lower(game_name) LIKE ? ESCAPE '\\'
          GROUP BY game_id
          ORDER BY clip_count DESC, name
          LIMIT ?`,
    [guildId, likePattern(typed), limit],
  );
}

/** Up to `limit` clip creators of the guild whose name contains the text, most clips first. */
export async function suggestCreators(db: Db, guildId: string, typed: string, limit: number): Promise<NamedEntity[]> {
  if (await hasAllTimeSummary(db, guildId, 'creator_analytics')) {
    return readRows<NamedEntity>(
      db,
      `SELECT creator_id AS id, creator_name AS name, clip_count FROM creator_analytics
            WHERE guild_id = ? AND period_type = 'all_time' AND lower(creator_name) LIKE ? ESCAPE '\\'
            ORDER BY clip_count DESC, creator_name LIMIT ?`,
      [guildId, likePattern(typed), limit],
    );
  }
  // The latest name of each creator: Twitch display names can change, the id does not. Named in a subquery so that
  // both engines can filter on the name (PostgreSQL allows no output name in HAVING).
  return readRows<NamedEntity>(
    db,
    `SELECT id, name, clip_count FROM (
       SELECT c.creator_id AS id,
              (SELECT c2.creator_name FROM clips c2 WHERE c2.guild_id = c.guild_id AND c2.creator_id = c.creator_id
                ORDER BY c2.last_updated_at DESC LIMIT 1) AS name,
              count(*) AS clip_count
         FROM clips c
        WHERE c.guild_id = ? AND c.creator_id IS NOT NULL AND c.creator_id <> '' AND c.creator_name IS NOT NULL
        GROUP BY c.guild_id, c.creator_id
     ) AS named
     WHERE lower(name) LIKE ? ESCAPE '\\'
     ORDER BY clip_count DESC, name
     LIMIT ?`,
    [guildId, likePattern(typed), limit],
  );
}

/**
 * The game or creator of the guild with this id, or (by: 'name') with this full name, case-insensitive (the most
 * clipped one when several share it). Null when the guild has no clip of it.
 */
export async function findEntity(
  db: Db,
  guildId: string,
  kind: EntityKind,
  key: { id: string } | { name: string },
): Promise<NamedEntity | null> {
  const idColumn = kind === 'game' ? 'game_id' : 'creator_id';
  const nameColumn = kind === 'game' ? 'game_name' : 'creator_name';
  let id: string | undefined;
  if ('id' in key) id = key.id;
  else {
    // A typed name: the all-time summary holds every name in a few thousand rows; the raw clips only if it misses.
    const table = kind === 'game' ? 'game_analytics' : 'creator_analytics';
    id =
      (
        await readRow<{ id: string }>(
          db,
          `SELECT ${idColumn} AS id FROM ${table} WHERE guild_id = ? AND period_type = 'all_time' AND lower(${nameColumn}) = lower(?)
            ORDER BY clip_count DESC, ${idColumn} LIMIT 1`,
          [guildId, key.name],
        )
      )?.id ??
      (
        await readRow<{ id: string }>(
          db,
          `SELECT ${idColumn} AS id FROM clips WHERE guild_id = ? AND lower(${nameColumn}) = lower(?) AND ${idColumn} IS NOT NULL AND ${idColumn} <> ''
            GROUP BY ${idColumn} ORDER BY count(*) DESC, ${idColumn} LIMIT 1`,
          [guildId, key.name],
        )
      )?.id;
    if (id === undefined) return null;
  }
  // By id the (guild, id) indexes answer directly.
  const row = await readRow<{ n: number; name: string | null }>(
    db,
    `SELECT count(*) AS n,
            (SELECT ${nameColumn} FROM clips WHERE guild_id = @guild AND ${idColumn} = @id AND ${nameColumn} IS NOT NULL
              ORDER BY last_updated_at DESC, clip_id LIMIT 1) AS name
       FROM clips WHERE guild_id = @guild AND ${idColumn} = @id`,
    { guild: guildId, id },
  );
  if (!row || row.n === 0) return null;
  return { id, name: row.name ?? id, clip_count: row.n };
}
