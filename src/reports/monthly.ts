// The monthly report delivery: on the first days of each month, last month's report posted as a PDF to the channel a
// guild chose, exactly once per guild and month (claimed before it is sent, as the weekly digest is); src/discord posts.
import { createHash } from 'node:crypto';
import { DAY_MS, resolvePeriod } from '../analytics/periods';
import type { Clock } from '../clock';
import type { GuildSettingsStore } from '../db/guild-settings';
import type { ReportMonth, ReportStore } from '../db/stores/reports';
import { ClipscopeError } from '../errors';
import type { Logger } from '../logger';
import { ReportTooLargeError } from './errors';
import { collectReport } from './report';
import type { ReportReads } from './types';

export const REPORT_JOB_NAME = 'monthly-report';
/** Twice an hour, so a guild in any timezone gets its report within half an hour of its month's end. */
export const REPORT_CHECK_CRON = '5,35 * * * *';
/** A claim older than this belongs to an attempt that died and may be taken over. */
export const REPORT_CLAIM_TIMEOUT_MS = 10 * 60_000;
/** Last month's report is still delivered this many days into the month (after downtime); later it is skipped. */
export const REPORT_CATCH_UP_DAYS = 3;
/** Reports one check makes at most (each takes the main thread for a moment); the rest wait for the next check. */
export const MAX_REPORTS_PER_CHECK = 20;
const MAX_PAGES_OF_GUILDS = 100;

/** What the sender posts: an embed's title and text, and the files attached. */
export interface ReportPost {
  title: string;
  description: string;
  files: Array<{ name: string; bytes: Buffer }>;
}

/** Posts reports (src/discord/report-sender.ts). */
export interface ReportSender {
  /** Posts; resolves with the message id. Throws a ReportDeliveryError for a refusal an admin must fix. */
  send(channelId: string, post: ReportPost, nonce: string): Promise<string>;
  /** The id of a recent message of the bot in the channel that is this post (an earlier attempt's), if any. */
  findPosted(channelId: string, post: ReportPost): Promise<string | null>;
}

/** A failure to post that an admin must fix; the message says what to do. */
export class ReportDeliveryError extends ClipscopeError {
  constructor(message: string) {
    super('report_delivery', message);
  }
}

export interface MonthlyReportDeps {
  reports: ReportStore;
  settings: Pick<GuildSettingsStore, 'get'>;
  analytics: ReportReads & { guildName(guildId: string): Promise<string | null> };
  sender: ReportSender;
  clock: Clock;
  logger: Logger;
}

export interface ReportOutcome {
  guildId: string;
  monthStart: number;
  result: 'posted' | 'failed';
  error?: string;
}

/** Posts every due monthly report that no process has posted or is posting. */
export async function runDueReports(deps: MonthlyReportDeps): Promise<ReportOutcome[]> {
  const outcomes: ReportOutcome[] = [];
  let after = '';
  for (let page = 0; page < MAX_PAGES_OF_GUILDS && outcomes.length < MAX_REPORTS_PER_CHECK; page++) {
    const rows = await deps.reports.deliveries(after);
    for (const row of rows) {
      if (outcomes.length >= MAX_REPORTS_PER_CHECK) break;
      const outcome = await deliverLastMonth(deps, row.guild_id, row.channel_id);
      if (outcome) outcomes.push(outcome);
    }
    const last = rows[rows.length - 1];
    if (!last) break;
    after = last.guild_id;
  }
  return outcomes;
}

async function deliverLastMonth(deps: MonthlyReportDeps, guildId: string, channelId: string): Promise<ReportOutcome | null> {
  const { timezone } = await deps.settings.get(guildId);
  const now = deps.clock.now();
  const lastMonth = resolvePeriod({ type: 'month', offset: 1 }, timezone, now);
  const month: ReportMonth = { guildId, monthStart: lastMonth.start as number };
  // Only in the first days after the month: a channel chosen mid-month starts with the next month's report.
  if (now >= (lastMonth.end as number) + REPORT_CATCH_UP_DAYS * DAY_MS) return null;
  const claim = await deps.reports.claim({ ...month, channelId, now, staleBefore: now - REPORT_CLAIM_TIMEOUT_MS });
  if (!claim) return null;
  try {
    const { label, post } = await renderLastMonthReport(deps.analytics, guildId, timezone, now);
    // Discord drops a repeat of the same nonce sent within minutes; an older attempt's post is looked for instead.
    const nonce = createHash('sha256').update(`report:${guildId}:${month.monthStart}`).digest('hex').slice(0, 25);
    const found = claim === 'resumed' ? await deps.sender.findPosted(channelId, post) : null;
    const messageId = found ?? (await deps.sender.send(channelId, post, nonce));
    await deps.reports.recordPosted(month, messageId);
    deps.logger.info({ guildId, month: label, messageId }, 'monthly report posted');
    return { ...month, result: 'posted' };
  } catch (error) {
    const permanent = error instanceof ReportDeliveryError || error instanceof ReportTooLargeError;
    const message = error instanceof Error ? error.message : String(error);
    await deps.reports.recordFailure(month, { message, permanent });
    deps.logger.warn({ guildId, monthStart: month.monthStart, err: error, permanent }, 'monthly report not posted');
    return { ...month, result: 'failed', error: message };
  }
}

/** Last month's report of a guild as a PDF file and the words that go with it (the Discord post, the email). */
export async function renderLastMonthReport(
  analytics: MonthlyReportDeps['analytics'],
  guildId: string,
  timezone: string,
  now: number,
): Promise<{ label: string; post: ReportPost }> {
  const report = await collectReport(analytics, {
    guildId,
    guildName: await analytics.guildName(guildId),
    timezone,
    now,
    period: 'month',
    offset: 1,
  });
  // Loaded on first use: the PDF and chart libraries take a second or two to import, which startup need not pay.
  const { renderReportPdf } = await import('./pdf');
  const pdf = await renderReportPdf(report);
  const slug = report.period.label.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return {
    label: report.period.label,
    post: {
      title: `📄 Clipscope report · ${report.period.label}`,
      description: `Last month in numbers: ${report.sections.map((s) => s.title).join(', ')}.`,
      files: [{ name: `clipscope-report-${slug}.pdf`, bytes: pdf }],
    },
  };
}
