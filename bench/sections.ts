// The benchmark sections, in the order they run. To add one: import it and append it here (one line each).
// A section is { name, title, run(ctx) → Figure[], postgres? } (bench/types.ts); the harness runs it in its own
// process, on each engine asked for (--engine). `needing` names the parts of Clipscope a section's PostgreSQL run
// uses: until those run on PostgreSQL (and the section has a postgres.run), `--engine postgres` says so instead.
import type { PostgresPart } from '../src/database-engine';
import { analyticsSection } from './analytics';
import { captureClientSection } from './capture-client';
import { clusterSection } from './cluster';
import { captureStorageSection } from './capture-storage';
import { databaseSizeSection } from './database-size';
import { enrichmentSection } from './enrichment';
import { floodSection } from './flood';
import { httpSection } from './http';
import { importSection } from './import';
import { leasesSection } from './leases';
import { postgresFloorSection } from './postgres-floor';
import { postgresAnalytics, postgresCapture } from './postgres-sections';
import { reportSection } from './report';
import { takeoffSection } from './takeoff';
import type { BenchContext, BenchSection, Figure } from './types';

function needing(section: BenchSection, needs: readonly PostgresPart[], run?: (ctx: BenchContext) => Promise<Figure[]>): BenchSection {
  return { ...section, postgres: section.postgres ?? { needs, ...(run ? { run } : {}) } };
}

export const SECTIONS: BenchSection[] = [
  needing(captureStorageSection(), ['capture'], postgresCapture()),
  // Capture through the real discord.js client, and the bot's RSS after ingesting a long stream (figure 6).
  needing(captureClientSection(), ['capture']),
  needing(enrichmentSection, ['twitch']),
  needing(analyticsSection, ['aggregation', 'reads'], postgresAnalytics()),
  httpSection,
  // Issue #24: another guild's cached answers while one guild floods uncached ranges (read workers on and off).
  floodSection,
  needing(importSection, ['imports', 'capture']),
  databaseSizeSection,
  // Issue #19: the clip feed's poll-and-decide cost, taking-off detection and its precision on the generated history.
  takeoffSection,
  // Issue #22: the PDF report of a month (collect and draw), beside one chart alone.
  reportSection,
  // Issue #17: a job lease taken and released, beside one upsert.
  leasesSection,
  // Issue #17: the same stream through 1, 2 and 4 ROLES=bot processes; lock waits; gateway RSS per 1,000 guilds.
  clusterSection(),
  // PostgreSQL only: the bare-pg floors the product's PostgreSQL figures are set against.
  postgresFloorSection(),
];
