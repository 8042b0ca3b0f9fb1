// The weekly digest: per guild, at its configured weekday and hour in its timezone, one post covering the previous
// ISO week, exactly once per guild and week (runDueDigests says how); src/discord renders and posts it.
import { createHash } from 'node:crypto';
import { bucketOf, DAY_MS, HOUR_MS, instantOfLocalTime, localDate } from '../analytics/periods';
import type { AnalysisContext } from '../analytics/types';
import type { Clock } from '../clock';
import type { GuildSettings, GuildSettingsStore } from '../db/guild-settings';
import type { DigestStore } from '../db/stores/digests';
import type { Logger } from '../logger';
import { collectDigestData, type DigestAnalytics, type WeeklyDigestData } from './data';
import { ClipscopeError } from '../errors';

export { collectDigestData, type DigestAnalytics, type WeeklyDigestData } from './data';

/**
 * How often the scheduler looks for due digests by default (DIGEST_CHECK_CRON). Every 15 minutes rather than hourly,
 * so that guilds in half- and quarter-hour timezones (India, Nepal, Newfoundland…) get theirs on time too.
 */
export const DIGEST_CHECK_CRON = '*/15 * * * *';
export const DIGEST_JOB_NAME = 'weekly-digest';

/** A claim older than this belongs to an attempt that died (crash, restart) and may be taken over. */
export const DIGEST_CLAIM_TIMEOUT_MS = 10 * 60_000;

/** Renders and delivers digests (src/discord/digest-sender.ts posts them to Discord). */
export interface DigestSender {
  /**
   * Posts the digest; resolves with the message id. `nonce` identifies the (guild, week): Discord returns the
   * earlier message instead of posting a repeat sent within a few minutes. Throws a DigestDeliveryError for a
   * refusal an admin must fix; any other error is transient.
   */
  send(channelId: string, digest: WeeklyDigestData, nonce: string): Promise<string>;
  /** The id of a recent message of this bot in the channel that is this digest, if there is one. */
  findPosted(channelId: string, digest: WeeklyDigestData): Promise<string | null>;
}

/** A failure to post that an admin must fix (shown in status); the message says what to do. */
export class DigestDeliveryError extends ClipscopeError {
  constructor(message: string) {
    super('digest_delivery', message);
  }
}

export interface DigestDeps {
  settings: Pick<GuildSettingsStore, 'list'>;
  digests: DigestStore;
  clock: Clock;
  logger: Logger;
  analytics: DigestAnalytics;
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

export type DigestOutcome =
  | { guildId: string; weekStart: number; status: 'posted'; messageId: string }
  | { guildId: string; weekStart: number; status: 'failed'; error: string };

/**
 * Posts every digest that is due and not yet claimed. Safe to call as often as wanted, from any number of
 * processes: each (guild, week) is claimed at most once, even across restarts, crashes and several instances:
 * - a digest_posts row is claimed in a transaction before anything is sent, and a posted week is never posted again;
 * - a claim whose attempt died (crash or restart mid-send) is taken over after DIGEST_CLAIM_TIMEOUT_MS, and a
 *   resumed attempt first looks for the post in the channel's recent history, so a post Discord did receive is
 *   recorded rather than repeated; every send carries a nonce Discord enforces, which drops a quick repeat too.
 * After downtime only the latest missed week is posted (once). A post Discord refuses (channel gone, no permission)
 * is recorded in digest_posts and guild_settings.digest_last_error, shown by /clipscope-admin status, and not
 * retried until an admin changes the digest settings. A transient failure (network, Discord 5xx) is retried at the
 * next check.
 */
export async function runDueDigests(deps: DigestDeps): Promise<DigestOutcome[]> {
  const outcomes: DigestOutcome[] = [];
  for (const settings of await deps.settings.list()) {
    if (!settings.digestEnabled || !settings.digestChannelId) continue;
    const outcome = await postDigestIfDue(deps, settings);
    if (outcome) outcomes.push(outcome);
  }
  return outcomes;
}

async function postDigestIfDue(deps: DigestDeps, settings: GuildSettings): Promise<DigestOutcome | null> {
  const { digests, clock, logger } = deps;
  const now = clock.now();
  const channelId = settings.digestChannelId as string;
  const schedule = digestSchedule(settings, now);
  const week = { guildId: settings.guildId, weekStart: schedule.weekStart };
  // A claim older than the timeout belongs to an attempt that died (it may have posted before dying).
  const claim = await digests.claim({ ...week, channelId, now, staleBefore: now - DIGEST_CLAIM_TIMEOUT_MS });
  if (!claim) return null;

  const log = logger.child({ guildId: settings.guildId, week: schedule.weekDate, channelId });
  const posted = async (messageId: string): Promise<DigestOutcome> => {
    await digests.recordPosted(week, messageId, clock.now());
    return { guildId: settings.guildId, weekStart: schedule.weekStart, status: 'posted', messageId };
  };
  try {
    const ctx: AnalysisContext = { guildId: settings.guildId, timezone: settings.timezone, now };
    const data = await collectDigestData(deps.analytics, ctx, {
      start: schedule.weekStart,
      end: schedule.weekEnd,
      date: schedule.weekDate,
    });
    if (claim === 'resumed') {
      const earlier = await findEarlierPost(deps, channelId, data, log);
      if (earlier) {
        log.info({ messageId: earlier }, 'weekly digest was already posted by an interrupted attempt; recorded it');
        return await posted(earlier);
      }
    }
    const messageId = await deps.sender.send(channelId, data, digestNonce(settings.guildId, schedule.weekStart));
    log.info({ messageId }, 'weekly digest posted');
    return await posted(messageId);
  } catch (error) {
    const permanent = error instanceof DigestDeliveryError;
    const message = permanent
      ? error.message
      : `Posting the weekly digest failed (${error instanceof Error ? error.message : String(error)}); Clipscope tries again within 15 minutes.`;
    // A transient failure leaves the week claimed but already stale: the next check takes it over, looks for the
    // post, and sends if it is not there.
    await digests.recordFailure(week, { message, permanent }, clock.now());
    if (permanent) log.warn({ reason: message }, 'weekly digest not posted');
    else log.error({ err: error }, 'weekly digest failed; retrying at the next check');
    return { guildId: settings.guildId, weekStart: schedule.weekStart, status: 'failed', error: message };
  }
}

/** The earlier attempt's post, if the channel shows one; null when there is none or history cannot be read. */
async function findEarlierPost(deps: DigestDeps, channelId: string, digest: WeeklyDigestData, log: Logger): Promise<string | null> {
  try {
    return await deps.sender.findPosted(channelId, digest);
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
export async function resetDigestFailure(digests: DigestStore, guildId: string, settings: GuildSettings, now: number): Promise<void> {
  const schedule = digestSchedule(settings, now);
  await digests.forgetFailure({ guildId, weekStart: schedule.weekStart }, now);
}

/** Whether the digest of the guild's current due week has been posted, failed, or is still to come. */
export async function digestStatus(
  digests: DigestStore,
  settings: GuildSettings,
  now: number,
): Promise<{ schedule: DigestSchedule; due: 'posted' | 'failed' | 'claimed' | 'pending' }> {
  const schedule = digestSchedule(settings, now);
  const status = await digests.status({ guildId: settings.guildId, weekStart: schedule.weekStart });
  return { schedule, due: status ?? 'pending' };
}
