// Game names Twitch left out: the games remembered for the repair pass, and the names it finds written to their clips.
import type { Db } from '../../database';
import { dialect, queries } from '../../sql';
import { type DirtyHours, inWrite, markClipDirty } from './clip-rows';

// SQLite needs the partial index named; PostgreSQL's planner matches its partial index to the same conditions.
const UNNAMED_OF_GAME = {
  sqlite: `SELECT guild_id, clip_id, clip_created_at FROM clips INDEXED BY clips_unnamed_game_idx
            WHERE game_id = ? AND game_name IS NULL AND game_id <> ''`,
  postgres: `SELECT guild_id, clip_id, clip_created_at FROM clips WHERE game_id = ? AND game_name IS NULL AND game_id <> ''`,
};

/**
 * Gives the game's name to every clip row that has the game without one (Twitch named it late), marking their
 * guilds' hours dirty so the summaries pick the name up. Returns the rows named.
 */
async function nameGameOnClips(tx: Db, gameId: string, gameName: string, now: number, dirty: DirtyHours): Promise<number> {
  const q = queries(tx);
  const rows = await q.all<{ guild_id: string; clip_id: string; clip_created_at: number | null }>(dialect(tx, UNNAMED_OF_GAME), [gameId]);
  if (rows.length === 0) return 0;
  await q.run(
    `UPDATE clips SET game_name = @gameName, last_updated_at = @now WHERE game_id = @gameId AND game_name IS NULL AND game_id <> ''`,
    { gameId, gameName, now },
  );
  for (const row of rows) await markClipDirty(tx, row.guild_id, row.clip_id, [row.clip_created_at], dirty);
  return rows.length;
}

export const REMEMBER_UNNAMED_GAME_SQL = `INSERT INTO game_name_misses (game_id, misses, first_missed_at, last_missed_at, next_try_at) VALUES (?, 1, ?, ?, ?)
       ON CONFLICT (game_id) DO NOTHING`;

/**
 * Remembers games a lookup left unnamed (their first miss), unless already remembered: a clip written without its
 * game's name waits for the repair's next turn instead of asking again with every batch.
 */
export async function rememberUnnamedGames(tx: Db, gameIds: Iterable<string>, now: number, nextTry: number): Promise<void> {
  const q = queries(tx);
  for (const id of [...new Set(gameIds)].sort()) if (id !== '') await q.run(REMEMBER_UNNAMED_GAME_SQL, [id, now, now, nextTry]);
}

const UNNAMED_DUE = {
  sqlite: `SELECT DISTINCT c.game_id FROM clips c INDEXED BY clips_unnamed_game_idx
             LEFT JOIN game_name_misses m ON m.game_id = c.game_id
            WHERE c.game_name IS NULL AND c.game_id <> '' AND (m.next_try_at IS NULL OR m.next_try_at <= ?)
            LIMIT ?`,
  postgres: `SELECT DISTINCT c.game_id FROM clips c
               LEFT JOIN game_name_misses m ON m.game_id = c.game_id
              WHERE c.game_name IS NULL AND c.game_id <> '' AND (m.next_try_at IS NULL OR m.next_try_at <= ?)
              LIMIT ?`,
};

/** Up to `limit` game ids that clips carry without a name and whose back-off has passed. */
export async function unnamedGamesDue(db: Db, now: number, limit: number): Promise<string[]> {
  return (await queries(db).values<[string]>(dialect(db, UNNAMED_DUE), [now, limit])).map((r) => r[0]);
}

/**
 * Writes one Get Games answer for the games asked about: a found name goes to every clip row of the game (their
 * hours marked dirty) and the game is forgotten; a game left out again waits `nextTry(misses)` longer.
 */
export function writeGameNameAnswers(
  db: Db,
  asked: readonly string[],
  names: ReadonlyMap<string, string>,
  now: number,
  nextTry: (misses: number) => number,
): Promise<{ named: number; clipsNamed: number; stillUnknown: number }> {
  return inWrite(db, async (tx, dirty) => {
    const q = queries(tx);
    const summary = { named: 0, clipsNamed: 0, stillUnknown: 0 };
    for (const id of [...asked].sort()) {
      const name = names.get(id);
      if (name === undefined) {
        const before = (await q.get<{ misses: number }>('SELECT misses FROM game_name_misses WHERE game_id = ?', [id]))?.misses ?? 0;
        await q.run(
          `INSERT INTO game_name_misses (game_id, misses, first_missed_at, last_missed_at, next_try_at) VALUES (@id, 1, @now, @now, @next)
             ON CONFLICT (game_id) DO UPDATE SET misses = game_name_misses.misses + 1, last_missed_at = @now, next_try_at = @later`,
          { id, now, next: nextTry(1), later: nextTry(before + 1) },
        );
        summary.stillUnknown++;
        continue;
      }
      summary.named++;
      summary.clipsNamed += await nameGameOnClips(tx, id, name, now, dirty);
      await q.run('DELETE FROM game_name_misses WHERE game_id = ?', [id]);
    }
    return summary;
  });
}
