// A guild's own games and creators by name: suggestions for what a user typed (most clipped first) and the entity
// a picked id or a typed full name means. Only the guild's own rows are ever read.
import { run, type Connection, type Db } from '../client';

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
function hasAllTimeSummary(c: Connection, guildId: string, table: 'game_analytics' | 'creator_analytics'): boolean {
  return c.statement(`SELECT 1 FROM ${table} WHERE guild_id = ? AND period_type = 'all_time' LIMIT 1`).get(guildId) !== undefined;
}

/** Up to `limit` games of the guild whose name contains the text, most clipped first ('' = the top ones). */
export function suggestGames(db: Db, guildId: string, typed: string, limit: number): Promise<NamedEntity[]> {
  return run(db, (c) => {
    if (hasAllTimeSummary(c, guildId, 'game_analytics')) {
      return c
        .statement<[string, string, number], NamedEntity>(
          `SELECT game_id AS id, game_name AS name, clip_count FROM game_analytics
            WHERE guild_id = ? AND period_type = 'all_time' AND game_id <> '' AND lower(game_name) LIKE ? ESCAPE '\\'
            ORDER BY clip_count DESC, game_name LIMIT ?`,
        )
        .all(guildId, likePattern(typed), limit);
    }
    return c
      .statement<[string, string, number], NamedEntity>(
        `SELECT game_id AS id, max(game_name) AS name, count(*) AS clip_count
           FROM clips
          WHERE guild_id = ? AND game_id IS NOT NULL AND game_id <> '' AND game_name IS NOT NULL
            AND lower(game_name) LIKE ? ESCAPE '\\'
          GROUP BY game_id
          ORDER BY clip_count DESC, name
          LIMIT ?`,
      )
      .all(guildId, likePattern(typed), limit);
  });
}

/** Up to `limit` clip creators of the guild whose name contains the text, most clips first. */
export function suggestCreators(db: Db, guildId: string, typed: string, limit: number): Promise<NamedEntity[]> {
  return run(db, (c) => {
    if (hasAllTimeSummary(c, guildId, 'creator_analytics')) {
      return c
        .statement<[string, string, number], NamedEntity>(
          `SELECT creator_id AS id, creator_name AS name, clip_count FROM creator_analytics
            WHERE guild_id = ? AND period_type = 'all_time' AND lower(creator_name) LIKE ? ESCAPE '\\'
            ORDER BY clip_count DESC, creator_name LIMIT ?`,
        )
        .all(guildId, likePattern(typed), limit);
    }
    // The latest name of each creator: Twitch display names can change, the id does not.
    return c
      .statement<[string, string, number], NamedEntity>(
        `SELECT c.creator_id AS id,
                (SELECT c2.creator_name FROM clips c2 WHERE c2.guild_id = c.guild_id AND c2.creator_id = c.creator_id
                  ORDER BY c2.last_updated_at DESC LIMIT 1) AS name,
                count(*) AS clip_count
           FROM clips c
          WHERE c.guild_id = ? AND c.creator_id IS NOT NULL AND c.creator_id <> '' AND c.creator_name IS NOT NULL
          GROUP BY c.creator_id
         HAVING lower(name) LIKE ? ESCAPE '\\'
          ORDER BY clip_count DESC, name
          LIMIT ?`,
      )
      .all(guildId, likePattern(typed), limit);
  });
}

/**
 * The game or creator of the guild with this id, or (by: 'name') with this full name, case-insensitive (the most
 * clipped one when several share it). Null when the guild has no clip of it.
 */
export function findEntity(db: Db, guildId: string, kind: EntityKind, key: { id: string } | { name: string }): Promise<NamedEntity | null> {
  const idColumn = kind === 'game' ? 'game_id' : 'creator_id';
  const nameColumn = kind === 'game' ? 'game_name' : 'creator_name';
  return run(db, (c) => {
    let id: string | undefined;
    if ('id' in key) id = key.id;
    else {
      // A typed name: the all-time summary holds every name in a few thousand rows; the raw clips only if it misses.
      const table = kind === 'game' ? 'game_analytics' : 'creator_analytics';
      id =
        c
          .statement<[string, string], { id: string }>(
            `SELECT ${idColumn} AS id FROM ${table} WHERE guild_id = ? AND period_type = 'all_time' AND lower(${nameColumn}) = lower(?)
              ORDER BY clip_count DESC LIMIT 1`,
          )
          .get(guildId, key.name)?.id ??
        c
          .statement<[string, string], { id: string }>(
            `SELECT ${idColumn} AS id FROM clips WHERE guild_id = ? AND lower(${nameColumn}) = lower(?) AND ${idColumn} IS NOT NULL AND ${idColumn} <> ''
              GROUP BY ${idColumn} ORDER BY count(*) DESC LIMIT 1`,
          )
          .get(guildId, key.name)?.id;
      if (id === undefined) return null;
    }
    // By id the (guild, id) indexes answer directly.
    const row = c
      .statement<{ guild: string; id: string }, { n: number; name: string | null }>(
        `SELECT count(*) AS n,
                (SELECT ${nameColumn} FROM clips WHERE guild_id = @guild AND ${idColumn} = @id AND ${nameColumn} IS NOT NULL
                  ORDER BY last_updated_at DESC LIMIT 1) AS name
           FROM clips WHERE guild_id = @guild AND ${idColumn} = @id`,
      )
      .get({ guild: guildId, id });
    if (!row || row.n === 0) return null;
    return { id, name: row.name ?? id, clip_count: row.n };
  });
}
