// STAND-IN writers for what src/twitch/ will own: the enrichment result and the Twitch channel sync's new clip.
// The generator uses them until the enrichment writer lands (branch `twitch`); then it should call that instead.
// They touch exactly the columns enrichment writes and mark the changed hours dirty, as the real writers must.
import type Database from 'better-sqlite3';
import type { Db } from '../db/client';
import { markDirtyHours } from '../db/dirty';

/** What Helix Get Clips (plus Get Games for the name) tells us about a clip. */
export interface ClipMetadata {
  clipId: string;
  title: string;
  broadcasterId: string;
  broadcasterName: string;
  creatorId: string;
  creatorName: string;
  /** '' when Twitch has no game for the clip. */
  gameId: string;
  gameName: string | null;
  viewCount: number;
  duration: number;
  thumbnailUrl: string;
  /** Helix created_at, epoch ms. */
  createdAt: number;
}

interface Statements {
  rowsOfClip: Database.Statement<[string], { guild_id: string; clip_created_at: number | null }>;
  shareTimes: Database.Statement<[string, string], { t: number }>;
  reactionTimes: Database.Statement<[string, string], { t: number }>;
  update: Database.Statement<unknown[]>;
  observeViews: Database.Statement<unknown[]>;
  insertSynced: Database.Statement<unknown[]>;
}

const statementsByDb = new WeakMap<Database.Database, Statements>();

function statements(db: Db): Statements {
  let cached = statementsByDb.get(db.$client);
  if (!cached) {
    cached = {
      rowsOfClip: db.$client.prepare('SELECT guild_id, clip_created_at FROM clips WHERE clip_id = ?'),
      shareTimes: db.$client.prepare('SELECT posted_at AS t FROM shares WHERE guild_id = ? AND clip_id = ?'),
      reactionTimes: db.$client.prepare(
        `SELECT r.reacted_at AS t FROM shares s JOIN reactions r ON r.message_id = s.message_id
          WHERE s.guild_id = ? AND s.clip_id = ?`,
      ),
      update: db.$client.prepare(
        `UPDATE clips SET title = ?, broadcaster_id = ?, broadcaster_name = ?, creator_id = ?, creator_name = ?,
                game_id = ?, game_name = ?, view_count = ?, duration = ?, thumbnail_url = ?, clip_created_at = ?,
                enrichment_state = 'done', enrichment_attempts = 0, enrichment_error = NULL,
                enrichment_next_attempt_at = 0, enriched_at = coalesce(enriched_at, ?), views_refreshed_at = ?,
                last_updated_at = ?
          WHERE clip_id = ?`,
      ),
      observeViews: db.$client.prepare('INSERT OR REPLACE INTO clip_view_history (clip_id, observed_at, view_count) VALUES (?, ?, ?)'),
      insertSynced: db.$client.prepare(
        `INSERT INTO clips (guild_id, clip_id, url, first_seen_at, last_updated_at, source)
         VALUES (?, ?, ?, ?, ?, 'twitch_sync') ON CONFLICT (guild_id, clip_id) DO NOTHING`,
      ),
    };
    statementsByDb.set(db.$client, cached);
  }
  return cached;
}

/**
 * STAND-IN for the twitch branch's enrichment writer (applyHelixClip): stores a successful Helix lookup on every
 * guild's row of the clip (metadata is per Twitch clip), records the view count observation, and marks dirty the
 * hours the clip counts in (its creation, before and after, its shares and their reactions).
 * Returns the number of rows updated. Call inside a transaction.
 */
export function writeEnrichmentResultStandIn(db: Db, clip: ClipMetadata, now: number): number {
  const s = statements(db);
  const rows = s.rowsOfClip.all(clip.clipId);
  if (rows.length === 0) return 0;
  const changed = s.update.run(
    clip.title,
    clip.broadcasterId,
    clip.broadcasterName,
    clip.creatorId,
    clip.creatorName,
    clip.gameId,
    // Twitch's "no game" is stored with an empty name, as the enrichment writer does.
    clip.gameId === '' ? '' : clip.gameName,
    clip.viewCount,
    clip.duration,
    clip.thumbnailUrl,
    clip.createdAt,
    now,
    now,
    now,
    clip.clipId,
  ).changes;
  s.observeViews.run(clip.clipId, now, clip.viewCount);
  for (const row of rows) {
    const hours = [row.clip_created_at, clip.createdAt];
    for (const r of s.shareTimes.all(row.guild_id, clip.clipId)) hours.push(r.t);
    for (const r of s.reactionTimes.all(row.guild_id, clip.clipId)) hours.push(r.t);
    markDirtyHours(db, row.guild_id, hours);
  }
  return changed;
}

/**
 * STAND-IN for the twitch branch's channel sync: a clip found on a followed broadcaster's channel and never shared
 * in Discord enters as a pending row with source 'twitch_sync'. Returns true when the row is new.
 */
export function recordSyncedClipStandIn(db: Db, guildId: string, clipId: string, url: string, now: number): boolean {
  return statements(db).insertSynced.run(guildId, clipId, url, now, now).changes > 0;
}
