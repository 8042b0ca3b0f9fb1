// The display names summary rows are written with (ADR 0003), read from latest_names inside the write's own
// transaction: the triggers on latest_names carry a later rename into rows already written, so names must be read
// where the rows are written. On PostgreSQL the names read are locked FOR SHARE until the write commits, so a rename
// committing meanwhile waits and then its trigger (a fresh statement) sees, and renames, the rows just written.
import type { Db } from '../database';
import { creatorDisplayName, gameDisplayName, UNKNOWN_GAME_NAME, type NameLookup } from '../analytics/names';
import { dialect, queries } from '../sql';

/** Ids read per statement (one JSON array parameter), so a bucket with many creators costs a few round trips. */
const IDS_PER_READ = 5_000;

async function readStored(tx: Db, guildId: string, kind: 'creator' | 'game', ids: readonly string[]): Promise<Map<string, string>> {
  const sql = dialect(tx, {
    sqlite: 'SELECT entity_id, name FROM latest_names WHERE guild_id = ? AND kind = ? AND entity_id IN (SELECT value FROM json_each(?))',
    postgres: `SELECT entity_id, name FROM latest_names WHERE guild_id = ? AND kind = ?
                 AND entity_id IN (SELECT e COLLATE "C" FROM jsonb_array_elements_text(?::jsonb) AS e) FOR SHARE`,
  });
  const stored = new Map<string, string>();
  for (let i = 0; i < ids.length; i += IDS_PER_READ) {
    const rows = await queries(tx).all<{ entity_id: string; name: string }>(sql, [
      guildId,
      kind,
      JSON.stringify(ids.slice(i, i + IDS_PER_READ)),
    ]);
    for (const r of rows) stored.set(r.entity_id, r.name);
  }
  return stored;
}

/** The display names of the given creators and games, read in bulk; the lookup answers only for those ids. */
export async function readSummaryNames(
  tx: Db,
  guildId: string,
  ids: { creators: Iterable<string>; games: Iterable<string> },
): Promise<NameLookup> {
  const creatorIds = [...new Set(ids.creators)];
  const gameIds = [...new Set(ids.games)].filter((id) => id !== '');
  const storedCreators = await readStored(tx, guildId, 'creator', creatorIds);
  const storedGames = await readStored(tx, guildId, 'game', gameIds);
  const creators = new Map(creatorIds.map((id) => [id, creatorDisplayName(id, storedCreators.get(id))]));
  const games = new Map(gameIds.map((id) => [id, gameDisplayName(id, storedGames.get(id))]));
  const missing = (kind: string, id: string): never => {
    throw new Error(`the ${kind} name of ${JSON.stringify(id)} was not read`);
  };
  return {
    creatorName: (id) => creators.get(id) ?? missing('creator', id),
    gameName: (id) => (id === '' ? UNKNOWN_GAME_NAME : (games.get(id) ?? missing('game', id))),
  };
}
