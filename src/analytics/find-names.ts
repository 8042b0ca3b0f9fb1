// Looks up a guild's own games, creators and clips by what a user typed: suggestions for autocomplete (most
// clipped first) and exact resolution of a picked or typed name. Only the guild's own rows are ever read.
import type { Db } from '../db/client';

export interface NamedEntity {
  id: string;
  name: string;
  clip_count: number;
}

/** Escapes LIKE wildcards so that "100%" or "a_b" match literally. */
function likePattern(typed: string): string {
  return `%${typed.trim().toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;
}

/** Up to `limit` games of the guild whose name contains the text, most clipped first ('' = the top ones). */
export function suggestGames(db: Db, guildId: string, typed: string, limit = 25): NamedEntity[] {
  return db.$client
    .prepare<[string, string, number], NamedEntity>(
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
  // The latest name of each creator: Twitch display names can change, the id does not.
  return db.$client
    .prepare<[string, string, number], NamedEntity>(
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
  const where = byId !== undefined ? `${idColumn} = ?` : `lower(${nameColumn}) = lower(?)`;
  const row = db.$client
    .prepare<[string, string], { id: string; clip_count: number }>(
      `SELECT ${idColumn} AS id, count(*) AS clip_count FROM clips
        WHERE guild_id = ? AND ${idColumn} IS NOT NULL AND ${idColumn} <> '' AND ${where}
        GROUP BY ${idColumn} ORDER BY clip_count DESC LIMIT 1`,
    )
    .get(guildId, byId ?? trimmed);
  if (!row) return null;
  const name = db.$client
    .prepare<[string, string], { name: string }>(
      `SELECT ${nameColumn} AS name FROM clips WHERE guild_id = ? AND ${idColumn} = ? AND ${nameColumn} IS NOT NULL
        ORDER BY last_updated_at DESC LIMIT 1`,
    )
    .get(guildId, row.id);
  const total = db.$client
    .prepare<[string, string], { n: number }>(`SELECT count(*) AS n FROM clips WHERE guild_id = ? AND ${idColumn} = ?`)
    .get(guildId, row.id);
  return { id: row.id, name: name?.name ?? row.id, clip_count: total?.n ?? row.clip_count };
}

/** The autocomplete value for an entity: its id, marked so it is never mistaken for a typed name. */
export function entityChoiceValue(entity: Pick<NamedEntity, 'id'>): string {
  return `id:${entity.id}`;
}
