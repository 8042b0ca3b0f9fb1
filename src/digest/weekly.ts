// The weekly digest: per guild, at its configured weekday and hour in its timezone, one post covering the
// previous ISO week. Exactly once per guild and week, even across restarts and several instances: a digest_posts
// row is claimed in a transaction before anything is sent, and a week with a row is never posted again.
// After downtime only the latest missed week is posted (once). A post that fails (channel gone, no permission)
// is recorded in digest_posts and guild_settings.digest_last_error, shown by /clipscope-admin status, and not
// retried until an admin changes the digest settings.
import type { APIEmbed } from 'discord.js';
import { bucketOf, DAY_MS, HOUR_MS, instantOfLocalTime, localDate } from '../analytics/periods';
import type { AnalysisContext, PeriodQuery } from '../analytics/types';
import type { Clock } from '../clock';
import { inTransaction, type Db } from '../db/client';
import { listGuildSettings, updateGuildSettings, type GuildSettings } from '../db/guild-settings';
import type { AnalyticsQueries } from '../discord/analytics-port';
import { weeklyDigestEmbed, type WeeklyDigestData } from '../discord/embeds/digest';
import type { Logger } from '../logger';

/**
 * How often the scheduler looks for due digests. Every 15 minutes rather than hourly, so that guilds in
 * half- and quarter-hour timezones (India, Nepal, Newfoundland…) get theirs on time too.
 */
export const DIGEST_CHECK_CRON = '*/15 * * * *';
export const DIGEST_JOB_NAME = 'weekly-digest';

/** Delivers a digest message; resolves with the posted message id. Throws a DigestDeliveryError when it cannot. */
export interface DigestSender {
  send(channelId: string, message: { embeds: APIEmbed[] }): Promise<string>;
}

/** A failure to post that an admin must fix (shown in status); the message says what to do. */
export class DigestDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DigestDeliveryError';
  }
}

export interface DigestDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  analytics: AnalyticsQueries;
  sender: DigestSender;
}

export interface DigestSchedule {
  /** The latest scheduled digest time at or before now. */
  dueAt: number;
  /** The ISO week that digest covers: [start, end), and its Monday (YYYY-MM-DD). */
  weekStart: number;
  weekEnd: number;
  weekDate: string;
  /** The next scheduled time after now. */
  nextAt: number;
}

/** The guild's digest moment in the ISO week containing `at`: Monday's local date + weekday and hour. */
function slotInWeekOf(settings: Pick<GuildSettings, 'timezone' | 'digestWeekday' | 'digestHour'>, at: number): number {
  const tz = settings.timezone;
  const monday = localDate(tz, bucketOf(tz, 'week', at).start);
  return instantOfLocalTime(tz, monday + (settings.digestWeekday - 1) * DAY_MS + settings.digestHour * HOUR_MS);
}

export function digestSchedule(settings: Pick<GuildSettings, 'timezone' | 'digestWeekday' | 'digestHour'>, now: number): DigestSchedule {
  const tz = settings.timezone;
  const thisWeeks = slotInWeekOf(settings, now);
  const nextWeeks = slotInWeekOf(settings, bucketOf(tz, 'week', now).end);
  const lastWeeks = slotInWeekOf(settings, bucketOf(tz, 'week', now).start - 1);
  const dueAt = thisWeeks <= now ? thisWeeks : lastWeeks;
  const nextAt = thisWeeks > now ? thisWeeks : nextWeeks;
  // The week before the one the digest is posted in.
  const postedIn = bucketOf(tz, 'week', dueAt);
  const covered = bucketOf(tz, 'week', postedIn.start - 1);
  return { dueAt, weekStart: covered.start, weekEnd: covered.end, weekDate: covered.date, nextAt };
}

/** Everything the digest shows for one week, from the analytics engine. */
export function collectDigestData(analytics: AnalyticsQueries, ctx: AnalysisContext, week: { start: number; end: number; date: string }): WeeklyDigestData {
  const period: PeriodQuery = { type: 'range', from: week.start, to: week.end };
  // The week before as its own calendar week (a DST change makes weeks 167 or 169 hours long).
  const before = bucketOf(ctx.timezone, 'week', week.start - 1);
  const previousPeriod: PeriodQuery = { type: 'range', from: before.start, to: before.end };
  const favourite = analytics.viralClips(ctx, { period, limit: 1, sort: 'discord_reactions', minViews: 0 }).clips[0] ?? null;
  const peaks = analytics.peakTimes(ctx, period);
  return {
    week: { start: week.start, end: week.end, date: week.date, timezone: ctx.timezone },
    current: analytics.overview(ctx, period),
    previous: analytics.overview(ctx, previousPeriod),
    topClips: analytics.viralClips(ctx, { period, limit: 5, sort: 'view_count', minViews: 0 }).clips,
    topCreators: analytics.topCreators(ctx, { period, limit: 3, sort: 'clip_count' }).creators,
    topGames: analytics.topGames(ctx, { period, limit: 3, sort: 'clip_count' }).games,
    favourite: favourite && favourite.discord_reactions > 0 ? favourite : null,
    peakHour: peaks.best_hour,
    peakWeekday: peaks.best_weekday,
    growth: analytics.growth(ctx, { period, limit: 1 }),
  };
}

