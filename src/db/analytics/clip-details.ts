// One clip of one guild as stored: its row, its live shares, the channels it was shared in and its view history.
import type { Db } from '../client';
import { dialect } from '../sql';
import { readRow, readRows } from './postgres-text';

export interface ClipDetailRow {
  clip_id: string;
  url: string;
  title: string | null;
  broadcaster_name: string | null;
  creator_id: string | null;
  creator_name: string | null;
  game_id: string | null;
  game_name: string | null;
  view_count: number;
  duration: number | null;
  thumbnail_url: string | null;
  clip_created_at: number | null;
  first_shared_at: number | null;
  discord_shares: number;
  discord_reactions: number;
  discord_reaction_types: string;
  enrichment_state: 'pending' | 'done' | 'not_found' | 'failed';
  enrichment_error: string | null;
  views_refreshed_at: number | null;
}

export interface ClipShareRow {
  channel_id: string;
  thread_id: string | null;
  message_id: string;
  author_id: string;
  author_name: string;
  posted_at: number;
}

export interface StoredClipDetails {
  clip: ClipDetailRow;
  /** Live shares, oldest first, at most shareLimit. */
  shares: ClipShareRow[];
  channelCount: number;
  /** The newest historyLimit view observations, newest first. */
  history: { observed_at: number; view_count: number }[];
}

/** Null when the guild never saw this clip (clip ids are case-sensitive). */
export async function readClipDetails(
  db: Db,
  guildId: string,
  clipId: string,
  limits: { shareLimit: number; historyLimit: number },
): Promise<StoredClipDetails | null> {
  // The reaction types as JSON text on both engines (jsonb on PostgreSQL).
  const types = dialect(db, {
    sqlite: 'discord_reaction_types',
    postgres: 'CAST(discord_reaction_types AS TEXT) AS discord_reaction_types',
  });
  const clip = await readRow<ClipDetailRow>(
    db,
    `SELECT clip_id, url, title, broadcaster_name, creator_id, creator_name, game_id, game_name, view_count, duration,
            thumbnail_url, clip_created_at, first_shared_at, discord_shares, discord_reactions, ${types},
            enrichment_state, enrichment_error, views_refreshed_at
       FROM clips WHERE guild_id = ? AND clip_id = ?`,
    [guildId, clipId],
  );
  if (!clip) return null;
  const [shares, channels, history] = await Promise.all([
    readRows<ClipShareRow>(
      db,
      `SELECT channel_id, thread_id, message_id, author_id, author_name, posted_at FROM shares
        WHERE guild_id = ? AND clip_id = ? AND deleted_at IS NULL ORDER BY posted_at, message_id LIMIT ?`,
      [guildId, clipId, limits.shareLimit],
    ),
    readRow<{ n: number }>(
      db,
      'SELECT count(DISTINCT channel_id) AS n FROM shares WHERE guild_id = ? AND clip_id = ? AND deleted_at IS NULL',
      [guildId, clipId],
    ),
    readRows<{ observed_at: number; view_count: number }>(
      db,
      'SELECT observed_at, view_count FROM clip_view_history WHERE clip_id = ? ORDER BY observed_at DESC LIMIT ?',
      [clipId, limits.historyLimit],
    ),
  ]);
  return { clip, shares, channelCount: channels?.n ?? 0, history };
}
