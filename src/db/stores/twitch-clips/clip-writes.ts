// Twitch's answers written into the clips table: one Get Clips answer, a followed channel's synced clips, one clip.
import type { Connection, Db } from '../../client';
import { applyTwitchClipRecord, DirtyHours, inWrite, markClipNotFound, type TwitchClipRecord } from './clip-rows';
import { rememberUnnamedGames } from './game-names';

export interface ClipLookupWrite {
  /** Distinct clips Twitch returned. */
  clips: readonly TwitchClipRecord[];
  /** Game id → name (null: Twitch did not name it; its clips are written without the name). */
  gameNames: ReadonlyMap<string, string | null>;
  /** Clip ids Twitch no longer has: every guild's row becomes not_found. */
  notFound: readonly string[];
  /** Game ids left unnamed, remembered for the repair pass. */
  unnamedGames: readonly string[];
  /** When an unnamed game is first tried again. */
  firstGameNameTry: number;
  now: number;
}

/**
 * Writes one Get Clips answer in one transaction: every returned clip into every guild's row with a view
 * observation, unnamed games remembered, clips gone from Twitch marked not_found, and the dirty hours of every guild
 * whose ranked data changed. Returns how many clips were marked not_found (each counts once).
 */
export function writeClipLookup(db: Db, write: ClipLookupWrite): Promise<void> {
  return inWrite(db, (c) => {
    const dirty = new DirtyHours();
    for (const clip of write.clips)
      applyTwitchClipRecord(c, clip, { now: write.now, gameName: write.gameNames.get(clip.gameId) ?? null, dirty });
    rememberUnnamedGames(c, write.unnamedGames, write.now, write.firstGameNameTry);
    for (const id of write.notFound) markClipNotFound(c, id, write.now, dirty);
    dirty.flush(c);
  });
}

/**
 * Inserts a followed channel's clips that are new to the guild (0 shares, source twitch_sync) and writes Twitch's
 * data to every guild's row, in one transaction. Returns the rows added.
 */
export function writeSyncedClips(
  db: Db,
  guildId: string,
  clips: ReadonlyArray<{ clip: TwitchClipRecord; url: string }>,
  gameNames: ReadonlyMap<string, string | null>,
  unnamedGames: readonly string[],
  firstGameNameTry: number,
  now: number,
): Promise<number> {
  return inWrite(db, (c) => writeSyncedClipsOn(c, guildId, clips, gameNames, unnamedGames, firstGameNameTry, now));
}

/** writeSyncedClips on a connection inside the caller's transaction (the demo generator's synchronous batches). */
export function writeSyncedClipsOn(
  c: Connection,
  guildId: string,
  clips: ReadonlyArray<{ clip: TwitchClipRecord; url: string }>,
  gameNames: ReadonlyMap<string, string | null>,
  unnamedGames: readonly string[],
  firstGameNameTry: number,
  now: number,
): number {
  const insert = c.statement(
    `INSERT INTO clips (guild_id, clip_id, url, first_seen_at, last_updated_at, source, discord_shares)
     VALUES (?, ?, ?, ?, ?, 'twitch_sync', 0) ON CONFLICT (guild_id, clip_id) DO NOTHING`,
  );
  let added = 0;
  const dirty = new DirtyHours();
  for (const { clip, url } of clips) {
    added += insert.run(guildId, clip.id, url, now, now).changes;
    applyTwitchClipRecord(c, clip, { now, gameName: gameNames.get(clip.gameId) ?? null, dirty });
  }
  rememberUnnamedGames(c, unnamedGames, now, firstGameNameTry);
  dirty.flush(c);
  return added;
}

/** Writes one clip Twitch returned into every guild's row of it (with its view observation and dirty hours). */
export function writeTwitchClip(db: Db, clip: TwitchClipRecord, options: { now: number; gameName: string | null }): Promise<number> {
  return inWrite(db, (c) => applyTwitchClipRecord(c, clip, options));
}

/** writeTwitchClip on a connection inside the caller's transaction (the demo generator's synchronous batches). */
export function writeTwitchClipOn(c: Connection, clip: TwitchClipRecord, options: { now: number; gameName: string | null }): number {
  return applyTwitchClipRecord(c, clip, options);
}
