// Game names Twitch did not give: Get Games leaves out a game it no longer knows, and an answer can come back
// short. Such clips keep their game id with no name (shown as "Game <id>"). Each miss is remembered with a back-off
// (10 minutes, doubling, at most a week), and the enrichment job asks Twitch again for the games whose turn has
// come, so a name that shows up later reaches every clip of the game, and a game that stays unknown costs one
// lookup a week rather than one every batch.
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { isTransientDatabaseError } from '../db/storage-errors';
import { unnamedGamesDue, writeGameNameAnswers } from '../db/stores/twitch-clips';
import { HELIX_MAX_IDS, type TwitchApi } from './client';
import { classifyTwitchError, type TwitchApiError } from './errors';
import type { GameNames } from './game-names';

export const GAME_NAME_RETRY = { baseMs: 10 * 60_000, maxMs: 7 * 24 * 3_600_000 };

/** When a game Twitch left out for the `misses`-th time is asked about again. */
export function nextGameNameTry(misses: number, now: number): number {
  return now + Math.min(GAME_NAME_RETRY.maxMs, GAME_NAME_RETRY.baseMs * 2 ** Math.max(0, misses - 1));
}

/** The game ids of a Get Games answer that came back without a name. */
export function unnamedGameIds(names: ReadonlyMap<string, string | null>): string[] {
  return [...names].filter(([id, name]) => id !== '' && name === null).map(([id]) => id);
}

export interface GameNameRepairDeps {
  db: Db;
  clock: Clock;
  twitch: TwitchApi;
  /** The shared name cache: told the names found, so later clips of the game are written with it. */
  gameNames?: GameNames;
}

export interface GameNameRepairSummary {
  /** Game ids asked about. */
  asked: number;
  /** Games named now, and the clip rows that got the name. */
  named: number;
  clipsNamed: number;
  /** Games Twitch left out again (their next try is later). */
  stillUnknown: number;
}

/**
 * One Get Games call for up to 100 games that clips carry without a name and whose back-off has passed. Found names
 * are written to every clip row of the game (its analytics hours marked dirty); the others wait longer. Throws
 * TwitchApiError (or the database's error) and changes nothing then.
 */
export async function repairGameNames(deps: GameNameRepairDeps, options: { limit?: number } = {}): Promise<GameNameRepairSummary> {
  const { db, clock, twitch } = deps;
  const limit = Math.min(HELIX_MAX_IDS, options.limit ?? HELIX_MAX_IDS);
  const ids = await unnamedGamesDue(db, clock.now(), limit);
  const summary: GameNameRepairSummary = { asked: ids.length, named: 0, clipsNamed: 0, stillUnknown: 0 };
  if (ids.length === 0) return summary;
  const games = await twitch.getGamesByIds(ids);
  const byId = new Map(games.map((g) => [g.id, g.name]));
  const now = clock.now();
  const written = await writeGameNameAnswers(db, ids, byId, now, (misses) => nextGameNameTry(misses, now));
  summary.named = written.named;
  summary.clipsNamed = written.clipsNamed;
  summary.stillUnknown = written.stillUnknown;
  for (const [id, name] of byId) deps.gameNames?.learn(id, name);
  return summary;
}

export type DueGameNameRepair = { summary: GameNameRepairSummary; deferred: null } | { summary: null; deferred: TwitchApiError };

/**
 * The repair pass of an enrichment run (the scheduled job and `clipscope enrich`), which goes on without the names:
 * a failed Get Games call only delays them to the next run and comes back as `deferred`. Refused credentials and the
 * database's errors (disk full, busy) are thrown, as every other Twitch write of the run would meet them too.
 */
export async function repairDueGameNames(deps: GameNameRepairDeps): Promise<DueGameNameRepair> {
  try {
    return { summary: await repairGameNames(deps), deferred: null };
  } catch (raw) {
    if (isTransientDatabaseError(raw)) throw raw;
    const error = classifyTwitchError(raw, 'Get Games');
    if (error.kind === 'auth') throw error;
    return { summary: null, deferred: error };
  }
}
