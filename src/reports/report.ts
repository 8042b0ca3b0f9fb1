// A guild's report for one calendar period: every section's data collected through the analytics, ready to render
// as a PDF (pdf.ts) or a CSV bundle (csv-bundle.ts).
import { localDate, DAY_MS, periodJson, resolvePeriod } from '../analytics/periods';
import type { PeriodJson } from '../analytics/types';
import { ClipscopeError } from '../errors';
import { REPORT_SECTIONS, type AnySection } from './sections';
import { REPORT_PERIODS, type CollectedSection, type ReportPeriod, type ReportReads, type ReportScope } from './types';

/** Rows each leaderboard of the report shows, at most and by default. */
export const MAX_REPORT_ROWS = 25;
export const DEFAULT_REPORT_ROWS = 10;
/** How many periods back a report may reach (ten years of months). */
export const MAX_REPORT_OFFSET = 120;

/** A report request that cannot be answered; the message names the field and what to send. */
export class InvalidReportError extends ClipscopeError {
  constructor(message: string) {
    super('invalid_report', message, { userFacing: true });
  }
}

export interface ReportRequest {
  guildId: string;
  /** The guild's name as the bot last saw it (the title), or null. */
  guildName: string | null;
  timezone: string;
  now: number;
  period: ReportPeriod;
  /** 0 = the current period, 1 = the one before, … */
  offset: number;
  rows?: number;
}

export interface Report {
  guild: { id: string; name: string | null };
  period: PeriodJson;
  generatedAt: string;
  sections: CollectedSection[];
}

export async function collectReport(
  reads: ReportReads,
  request: ReportRequest,
  sections: readonly AnySection[] = REPORT_SECTIONS,
): Promise<Report> {
  const scope = reportScope(request);
  const collected: CollectedSection[] = [];
  for (const section of sections) {
    const data = await section.collect(reads, scope);
    collected.push({
      id: section.id,
      title: section.title,
      data,
      pdf: (out) => section.pdf(out, data, scope),
      csv: () => section.csv(data, scope),
    });
  }
  return {
    guild: { id: request.guildId, name: request.guildName },
    period: scope.resolved,
    generatedAt: new Date(request.now).toISOString(),
    sections: collected,
  };
}

/** The request checked and resolved: the period's instants, and the timeline window that covers its local days. */
export function reportScope(request: ReportRequest): ReportScope {
  if (!(REPORT_PERIODS as readonly string[]).includes(request.period))
    throw new InvalidReportError(`"period" must be one of ${REPORT_PERIODS.join(', ')}`);
  if (!Number.isInteger(request.offset) || request.offset < 0 || request.offset > MAX_REPORT_OFFSET)
    throw new InvalidReportError(`"offset" must be a whole number from 0 (the current ${request.period}) to ${MAX_REPORT_OFFSET}`);
  const rows = request.rows ?? DEFAULT_REPORT_ROWS;
  if (!Number.isInteger(rows) || rows < 1 || rows > MAX_REPORT_ROWS)
    throw new InvalidReportError(`"rows" must be a whole number from 1 to ${MAX_REPORT_ROWS}`);
  const ctx = { guildId: request.guildId, timezone: request.timezone, now: request.now };
  const period = { type: request.period, offset: request.offset };
  const resolved = resolvePeriod(period, request.timezone, request.now);
  const start = resolved.start as number;
  const end = resolved.end as number;
  // The timeline counts local days back from its "now": the period's last instant, or now while it runs.
  const last = Math.min(end - 1, request.now);
  const days = Math.max(1, Math.round((localDate(request.timezone, last) - localDate(request.timezone, start)) / DAY_MS) + 1);
  return { ctx, period, resolved: periodJson(resolved), timeline: { ctx: { ...ctx, now: last }, days }, rows };
}
