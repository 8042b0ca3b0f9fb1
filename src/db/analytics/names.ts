// Display names of creators and games from latest_names (the name on the guild's most recent clip of each, kept by
// triggers on clips), so a renamed creator shows under their current name whichever table an answer was read from.
import { run, type Connection, type Db } from '../client';
import { queries } from '../sql';
import { textArray } from './postgres-text';

export const UNKNOWN_GAME_NAME = 'Unknown game';

export interface NameLookup {
  creatorName(creatorId: string): string;
  gameName(gameId: string): string;
}

const NAME_SQL = 'SELECT name FROM latest_names WHERE guild_id = ? AND kind = ? AND entity_id = ?';

/**
 * A creator's display name from its latest_names entry: the id when it has none. The triggers of migration 0007 write
 * the same display names (both rules below) into summary rows: change them together.
 */
export function creatorDisplayName(creatorId: string, stored: string | null | undefined): string {
  return stored ?? creatorId;
}

/** A game's display name from its latest_names entry: "Unknown game" for Twitch's no-game id '', "Game <id>" when unnamed. */
export function gameDisplayName(gameId: string, stored: string | null | undefined): string {
  if (gameId === '') return UNKNOWN_GAME_NAME;
  return stored ?? `Game ${gameId}`;
}

/**
 * A lookup that reads each name on first use, on `c` (inside a run callback, or a writer's own synchronous work):
 * one primary-key read per distinct id.
 */
export function nameLookupOn(c: Connection, guildId: string): NameLookup {
  const nameStmt = c.statement<[string, string, string], { name: string }>(NAME_SQL);
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

/** The display names of the given creators and games, read in one go; the lookup answers only for those ids. */
export function readNames(db: Db, guildId: string, ids: { creators?: Iterable<string>; games?: Iterable<string> }): Promise<NameLookup> {
  if (db.engine === 'postgres') return postgresNames(db, guildId, ids);
  return run(db, (c) => {
    const lookup = nameLookupOn(c, guildId);
    const creators = new Map<string, string>();
    const games = new Map<string, string>();
    for (const id of ids.creators ?? []) creators.set(id, lookup.creatorName(id));
    for (const id of ids.games ?? []) games.set(id, lookup.gameName(id));
    const missing = (kind: string, id: string): never => {
      throw new Error(`the ${kind} name of ${JSON.stringify(id)} was not read`);
    };
    return {
      creatorName: (id) => creators.get(id) ?? missing('creator', id),
      gameName: (id) => (id === '' ? UNKNOWN_GAME_NAME : (games.get(id) ?? missing('game', id))),
    };
  });
}

/** PostgreSQL: every name asked for in one statement (the ids as a bound text[] per kind). */
async function postgresNames(db: Db, guildId: string, ids: { creators?: Iterable<string>; games?: Iterable<string> }): Promise<NameLookup> {
  const creatorIds = [...new Set(ids.creators ?? [])];
  const gameIds = [...new Set(ids.games ?? [])].filter((id) => id !== '');
  const rows = await queries(db).values<[kind: string, id: string, name: string]>(
    `SELECT kind, entity_id, name FROM latest_names
      WHERE guild_id = ? AND ((kind = 'creator' AND entity_id = ANY(CAST(? AS text[]))) OR (kind = 'game' AND entity_id = ANY(CAST(? AS text[]))))`,
    [guildId, textArray(creatorIds), textArray(gameIds)],
  );
  const stored = new Map<string, string>();
  for (const [kind, id, name] of rows) stored.set(`${kind}:${id}`, name);
  const creators = new Map(creatorIds.map((id) => [id, creatorDisplayName(id, stored.get(`creator:${id}`))]));
  const games = new Map(gameIds.map((id) => [id, gameDisplayName(id, stored.get(`game:${id}`))]));
  const missing = (kind: string, id: string): never => {
    throw new Error(`the ${kind} name of ${JSON.stringify(id)} was not read`);
  };
  return {
    creatorName: (id) => creators.get(id) ?? missing('creator', id),
    gameName: (id) => (id === '' ? UNKNOWN_GAME_NAME : (games.get(id) ?? missing('game', id))),
  };
}
