// The channel sync's and the enrichment's writes as synchronous SQLite statements on a connection inside the caller's
// transaction, for the demo generator's bulk batches (src/demo writes a community synchronously). The statement texts
// and the change rule are clip-rows.ts's, so both paths write alike; the dirty hours go through src/db/dirty.ts,
// which honours a batch's deferred marks.
import type { Connection } from '../../client';
import { markDirtyHours } from '../../dirty';
import { SHARES_OF_CLIP } from '../capture/keys';
import {
  type ClipRowState,
  clipHourSqls,
  clipUpdateParams,
  rankedDataChanged,
  ROWS_OF_CLIP_SQL,
  type TwitchClipRecord,
  UPDATE_CLIP_SQL,
  VIEW_OBSERVATION_SQL,
  writtenGameName,
} from './clip-rows';
import { INSERT_SYNCED_CLIP_SQL } from './clip-writes';
import { REMEMBER_UNNAMED_GAME_SQL } from './game-names';

const CLIP_HOURS = clipHourSqls(SHARES_OF_CLIP, 'CROSS JOIN');

function applyOn(c: Connection, clip: TwitchClipRecord, options: { now: number; gameName: string | null }): number {
  const gameName = writtenGameName(clip, options.gameName);
  const rows = c.statement<[string], ClipRowState>(ROWS_OF_CLIP_SQL).all(clip.id);
  if (rows.length === 0) return 0;
  c.statement(UPDATE_CLIP_SQL).run(clipUpdateParams(clip, gameName, options.now));
  c.statement(VIEW_OBSERVATION_SQL).run(clip.id, options.now, clip.viewCount);
  for (const row of rows) {
    if (!rankedDataChanged(row, clip, gameName)) continue;
    const times: (number | null)[] = [row.clip_created_at, clip.createdAt];
    for (const sql of CLIP_HOURS)
      for (const r of c.statement<[string, string], { t: number }>(sql).all(row.guild_id, clip.id)) times.push(r.t);
    markDirtyHours(c, row.guild_id, times);
  }
  return rows.length;
}

/** writeSyncedClips (clip-writes.ts) on a connection inside the caller's transaction. Returns the rows added. */
export function writeSyncedClipsOn(
  c: Connection,
  guildId: string,
  clips: ReadonlyArray<{ clip: TwitchClipRecord; url: string }>,
  gameNames: ReadonlyMap<string, string | null>,
  unnamedGames: readonly string[],
  firstGameNameTry: number,
  now: number,
): number {
  const insert = c.statement(INSERT_SYNCED_CLIP_SQL);
  let added = 0;
  for (const { clip, url } of clips) {
    added += insert.run(guildId, clip.id, url, now, now).changes;
    applyOn(c, clip, { now, gameName: gameNames.get(clip.gameId) ?? null });
  }
  const remember = c.statement(REMEMBER_UNNAMED_GAME_SQL);
  for (const id of new Set(unnamedGames)) if (id !== '') remember.run(id, now, now, firstGameNameTry);
  return added;
}

/** writeTwitchClip (clip-writes.ts) on a connection inside the caller's transaction. */
export function writeTwitchClipOn(c: Connection, clip: TwitchClipRecord, options: { now: number; gameName: string | null }): number {
  return applyOn(c, clip, options);
}

/**
 * Earlier view readings of a clip (what the view refresh wrote into clip_view_history before its latest lookup), on
 * a connection inside the caller's transaction: the demo generator's history. The clip's row is left as it is.
 */
export function writeViewReadingsOn(c: Connection, clipId: string, readings: ReadonlyArray<readonly [at: number, views: number]>): number {
  const insert = c.statement(VIEW_OBSERVATION_SQL);
  for (const [at, views] of readings) insert.run(clipId, at, views);
  return readings.length;
}
