// feeds: a guild's clip feeds (docs/feed.md) — created, edited, paused and removed by /clipscope-admin feed, read by
// the feed job. Every read and write is scoped by guild_id except the job's list of every active feed.
import type { FeedPauseCause } from '../../schema/feeds';
import type { Db } from '../../database';
import { queries } from '../../sql';

export interface FeedFilters {
  /** Posted once the clip has this many views (0: at once). */
  minViews: number;
  /** Lower-cased game names; empty: every game. */
  games: string[];
  excludeGames: string[];
  /** Lower-cased clipper names whose clips are never posted. */
  creatorsExclude: string[];
  /** Posts per rolling hour, the rest summarised; null: no limit. */
  maxPerHour: number | null;
  mentionRoleId: string | null;
  /** Post a clip a member shared first. */
  postMemberShared: boolean;
  takingOff: boolean;
  alertChannelId: string | null;
}

export interface Feed extends FeedFilters {
  guildId: string;
  id: number;
  channelId: string;
  broadcasterId: string;
  broadcasterLogin: string;
  broadcasterName: string;
  paused: boolean;
  pauseCause: FeedPauseCause | null;
  pauseReason: string | null;
  /** Clips created before this are never posted. */
  startsAt: number;
  createdAt: number;
  updatedAt: number;
}

export interface NewFeed extends FeedFilters {
  guildId: string;
  channelId: string;
  broadcasterId: string;
  broadcasterLogin: string;
  broadcasterName: string;
}

interface FeedRow {
  guild_id: string;
  id: number;
  channel_id: string;
  broadcaster_id: string;
  broadcaster_login: string;
  broadcaster_name: string;
  min_views: number;
  games: string;
  exclude_games: string;
  creators_exclude: string;
  max_per_hour: number | null;
  mention_role_id: string | null;
  post_member_shared: number | boolean;
  taking_off: number | boolean;
  alert_channel_id: string | null;
  paused: number | boolean;
  pause_cause: FeedPauseCause | null;
  pause_reason: string | null;
  starts_at: number;
  created_at: number;
  updated_at: number;
}

