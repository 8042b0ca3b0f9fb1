// The benchmark sections, in the order they run. To add one: import it and append it here (one line each).
// A section is { name, title, run(ctx) → Figure[] } (bench/types.ts); the harness runs it in its own process.
import { captureStorageSection } from './capture-storage';
import { databaseSizeSection } from './database-size';
import type { BenchSection } from './types';

export const SECTIONS: BenchSection[] = [
  captureStorageSection(),
  // Teammates' sections plug in here: capture through the real discord.js client, enrichment, analytics (aggregation
  // and reads), HTTP, import.
  databaseSizeSection,
];
