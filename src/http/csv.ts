// CSV rendering (RFC 4180) that spreadsheets cannot be tricked by: quoting for commas, semicolons, quotes and line
// breaks, and text a spreadsheet would run as a formula prefixed with ' so it is shown as text. The one cell rule for
// every CSV this program writes (the API's export and /clipstats export).

export type CsvValue = string | number | boolean | null | undefined;

export interface CsvColumn<Row> {
  header: string;
  value(row: Row): CsvValue;
}

/**
 * Text a spreadsheet may evaluate: a formula character (= + - @, or its full-width form ＝ ＋ － ＠), or a tab or line
 * break, first, possibly after characters spreadsheets skip before parsing (spaces, no-break space, U+FEFF, U+200B
 * and other zero-width or format characters).
 */
const FORMULA_START = /^[\s\p{Z}\p{Cf}]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\t\r\n]/u;
/** Semicolons too: a semicolon-locale spreadsheet splits on them, and `a;=cmd` would start a cell with a formula. */
const NEEDS_QUOTES = /[",;\r\n]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text = value;
  // Only text is neutralised: a real negative number stays a number.
  if (FORMULA_START.test(text)) text = `'${text}`;
  if (NEEDS_QUOTES.test(text)) text = `"${text.replaceAll('"', '""')}"`;
  return text;
}

/** The whole document: a header line, then one line per row, CRLF line ends as RFC 4180 says. */
export function toCsv<Row>(columns: readonly CsvColumn<Row>[], rows: readonly Row[]): string {
  const lines = [columns.map((c) => csvCell(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(c.value(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
