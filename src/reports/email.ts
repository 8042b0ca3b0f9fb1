// The monthly report by email (docs/reports.md#the-monthly-report-by-email, docs/adr/0021-report-email-delivery.md):
// last month's PDF mailed to each address a guild's manager set, once per guild, month and address, each email claimed
// before it is sent as the Discord post is.
import { createHash } from 'node:crypto';
import { DAY_MS, resolvePeriod } from '../analytics/periods';
import type { Clock } from '../clock';
import type { GuildSettingsStore } from '../db/guild-settings';
import type { ReportEmailStore } from '../db/stores/report-emails';
import type { ReportMonth } from '../db/stores/reports';
import { ClipscopeError } from '../errors';
import type { Logger } from '../logger';
import { ReportTooLargeError } from './errors';
import {
  MAX_REPORTS_PER_CHECK,
  REPORT_CATCH_UP_DAYS,
  REPORT_CLAIM_TIMEOUT_MS,
  renderLastMonthReport,
  type MonthlyReportDeps,
} from './monthly';

/** Addresses a guild's report is emailed to at most. */
export const MAX_REPORT_EMAILS = 10;
export const REPORT_EMAIL_JOB_NAME = 'monthly-report-email';
/** Beside the Discord check (5,35), not at the same minute, so the two never render at once. */
export const REPORT_EMAIL_CHECK_CRON = '20,50 * * * *';
const MAX_PAGES_OF_GUILDS = 100;

/** One email as the mailer sends it. */
export interface ReportEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  attachments: Array<{ filename: string; content: Buffer; contentType: string }>;
  /** The same for every attempt of one guild, month and address, so a mail client can drop a repeat. */
  messageId: string;
}

/** Sends mail (src/reports/mailer.ts over nodemailer). Throws a ReportEmailRefusedError when the server refused for good. */
export interface ReportMailer {
  send(email: ReportEmail): Promise<string>;
}

/** The SMTP server refused the recipient or message for good (a 5xx reply): not retried. */
export class ReportEmailRefusedError extends ClipscopeError {
  constructor(message: string) {
    super('report_email_refused', message);
  }
}

export interface ReportEmailDeps {
  emails: ReportEmailStore;
  settings: Pick<GuildSettingsStore, 'get'>;
  analytics: MonthlyReportDeps['analytics'];
  mailer: ReportMailer;
  from: string;
  clock: Clock;
  logger: Logger;
}

export interface ReportEmailOutcome {
  guildId: string;
  monthStart: number;
  address: string;
  result: 'sent' | 'failed';
  error?: string;
}

/** Emails every due monthly report that no process has sent or is sending; a guild's PDF is rendered once per check. */
export async function runDueReportEmails(deps: ReportEmailDeps): Promise<ReportEmailOutcome[]> {
  const outcomes: ReportEmailOutcome[] = [];
  let rendered = 0;
  let after = '';
  for (let page = 0; page < MAX_PAGES_OF_GUILDS && rendered < MAX_REPORTS_PER_CHECK; page++) {
    const guilds = await deps.emails.guilds(after);
    for (const guildId of guilds) {
      if (rendered >= MAX_REPORTS_PER_CHECK) break;
      const result = await emailLastMonth(deps, guildId);
      if (result.rendered) rendered++;
      outcomes.push(...result.outcomes);
    }
    const last = guilds[guilds.length - 1];
    if (!last) break;
    after = last;
  }
  return outcomes;
}

async function emailLastMonth(deps: ReportEmailDeps, guildId: string): Promise<{ rendered: boolean; outcomes: ReportEmailOutcome[] }> {
  const { timezone } = await deps.settings.get(guildId);
  const now = deps.clock.now();
  const lastMonth = resolvePeriod({ type: 'month', offset: 1 }, timezone, now);
  const month: ReportMonth = { guildId, monthStart: lastMonth.start as number };
  if (now >= (lastMonth.end as number) + REPORT_CATCH_UP_DAYS * DAY_MS) return { rendered: false, outcomes: [] };
  const claimed: Array<{ address: string; claim: 'fresh' | 'resumed' }> = [];
  for (const address of await deps.emails.list(guildId)) {
    const claim = await deps.emails.claim({ ...month, address, now, staleBefore: now - REPORT_CLAIM_TIMEOUT_MS });
    if (claim) claimed.push({ address, claim });
  }
  if (claimed.length === 0) return { rendered: false, outcomes: [] };
  const outcomes: ReportEmailOutcome[] = [];
  let report: Awaited<ReturnType<typeof renderLastMonthReport>>;
  try {
    report = await renderLastMonthReport(deps.analytics, guildId, timezone, now);
  } catch (error) {
    // A report too large is so for every address; anything else (a read failing) is tried again at the next check.
    const permanent = error instanceof ReportTooLargeError;
    for (const { address } of claimed) outcomes.push(await fail(deps, { ...month, address }, error, permanent));
    return { rendered: true, outcomes };
  }
  for (const { address, claim } of claimed) {
    const email = { ...month, address };
    try {
      const file = report.post.files[0];
      const messageId = await deps.mailer.send({
        from: deps.from,
        to: address,
        subject: `Clipscope report · ${report.label}`,
        text: `${report.post.description}\n\nThe report is attached as a PDF.\n`,
        attachments: file ? [{ filename: file.name, content: file.bytes, contentType: 'application/pdf' }] : [],
        messageId: `<report-${createHash('sha256').update(`${guildId}:${month.monthStart}:${address}`).digest('hex').slice(0, 32)}@clipscope>`,
      });
      await deps.emails.recordSent(email, messageId);
      deps.logger.info({ guildId, month: report.label, resumed: claim === 'resumed' }, 'monthly report emailed');
      outcomes.push({ ...email, result: 'sent' });
    } catch (error) {
      outcomes.push(await fail(deps, email, error, error instanceof ReportEmailRefusedError));
    }
  }
  return { rendered: true, outcomes };
}

async function fail(
  deps: ReportEmailDeps,
  email: ReportMonth & { address: string },
  error: unknown,
  permanent: boolean,
): Promise<ReportEmailOutcome> {
  const message = error instanceof Error ? error.message : String(error);
  await deps.emails.recordFailure(email, { message, permanent });
  // The address is not logged (personal data); the guild and month find the row.
  deps.logger.warn({ guildId: email.guildId, monthStart: email.monthStart, err: error, permanent }, 'monthly report not emailed');
  return { ...email, result: 'failed', error: message };
}
