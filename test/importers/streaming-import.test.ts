import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { importExportFile } from '../../src/importers/dce/import-file';
import { generateExport, humanClipMessages, type GeneratedExport } from '../helpers/dce-export';
import { createTempDb, type TempDb } from '../helpers/temp-db';

const MB = 1024 * 1024;

describe('importing a large export', () => {
  let temp: TempDb;
  let generated: GeneratedExport;

  beforeAll(() => {
    temp = createTempDb();
    generated = generateExport(path.join(temp.dir, 'big-channel.json'), { targetBytes: 50 * MB });
  });
  afterAll(() => temp.cleanup());

  it('streams a 50 MB export in bounded memory and records every clip share in it', async () => {
    expect(generated.bytes).toBeGreaterThanOrEqual(50 * MB);
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    let progressCalls = 0;
    const result = await importExportFile({ db: temp.db, clock: new ManualClock(Date.UTC(2025, 0, 2)) }, generated.file, {
      onProgress: () => {
        progressCalls++;
        peak = Math.max(peak, process.memoryUsage().rss);
      },
    });
    peak = Math.max(peak, process.memoryUsage().rss);

    expect(result.messagesRead).toBe(generated.messages);
    expect(progressCalls).toBeGreaterThanOrEqual(50);
    const shares = temp.db.$client.prepare('SELECT count(*) AS n FROM shares').get() as { n: number };
    expect(shares.n).toBe(humanClipMessages(generated.messages));
    // Reading the file whole would take well over its own size again in strings and objects; streaming stays flat.
    expect((peak - baseline) / MB).toBeLessThan(150);
    expect(fs.statSync(generated.file).size).toBe(generated.bytes);
  });
});
