// The weekly digest: per guild, at its configured weekday and hour in its timezone, one post covering the
// previous ISO week. Exactly once per guild and week, even across restarts, crashes and several instances:
// - a digest_posts row is claimed in a transaction before anything is sent, and a posted week is never posted again;
// - a claim whose attempt died (crash or restart mid-send) is taken over after DIGEST_CLAIM_TIMEOUT_MS, and a
//   resumed attempt first looks for the post in the channel's recent history, so a post Discord did receive is
//   recorded rather than repeated; every send carries a nonce Discord enforces, which drops a quick repeat too.
// After downtime only the latest missed week is posted (once). A post Discord refuses (channel gone, no permission)
// is recorded in digest_posts and guild_settings.digest_last_error, shown by /clipscope-admin status, and not
// retried until an admin changes the digest settings. A transient failure (network, Discord 5xx) is retried at the
// next check.
import { createHash } from 'node:crypto';
import type { APIEmbed } from 'discord.js';
import { bucketOf, DAY_MS, HOUR_MS, instantOfLocalTime, localDate } from '../analytics/periods';
import type { AnalysisContext, PeriodQuery } from '../analytics/types';
import type { Clock } from '../clock';
import { inTransaction, type Db } from '../db/client';
import { getGuildSettings, listGuildSettings, updateGuildSettings, type GuildSettings } from '../db/guild-settings';
import type { AnalyticsQueries } from '../discord/analytics-port';
import { weeklyDigestEmbed, type WeeklyDigestData } from '../discord/embeds/digest';
import type { Logger } from '../logger';

/**
 * How often the scheduler looks for due digests. Every 15 minutes rather than hourly, so that guilds in
 * half- and quarter-hour timezones (India, Nepal, Newfoundland…) get theirs on time too.
 */
export const DIGEST_CHECK_CRON = '*/15 * * * *';
export const DIGEST_JOB_NAME = 'weekly-digest';

/** A claim older than this belongs to an attempt that died (crash, restart) and may be taken over. */
export const DIGEST_CLAIM_TIMEOUT_MS = 10 * 60_000;

