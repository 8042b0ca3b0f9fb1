// The monthly report store: report_settings (where a guild's report goes; no row: off) and report_posts (one row per
// guild and reported month: claimed, posted or failed), each step one statement the database decides.
import { claimOrResume, type Claim } from '../claim';
import type { Db } from '../database';
import type { ReportPostState } from '../schema/reports';
import { queries } from '../sql';

/** One guild's report of one month. */
export interface ReportMonth {
  guildId: string;
  /** Start of the reported month in the guild's timezone, epoch ms. */
  monthStart: number;
}

export type ReportClaim = Claim;

/** Guilds with delivery on, at most this many per read (the job pages through them). */
export const REPORT_DELIVERY_PAGE = 500;

export async function setReportChannel(db: Db, guildId: string, channelId: string | null, now: number): Promise<void> {
  if (channelId === null) {
    await queries(db).run('DELETE FROM report_settings WHERE guild_id = ?', [guildId]);
    return;
  }
  await queries(db).run(
    `INSERT INTO report_settings (guild_id, channel_id, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id, updated_at = excluded.updated_at`,
    [guildId, channelId, now],
  );
}

export async function readReportChannel(db: Db, guildId: string): Promise<string | null> {
  const row = await queries(db).get<{ channel_id: string }>('SELECT channel_id FROM report_settings WHERE guild_id = ?', [guildId]);
  return row?.channel_id ?? null;
}

/** Guilds whose monthly report is on, in guild order, after `afterGuildId` (a page of REPORT_DELIVERY_PAGE). */
export function listReportDeliveries(db: Db, afterGuildId = ''): Promise<Array<{ guild_id: string; channel_id: string }>> {
  return queries(db).all<{ guild_id: string; channel_id: string }>(
    'SELECT guild_id, channel_id FROM report_settings WHERE guild_id > ? ORDER BY guild_id LIMIT ?',
    [afterGuildId, REPORT_DELIVERY_PAGE],
  );
}

/**
 * Takes the month for this attempt: 'fresh' when nobody tried yet, 'resumed' when an earlier attempt's claim was taken
 * before `staleBefore` (that attempt died or failed for a while), null when it is posted, failed for good, or claimed
 * more recently. Of any number of processes claiming at once exactly one wins.
 */
export function claimReportMonth(
  db: Db,
  month: ReportMonth & { channelId: string; now: number; staleBefore: number },
): Promise<ReportClaim | null> {
  return claimOrResume(db, {
    table: 'report_posts',
    key: { guild_id: month.guildId, month_start: month.monthStart },
    stateColumn: 'state',
    claimedAtColumn: 'claimed_at',
    values: { channel_id: month.channelId },
    now: month.now,
    staleBefore: month.staleBefore,
  });
}

export async function recordReportPosted(db: Db, month: ReportMonth, messageId: string): Promise<void> {
  await queries(db).run(`UPDATE report_posts SET state = 'posted', message_id = ?, error = NULL WHERE guild_id = ? AND month_start = ?`, [
    messageId,
    month.guildId,
    month.monthStart,
  ]);
}

/** permanent (Discord refused): the month is failed, not retried. Otherwise the claim is made stale for the next check. */
export async function recordReportFailure(db: Db, month: ReportMonth, failure: { message: string; permanent: boolean }): Promise<void> {
  await queries(db).run(
    failure.permanent
      ? `UPDATE report_posts SET state = 'failed', error = ? WHERE guild_id = ? AND month_start = ?`
      : `UPDATE report_posts SET error = ?, claimed_at = 0 WHERE guild_id = ? AND month_start = ? AND state = 'claimed'`,
    [failure.message.slice(0, 1000), month.guildId, month.monthStart],
  );
}

export async function readReportPost(
  db: Db,
  month: ReportMonth,
): Promise<{ state: ReportPostState; messageId: string | null; error: string | null } | null> {
  const row = await queries(db).get<{ state: ReportPostState; message_id: string | null; error: string | null }>(
    'SELECT state, message_id, error FROM report_posts WHERE guild_id = ? AND month_start = ?',
    [month.guildId, month.monthStart],
  );
  return row ? { state: row.state, messageId: row.message_id, error: row.error } : null;
}

/** The report store bound to one database, for the monthly job and /clipscope-admin report. */
export interface ReportStore {
  setChannel(guildId: string, channelId: string | null, now: number): Promise<void>;
  channel(guildId: string): Promise<string | null>;
  deliveries(afterGuildId?: string): Promise<Array<{ guild_id: string; channel_id: string }>>;
  claim(month: ReportMonth & { channelId: string; now: number; staleBefore: number }): Promise<ReportClaim | null>;
  recordPosted(month: ReportMonth, messageId: string): Promise<void>;
  recordFailure(month: ReportMonth, failure: { message: string; permanent: boolean }): Promise<void>;
  post(month: ReportMonth): Promise<{ state: ReportPostState; messageId: string | null; error: string | null } | null>;
}

export function reportStore(db: Db): ReportStore {
  return {
    setChannel: (guildId, channelId, now) => setReportChannel(db, guildId, channelId, now),
    channel: (guildId) => readReportChannel(db, guildId),
    deliveries: (after) => listReportDeliveries(db, after),
    claim: (month) => claimReportMonth(db, month),
    recordPosted: (month, messageId) => recordReportPosted(db, month, messageId),
    recordFailure: (month, failure) => recordReportFailure(db, month, failure),
    post: (month) => readReportPost(db, month),
  };
}
