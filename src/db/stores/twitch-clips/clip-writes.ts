// Twitch's answers written into the clips table: one Get Clips answer, a followed channel's synced clips, one clip.
import type { Db } from '../../database';
import { queries } from '../../sql';
import { applyTwitchClipRecord, inWrite, markClipNotFound, type TwitchClipRecord } from './clip-rows';
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
 * whose ranked data changed.
 */
export function writeClipLookup(db: Db, write: ClipLookupWrite): Promise<void> {
  return inWrite(db, async (tx, dirty) => {
    // Rows are locked in clip id order (and dirty hours in theirs): concurrent writers on PostgreSQL cannot deadlock.
    for (const clip of [...write.clips].sort(byClipId))
      await applyTwitchClipRecord(tx, clip, { now: write.now, gameName: write.gameNames.get(clip.gameId) ?? null, dirty });
    await rememberUnnamedGames(tx, write.unnamedGames, write.now, write.firstGameNameTry);
    for (const id of [...write.notFound].sort()) await markClipNotFound(tx, id, write.now, dirty);
  });
}

const byClipId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A followed channel's new clip row: 0 shares, source twitch_sync; an existing (guild, clip) row is left alone. */
export const INSERT_SYNCED_CLIP_SQL = `INSERT INTO clips (guild_id, clip_id, url, first_seen_at, last_updated_at, source, discord_shares)
     VALUES (?, ?, ?, ?, ?, 'twitch_sync', 0) ON CONFLICT (guild_id, clip_id) DO NOTHING`;

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
  return inWrite(db, async (tx, dirty) => {
    const q = queries(tx);
    let added = 0;
    for (const { clip, url } of [...clips].sort((a, b) => byClipId(a.clip, b.clip))) {
      added += (await q.run(INSERT_SYNCED_CLIP_SQL, [guildId, clip.id, url, now, now])).changes;
      await applyTwitchClipRecord(tx, clip, { now, gameName: gameNames.get(clip.gameId) ?? null, dirty });
    }
    await rememberUnnamedGames(tx, unnamedGames, now, firstGameNameTry);
    return added;
  });
}

/** Writes one clip Twitch returned into every guild's row of it (with its view observation and dirty hours). */
export function writeTwitchClip(db: Db, clip: TwitchClipRecord, options: { now: number; gameName: string | null }): Promise<number> {
  return inWrite(db, (tx, dirty) => applyTwitchClipRecord(tx, clip, { ...options, dirty }));
}
