// The report's sections, in the order the PDF shows them. A new section is one file implementing ReportSection
// (see ../types.ts) and one line here; the PDF and the CSV bundle pick it up.
import type { ReportSection } from '../types';
import { moodsSection } from './moods';
import { overviewSection } from './overview';
import { peakTimesSection } from './peak-times';
import { streamMomentsSection } from './stream-moments';
import { timelineSection } from './timeline';
import { topCreatorsSection } from './top-creators';
import { topGamesSection } from './top-games';
import { viralClipsSection } from './viral-clips';

/** Each section's data type is its own; the list only needs the contract's shape. */
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of sections, each typed in its own file
export type AnySection = ReportSection<any>;

export const REPORT_SECTIONS: readonly AnySection[] = [
  overviewSection,
  topCreatorsSection,
  topGamesSection,
  viralClipsSection,
  timelineSection,
  peakTimesSection,
  streamMomentsSection,
  moodsSection,
];
