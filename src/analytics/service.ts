// The analytics service: every read that commands, the digest, the HTTP API and the CLI make, over one database.
// Presentation code holds an Analytics and never a database handle.
import { readGuildFingerprint, readChangeMarker } from '../db/analytics/data-version';
import { listGuilds, type GuildListing } from '../db/analytics/guild-list';
import { readGuildIdentity, readGuildName } from '../db/analytics/guild-name';
import { readGuildStatus, readHealth, readLargestGuild, type GuildStatusFacts, type HealthFacts } from '../db/analytics/status';
import type { Db } from '../db/client';
import { findTwitchLink, listGuildTwitchLinks, type TwitchLink } from '../db/stores/twitch-links';
import { clipDetails, type ClipDetails } from './clip-details';
import { compare } from './compare';
import { creatorSummaryOf, topCreatorsOfGame, topGamesOfCreator, viralClipsOf } from './drill-down';
import { engagementTimeline } from './engagement-timeline';
import { findCreator, findGame, suggestCreators, suggestGames, type NamedEntity } from './find-names';
import { growthOpportunities } from './growth-opportunities';
import { moods, type Moods } from './moods';
import type { Mood } from './moods-table';
import { overview } from './overview';
import { peakTimes } from './peak-times';
import { streamMoments } from './stream-moments';
import { resolvePeriod } from './periods';
import { roleChanges, type RoleChangesAnswer } from './role-changes';
import { topCreators } from './top-creators';
import { gameRows, topGames } from './top-games';
import type {
  AnalysisContext,
  CompareSpan,
  Comparison,
  CreatorRow,
  CreatorSort,
  EngagementTimeline,
  GameRow,
  GameSort,
  GrowthOpportunities,
  Overview,
  PeakTimes,
  StreamMoments,
  PeriodQuery,
  TimelineBucketSize,
  TopCreators,
  TopGames,
  ViralClips,
  ViralSort,
} from './types';
import { moodViralClips, viralClips } from './viral-clips';

export type { GuildStatusFacts, HealthFacts, JobRunRow } from '../db/analytics/status';
export type { GuildFingerprint } from '../db/analytics/data-version';
export type { GuildListing } from '../db/analytics/guild-list';
export type { ClipDetails } from './clip-details';
export type { NamedEntity } from './find-names';
export type { Moods } from './moods';
export type { RoleChangesAnswer } from './role-changes';

export interface Analytics {
  overview(ctx: AnalysisContext, period: PeriodQuery): Promise<Overview>;
  /** With gameId: the creators of that game's clips. */
  topCreators(
    ctx: AnalysisContext,
    query: { period: PeriodQuery; limit: number; sort: CreatorSort; gameId?: string | null },
  ): Promise<TopCreators>;
  /** With creatorId: the games that creator clipped. */
  topGames(
    ctx: AnalysisContext,
    query: { period: PeriodQuery; limit: number; sort: GameSort; creatorId?: string | null },
  ): Promise<TopGames>;
  viralClips(
    ctx: AnalysisContext,
    query: { period: PeriodQuery; limit: number; sort: ViralSort; minViews: number; creatorId?: string | null; gameId?: string | null },
  ): Promise<ViralClips>;
  /** `/viral sort:<mood>`: the period's clips by their reactions of one mood (each clip's `mood_reactions`). */
  moodViralClips(
    ctx: AnalysisContext,
    query: { period: PeriodQuery; limit: number; mood: Mood; minViews: number },
  ): Promise<ViralClips & { mood: Mood }>;
  /** What the reactions say: the period's mood mix, per creator and game, and the mood rankings (docs/moods.md). */
  moods(ctx: AnalysisContext, query: { period: PeriodQuery; limit: number; clipId?: string | null }): Promise<Moods>;
  timeline(ctx: AnalysisContext, query: { bucket: TimelineBucketSize; days: number }): Promise<EngagementTimeline>;
  peakTimes(ctx: AnalysisContext, period: PeriodQuery): Promise<PeakTimes>;
  /** When in their broadcasts clips happen, and which broadcasts gave the most (limit: streams per top list). */
  streamMoments(ctx: AnalysisContext, query: { period: PeriodQuery; limit: number }): Promise<StreamMoments>;
  /** span: `to_date` (default while the period runs) or `whole`; see compare.ts. */
  compare(ctx: AnalysisContext, period: PeriodQuery, span?: CompareSpan): Promise<Comparison>;
  /** minReactions: reactions a clip needs to be a community favourite (default 2). */
  growth(ctx: AnalysisContext, query: { period: PeriodQuery; limit: number; minReactions?: number }): Promise<GrowthOpportunities>;
  /** One creator's leaderboard row for the period (exactly as /topcreators ranks it), or null if not active. */
  creatorRow(ctx: AnalysisContext, period: PeriodQuery, creatorId: string): Promise<CreatorRow | null>;
  gameRow(ctx: AnalysisContext, period: PeriodQuery, gameId: string): Promise<GameRow | null>;

