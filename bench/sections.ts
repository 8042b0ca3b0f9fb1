// The benchmark sections, in the order they run. To add one: import it and append it here (one line each).
// A section is { name, title, run(ctx) → Figure[] } (bench/types.ts); the harness runs it in its own process.
import { analyticsSection } from './analytics';
import { captureClientSection } from './capture-client';
import { captureStorageSection } from './capture-storage';
import { databaseSizeSection } from './database-size';
import { enrichmentSection } from './enrichment';
import { httpSection } from './http';
import { importSection } from './import';
import type { BenchSection } from './types';

export const SECTIONS: BenchSection[] = [
  captureStorageSection(),
  // Capture through the real discord.js client, and the bot's RSS after ingesting a long stream (figure 6).
  captureClientSection(),
  enrichmentSection,
  analyticsSection,
  httpSection,
  importSection,
  databaseSizeSection,
];
