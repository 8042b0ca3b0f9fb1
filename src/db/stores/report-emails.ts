// The monthly report by email (docs/reports.md#the-monthly-report-by-email): report_email_recipients (the addresses a
// manager set, at most MAX_REPORT_EMAILS per guild) and report_emails (one row per guild, month and address: claimed,
// sent or failed), each step one statement the database decides, as in the report_posts store.
import { claimOrResume, type Claim } from '../claim';
import type { Db } from '../database';
import type { ReportEmailState } from '../schema/reports';
import { queries } from '../sql';
import type { ReportMonth } from './reports';

/** Addresses read per guild at most, whatever the caller's limit (src/reports/email.ts: MAX_REPORT_EMAILS). */
const ADDRESSES_READ_MAX = 100;
/** Guilds read per page by the monthly job. */
export const REPORT_EMAIL_GUILD_PAGE = 500;
/**
 * Claims of one email at most. SMTP has no way to ask whether an earlier attempt's message went out, so a claim whose
 * outcome was lost (the process died mid-send) is resumed once only, and a send the server refused for a while is
 * tried at most this many times in all; then the email is marked failed.
 */
export const MAX_REPORT_EMAIL_ATTEMPTS = 3;
/** Claims after which a lost outcome is not resumed: the first attempt and one resumption. */
export const MAX_LOST_EMAIL_ATTEMPTS = 2;

export type AddRecipientResult = 'added' | 'exists' | 'full';

/** Adds an address (already checked and lower-cased by the caller); 'full' when the guild has `max` already. */
export async function addReportEmail(db: Db, guildId: string, address: string, now: number, max: number): Promise<AddRecipientResult> {
  const q = queries(db);
  // One statement: the count and the insert cannot interleave with another process adding at once beyond one row.
  const inserted = await q.run(
    `INSERT INTO report_email_recipients (guild_id, address, added_at)
     SELECT ?, ?, ? WHERE (SELECT COUNT(*) FROM report_email_recipients WHERE guild_id = ?) < ?
     ON CONFLICT (guild_id, address) DO NOTHING`,
    [guildId, address, now, guildId, max],
  );
  if (inserted.changes > 0) return 'added';
  const existing = await q.get<{ address: string }>('SELECT address FROM report_email_recipients WHERE guild_id = ? AND address = ?', [
    guildId,
    address,
  ]);
  return existing ? 'exists' : 'full';
}

export async function removeReportEmail(db: Db, guildId: string, address: string): Promise<boolean> {
  const removed = await queries(db).run('DELETE FROM report_email_recipients WHERE guild_id = ? AND address = ?', [guildId, address]);
  return removed.changes > 0;
}

export function listReportEmails(db: Db, guildId: string): Promise<string[]> {
  return queries(db)
    .all<{ address: string }>('SELECT address FROM report_email_recipients WHERE guild_id = ? ORDER BY address LIMIT ?', [
      guildId,
      ADDRESSES_READ_MAX,
    ])
    .then((rows) => rows.map((r) => r.address));
}

/** Guilds with at least one recipient, in guild order, after `afterGuildId` (a page of REPORT_EMAIL_GUILD_PAGE). */
export function listReportEmailGuilds(db: Db, afterGuildId = ''): Promise<string[]> {
  return queries(db)
    .all<{ guild_id: string }>('SELECT DISTINCT guild_id FROM report_email_recipients WHERE guild_id > ? ORDER BY guild_id LIMIT ?', [
      afterGuildId,
      REPORT_EMAIL_GUILD_PAGE,
    ])
    .then((rows) => rows.map((r) => r.guild_id));
}

export type ReportEmailClaim = Claim;

/**
 * Takes one recipient's email of the month: 'fresh' when nobody tried yet; 'resumed' when an earlier claim is older
 * than `staleBefore` and attempts remain (a transient failure: MAX_REPORT_EMAIL_ATTEMPTS in all; a lost outcome, whose
 * claim still carries its time: resumed once); null otherwise. Of any number of processes claiming at once one wins.
 */