export type DigestOutcome =
  | { guildId: string; weekStart: number; status: 'posted'; messageId: string }
  | { guildId: string; weekStart: number; status: 'failed'; error: string };

/**
 * Posts every digest that is due and not yet claimed. Safe to call as often as wanted, from any number of
 * processes: each (guild, week) is claimed at most once.
 */
export async function runDueDigests(deps: DigestDeps): Promise<DigestOutcome[]> {
  const outcomes: DigestOutcome[] = [];
  for (const settings of listGuildSettings(deps.db)) {
    if (!settings.digestEnabled || !settings.digestChannelId) continue;
    const outcome = await postDigestIfDue(deps, settings);
    if (outcome) outcomes.push(outcome);
  }
  return outcomes;
}

async function postDigestIfDue(deps: DigestDeps, settings: GuildSettings): Promise<DigestOutcome | null> {
  const { db, clock, logger } = deps;
  const now = clock.now();
  const channelId = settings.digestChannelId as string;
  const schedule = digestSchedule(settings, now);
  const claimed = inTransaction(db, () => {
    const result = db.$client
      .prepare(
        `INSERT INTO digest_posts (guild_id, week_start, channel_id, status, created_at) VALUES (?, ?, ?, 'claimed', ?)
         ON CONFLICT (guild_id, week_start) DO NOTHING`,
      )
      .run(settings.guildId, schedule.weekStart, channelId, now);
    return result.changes === 1;
  });
  if (!claimed) return null;

  const log = logger.child({ guildId: settings.guildId, week: schedule.weekDate, channelId });
  try {
    const ctx: AnalysisContext = { guildId: settings.guildId, timezone: settings.timezone, now };
    const data = collectDigestData(deps.analytics, ctx, { start: schedule.weekStart, end: schedule.weekEnd, date: schedule.weekDate });
    const messageId = await deps.sender.send(channelId, { embeds: [weeklyDigestEmbed(data)] });
    inTransaction(db, () => {
      db.$client
        .prepare(`UPDATE digest_posts SET status = 'posted', message_id = ?, error = NULL WHERE guild_id = ? AND week_start = ?`)
        .run(messageId, settings.guildId, schedule.weekStart);
      if (settings.digestLastError !== null) updateGuildSettings(db, settings.guildId, { digestLastError: null }, clock.now());
    });
    log.info({ messageId }, 'weekly digest posted');
    return { guildId: settings.guildId, weekStart: schedule.weekStart, status: 'posted', messageId };
  } catch (error) {
    const message =
      error instanceof DigestDeliveryError ? error.message : `Posting the weekly digest failed: ${error instanceof Error ? error.message : String(error)}`;
    inTransaction(db, () => {
      db.$client
        .prepare(`UPDATE digest_posts SET status = 'failed', error = ? WHERE guild_id = ? AND week_start = ?`)
        .run(message, settings.guildId, schedule.weekStart);
      updateGuildSettings(db, settings.guildId, { digestLastError: message }, clock.now());
    });
    if (error instanceof DigestDeliveryError) log.warn({ reason: message }, 'weekly digest not posted');
    else log.error({ err: error }, 'weekly digest failed');
    return { guildId: settings.guildId, weekStart: schedule.weekStart, status: 'failed', error: message };
  }
}

/**
 * After an admin changes the digest settings: forget the failure of the current due week so that the next
 * check tries once more (with the new channel), and clear the recorded error.
 */
export function resetDigestFailure(db: Db, guildId: string, settings: GuildSettings, now: number): void {
  const schedule = digestSchedule(settings, now);
  inTransaction(db, () => {
    db.$client.prepare(`DELETE FROM digest_posts WHERE guild_id = ? AND week_start = ? AND status = 'failed'`).run(guildId, schedule.weekStart);
    updateGuildSettings(db, guildId, { digestLastError: null }, now);
  });
}

/** Whether the digest of the guild's current due week has been posted, failed, or is still to come. */
export function digestStatus(db: Db, settings: GuildSettings, now: number): { schedule: DigestSchedule; due: 'posted' | 'failed' | 'claimed' | 'pending' } {
  const schedule = digestSchedule(settings, now);
  const row = db.$client
    .prepare<[string, number], { status: 'posted' | 'failed' | 'claimed' }>('SELECT status FROM digest_posts WHERE guild_id = ? AND week_start = ?')
    .get(settings.guildId, schedule.weekStart);
  return { schedule, due: row?.status ?? 'pending' };
}
