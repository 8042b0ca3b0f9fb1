// Writes Twitch's answers into the clip rows of every guild that has the clip: metadata, view history, not_found,
// failures with backoff. Each change to what analytics rank (creator, game, views, creation time) marks the
// affected hours dirty. Call these inside a transaction.
import type Database from 'better-sqlite3';
import type { Db } from '../db/client';
import { markDirtyHours } from '../db/dirty';
import type { HelixClip } from './client';
import { legacyClient } from '../db/client';

// Statements are prepared once per connection: these run for every clip, tens of thousands of times a minute.
const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

export function prepared<P extends unknown[] | {} = unknown[], R = unknown>(db: Db, sql: string): Database.Statement<P, R> {
  let cache = statementCache.get(legacyClient(db));
  if (!cache) {
    cache = new Map();
    statementCache.set(legacyClient(db), cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = legacyClient(db).prepare(sql);
    cache.set(sql, statement);
  }
  return statement as unknown as Database.Statement<P, R>;
}

interface ClipRowState {
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

/** Every hour in which a guild's analytics see this clip: its shares, the reactions on them (its creation is added by callers). */
function clipHours(db: Db, guildId: string, clipId: string): number[] {
  // Two plain lookups rather than a UNION: SQLite would plan the UNION's merge on shares_guild_posted_idx and
  // walk every share of the guild for each clip.
  const shareTimes = prepared<[string, string], { t: number }>(
    db,
    'SELECT posted_at AS t FROM shares WHERE guild_id = ? AND clip_id = ?',
  ).all(guildId, clipId);
  const reactionTimes = prepared<[string, string], { t: number }>(
    db,
    `SELECT r.reacted_at AS t FROM shares s JOIN reactions r ON r.message_id = s.message_id
      WHERE s.guild_id = ? AND s.clip_id = ?`,
  ).all(guildId, clipId);
  // Reaction counts known only as numbers (imports without users) are placed at their observation time.
  const baselineTimes = prepared<[string, string], { t: number }>(
    db,
    `SELECT b.observed_at AS t FROM shares s JOIN reaction_baselines b ON b.message_id = s.message_id
      WHERE s.guild_id = ? AND s.clip_id = ?`,
  ).all(guildId, clipId);
  return [...shareTimes, ...reactionTimes, ...baselineTimes].map((r) => r.t);
}

/**
 * Dirty-hour marks gathered over a batch and written once per guild at its end (one markDirtyHours call per
 * guild instead of one per clip). Without one, writes mark their hours at once.
 */
export class DirtyHours {
  private readonly byGuild = new Map<string, (number | null)[]>();

  add(guildId: string, timestamps: (number | null)[]): void {
    const list = this.byGuild.get(guildId);
    if (list) list.push(...timestamps);
    else this.byGuild.set(guildId, [...timestamps]);
  }

  flush(db: Db): void {
    for (const [guildId, timestamps] of this.byGuild) markDirtyHours(db, guildId, timestamps);
    this.byGuild.clear();
  }
}

function markClipDirty(db: Db, guildId: string, clipId: string, createdAts: (number | null)[], dirty?: DirtyHours): void {
  const timestamps = [...createdAts, ...clipHours(db, guildId, clipId)];
  if (dirty) dirty.add(guildId, timestamps);
  else markDirtyHours(db, guildId, timestamps);
}

function rowsOf(db: Db, clipId: string): ClipRowState[] {
  return prepared<[string], ClipRowState>(
    db,
    `SELECT guild_id, creator_id, creator_name, game_id, game_name, view_count, clip_created_at, title, enrichment_state
       FROM clips WHERE clip_id = ?`,
  ).all(clipId);
}

export interface ApplyOptions {
  now: number;
  /** The game's name; null when Twitch did not name the game (the clip is still written). */
  gameName: string | null;
  /** Collects the dirty hours for the caller to flush at the end of its transaction. */
  dirty?: DirtyHours;
}

/**
 * Writes a clip Twitch returned into every guild's row of it, records a view observation, and marks dirty
 * the hours of guilds whose ranked data changed. Returns how many rows were written.
 */
export function applyHelixClip(db: Db, clip: HelixClip, options: ApplyOptions): number {
  const { now } = options;
  const gameName = clip.gameId === '' ? '' : options.gameName;
  const rows = rowsOf(db, clip.id);
  if (rows.length === 0) return 0;
  prepared(
    db,
    `UPDATE clips SET title = @title, broadcaster_id = @broadcasterId, broadcaster_name = @broadcasterName,
              creator_id = @creatorId, creator_name = @creatorName, game_id = @gameId,
              game_name = coalesce(@gameName, CASE WHEN game_id = @gameId THEN game_name END),
              view_count = @viewCount, duration = @duration, thumbnail_url = @thumbnailUrl, clip_created_at = @createdAt,
              enrichment_state = 'done', enrichment_attempts = 0, enrichment_error = NULL, enrichment_next_attempt_at = 0,
              enriched_at = coalesce(enriched_at, @now), views_refreshed_at = @now, last_updated_at = @now
        WHERE clip_id = @clipId`,
  ).run({
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
      now,
    });
  recordViewObservation(db, clip.id, now, clip.viewCount);
  for (const row of rows) {
    const changed =
      row.enrichment_state !== 'done' ||
      row.creator_id !== clip.creatorId ||
      row.creator_name !== clip.creatorName ||
      row.game_id !== clip.gameId ||
      (gameName !== null && row.game_name !== gameName) ||
      row.view_count !== clip.viewCount ||
      row.clip_created_at !== clip.createdAt ||
      row.title !== clip.title;
    if (changed) markClipDirty(db, row.guild_id, clip.id, [row.clip_created_at, clip.createdAt], options.dirty);
  }
  return rows.length;
}

/**
 * Gives the game's name to every clip row that has the game without one (Twitch named it late), marking their
 * guilds' hours dirty so the summaries pick the name up. Returns the rows named.
 */
export function nameGameOnClips(db: Db, gameId: string, gameName: string, now: number, dirty?: DirtyHours): number {
  const rows = prepared<[string], { guild_id: string; clip_id: string; clip_created_at: number | null }>(
    db,
    `SELECT guild_id, clip_id, clip_created_at FROM clips INDEXED BY clips_unnamed_game_idx
      WHERE game_id = ? AND game_name IS NULL AND game_id <> ''`,
  ).all(gameId);
  if (rows.length === 0) return 0;
  prepared(
    db,
    `UPDATE clips SET game_name = @gameName, last_updated_at = @now WHERE game_id = @gameId AND game_name IS NULL AND game_id <> ''`,
  ).run({ gameId, gameName, now });
  for (const row of rows) markClipDirty(db, row.guild_id, row.clip_id, [row.clip_created_at], dirty);
  return rows.length;
}

/** One row of clip_view_history; a second observation in the same millisecond is the same observation. */
export function recordViewObservation(db: Db, clipId: string, observedAt: number, viewCount: number): void {
  prepared(db, 'INSERT OR REPLACE INTO clip_view_history (clip_id, observed_at, view_count) VALUES (?, ?, ?)')
    .run(clipId, observedAt, viewCount);
}

/** Twitch no longer returns the clip (deleted, or never existed): every guild's row becomes not_found. */
export function markClipNotFound(db: Db, clipId: string, now: number, dirty?: DirtyHours): number {
  const rows = rowsOf(db, clipId);
  prepared(
    db,
    `UPDATE clips SET enrichment_state = 'not_found', enrichment_error = NULL, enrichment_next_attempt_at = 0,
              views_refreshed_at = @now, last_updated_at = @now
        WHERE clip_id = @clipId`,
  ).run({ clipId, now });
  for (const row of rows) {
    // A clip leaving the view-based rankings changes the buckets it was in.
    if (row.enrichment_state !== 'not_found') markClipDirty(db, row.guild_id, clipId, [row.clip_created_at], dirty);
  }
  return rows.length;
}

export interface FailureOutcome {
  /** Rows that will be tried again after their backoff. */
  retrying: number;
  /** Rows that reached the attempt limit and are now failed. */
  failed: number;
}

/**
 * Counts a failed attempt for every pending row of the clip: the row waits `backoffMs` before the next try,
 * or becomes failed with the error once it has had `maxAttempts`.
 */
export function recordEnrichmentFailure(
  db: Db,
  clipId: string,
  error: string,
  options: { now: number; maxAttempts: number; backoffMs: number },
): FailureOutcome {
  const result = prepared<{ clipId: string; error: string; now: number; next: number; max: number }, { enrichment_state: string }>(
    db,
    `UPDATE clips SET enrichment_attempts = enrichment_attempts + 1, enrichment_error = @error,
              enrichment_state = CASE WHEN enrichment_attempts + 1 >= @max THEN 'failed' ELSE 'pending' END,
              enrichment_next_attempt_at = CASE WHEN enrichment_attempts + 1 >= @max THEN 0 ELSE @next END,
              last_updated_at = @now
        WHERE clip_id = @clipId AND enrichment_state = 'pending'
        RETURNING enrichment_state`,
  ).all({ clipId, error: error.slice(0, 500), now: options.now, next: options.now + options.backoffMs, max: options.maxAttempts });
  let failed = 0;
  for (const row of result) if (row.enrichment_state === 'failed') failed++;
  return { retrying: result.length - failed, failed };
}
