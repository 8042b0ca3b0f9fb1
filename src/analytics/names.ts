// Display names of creators and games: the name on the guild's most recent clip of that creator or game, so a
// renamed creator shows under their current name everywhere, whichever table an answer was read from.
import { cachedStatement, type Db } from '../db/client';
import { UNKNOWN_GAME_NAME } from './bucket-facts';

export interface NameLookup {
  creatorName(creatorId: string): string;
  gameName(gameId: string): string;
}

export function createNameLookup(db: Db, guildId: string): NameLookup {
  // latest_names holds exactly that name per creator and game (kept by triggers on clips): one primary-key read.
  // Prepared once per connection: a lookup is built for every answer, and preparing costs more than reading.
  const nameStmt = cachedStatement<[string, string, string], { name: string }>(
    db,
    'SELECT name FROM latest_names WHERE guild_id = ? AND kind = ? AND entity_id = ?',
  );
  const creators = new Map<string, string>();
  const games = new Map<string, string>();
  return {
    creatorName(creatorId) {
      let name = creators.get(creatorId);
      if (name === undefined) {
        name = nameStmt.get(guildId, 'creator', creatorId)?.name ?? creatorId;
        creators.set(creatorId, name);
      }
      return name;
    },
    gameName(gameId) {
      if (gameId === '') return UNKNOWN_GAME_NAME;
      let name = games.get(gameId);
      if (name === undefined) {
        name = nameStmt.get(guildId, 'game', gameId)?.name ?? `Game ${gameId}`;
        games.set(gameId, name);
      }
      return name;
    },
  };
}