  /** One clip's full story in the guild, or null when the guild never saw it. */
  clipDetails(guildId: string, clipId: string, options?: { shareLimit?: number; historyLimit?: number }): Promise<ClipDetails | null>;
  /** Autocomplete: the guild's games or creators whose name contains the text, most clipped first. */
  suggestGames(guildId: string, typed: string, limit?: number): Promise<NamedEntity[]>;
  suggestCreators(guildId: string, typed: string, limit?: number): Promise<NamedEntity[]>;
  /** The game or creator a user meant: `id:<id>` from autocomplete, or a full name; null when the guild has none. */
  findGame(guildId: string, text: string): Promise<NamedEntity | null>;
  findCreator(guildId: string, text: string): Promise<NamedEntity | null>;

  /** What /healthz reports: the enrichment queue and every job's last run. Rejects when the database is unreachable. */
  health(): Promise<HealthFacts>;
  /** What /clipscope-admin status shows of a guild's data and background work. */
  guildStatus(guildId: string): Promise<GuildStatusFacts>;
  /** The guild's name as the bot last saw it, or null when it never has (an imported or generated guild may have none). */
  guildName(guildId: string): Promise<string | null>;
  /** The guild's name and icon hash as the bot last saw them (the dashboard's header). */
  guildIdentity(guildId: string): Promise<{ name: string | null; icon: string | null }>;
  /** Every guild the database holds data of, most clips first (clipscope guilds). */
  guilds(): Promise<GuildListing[]>;
  /** The guild with the most clips (the demo and the benchmarks serve it), or null when there are no clips. */
  largestGuild(): Promise<{ guildId: string; clips: number } | null>;
  /** The guild's members who linked their verified Twitch account, by Twitch name. */
  linkedAccounts(guildId: string): Promise<LinkedAccount[]>;
  /** Clipper roles: the guild's rules and a page of its role changes, newest first (docs/roles.md). */
  roleChanges(guildId: string, query: { limit: number; after: { changedAt: number; changeId: string } | null }): Promise<RoleChangesAnswer>;
  /** The member linked to a Twitch user (a clip creator) in the guild, or null. */
  linkedAccount(guildId: string, twitchUserId: string): Promise<LinkedAccount | null>;

  /** Changes whenever anything at all was committed, by any connection (the HTTP cache's cheap first check). */
  changeMarker(): Promise<string>;
  /** A fingerprint of the guild's data that moves whenever its answers may change, with its timezone (UTC when unset). */
  dataVersion(guildId: string): Promise<{ fingerprint: string; timezone: string }>;

  /** Runs fn with an Analytics that reads one consistent snapshot (a read-only transaction; the caller's when in one). */
  snapshot<T>(fn: (analytics: Analytics) => Promise<T>): Promise<T>;
}

/** A member who linked their verified Twitch account: the creator's Discord side. */
export interface LinkedAccount {
  twitch_user_id: string;
  twitch_name: string;
  discord_user_id: string;
  discord_name: string;
}

const linkedAccountOf = (l: TwitchLink): LinkedAccount => ({
  twitch_user_id: l.twitchUserId,
  twitch_name: l.twitchName,
  discord_user_id: l.discordUserId,
  discord_name: l.discordName,
});

export function createAnalytics(db: Db): Analytics {
  return new DbAnalytics(db);
}

/** A class rather than closures: a snapshot builds one per uncached HTTP answer. */
class DbAnalytics implements Analytics {
  constructor(private readonly db: Db) {}

  overview(ctx: AnalysisContext, period: PeriodQuery): Promise<Overview> {
    return overview(this.db, ctx, { period });
  }

  topCreators(
    ctx: AnalysisContext,
    q: { period: PeriodQuery; limit: number; sort: CreatorSort; gameId?: string | null },
  ): Promise<TopCreators> {
    return q.gameId
      ? topCreatorsOfGame(this.db, ctx, { period: q.period, gameId: q.gameId, sort: q.sort, limit: q.limit })
      : topCreators(this.db, ctx, { period: q.period, sort: q.sort, limit: q.limit });
  }

  topGames(ctx: AnalysisContext, q: { period: PeriodQuery; limit: number; sort: GameSort; creatorId?: string | null }): Promise<TopGames> {
    return q.creatorId
      ? topGamesOfCreator(this.db, ctx, { period: q.period, creatorId: q.creatorId, sort: q.sort, limit: q.limit })
      : topGames(this.db, ctx, { period: q.period, sort: q.sort, limit: q.limit });
  }

  viralClips(
    ctx: AnalysisContext,
    q: { period: PeriodQuery; limit: number; sort: ViralSort; minViews: number; creatorId?: string | null; gameId?: string | null },
  ): Promise<ViralClips> {
    return q.creatorId || q.gameId
      ? viralClipsOf(this.db, ctx, {
          period: q.period,
          sort: q.sort,
          limit: q.limit,
          min_views: q.minViews,
          creatorId: q.creatorId,
          gameId: q.gameId,
        })
      : viralClips(this.db, ctx, { period: q.period, sort: q.sort, limit: q.limit, min_views: q.minViews });
  }

