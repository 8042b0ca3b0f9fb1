// Game names Twitch left out: the games remembered for the repair pass, and the names it finds written to their clips.
import { run, type Connection, type Db } from '../../client';
import { DirtyHours, inWrite, markClipDirty } from './clip-rows';

/**
 * Gives the game's name to every clip row that has the game without one (Twitch named it late), marking their
 * guilds' hours dirty so the summaries pick the name up. Returns the rows named.
 */
function nameGameOnClips(c: Connection, gameId: string, gameName: string, now: number, dirty?: DirtyHours): number {
  const rows = c
    .statement<[string], { guild_id: string; clip_id: string; clip_created_at: number | null }>(
      `SELECT guild_id, clip_id, clip_created_at FROM clips INDEXED BY clips_unnamed_game_idx
      WHERE game_id = ? AND game_name IS NULL AND game_id <> ''`,
    )
    .all(gameId);
  if (rows.length === 0) return 0;
  c.statement(
    `UPDATE clips SET game_name = @gameName, last_updated_at = @now WHERE game_id = @gameId AND game_name IS NULL AND game_id <> ''`,
  ).run({ gameId, gameName, now });
  for (const row of rows) markClipDirty(c, row.guild_id, row.clip_id, [row.clip_created_at], dirty);
  return rows.length;
}

/**
 * Remembers games a lookup left unnamed (their first miss), unless already remembered: a clip written without its
 * game's name waits for the repair's next turn instead of asking again with every batch.
 */
export function rememberUnnamedGames(c: Connection, gameIds: Iterable<string>, now: number, nextTry: number): void {
  const insert = c.statement(
    `INSERT INTO game_name_misses (game_id, misses, first_missed_at, last_missed_at, next_try_at) VALUES (?, 1, ?, ?, ?)
       ON CONFLICT (game_id) DO NOTHING`,
  );
  for (const id of new Set(gameIds)) if (id !== '') insert.run(id, now, now, nextTry);
}

/** Up to `limit` game ids that clips carry without a name and whose back-off has passed. */
export function unnamedGamesDue(db: Db, now: number, limit: number): Promise<string[]> {
  return run(db, (c) =>
    c
      .statement<[number, number], { game_id: string }>(
        `SELECT DISTINCT c.game_id FROM clips c INDEXED BY clips_unnamed_game_idx
           LEFT JOIN game_name_misses m ON m.game_id = c.game_id
          WHERE c.game_name IS NULL AND c.game_id <> '' AND (m.next_try_at IS NULL OR m.next_try_at <= ?)
          LIMIT ?`,
      )
      .all(now, limit)
      .map((r) => r.game_id),
  );
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
  return inWrite(db, (c) => {
    const summary = { named: 0, clipsNamed: 0, stillUnknown: 0 };
    const dirty = new DirtyHours();
    const miss = c.statement(
      `INSERT INTO game_name_misses (game_id, misses, first_missed_at, last_missed_at, next_try_at) VALUES (@id, 1, @now, @now, @next)
         ON CONFLICT (game_id) DO UPDATE SET misses = misses + 1, last_missed_at = @now, next_try_at = @later`,
    );
    const misses = c.statement<[string], { misses: number }>('SELECT misses FROM game_name_misses WHERE game_id = ?');
    const forget = c.statement('DELETE FROM game_name_misses WHERE game_id = ?');
    for (const id of asked) {
      const name = names.get(id);
      if (name === undefined) {
        const before = misses.get(id)?.misses ?? 0;
        miss.run({ id, now, next: nextTry(1), later: nextTry(before + 1) });
        summary.stillUnknown++;
        continue;
      }
      summary.named++;
      summary.clipsNamed += nameGameOnClips(c, id, name, now, dirty);
      forget.run(id);
    }
    dirty.flush(c);
    return summary;
  });
}
