// The display names summary rows are written with (ADR 0003), read from latest_names inside the write's own
// transaction: the triggers on latest_names carry a later rename into rows already written, so names must be read
// where the rows are written. On PostgreSQL the names read are locked FOR SHARE until the write commits, so a rename
// committing meanwhile waits and then its trigger (a fresh statement) sees, and renames, the rows just written.
import type { Db } from '../database';
import { creatorDisplayName, gameDisplayName, UNKNOWN_GAME_NAME, type NameLookup } from '../analytics/names';
import { run } from '../client';
import { queries } from '../sql';

/** Ids read per statement on PostgreSQL (one JSON array parameter), so a bucket with many creators costs a few round trips. */
const IDS_PER_READ = 5_000;

const SQLITE_NAME_SQL = 'SELECT name FROM latest_names WHERE guild_id = ? AND kind = ? AND entity_id = ?';
// An array, not IN (SELECT …): see KEYS_IN_JSON_LIST in ../sql.ts.
const POSTGRES_NAMES_SQL = `SELECT entity_id, name FROM latest_names WHERE guild_id = ? AND kind = ?
                 AND entity_id = ANY (ARRAY(SELECT e COLLATE "C" FROM jsonb_array_elements_text(?::jsonb) AS e)) FOR SHARE`;

async function readStored(tx: Db, guildId: string, kind: 'creator' | 'game', ids: readonly string[]): Promise<Map<string, string>> {
  if (tx.engine !== 'postgres') {
    // SQLite: one primary-key read per id, all in one tick on the connection (no round trips to save; a JSON list
    // costs more to build and parse than these reads, for the few ids an incremental bucket needs).
    return run(tx, (c) => {
      const statement = c.statement<[string, string, string], { name: string }>(SQLITE_NAME_SQL);
      const stored = new Map<string, string>();
      for (const id of ids) {
        const row = statement.get(guildId, kind, id);
        if (row !== undefined) stored.set(id, row.name);
      }
      return stored;
    });
  }
  const stored = new Map<string, string>();
  for (let i = 0; i < ids.length; i += IDS_PER_READ) {
    const rows = await queries(tx).all<{ entity_id: string; name: string }>(POSTGRES_NAMES_SQL, [
      guildId,
      kind,
      JSON.stringify(ids.slice(i, i + IDS_PER_READ)),
    ]);
    for (const r of rows) stored.set(r.entity_id, r.name);
  }
  return stored;
}

/**
 * Display names read on demand and kept for one write transaction (an incremental step touches the same creators
 * and games in a day, its week, its month and all_time): `read` fetches the ids not yet known, then `names` answers.
 */
export class SummaryNameCache {
  private readonly creators = new Map<string, string>();
  private readonly games = new Map<string, string>();

  constructor(
    private readonly tx: Db,
    private readonly guildId: string,
  ) {}

  async read(ids: { creators: Iterable<string>; games: Iterable<string> }): Promise<NameLookup> {
    const creators = [...new Set(ids.creators)].filter((id) => !this.creators.has(id));
    const games = [...new Set(ids.games)].filter((id) => id !== '' && !this.games.has(id));
    if (creators.length > 0) {
      const stored = await readStored(this.tx, this.guildId, 'creator', creators);
      for (const id of creators) this.creators.set(id, creatorDisplayName(id, stored.get(id)));
    }
    if (games.length > 0) {
      const stored = await readStored(this.tx, this.guildId, 'game', games);
      for (const id of games) this.games.set(id, gameDisplayName(id, stored.get(id)));
    }
    return this.names;
  }

  private readonly names: NameLookup = {
    creatorName: (id) => this.creators.get(id) ?? missing('creator', id),
    gameName: (id) => (id === '' ? UNKNOWN_GAME_NAME : (this.games.get(id) ?? missing('game', id))),
  };
}

function missing(kind: string, id: string): never {
  throw new Error(`the ${kind} name of ${JSON.stringify(id)} was not read`);
}

/** The display names of the given creators and games, read in bulk; the lookup answers only for those ids. */
export function readSummaryNames(
  tx: Db,
  guildId: string,
  ids: { creators: Iterable<string>; games: Iterable<string> },
): Promise<NameLookup> {
  return new SummaryNameCache(tx, guildId).read(ids);
}
