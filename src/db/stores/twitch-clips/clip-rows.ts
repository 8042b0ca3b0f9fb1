// The write path every Twitch answer shares: a clip Twitch returned written into every guild's row of it, a clip
// gone from Twitch marked not_found, and the dirty hours of the guilds whose ranked data changed. One statement text
// per write for both engines (src/db/sql.ts); sync-writes.ts runs the same texts synchronously for the demo generator.
import type { Db } from '../../database';
import { HOUR_MS } from '../../dirty';
import { dialect, queries, type Queries } from '../../sql';
import { SHARES_OF_CLIP } from '../capture/keys';

/** A clip as Twitch describes it (src/twitch's TwitchClipRecord has this shape): what the clips table stores of it. */
export interface TwitchClipRecord {
  id: string;
  broadcasterId: string;
  broadcasterName: string;
  creatorId: string;
  creatorName: string;
  gameId: string;
  title: string;
  viewCount: number;
  createdAt: number;
  thumbnailUrl: string;
  duration: number;
  /** The broadcast (Twitch video id) and the seconds into it; null when Twitch names none. */
  videoId: string | null;
  vodOffset: number | null;
}

export interface ClipRowState {
  guild_id: string;
  creator_id: string | null;
  creator_name: string | null;
  game_id: string | null;
  game_name: string | null;
  view_count: number;
  clip_created_at: number | null;
  title: string | null;
  enrichment_state: string;
}

export const ROWS_OF_CLIP_SQL = `SELECT guild_id, creator_id, creator_name, game_id, game_name, view_count, clip_created_at, title, enrichment_state
       FROM clips WHERE clip_id = ?`;

export const UPDATE_CLIP_SQL = `UPDATE clips SET title = @title, broadcaster_id = @broadcasterId, broadcaster_name = @broadcasterName,
              creator_id = @creatorId, creator_name = @creatorName, game_id = @gameId,
              game_name = coalesce(@gameName, CASE WHEN game_id = @gameId THEN game_name END),
              view_count = @viewCount, duration = @duration, thumbnail_url = @thumbnailUrl, clip_created_at = @createdAt,
              video_id = coalesce(@videoId, video_id), vod_offset = coalesce(@vodOffset, vod_offset),
              enrichment_state = 'done', enrichment_attempts = 0, enrichment_error = NULL, enrichment_next_attempt_at = 0,
              enriched_at = coalesce(enriched_at, @now), views_refreshed_at = @now, last_updated_at = @now
        WHERE clip_id = @clipId`;

export const MARK_NOT_FOUND_SQL = `UPDATE clips SET enrichment_state = 'not_found', enrichment_error = NULL, enrichment_next_attempt_at = 0,
              views_refreshed_at = @now, last_updated_at = @now
        WHERE clip_id = @clipId`;

/** One row of clip_view_history; a second observation in the same millisecond is the same observation. */
export const VIEW_OBSERVATION_SQL = `INSERT INTO clip_view_history (clip_id, observed_at, view_count) VALUES (?, ?, ?)
       ON CONFLICT (clip_id, observed_at) DO UPDATE SET view_count = excluded.view_count`;

/**
 * The statements that find every hour in which a guild's analytics see a clip: its shares, the reactions on them and
 * imported reaction counts (placed at their observation time). Three plain lookups rather than a UNION: SQLite would
 * plan the UNION's merge on shares_guild_posted_idx and walk every share of the guild for each clip; its index hint
 * and its CROSS JOIN (which fixes the join order) are SQLite's only: PostgreSQL's planner picks the (guild_id, clip_id)
 * index by cost, and its CROSS JOIN takes no ON.
 */
export function clipHourSqls(hint: string, join: 'CROSS JOIN' | 'JOIN'): readonly [string, string, string] {
  return [
    'SELECT posted_at AS t FROM shares WHERE guild_id = ? AND clip_id = ?',
    `SELECT r.reacted_at AS t FROM shares s ${hint} ${join} reactions r ON r.guild_id = s.guild_id AND r.message_id = s.message_id
      WHERE s.guild_id = ? AND s.clip_id = ?`,
    `SELECT b.observed_at AS t FROM shares s ${hint} ${join} reaction_baselines b ON b.guild_id = s.guild_id AND b.message_id = s.message_id
      WHERE s.guild_id = ? AND s.clip_id = ?`,
  ];
}

const SQLITE_CLIP_HOURS = clipHourSqls(SHARES_OF_CLIP, 'CROSS JOIN');
const POSTGRES_CLIP_HOURS = clipHourSqls('', 'JOIN');

/** The values UPDATE_CLIP_SQL binds. */
export function clipUpdateParams(clip: TwitchClipRecord, gameName: string | null, now: number): Record<string, string | number | null> {
  return {
    clipId: clip.id,
    title: clip.title,
    broadcasterId: clip.broadcasterId,
    broadcasterName: clip.broadcasterName,
    creatorId: clip.creatorId,
    creatorName: clip.creatorName,
    gameId: clip.gameId,
    gameName,
    viewCount: clip.viewCount,
    duration: clip.duration,
    thumbnailUrl: clip.thumbnailUrl,
    createdAt: clip.createdAt,
    // A broadcast once known stays when Twitch later drops it (the VOD expired): the clip still happened there.
    videoId: clip.videoId,
    vodOffset: clip.vodOffset,
    now,
  };
}

/** The game name a record writes: '' for Twitch's no-game id, else the looked-up name (null: unknown, keep the stored one). */
export const writtenGameName = (clip: TwitchClipRecord, gameName: string | null): string | null => (clip.gameId === '' ? '' : gameName);