  timeline(ctx: AnalysisContext, q: { bucket: TimelineBucketSize; days: number }): Promise<EngagementTimeline> {
    return engagementTimeline(this.db, ctx, { bucket: q.bucket, days: q.days });
  }

  peakTimes(ctx: AnalysisContext, period: PeriodQuery): Promise<PeakTimes> {
    return peakTimes(this.db, ctx, { period });
  }

  streamMoments(ctx: AnalysisContext, query: { period: PeriodQuery; limit: number }): Promise<StreamMoments> {
    return streamMoments(this.db, ctx, { period: query.period, limit: query.limit });
  }

  compare(ctx: AnalysisContext, period: PeriodQuery, span?: CompareSpan): Promise<Comparison> {
    return compare(this.db, ctx, span ? { period, span } : { period });
  }

  moodViralClips(
    ctx: AnalysisContext,
    q: { period: PeriodQuery; limit: number; mood: Mood; minViews: number },
  ): Promise<ViralClips & { mood: Mood }> {
    return moodViralClips(this.db, ctx, { period: q.period, mood: q.mood, limit: q.limit, min_views: q.minViews });
  }

  moods(ctx: AnalysisContext, q: { period: PeriodQuery; limit: number; clipId?: string | null }): Promise<Moods> {
    return moods(this.db, ctx, { period: q.period, limit: q.limit, clipId: q.clipId ?? null });
  }

  growth(ctx: AnalysisContext, q: { period: PeriodQuery; limit: number; minReactions?: number }): Promise<GrowthOpportunities> {
    return growthOpportunities(this.db, ctx, { period: q.period, limit: q.limit, min_reactions: q.minReactions });
  }

  creatorRow(ctx: AnalysisContext, period: PeriodQuery, creatorId: string): Promise<CreatorRow | null> {
    // Added up from the creator's own rows: listing every creator of a big guild to find one is far slower.
    return creatorSummaryOf(this.db, ctx, { period, creatorId });
  }

  async gameRow(ctx: AnalysisContext, period: PeriodQuery, gameId: string): Promise<GameRow | null> {
    const rows = await gameRows(this.db, ctx, resolvePeriod(period, ctx.timezone, ctx.now), 'clip_count', null);
    return rows.find((r) => r.game_id === gameId) ?? null;
  }

  clipDetails(guildId: string, clipId: string, options?: { shareLimit?: number; historyLimit?: number }): Promise<ClipDetails | null> {
    return clipDetails(this.db, guildId, clipId, options);
  }

  suggestGames(guildId: string, typed: string, limit?: number): Promise<NamedEntity[]> {
    return suggestGames(this.db, guildId, typed, limit);
  }

  suggestCreators(guildId: string, typed: string, limit?: number): Promise<NamedEntity[]> {
    return suggestCreators(this.db, guildId, typed, limit);
  }

  findGame(guildId: string, text: string): Promise<NamedEntity | null> {
    return findGame(this.db, guildId, text);
  }

  findCreator(guildId: string, text: string): Promise<NamedEntity | null> {
    return findCreator(this.db, guildId, text);
  }

  health(): Promise<HealthFacts> {
    return readHealth(this.db);
  }

  roleChanges(
    guildId: string,
    query: { limit: number; after: { changedAt: number; changeId: string } | null },
  ): Promise<RoleChangesAnswer> {
    return roleChanges(this.db, guildId, query);
  }

  guildStatus(guildId: string): Promise<GuildStatusFacts> {
    return readGuildStatus(this.db, guildId);
  }

  guildName(guildId: string): Promise<string | null> {
    return readGuildName(this.db, guildId);
  }

  guildIdentity(guildId: string): Promise<{ name: string | null; icon: string | null }> {
    return readGuildIdentity(this.db, guildId);
  }

  guilds(): Promise<GuildListing[]> {
    return listGuilds(this.db);
  }

  largestGuild(): Promise<{ guildId: string; clips: number } | null> {
    return readLargestGuild(this.db);
  }

  async linkedAccounts(guildId: string): Promise<LinkedAccount[]> {
    return (await listGuildTwitchLinks(this.db, guildId)).map(linkedAccountOf);
  }

  async linkedAccount(guildId: string, twitchUserId: string): Promise<LinkedAccount | null> {
    const link = await findTwitchLink(this.db, guildId, twitchUserId);
    return link ? linkedAccountOf(link) : null;
  }

  changeMarker(): Promise<string> {
    return readChangeMarker(this.db);
  }

  async dataVersion(guildId: string): Promise<{ fingerprint: string; timezone: string }> {
    const row = await readGuildFingerprint(this.db, guildId);
    // The timezone is in the fingerprint too: two settings writes within one millisecond share an updated_at.
    const timezone = row?.timezone ?? 'UTC';
    return {
      fingerprint: `${row?.clips ?? 0}.${row?.dirty ?? 0}.${row?.settings ?? 0}.${timezone}.${row?.links ?? '0:0'}.${row?.videos ?? 0}.${row?.moods ?? '0:0'}`,
      timezone,
    };
  }

  snapshot<T>(fn: (analytics: Analytics) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(new DbAnalytics(tx)), { readOnly: true });
  }
}