function names(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function toFeed(row: FeedRow): Feed {
  return {
    guildId: row.guild_id,
    id: Number(row.id),
    channelId: row.channel_id,
    broadcasterId: row.broadcaster_id,
    broadcasterLogin: row.broadcaster_login,
    broadcasterName: row.broadcaster_name,
    minViews: row.min_views,
    games: names(row.games),
    excludeGames: names(row.exclude_games),
    creatorsExclude: names(row.creators_exclude),
    maxPerHour: row.max_per_hour,
    mentionRoleId: row.mention_role_id,
    postMemberShared: Boolean(row.post_member_shared),
    takingOff: Boolean(row.taking_off),
    alertChannelId: row.alert_channel_id,
    paused: Boolean(row.paused),
    pauseCause: row.pause_cause,
    pauseReason: row.pause_reason,
    startsAt: row.starts_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const COLUMNS = `guild_id, id, channel_id, broadcaster_id, broadcaster_login, broadcaster_name, min_views, games, exclude_games,
  creators_exclude, max_per_hour, mention_role_id, post_member_shared, taking_off, alert_channel_id, paused, pause_cause,
  pause_reason, starts_at, created_at, updated_at`;

/** Creates a feed that posts clips created from `now` on. */
export async function createFeed(db: Db, feed: NewFeed, now: number): Promise<Feed> {
  const row = await queries(db).get<FeedRow>(
    `INSERT INTO feeds (guild_id, channel_id, broadcaster_id, broadcaster_login, broadcaster_name, min_views, games, exclude_games,
       creators_exclude, max_per_hour, mention_role_id, post_member_shared, taking_off, alert_channel_id, paused, starts_at,
       created_at, updated_at)
     VALUES (@guild, @channel, @broadcaster, @login, @name, @minViews, @games, @excludeGames, @creatorsExclude, @maxPerHour,
       @mentionRole, @postMemberShared, @takingOff, @alertChannel, false, @now, @now, @now)
     RETURNING ${COLUMNS}`,
    {
      guild: feed.guildId,
      channel: feed.channelId,
      broadcaster: feed.broadcasterId,
      login: feed.broadcasterLogin,
      name: feed.broadcasterName,
      minViews: feed.minViews,
      games: JSON.stringify(feed.games),
      excludeGames: JSON.stringify(feed.excludeGames),
      creatorsExclude: JSON.stringify(feed.creatorsExclude),
      maxPerHour: feed.maxPerHour,
      mentionRole: feed.mentionRoleId,
      postMemberShared: feed.postMemberShared,
      takingOff: feed.takingOff,
      alertChannel: feed.alertChannelId,
      now,
    },
  );
  return toFeed(row!);
}

export async function listFeeds(db: Db, guildId: string): Promise<Feed[]> {
  return (await queries(db).all<FeedRow>(`SELECT ${COLUMNS} FROM feeds WHERE guild_id = ? ORDER BY id`, [guildId])).map(toFeed);
}

export async function getFeed(db: Db, guildId: string, id: number): Promise<Feed | null> {
  const row = await queries(db).get<FeedRow>(`SELECT ${COLUMNS} FROM feeds WHERE guild_id = ? AND id = ?`, [guildId, id]);
  return row ? toFeed(row) : null;
}

/** Every feed of every guild, paused ones included (the job resumes those paused for missing permissions). */
export async function listAllFeeds(db: Db): Promise<Feed[]> {
  return (await queries(db).all<FeedRow>(`SELECT ${COLUMNS} FROM feeds ORDER BY guild_id, id`)).map(toFeed);
}

/** Changes a feed's channel or filters; null when the guild has no such feed. */
export async function updateFeed(
  db: Db,
  guildId: string,
  id: number,
  change: Partial<FeedFilters> & { channelId?: string },
  now: number,
): Promise<Feed | null> {
  const current = await getFeed(db, guildId, id);
  if (!current) return null;
  const next = { ...current, ...change };
  const row = await queries(db).get<FeedRow>(
    `UPDATE feeds SET channel_id = @channel, min_views = @minViews, games = @games, exclude_games = @excludeGames,
       creators_exclude = @creatorsExclude, max_per_hour = @maxPerHour, mention_role_id = @mentionRole,
       post_member_shared = @postMemberShared, taking_off = @takingOff, alert_channel_id = @alertChannel, updated_at = @now
     WHERE guild_id = @guild AND id = @id
     RETURNING ${COLUMNS}`,
    {
      guild: guildId,
      id,
      channel: next.channelId,
      minViews: next.minViews,
      games: JSON.stringify(next.games),
      excludeGames: JSON.stringify(next.excludeGames),
      creatorsExclude: JSON.stringify(next.creatorsExclude),
      maxPerHour: next.maxPerHour,
      mentionRole: next.mentionRoleId,
      postMemberShared: next.postMemberShared,
      takingOff: next.takingOff,
      alertChannel: next.alertChannelId,
      now,
    },
  );
  if (!row) return null;
  // The clips the old filters left out are judged again by the new ones (clips posted stay posted).
  await queries(db).run(`DELETE FROM feed_posts WHERE guild_id = ? AND feed_id = ? AND state = 'skipped'`, [guildId, id]);
  return toFeed(row);
}

/**
 * Pauses a feed (with who paused it and why) or resumes it (`pause` null). A feed an admin paused is not resumed by
 * the job: `onlyCause` limits the change to feeds paused for that cause (or running, when pausing). False when
 * nothing changed.
 */
export async function setFeedPaused(
  db: Db,
  guildId: string,
  id: number,
  pause: { cause: FeedPauseCause; reason: string } | null,
  now: number,
  onlyCause?: FeedPauseCause,
): Promise<boolean> {
  const guard = onlyCause === undefined ? '' : pause ? ' AND paused = false' : ' AND pause_cause = @only';
  const result = await queries(db).run(
    `UPDATE feeds SET paused = @paused, pause_cause = @cause, pause_reason = @reason, updated_at = @now
     WHERE guild_id = @guild AND id = @id${guard}`,
    {
      guild: guildId,
      id,
      paused: pause !== null,
      cause: pause?.cause ?? null,
      reason: pause?.reason ?? null,
      now,
      ...(onlyCause === undefined || pause ? {} : { only: onlyCause }),
    },
  );
  return result.changes > 0;
}

/** Removes a feed; its posts stay recorded, so a feed re-created on the same channel never reposts a clip. */
export async function removeFeed(db: Db, guildId: string, id: number): Promise<boolean> {
  return (await queries(db).run('DELETE FROM feeds WHERE guild_id = ? AND id = ?', [guildId, id])).changes > 0;
}