/** Whether writing `clip` changes what a guild's analytics rank of this row (so its hours must be recomputed). */
export function rankedDataChanged(row: ClipRowState, clip: TwitchClipRecord, gameName: string | null): boolean {
  return (
    row.enrichment_state !== 'done' ||
    row.creator_id !== clip.creatorId ||
    row.creator_name !== clip.creatorName ||
    row.game_id !== clip.gameId ||
    (gameName !== null && row.game_name !== gameName) ||
    row.view_count !== clip.viewCount ||
    row.clip_created_at !== clip.createdAt ||
    row.title !== clip.title
  );
}

/**
 * Dirty-hour marks gathered over a transaction and written once per (guild, hour) at its end, as 'clips' marks (the
 * whole day is recomputed from the raw tables; src/db/dirty.ts says what the kinds mean).
 */
export class DirtyHours {
  private readonly byGuild = new Map<string, Set<number>>();

  add(guildId: string, timestamps: Iterable<number | null>): void {
    let hours = this.byGuild.get(guildId);
    if (!hours) this.byGuild.set(guildId, (hours = new Set()));
    for (const ts of timestamps) if (typeof ts === 'number' && Number.isFinite(ts)) hours.add(Math.floor(ts / HOUR_MS) * HOUR_MS);
  }

  /**
   * Writes the marks inside the caller's transaction: a 'clips' mark overrides an 'engagement' one. In (guild, hour)
   * order: on PostgreSQL concurrent writers lock the rows they upsert, and two batches locking the same hours in
   * opposite orders would deadlock.
   */
  async flush(q: Queries): Promise<void> {
    for (const guildId of [...this.byGuild.keys()].sort()) {
      for (const hour of [...(this.byGuild.get(guildId) as Set<number>)].sort((a, b) => a - b)) {
        await q.run(
          `INSERT INTO dirty_hours (guild_id, hour_start, engagement_only) VALUES (?, ?, ?)
           ON CONFLICT (guild_id, hour_start) DO UPDATE SET engagement_only = excluded.engagement_only
            WHERE dirty_hours.engagement_only <> excluded.engagement_only`,
          [guildId, hour, false],
        );
      }
    }
    this.byGuild.clear();
  }
}

/** Every hour in which a guild's analytics see this clip, added to `dirty` with the given creation times. */
export async function markClipDirty(
  tx: Db,
  guildId: string,
  clipId: string,
  createdAts: (number | null)[],
  dirty: DirtyHours,
): Promise<void> {
  const q = queries(tx);
  dirty.add(guildId, createdAts);
  for (const sql of dialect(tx, { sqlite: SQLITE_CLIP_HOURS, postgres: POSTGRES_CLIP_HOURS })) {
    for (const row of await q.all<{ t: number }>(sql, [guildId, clipId])) dirty.add(guildId, [row.t]);
  }
}

/**
 * Writes a clip Twitch returned into every guild's row of it, records a view observation, and marks dirty (in
 * `dirty`, flushed by the caller) the hours of guilds whose ranked data changed. Returns how many rows were written.
 */
export async function applyTwitchClipRecord(
  tx: Db,
  clip: TwitchClipRecord,
  options: { now: number; gameName: string | null; dirty: DirtyHours },
): Promise<number> {
  const q = queries(tx);
  const gameName = writtenGameName(clip, options.gameName);
  const rows = await q.all<ClipRowState>(ROWS_OF_CLIP_SQL, [clip.id]);
  if (rows.length === 0) return 0;
  await q.run(UPDATE_CLIP_SQL, clipUpdateParams(clip, gameName, options.now));
  await q.run(VIEW_OBSERVATION_SQL, [clip.id, options.now, clip.viewCount]);
  for (const row of rows) {
    if (rankedDataChanged(row, clip, gameName))
      await markClipDirty(tx, row.guild_id, clip.id, [row.clip_created_at, clip.createdAt], options.dirty);
  }
  return rows.length;
}

/** Twitch no longer returns the clip (deleted, or never existed): every guild's row becomes not_found. */
export async function markClipNotFound(tx: Db, clipId: string, now: number, dirty: DirtyHours): Promise<number> {
  const q = queries(tx);
  const rows = await q.all<ClipRowState>(ROWS_OF_CLIP_SQL, [clipId]);
  await q.run(MARK_NOT_FOUND_SQL, { clipId, now });
  for (const row of rows) {
    // A clip leaving the view-based rankings changes the buckets it was in.
    if (row.enrichment_state !== 'not_found') await markClipDirty(tx, row.guild_id, clipId, [row.clip_created_at], dirty);
  }
  return rows.length;
}

/** The transaction-level advisory lock every Twitch write takes on PostgreSQL ('cs' 'tw' in hex: any fixed key). */
const TWITCH_WRITES_LOCK = 0x6373_7477;

/**
 * Runs `fn` in one write transaction with a DirtyHours whose marks are written at its end, still inside it. On
 * PostgreSQL the Twitch writes take turns (an advisory lock held to commit), as they do on SQLite's one connection:
 * concurrent enrichment batches otherwise deadlock on the rows the name triggers update (latest_names, the names in
 * summary rows) for clips of the same creator or game.
 */
export function inWrite<T>(db: Db, fn: (tx: Db, dirty: DirtyHours) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    if (tx.engine === 'postgres') await queries(tx).run('SELECT pg_advisory_xact_lock(?)', [TWITCH_WRITES_LOCK]);
    const dirty = new DirtyHours();
    const result = await fn(tx, dirty);
    await dirty.flush(queries(tx));
    return result;
  });
}
