// Looks up a guild's own games, creators and clips by what a user typed: suggestions for autocomplete (most
// clipped first) and exact resolution of a picked or typed name. Only the guild's own rows are ever read.
import { cachedStatement, type Db } from '../db/client';

export interface NamedEntity {
  id: string;
  name: string;
  clip_count: number;
}

/** Escapes LIKE wildcards so that "100%" or "a_b" match literally. */
function likePattern(typed: string): string {
  return `%${typed.trim().toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;
}

/**
 * Whether the all-time summary of the guild is filled (by the aggregation job). Suggestions then come from it:
 * a few thousand rows instead of every clip, at the price of trailing the newest clips by one aggregation run.
 */
function hasAllTimeSummary(db: Db, guildId: string, table: 'game_analytics' | 'creator_analytics'): boolean {
  return cachedStatement(db, `SELECT 1 FROM ${table} WHERE guild_id = ? AND period_type = 'all_time' LIMIT 1`).get(guildId) !== undefined;
}

/** Up to `limit` games of the guild whose name contains the text, most clipped first ('' = the top ones). */
export function suggestGames(db: Db, guildId: string, typed: string, limit = 25): NamedEntity[] {
  if (hasAllTimeSummary(db, guildId, 'game_analytics')) {
    return cachedStatement<[string, string, number], NamedEntity>(
        db,
        `SELECT game_id AS id, game_name AS name, clip_count FROM game_analytics
          WHERE guild_id = ? AND period_type = 'all_time' AND game_id <> '' AND lower(game_name) LIKE ? ESCAPE '\\'
          ORDER BY clip_count DESC, game_name LIMIT ?`,
      )
      .all(guildId, likePattern(typed), limit);
  }
  return cachedStatement<[string, string, number], NamedEntity>(
      db,
      `SELECT game_id AS id, max(game_name) AS name, count(*) AS clip_count
         FROM clips
        WHERE guild_id = ? AND game_id IS NOT NULL AND game_id <> '' AND game_name IS NOT NULL
          AND lower(game_name) LIKE ? ESCAPE '\\'
        GROUP BY game_id
        ORDER BY clip_count DESC, name
        LIMIT ?`,
    )
    .all(guildId, likePattern(typed), limit);
}

/** Up to `limit` clip creators of the guild whose name contains the text, most clips first. */
export function suggestCreators(db: Db, guildId: string, typed: string, limit = 25): NamedEntity[] {
  if (hasAllTimeSummary(db, guildId, 'creator_analytics')) {
    return cachedStatement<[string, string, number], NamedEntity>(
        db,
        `SELECT creator_id AS id, creator_name AS name, clip_count FROM creator_analytics
          WHERE guild_id = ? AND period_type = 'all_time' AND lower(creator_name) LIKE ? ESCAPE '\\'
          ORDER BY clip_count DESC, creator_name LIMIT ?`,
      )
      .all(guildId, likePattern(typed), limit);
  }
  // The latest name of each creator: Twitch display names can change, the id does not.
  return cachedStatement<[string, string, number], NamedEntity>(
      db,
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
}

/**
 * The game a user meant: an id picked from autocomplete (`id:<game_id>`), or a name typed in full
 * (case-insensitive). Null when the guild has no clip of such a game.
 */
export function findGame(db: Db, guildId: string, text: string): NamedEntity | null {
  return findEntity(db, guildId, text, 'game');
}

export function findCreator(db: Db, guildId: string, text: string): NamedEntity | null {
  return findEntity(db, guildId, text, 'creator');
}

function findEntity(db: Db, guildId: string, text: string, kind: 'game' | 'creator'): NamedEntity | null {
  const idColumn = kind === 'game' ? 'game_id' : 'creator_id';
  const nameColumn = kind === 'game' ? 'game_name' : 'creator_name';
  const trimmed = text.trim();
  const byId = /^id:(.+)$/.exec(trimmed)?.[1];
  let id: string | undefined = byId;
  if (id === undefined) {
    // A typed name: the all-time summary holds every name in a few thousand rows; the raw clips only if it misses.
    const table = kind === 'game' ? 'game_analytics' : 'creator_analytics';
    id =
      cachedStatement<[string, string], { id: string }>(
          db,
          `SELECT ${idColumn} AS id FROM ${table} WHERE guild_id = ? AND period_type = 'all_time' AND lower(${nameColumn}) = lower(?)
            ORDER BY clip_count DESC LIMIT 1`,
        )
        .get(guildId, trimmed)?.id ??
      cachedStatement<[string, string], { id: string }>(
          db,
          `SELECT ${idColumn} AS id FROM clips WHERE guild_id = ? AND lower(${nameColumn}) = lower(?) AND ${idColumn} IS NOT NULL AND ${idColumn} <> ''
            GROUP BY ${idColumn} ORDER BY count(*) DESC LIMIT 1`,
        )
        .get(guildId, trimmed)?.id;
    if (id === undefined) return null;
  }
  // By id the (guild, id) indexes answer directly.
  const row = cachedStatement<{ guild: string; id: string }, { n: number; name: string | null }>(
      db,
      `SELECT count(*) AS n,
              (SELECT ${nameColumn} FROM clips WHERE guild_id = @guild AND ${idColumn} = @id AND ${nameColumn} IS NOT NULL
                ORDER BY last_updated_at DESC LIMIT 1) AS name
         FROM clips WHERE guild_id = @guild AND ${idColumn} = @id`,
    )
    .get({ guild: guildId, id });
  if (!row || row.n === 0) return null;
  return { id, name: row.name ?? id, clip_count: row.n };
}

/** The autocomplete value for an entity: its id, marked so it is never mistaken for a typed name. */
export function entityChoiceValue(entity: Pick<NamedEntity, 'id'>): string {
  return `id:${entity.id}`;
}
