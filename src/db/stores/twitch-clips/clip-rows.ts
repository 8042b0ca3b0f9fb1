// The write path every Twitch answer shares: a clip Twitch returned written into every guild's row of it, a clip
// gone from Twitch marked not_found, and the dirty hours of the guilds whose ranked data changed.
import { markDirtyHours } from '../../dirty';
import { run, type Connection, type Db } from '../../client';
import { SHARES_OF_CLIP } from '../capture/keys';
import { recordViewObservation } from './views';

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
function clipHours(c: Connection, guildId: string, clipId: string): number[] {
  // Two plain lookups rather than a UNION: SQLite would plan the UNION's merge on shares_guild_posted_idx and
  // walk every share of the guild for each clip.
  const shareTimes = c
    .statement<[string, string], { t: number }>('SELECT posted_at AS t FROM shares WHERE guild_id = ? AND clip_id = ?')
    .all(guildId, clipId);
  const reactionTimes = c
    .statement<[string, string], { t: number }>(
      `SELECT r.reacted_at AS t FROM shares s ${SHARES_OF_CLIP} CROSS JOIN reactions r ON r.guild_id = s.guild_id AND r.message_id = s.message_id
      WHERE s.guild_id = ? AND s.clip_id = ?`,
    )
    .all(guildId, clipId);
  // Reaction counts known only as numbers (imports without users) are placed at their observation time.
  const baselineTimes = c
    .statement<[string, string], { t: number }>(
      `SELECT b.observed_at AS t FROM shares s ${SHARES_OF_CLIP} CROSS JOIN reaction_baselines b ON b.guild_id = s.guild_id AND b.message_id = s.message_id
      WHERE s.guild_id = ? AND s.clip_id = ?`,
    )
    .all(guildId, clipId);
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

  flush(c: Connection): void {
    for (const [guildId, timestamps] of this.byGuild) markDirtyHours(c, guildId, timestamps);
    this.byGuild.clear();
  }
}

export function markClipDirty(c: Connection, guildId: string, clipId: string, createdAts: (number | null)[], dirty?: DirtyHours): void {
  const timestamps = [...createdAts, ...clipHours(c, guildId, clipId)];
  if (dirty) dirty.add(guildId, timestamps);
  else markDirtyHours(c, guildId, timestamps);
}

function rowsOf(c: Connection, clipId: string): ClipRowState[] {
  return c
    .statement<[string], ClipRowState>(
      `SELECT guild_id, creator_id, creator_name, game_id, game_name, view_count, clip_created_at, title, enrichment_state
       FROM clips WHERE clip_id = ?`,
    )
    .all(clipId);
}

interface ApplyOptions {
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
export function applyTwitchClipRecord(c: Connection, clip: TwitchClipRecord, options: ApplyOptions): number {
  const { now } = options;
  const gameName = clip.gameId === '' ? '' : options.gameName;
  const rows = rowsOf(c, clip.id);
  if (rows.length === 0) return 0;
  c.statement(
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
  recordViewObservation(c, clip.id, now, clip.viewCount);
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
    if (changed) markClipDirty(c, row.guild_id, clip.id, [row.clip_created_at, clip.createdAt], options.dirty);
  }
  return rows.length;
}

/** Twitch no longer returns the clip (deleted, or never existed): every guild's row becomes not_found. */
export function markClipNotFound(c: Connection, clipId: string, now: number, dirty?: DirtyHours): number {
  const rows = rowsOf(c, clipId);
  c.statement(
    `UPDATE clips SET enrichment_state = 'not_found', enrichment_error = NULL, enrichment_next_attempt_at = 0,
              views_refreshed_at = @now, last_updated_at = @now
        WHERE clip_id = @clipId`,
  ).run({ clipId, now });
  for (const row of rows) {
    // A clip leaving the view-based rankings changes the buckets it was in.
    if (row.enrichment_state !== 'not_found') markClipDirty(c, row.guild_id, clipId, [row.clip_created_at], dirty);
  }
  return rows.length;
}

/** Runs `fn` in one transaction on the connection (a savepoint inside an open one), synchronously. */
export function inWrite<T>(db: Db, fn: (c: Connection) => T): Promise<T> {
  return run(db, (c) => c.client.transaction(() => fn(c)).immediate());
}