/** Delivers digest messages. */
export interface DigestSender {
  /**
   * Posts the message; resolves with its id. `nonce` identifies the (guild, week): Discord returns the earlier
   * message instead of posting a repeat sent within a few minutes. Throws a DigestDeliveryError for a refusal an
   * admin must fix; any other error is transient.
   */
  send(channelId: string, message: { embeds: APIEmbed[] }, nonce: string): Promise<string>;
  /** The id of a recent message of this bot in the channel whose first embed has this title, if there is one. */
  findPosted(channelId: string, title: string): Promise<string | null>;
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
export async function collectDigestData(analytics: AnalyticsQueries, ctx: AnalysisContext, week: { start: number; end: number; date: string }): Promise<WeeklyDigestData> {
  const period: PeriodQuery = { type: 'range', from: week.start, to: week.end };
  // The week before as its own calendar week (a DST change makes weeks 167 or 169 hours long).
  const before = bucketOf(ctx.timezone, 'week', week.start - 1);
  const previousPeriod: PeriodQuery = { type: 'range', from: before.start, to: before.end };
  const favourite = (await analytics.viralClips(ctx, { period, limit: 1, sort: 'discord_reactions', minViews: 0 })).clips[0] ?? null;
  const peaks = await analytics.peakTimes(ctx, period);
  return {
    week: { start: week.start, end: week.end, date: week.date, timezone: ctx.timezone },
    current: await analytics.overview(ctx, period),
    previous: await analytics.overview(ctx, previousPeriod),
    topClips: (await analytics.viralClips(ctx, { period, limit: 5, sort: 'view_count', minViews: 0 })).clips,
    // Made this week: a creator or game only shared or reacted to (its clips are older) is not "top" of the week,
    // as in /clipstats. Sorted by clips, they come last, so the first three with clips are still the top three.
    topCreators: (await analytics.topCreators(ctx, { period, limit: 3, sort: 'clip_count' })).creators.filter((c) => c.clip_count > 0),
    topGames: (await analytics.topGames(ctx, { period, limit: 3, sort: 'clip_count' })).games.filter((g) => g.clip_count > 0),
    favourite: favourite && favourite.discord_reactions > 0 ? favourite : null,
    peakHour: peaks.best_hour,
    peakWeekday: peaks.best_weekday,
    growth: await analytics.growth(ctx, { period, limit: 1 }),
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
  const claim = claimWeek(db, settings.guildId, schedule.weekStart, channelId, now);
  if (!claim) return null;

  const log = logger.child({ guildId: settings.guildId, week: schedule.weekDate, channelId });
  const posted = (messageId: string): DigestOutcome => {
    inTransaction(db, () => {
      db.$client
        .prepare(`UPDATE digest_posts SET status = 'posted', message_id = ?, error = NULL WHERE guild_id = ? AND week_start = ?`)
        .run(messageId, settings.guildId, schedule.weekStart);
      if (getGuildSettings(db, settings.guildId).digestLastError !== null) updateGuildSettings(db, settings.guildId, { digestLastError: null }, clock.now());
    });
    return { guildId: settings.guildId, weekStart: schedule.weekStart, status: 'posted', messageId };
  };
  try {
    const ctx: AnalysisContext = { guildId: settings.guildId, timezone: settings.timezone, now };
    const data = await collectDigestData(deps.analytics, ctx, { start: schedule.weekStart, end: schedule.weekEnd, date: schedule.weekDate });
    const embed = weeklyDigestEmbed(data);
    if (claim === 'resumed') {
      const earlier = await findEarlierPost(deps, channelId, embed.title ?? '', log);
      if (earlier) {
        log.info({ messageId: earlier }, 'weekly digest was already posted by an interrupted attempt; recorded it');
        return posted(earlier);
      }
    }
    const messageId = await deps.sender.send(channelId, { embeds: [embed] }, digestNonce(settings.guildId, schedule.weekStart));
    log.info({ messageId }, 'weekly digest posted');
    return posted(messageId);
  } catch (error) {
    const permanent = error instanceof DigestDeliveryError;
    const message = permanent
      ? error.message
      : `Posting the weekly digest failed (${error instanceof Error ? error.message : String(error)}); Clipscope tries again within 15 minutes.`;
    inTransaction(db, () => {
      if (permanent) {
        db.$client
          .prepare(`UPDATE digest_posts SET status = 'failed', error = ? WHERE guild_id = ? AND week_start = ?`)
          .run(message, settings.guildId, schedule.weekStart);
      } else {
        // Left claimed but already stale: the next check takes it over, looks for the post, and sends if it is not there.
        db.$client
          .prepare(`UPDATE digest_posts SET error = ?, created_at = 0 WHERE guild_id = ? AND week_start = ? AND status = 'claimed'`)
          .run(message, settings.guildId, schedule.weekStart);
      }
      updateGuildSettings(db, settings.guildId, { digestLastError: message }, clock.now());
    });
    if (permanent) log.warn({ reason: message }, 'weekly digest not posted');
    else log.error({ err: error }, 'weekly digest failed; retrying at the next check');
    return { guildId: settings.guildId, weekStart: schedule.weekStart, status: 'failed', error: message };
  }
}

/**
 * Takes the (guild, week) for this attempt: 'fresh' when nobody tried yet, 'resumed' when an earlier attempt's
 * claim went stale (it may have posted before dying), null when it is posted, refused, or being posted right now.
 */
function claimWeek(db: Db, guildId: string, weekStart: number, channelId: string, now: number): 'fresh' | 'resumed' | null {
  return inTransaction(db, () => {
    const existing = db.$client
      .prepare<[string, number], { status: string; created_at: number }>('SELECT status, created_at FROM digest_posts WHERE guild_id = ? AND week_start = ?')
      .get(guildId, weekStart);
    if (!existing) {
      db.$client
        .prepare(`INSERT INTO digest_posts (guild_id, week_start, channel_id, status, created_at) VALUES (?, ?, ?, 'claimed', ?)`)
        .run(guildId, weekStart, channelId, now);
      return 'fresh';
    }
    if (existing.status !== 'claimed' || existing.created_at > now - DIGEST_CLAIM_TIMEOUT_MS) return null;
    db.$client.prepare('UPDATE digest_posts SET channel_id = ?, created_at = ? WHERE guild_id = ? AND week_start = ?').run(channelId, now, guildId, weekStart);
    return 'resumed';
  });
}

/** The earlier attempt's post, if the channel shows one; null when there is none or history cannot be read. */
async function findEarlierPost(deps: DigestDeps, channelId: string, title: string, log: Logger): Promise<string | null> {
  try {
    return await deps.sender.findPosted(channelId, title);
  } catch (error) {
    // Without Read Message History the check cannot be made; the nonce still drops a repeat sent within minutes.
    log.warn({ err: error }, 'could not read the digest channel to check for an earlier post; sending');
    return null;
  }
}

/** Discord nonces are at most 25 characters: a digest of the guild and week. */
export function digestNonce(guildId: string, weekStart: number): string {
  return createHash('sha256').update(`digest:${guildId}:${weekStart}`).digest('base64url').slice(0, 25);
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
