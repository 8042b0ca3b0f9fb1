// One builder for the report's leaderboard sections (top creators, top games): a heading, a ranked table drawn from a
// column list, a line when the period has no rows, and the leaderboard's CSV file.
import type { AnalysisContext, PeriodQuery } from '../../analytics/types';
import type { CsvFile, PdfColumn, ReportReads, ReportScope, ReportSection } from '../types';

/** A table column with how a row fills it (i is the row's index, 0 for the leader). */
export interface LeaderboardColumn<Row> extends PdfColumn {
  cell(row: Row, i: number): string;
}

export interface LeaderboardSpec<Data, Row> {
  id: string;
  title: string;
  /** The leaderboard read for the period, limited to the report's rows. */
  read(reads: ReportReads, ctx: AnalysisContext, query: { period: PeriodQuery; limit: number }): Promise<Data>;
  rows(data: Data): readonly Row[];
  columns: readonly LeaderboardColumn<Row>[];
  csv(data: Data): CsvFile[];
}

/** The rank column every leaderboard starts with. */
export const rankColumn = <Row>(width: number): LeaderboardColumn<Row> => ({
  header: '#',
  width,
  align: 'right',
  cell: (_row, i) => String(i + 1),
});

export function leaderboardSection<Data, Row>(spec: LeaderboardSpec<Data, Row>): ReportSection<Data> {
  // The table's layout without the cell functions: what the PDF writer is given.
  const layout: PdfColumn[] = spec.columns.map(({ header, width, align }) => (align ? { header, width, align } : { header, width }));
  return {
    id: spec.id,
    title: spec.title,
    collect: (reads: ReportReads, scope: ReportScope) => spec.read(reads, scope.ctx, { period: scope.period, limit: scope.rows }),
    async pdf(out, data) {
      out.heading(spec.title);
      const rows = spec.rows(data);
      if (rows.length === 0) return out.paragraph('No clips in this period.');
      out.table(
        layout,
        rows.map((row, i) => spec.columns.map((c) => c.cell(row, i))),
      );
    },
    csv: (data) => spec.csv(data),
  };
}
