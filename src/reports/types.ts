// The shapes a report is built from: the analytics reads it makes, the period it covers, and the section contract
// that each part of the report (overview, leaderboards, charts…) implements in one file under sections/.
import type {
  AnalysisContext,
  CompareSpan,
  Comparison,
  CreatorSort,
  EngagementTimeline,
  GameSort,
  Overview,
  PeakTimes,
  PeriodJson,
  PeriodQuery,
  StreamMoments,
  TimelineBucketSize,
  TopCreators,
  TopGames,
  ViralClips,
  ViralSort,
} from '../analytics/types';
import type { Moods } from '../analytics/moods';
import type { ChartSpec } from './charts';

/** The analytics reads a report makes: a subset of the analytics service, by shape (src/reports never sees the db). */
export interface ReportReads {
  overview(ctx: AnalysisContext, period: PeriodQuery): Promise<Overview>;
  compare(ctx: AnalysisContext, period: PeriodQuery, span?: CompareSpan): Promise<Comparison>;
  topCreators(ctx: AnalysisContext, query: { period: PeriodQuery; limit: number; sort: CreatorSort }): Promise<TopCreators>;
  topGames(ctx: AnalysisContext, query: { period: PeriodQuery; limit: number; sort: GameSort }): Promise<TopGames>;
  viralClips(ctx: AnalysisContext, query: { period: PeriodQuery; limit: number; sort: ViralSort; minViews: number }): Promise<ViralClips>;
  timeline(ctx: AnalysisContext, query: { bucket: TimelineBucketSize; days: number }): Promise<EngagementTimeline>;
  peakTimes(ctx: AnalysisContext, period: PeriodQuery): Promise<PeakTimes>;
  streamMoments(ctx: AnalysisContext, query: { period: PeriodQuery; limit: number }): Promise<StreamMoments>;
  moods(ctx: AnalysisContext, query: { period: PeriodQuery; limit: number }): Promise<Moods>;
}

/** The calendar periods a report covers (all time has no previous period to compare with). */
export const REPORT_PERIODS = ['day', 'week', 'month'] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];

/** What a section is asked about: the guild, the period (resolved), and the timeline's window inside it. */
export interface ReportScope {
  ctx: AnalysisContext;
  period: { type: ReportPeriod; offset: number };
  resolved: PeriodJson;
  /** The timeline's "now" and lookback that cover exactly the period's local days (up to today while it runs). */
  timeline: { ctx: AnalysisContext; days: number };
  /** Rows each leaderboard shows (bounded by MAX_REPORT_ROWS). */
  rows: number;
}

/** One CSV file of the bundle: its name inside the zip and its text. */
export interface CsvFile {
  name: string;
  text: string;
}

/** A column of a table drawn in the PDF; `width` is a share of the line (the shares of a table add up to 1). */
export interface PdfColumn {
  header: string;
  width: number;
  align?: 'left' | 'right';
}

/** What a section may draw: the PDF renderer implements it, bounded in pages and sizes. */
export interface PdfOut {
  heading(text: string): void;
  /** A title inside a section (above a table); kept on one page with the first rows under it. */
  subheading(text: string): void;
  paragraph(text: string): void;
  /** label → value lines, two columns. */
  facts(rows: ReadonlyArray<readonly [string, string]>): void;
  /** links[i], when given, makes row i's first cell a link. */
  table(columns: readonly PdfColumn[], rows: readonly (readonly string[])[], links?: readonly (string | null)[]): void;
  /** Renders the chart to an image and places it. */
  chart(spec: ChartSpec): Promise<void>;
}

/**
 * One part of the report. `collect` reads what it shows through the analytics; `pdf` draws it; `csv` gives the files
 * it adds to the CSV bundle. A new part (stream moments, moods) is one file implementing this, listed in sections/index.ts.
 */
export interface ReportSection<T> {
  id: string;
  title: string;
  collect(reads: ReportReads, scope: ReportScope): Promise<T>;
  pdf(out: PdfOut, data: T, scope: ReportScope): Promise<void>;
  csv(data: T, scope: ReportScope): CsvFile[];
}

/** A section with its collected data, ready to render either way. */
export interface CollectedSection {
  id: string;
  title: string;
  pdf(out: PdfOut): Promise<void>;
  csv(): CsvFile[];
  /** The data the section collected (tests and callers that show it otherwise read it). */
  data: unknown;
}
