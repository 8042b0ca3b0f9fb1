// The benchmark sections, in the order they run. To add one: import it and append it here (one line each).
// A section is { name, title, run(ctx) → Figure[] } (bench/types.ts); the harness runs it in its own process.
import { analyticsSection } from './analytics';
import { captureStorageSection } from './capture-storage';
import { databaseSizeSection } from './database-size';
import { enrichmentSection } from './enrichment';
import { httpSection } from './http';
import { importSection } from './import';
import type { BenchSection } from './types';

export const SECTIONS: BenchSection[] = [
  captureStorageSection(),
  // Capture through the real discord.js client (and the bot's RSS after ingesting, figure 6) goes here:
  // bench/capture-client.ts, being written on branch capture-bench; not on main yet.
  enrichmentSection,
  analyticsSection,
  httpSection,
  importSection,
  databaseSizeSection,
];
