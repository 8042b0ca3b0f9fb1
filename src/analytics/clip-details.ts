// One clip's full story in one guild: its Twitch metadata, enrichment state, every live share (who posted it
// where, when), the reaction breakdown and the recent view history. Read by `/clipstats clip`.
import { readClipDetails } from '../db/analytics/clip-details';
import type { Db } from '../db/client';

export interface ClipShareJson {
  channel_id: string;
  thread_id: string | null;
  message_id: string;
  author_id: string;
  author_name: string;
  posted_at: string;
}

export interface ClipDetails {
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
  clip_created_at: string | null;
  first_shared_at: string | null;
  discord_shares: number;
  discord_reactions: number;
  /** emoji key → count, most used first. */
  reaction_types: Record<string, number>;
  enrichment_state: 'pending' | 'done' | 'not_found' | 'failed';
  enrichment_error: string | null;
  views_refreshed_at: string | null;
  /** Live shares, oldest first (at most `shareLimit`). */
  shares: ClipShareJson[];
  /** Distinct channels the clip was shared in. */
  channel_count: number;
  /** The most recent view observations, oldest first. */
  view_history: { observed_at: string; view_count: number }[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Null when the guild never saw this clip (clip ids are case-sensitive). */
export async function clipDetails(
  db: Db,
  guildId: string,
  clipId: string,
  options: { shareLimit?: number; historyLimit?: number } = {},
): Promise<ClipDetails | null> {
  const stored = await readClipDetails(db, guildId, clipId, {
    shareLimit: options.shareLimit ?? 10,
    historyLimit: options.historyLimit ?? 24,
  });
  if (!stored) return null;
  const { clip: row, shares } = stored;
  const history = [...stored.history].reverse();
  let reactionTypes: Record<string, number> = {};
  try {
    const parsed: unknown = JSON.parse(row.discord_reaction_types);
    if (parsed && typeof parsed === 'object') reactionTypes = parsed as Record<string, number>;
  } catch {
    reactionTypes = {};
  }
  return {
    clip_id: row.clip_id,
    url: row.url,
    title: row.title,
    broadcaster_name: row.broadcaster_name,
    creator_id: row.creator_id,
    creator_name: row.creator_name,
    game_id: row.game_id,
    game_name: row.game_name,
    view_count: row.view_count,
    duration: row.duration,
    thumbnail_url: row.thumbnail_url,
    clip_created_at: iso(row.clip_created_at),
    first_shared_at: iso(row.first_shared_at),
    discord_shares: row.discord_shares,
    discord_reactions: row.discord_reactions,
    reaction_types: Object.fromEntries(Object.entries(reactionTypes).sort((a, b) => b[1] - a[1])),
    enrichment_state: row.enrichment_state,
    enrichment_error: row.enrichment_error,
    views_refreshed_at: iso(row.views_refreshed_at),
    shares: shares.map((s) => ({ ...s, posted_at: new Date(s.posted_at).toISOString() })),
    channel_count: stored.channelCount,
    view_history: history.map((h) => ({ observed_at: new Date(h.observed_at).toISOString(), view_count: h.view_count })),
  };
}
