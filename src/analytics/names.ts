// Display names of creators and games: the name on the guild's most recent clip of that creator or game, so a
// renamed creator shows under their current name everywhere, whichever table an answer was read from.
import { cachedStatement, type Db } from '../db/client';
import { UNKNOWN_GAME_NAME } from './bucket-facts';

export interface NameLookup {
  creatorName(creatorId: string): string;
  gameName(gameId: string): string;
}

export function createNameLookup(db: Db, guildId: string): NameLookup {
  // Prepared once per connection: a lookup is built for every answer, and preparing costs more than reading.
  const creatorStmt = cachedStatement<[string, string], { name: string }>(
    db,
    `SELECT creator_name AS name FROM clips
      WHERE guild_id = ? AND creator_id = ? AND creator_name IS NOT NULL AND clip_created_at IS NOT NULL
      ORDER BY clip_created_at DESC, clip_id DESC LIMIT 1`,
  );
  const gameStmt = cachedStatement<[string, string], { name: string }>(
    db,
    `SELECT game_name AS name FROM clips
      WHERE guild_id = ? AND game_id = ? AND game_name IS NOT NULL AND game_name <> '' AND clip_created_at IS NOT NULL
      ORDER BY clip_created_at DESC, clip_id DESC LIMIT 1`,
  );
  const creators = new Map<string, string>();
  const games = new Map<string, string>();
  return {
    creatorName(creatorId) {
      let name = creators.get(creatorId);
      if (name === undefined) {
        name = creatorStmt.get(guildId, creatorId)?.name ?? creatorId;
        creators.set(creatorId, name);
      }
      return name;
    },
    gameName(gameId) {
      if (gameId === '') return UNKNOWN_GAME_NAME;
      let name = games.get(gameId);
      if (name === undefined) {
        name = gameStmt.get(guildId, gameId)?.name ?? `Game ${gameId}`;
        games.set(gameId, name);
      }
      return name;
    },
  };
}
