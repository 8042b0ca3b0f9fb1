// `clipscope report`: a server's report for a day, week or month as a PDF, and optionally the same as a zip of CSVs.
import fs from 'node:fs';
import path from 'node:path';
import { createAnalytics } from '../../analytics/service';
import { systemClock } from '../../clock';
import { guildSettingsStore } from '../../db/guild-settings';
import { renderReportCsvBundle } from '../../reports/csv-bundle';
import { collectReport, DEFAULT_REPORT_ROWS, MAX_REPORT_OFFSET, MAX_REPORT_ROWS } from '../../reports/report';
import { REPORT_PERIODS, type ReportPeriod } from '../../reports/types';
import { CliError, type CliCommand } from '../command';
import { closeCommandDatabase, openCommandDatabase } from '../database';

export const reportCommand: CliCommand = {
  name: 'report',
  summary: "Write a server's report for a day, week or month as a PDF (and a zip of CSV files)",
  help: `Usage: clipscope report --guild ID --out FILE.pdf [--period day|week|month] [--offset N] [--csv FILE.zip]
                        [--rows N] [--database PATH]

Writes the server's report for one period, in its timezone: the overview against the previous period, top
creators, top games, viral clips with links, the timeline and peak-time charts. "clipscope guilds" lists the ids.

Options:
  --guild ID        the Discord server (required)
  --out FILE        where to write the PDF (required)
  --period TYPE     day, week or month (default: month)
  --offset N        0 = the current period, 1 = the one before (last month), … up to ${MAX_REPORT_OFFSET} (default: 0)
  --csv FILE        also write the report's data as a zip of CSV files (the API's export columns)
  --rows N          rows in each leaderboard, 1–${MAX_REPORT_ROWS} (default: ${DEFAULT_REPORT_ROWS})
  --database PATH   SQLite file or postgres:// URL (default: DATABASE_URL, else DATABASE_PATH)`,
  options: {
    guild: { type: 'string' },
    out: { type: 'string' },
    period: { type: 'string' },
    offset: { type: 'string' },
    csv: { type: 'string' },
    rows: { type: 'string' },
    database: { type: 'string' },
  },
  async run({ values }, io) {
    const guildId = typeof values.guild === 'string' ? values.guild.trim() : '';
    if (!/^\d{1,20}$/.test(guildId)) throw new CliError('--guild needs a server id (digits); "clipscope guilds" lists them', 2);
    const out = typeof values.out === 'string' ? values.out.trim() : '';
    if (out === '') throw new CliError('--out needs the path of the PDF to write, e.g. --out report.pdf', 2);
    const period = (values.period ?? 'month') as string;
    if (!(REPORT_PERIODS as readonly string[]).includes(period))
      throw new CliError(`--period must be one of ${REPORT_PERIODS.join(', ')} (got "${period}")`, 2);
    const offset = wholeNumber(values.offset, '--offset', 0, MAX_REPORT_OFFSET, 0);
    const rows = wholeNumber(values.rows, '--rows', 1, MAX_REPORT_ROWS, DEFAULT_REPORT_ROWS);
    const csv = typeof values.csv === 'string' && values.csv.trim() !== '' ? values.csv.trim() : null;
    for (const file of [out, ...(csv ? [csv] : [])]) {
      if (!fs.existsSync(path.dirname(path.resolve(file))))
        throw new CliError(`The folder of ${file} does not exist: create it or write elsewhere`);
    }

    const db = await openCommandDatabase(io, values.database, { command: 'report', needs: ['reads'] });
    try {
      const analytics = createAnalytics(db);
      if (!(await analytics.guilds()).some((g) => g.guildId === guildId))
        throw new CliError(`This database holds no data for server ${guildId}. "clipscope guilds" lists the servers it has.`);
      const settings = await guildSettingsStore(db).get(guildId);
      const report = await collectReport(analytics, {
        guildId,
        guildName: await analytics.guildName(guildId),
        timezone: settings.timezone,
        now: systemClock.now(),
        period: period as ReportPeriod,
        offset,
        rows,
      });
      // Loaded here, so that every other command (and --help) starts without the PDF and chart libraries.
      const { renderReportPdf } = await import('../../reports/pdf');
      const pdf = await renderReportPdf(report);
      writeFileAtomically(out, pdf);
      io.stdout.write(`Wrote ${out} (${kib(pdf.length)}): ${report.period.label}, ${report.guild.name ?? `server ${guildId}`}\n`);
      if (csv) {
        const zip = renderReportCsvBundle(report);
        writeFileAtomically(csv, zip);
        io.stdout.write(`Wrote ${csv} (${kib(zip.length)}): the same report as CSV files\n`);
      }
      return 0;
    } finally {
      await closeCommandDatabase(db);
    }
  },
};

function wholeNumber(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const text = String(value).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max)
    throw new CliError(`${name} must be a whole number from ${min} to ${max} (got "${text}")`, 2);
  return n;
}

const kib = (bytes: number): string => `${Math.max(1, Math.round(bytes / 1024))} KiB`;

/** A reader never sees half a file: write beside it, then rename over it. */
function writeFileAtomically(file: string, bytes: Uint8Array): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, bytes);
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw new CliError(`Could not write ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
