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
        name = creatorDisplayName(creatorId, nameStmt.get(guildId, 'creator', creatorId)?.name);
        creators.set(creatorId, name);
      }
      return name;
    },
    gameName(gameId) {
      if (gameId === '') return UNKNOWN_GAME_NAME;
      let name = games.get(gameId);
      if (name === undefined) {
        name = gameDisplayName(gameId, nameStmt.get(guildId, 'game', gameId)?.name);
        games.set(gameId, name);
      }
      return name;
    },
  };
}

/**
 * A creator's display name from its latest_names entry: the id when it has none. The triggers of migration 0007 write
 * the same display names (both rules below) into summary rows: change them together.
 */
function creatorDisplayName(creatorId: string, stored: string | null | undefined): string {
  return stored ?? creatorId;
}

/** A game's display name from its latest_names entry: "Unknown game" for Twitch's no-game id '', "Game <id>" when unnamed. */
function gameDisplayName(gameId: string, stored: string | null | undefined): string {
  if (gameId === '') return UNKNOWN_GAME_NAME;
  return stored ?? `Game ${gameId}`;
}