export function claimReportEmail(
  db: Db,
  email: ReportMonth & { address: string; now: number; staleBefore: number },
): Promise<ReportEmailClaim | null> {
  return claimOrResume(db, {
    table: 'report_emails',
    key: { guild_id: email.guildId, month_start: email.monthStart, address: email.address },
    stateColumn: 'state',
    claimedAtColumn: 'claimed_at',
    insertOnly: { attempts: 1 },
    resume: {
      set: 'attempts = attempts + 1',
      where: 'attempts < CASE WHEN claimed_at = 0 THEN CAST(? AS integer) ELSE CAST(? AS integer) END',
      params: [MAX_REPORT_EMAIL_ATTEMPTS, MAX_LOST_EMAIL_ATTEMPTS],
    },
    now: email.now,
    staleBefore: email.staleBefore,
  });
}

export async function recordReportEmailSent(db: Db, email: ReportMonth & { address: string }, messageId: string): Promise<void> {
  await queries(db).run(
    `UPDATE report_emails SET state = 'sent', message_id = ?, error = NULL WHERE guild_id = ? AND month_start = ? AND address = ?`,
    [messageId.slice(0, 500), email.guildId, email.monthStart, email.address],
  );
}

/**
 * permanent (the server refused the address or message for good) or out of attempts: failed, not retried. Otherwise
 * the claim is made stale (claimed_at 0) for the next check.
 */
export async function recordReportEmailFailure(
  db: Db,
  email: ReportMonth & { address: string },
  failure: { message: string; permanent: boolean },
): Promise<void> {
  await queries(db).run(
    `UPDATE report_emails
     SET state = CASE WHEN ? = 1 OR attempts >= ? THEN 'failed' ELSE state END, error = ?, claimed_at = 0
     WHERE guild_id = ? AND month_start = ? AND address = ? AND state = 'claimed'`,
    [failure.permanent ? 1 : 0, MAX_REPORT_EMAIL_ATTEMPTS, failure.message.slice(0, 1000), email.guildId, email.monthStart, email.address],
  );
}

export interface ReportEmailRow {
  address: string;
  state: ReportEmailState;
  attempts: number;
  messageId: string | null;
  error: string | null;
}

/** The month's email rows of a guild, by address. */
export async function readReportEmails(db: Db, month: ReportMonth): Promise<ReportEmailRow[]> {
  const rows = await queries(db).all<{
    address: string;
    state: ReportEmailState;
    attempts: number | string;
    message_id: string | null;
    error: string | null;
  }>(
    'SELECT address, state, attempts, message_id, error FROM report_emails WHERE guild_id = ? AND month_start = ? ORDER BY address LIMIT 100',
    [month.guildId, month.monthStart],
  );
  return rows.map((r) => ({ address: r.address, state: r.state, attempts: Number(r.attempts), messageId: r.message_id, error: r.error }));
}

/** The report email store bound to one database, for the monthly job and /clipscope-admin report-email. */
export interface ReportEmailStore {
  add(guildId: string, address: string, now: number, max: number): Promise<AddRecipientResult>;
  remove(guildId: string, address: string): Promise<boolean>;
  list(guildId: string): Promise<string[]>;
  guilds(afterGuildId?: string): Promise<string[]>;
  claim(email: ReportMonth & { address: string; now: number; staleBefore: number }): Promise<ReportEmailClaim | null>;
  recordSent(email: ReportMonth & { address: string }, messageId: string): Promise<void>;
  recordFailure(email: ReportMonth & { address: string }, failure: { message: string; permanent: boolean }): Promise<void>;
  emails(month: ReportMonth): Promise<ReportEmailRow[]>;
}

export function reportEmailStore(db: Db): ReportEmailStore {
  return {
    add: (guildId, address, now, max) => addReportEmail(db, guildId, address, now, max),
    remove: (guildId, address) => removeReportEmail(db, guildId, address),
    list: (guildId) => listReportEmails(db, guildId),
    guilds: (after) => listReportEmailGuilds(db, after),
    claim: (email) => claimReportEmail(db, email),
    recordSent: (email, messageId) => recordReportEmailSent(db, email, messageId),
    recordFailure: (email, failure) => recordReportEmailFailure(db, email, failure),
    emails: (month) => readReportEmails(db, month),
  };
}
