// The report as a CSV bundle: a zip with the CSV files of every section, each written as the API's export writes it
// (same columns, UTF-8 with a byte order mark, CRLF lines).
import { strToU8, zipSync } from 'fflate';
import { ReportTooLargeError } from './errors';
import type { Report } from './report';

/** A bundle stays under Discord's attachment limit and a mail server's usual one. */
export const MAX_BUNDLE_BYTES = 8 * 1024 * 1024;

export function renderReportCsvBundle(report: Report, maxBytes = MAX_BUNDLE_BYTES): Buffer {
  const files: Record<string, Uint8Array> = {};
  for (const section of report.sections) {
    for (const file of section.csv()) files[file.name] = strToU8(`\uFEFF${file.text}`);
  }
  // A fixed date in the entries: the same report gives the same bytes.
  const zip = zipSync(files, { level: 6, mtime: new Date(report.generatedAt) });
  if (zip.length > maxBytes) throw new ReportTooLargeError(`The CSV bundle would be larger than ${Math.round(maxBytes / 1024)} KiB`);
  return Buffer.from(zip);
}
