// The clips table's Twitch side: Twitch's answers written into every guild's row of a clip (metadata, view history,
// not_found, failures with backoff), the enrichment and refresh queues, and game names Twitch left out.
import { markDirtyHours } from '../dirty';
import { run, type Connection, type Db } from '../client';

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
      `SELECT r.reacted_at AS t FROM shares s JOIN reactions r ON r.message_id = s.message_id
      WHERE s.guild_id = ? AND s.clip_id = ?`,
    )
    .all(guildId, clipId);
  // Reaction counts known only as numbers (imports without users) are placed at their observation time.
  const baselineTimes = c
    .statement<[string, string], { t: number }>(
      `SELECT b.observed_at AS t FROM shares s JOIN reaction_baselines b ON b.message_id = s.message_id
      WHERE s.guild_id = ? AND s.clip_id = ?`,
    )
    .all(guildId, clipId);
  return [...shareTimes, ...reactionTimes, ...baselineTimes].map((r) => r.t);
}

/**
 * Dirty-hour marks gathered over a batch and written once per guild at its end (one markDirtyHours call per
 * guild instead of one per clip). Without one, writes mark their hours at once.
 */
class DirtyHours {
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

function markClipDirty(c: Connection, guildId: string, clipId: string, createdAts: (number | null)[], dirty?: DirtyHours): void {
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
function applyTwitchClipRecord(c: Connection, clip: TwitchClipRecord, options: ApplyOptions): number {
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

/** One row of clip_view_history; a second observation in the same millisecond is the same observation. */
function recordViewObservation(c: Connection, clipId: string, observedAt: number, viewCount: number): void {
  c.statement('INSERT OR REPLACE INTO clip_view_history (clip_id, observed_at, view_count) VALUES (?, ?, ?)').run(
    clipId,
    observedAt,
    viewCount,
  );
}

/** Twitch no longer returns the clip (deleted, or never existed): every guild's row becomes not_found. */
function markClipNotFound(c: Connection, clipId: string, now: number, dirty?: DirtyHours): number {
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

interface FailureOutcome {
  /** Rows that will be tried again after their backoff. */
  retrying: number;
  /** Rows that reached the attempt limit and are now failed. */
  failed: number;
}

/**
 * Counts a failed attempt for every pending row of the clip: the row waits `backoffMs` before the next try,
 * or becomes failed with the error once it has had `maxAttempts`.
 */
function recordEnrichmentFailure(
  c: Connection,
  clipId: string,
  error: string,
  options: { now: number; maxAttempts: number; backoffMs: number },
): FailureOutcome {
  const result = c
    .statement<{ clipId: string; error: string; now: number; next: number; max: number }, { enrichment_state: string }>(
      `UPDATE clips SET enrichment_attempts = enrichment_attempts + 1, enrichment_error = @error,
              enrichment_state = CASE WHEN enrichment_attempts + 1 >= @max THEN 'failed' ELSE 'pending' END,
              enrichment_next_attempt_at = CASE WHEN enrichment_attempts + 1 >= @max THEN 0 ELSE @next END,
              last_updated_at = @now
        WHERE clip_id = @clipId AND enrichment_state = 'pending'
        RETURNING enrichment_state`,
    )
    .all({ clipId, error: error.slice(0, 500), now: options.now, next: options.now + options.backoffMs, max: options.maxAttempts });
  let failed = 0;
  for (const row of result) if (row.enrichment_state === 'failed') failed++;
  return { retrying: result.length - failed, failed };
}

/** Runs `fn` in one transaction on the connection (a savepoint inside an open one), synchronously. */
function inWrite<T>(db: Db, fn: (c: Connection) => T): Promise<T> {
  return run(db, (c) => c.client.transaction(() => fn(c)).immediate());
}

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
 * Counts a failed attempt for each clip's pending rows: a row waits the backoff `backoffFor(its attempts so far)`
 * before its next try, or becomes failed with the error once it has had `maxAttempts`. Returns how many clips are
 * now failed and how many will be retried.
 */
export function recordEnrichmentFailures(
  db: Db,
  clipIds: readonly string[],
  error: string,
  options: { now: number; maxAttempts: number; backoffFor: (attempts: number) => number },
): Promise<{ failed: number; retrying: number }> {
  return inWrite(db, (c) => {
    let failed = 0;
    let retrying = 0;
    const attempts = c.statement<[string], { n: number | null }>(
      "SELECT max(enrichment_attempts) AS n FROM clips WHERE clip_id = ? AND enrichment_state = 'pending'",
    );
    for (const id of clipIds) {
      const before = attempts.get(id)?.n ?? 0;
      const outcome = recordEnrichmentFailure(c, id, error, {
        now: options.now,
        maxAttempts: options.maxAttempts,
        backoffMs: options.backoffFor(before),
      });
      if (outcome.failed > 0) failed++;
      else if (outcome.retrying > 0) retrying++;
    }
    return { failed, retrying };
  });
}

/** Where a walk of the enrichment queue stands: the last (next attempt time, row id) handed out. */
export interface QueueCursor {
  next: number;
  id: number;
}

/**
 * Distinct clip ids pending and due, longest-waiting first, after `cursor` and leaving out ids already taken. Walks
 * clips_enrichment_idx in order from the cursor and stops as soon as the batch is full, so a run over a long queue
 * never re-reads the rows it has already handed out.
 */
export function dueClipIds(
  db: Db,
  now: number,
  limit: number,
  taken: ReadonlySet<string>,
  cursor: QueueCursor,
): Promise<{ ids: string[]; cursor: QueueCursor }> {
  return run(db, (c) => {
    const ids = new Set<string>();
    let last = cursor;
    const rows = c
      .statement<[number, number, number, number], { id: number; clip_id: string; next: number }>(
        `SELECT id, clip_id, enrichment_next_attempt_at AS next FROM clips
          WHERE enrichment_state = 'pending' AND enrichment_next_attempt_at <= ?
            AND (enrichment_next_attempt_at > ? OR (enrichment_next_attempt_at = ? AND id > ?))
          ORDER BY enrichment_next_attempt_at, id`,
      )
      .iterate(now, cursor.next, cursor.next, cursor.id);
    for (const row of rows) {
      last = { next: row.next, id: row.id };
      if (taken.has(row.clip_id)) continue;
      ids.add(row.clip_id);
      if (ids.size >= limit) break;
    }
    return { ids: [...ids], cursor: last };
  });
}

function countDue(c: Connection, now: number): number {
  const row = c
    .statement<[number], { n: number }>(
      `SELECT count(DISTINCT clip_id) AS n FROM clips WHERE enrichment_state = 'pending' AND enrichment_next_attempt_at <= ?`,
    )
    .get(now);
  return row?.n ?? 0;
}

/** How many distinct clips are pending and due now. */
export function countDueClips(db: Db, now: number): Promise<number> {
  return run(db, (c) => countDue(c, now));
}

export interface QueueStatus {
  /** Distinct clip ids per state. */
  pending: number;
  due: number;
  done: number;
  notFound: number;
  failed: number;
  /** When the earliest pending clip that is waiting out a backoff may be tried again. */
  nextAttemptAt: number | null;
  /** The error of the most recently failed attempt, if any pending or failed clip has one. */
  lastError: string | null;
}

export function enrichmentQueueStatus(db: Db, now: number): Promise<QueueStatus> {
  return run(db, (c) => {
    const counts = c
      .statement<[], { state: string; n: number }>(
        'SELECT enrichment_state AS state, count(DISTINCT clip_id) AS n FROM clips GROUP BY enrichment_state',
      )
      .all();
    const n = (state: string): number => counts.find((row) => row.state === state)?.n ?? 0;
    const next = c
      .statement<[number], { t: number | null }>(
        `SELECT min(enrichment_next_attempt_at) AS t FROM clips WHERE enrichment_state = 'pending' AND enrichment_next_attempt_at > ?`,
      )
      .get(now);
    const last = c
      .statement<[], { e: string }>(
        `SELECT enrichment_error AS e FROM clips WHERE enrichment_error IS NOT NULL AND enrichment_state IN ('pending', 'failed')
          ORDER BY last_updated_at DESC LIMIT 1`,
      )
      .get();
    return {
      pending: n('pending'),
      due: countDue(c, now),
      done: n('done'),
      notFound: n('not_found'),
      failed: n('failed'),
      nextAttemptAt: next?.t ?? null,
      lastError: last?.e ?? null,
    };
  });
}

/**
 * Puts failed clips back in the queue with a fresh attempt count (all of them, or one guild's, or the given clip
 * ids). Returns the number of rows re-queued.
 */
export function retryFailedClips(db: Db, now: number, filter: { guildId?: string; clipIds?: readonly string[] } = {}): Promise<number> {
  return inWrite(db, (c) => {
    const where: string[] = ["enrichment_state = 'failed'"];
    const params: (string | number)[] = [now];
    if (filter.guildId !== undefined) {
      where.push('guild_id = ?');
      params.push(filter.guildId);
    }
    if (filter.clipIds !== undefined) {
      if (filter.clipIds.length === 0) return 0;
      where.push(`clip_id IN (${filter.clipIds.map(() => '?').join(', ')})`);
      params.push(...filter.clipIds);
    }
    // Not cached: the IN list's length varies with the filter.
    return c.client
      .prepare(
        `UPDATE clips SET enrichment_state = 'pending', enrichment_attempts = 0, enrichment_next_attempt_at = 0,
                last_updated_at = ? WHERE ${where.join(' AND ')}`,
      )
      .run(...params).changes;
  });
}

/** How often a clip's views are refreshed, by its age. */
export interface RefreshIntervals {
  youngMs: number;
  recentMs: number;
  oldMs: number;
}

const DAY_MS = 86_400_000;

/** Distinct clip ids whose views are due for a refresh, the longest-unrefreshed first. */
export function clipsDueForRefresh(
  db: Db,
  now: number,
  schedule: RefreshIntervals,
  limit: number,
  taken: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  return run(db, (c) => {
    const rows = c
      .statement<{ now: number; young: number; recent: number; old: number; week: number; month: number }, { clip_id: string }>(
        `SELECT clip_id FROM clips
          WHERE enrichment_state = 'done'
            AND coalesce(views_refreshed_at, 0) <= @now - CASE
                  WHEN @now - coalesce(clip_created_at, @now) < @week THEN @young
                  WHEN @now - clip_created_at < @month THEN @recent
                  ELSE @old END
          ORDER BY coalesce(views_refreshed_at, 0)`,
      )
      .iterate({ now, young: schedule.youngMs, recent: schedule.recentMs, old: schedule.oldMs, week: 7 * DAY_MS, month: 30 * DAY_MS });
    const ids = new Set<string>();
    for (const row of rows) {
      if (taken.has(row.clip_id)) continue;
      ids.add(row.clip_id);
      if (ids.size >= limit) break;
    }
    return [...ids];
  });
}

/**
 * Remembers games a lookup left unnamed (their first miss), unless already remembered: a clip written without its
 * game's name waits for the repair's next turn instead of asking again with every batch.
 */
function rememberUnnamedGames(c: Connection, gameIds: Iterable<string>, now: number, nextTry: number): void {
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
