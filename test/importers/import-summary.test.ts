import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { queries } from '../../src/db/sql';
import { importExportFile } from '../../src/importers/dce/import-file';
import { clearTables } from '../helpers/clear-tables';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { clipMessage, HEADER_FIELDS, writeExportParts } from './hostile-export';

const clock = new ManualClock(Date.UTC(2024, 6, 1));

describe.each(testEngines())('what an import reports on %s', (engine) => {
  let t: TestDatabase;
  let scratch: string;
  beforeAll(async () => {
    t = await openTestDatabase(engine, 'import-summary');
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-summary-'));
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await clearTables(t.db);
  });

  const count = async (table: 'clips' | 'shares'): Promise<number> =>
    (await queries(t.db).get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))?.n ?? 0;

  it('reports, over two imports running at once, exactly the clips that are new', async () => {
    // Two exports (different messages) sharing the same 30 clips, imported at once through two connections, in chunks
    // small enough that their transactions interleave.
    const files = ['a', 'b'].map((name, f) => {
      const file = path.join(scratch, `${name}.json`);
      const messages = Array.from({ length: 30 }, (_, i) =>
        clipMessage(String(1000000000000000000n + BigInt(f * 100 + i)), `SharedClip${i}`),
      );
      writeExportParts(file, [`{${HEADER_FIELDS},"messages":[`, messages.join(','), ']}']);
      return file;
    });
    const other = await t.openAnother();
    try {
      const options = { chunkSize: 200, batchSize: 1 };
      const [a, b] = await Promise.all([
        importExportFile({ db: t.db, clock }, files[0] as string, options),
        importExportFile({ db: other.db, clock }, files[1] as string, options),
      ]);
      expect(await count('clips')).toBe(30);
      expect(await count('shares')).toBe(60);
      expect(a.sharesAdded + b.sharesAdded).toBe(60);
      expect(a.clipsAdded + b.clipsAdded).toBe(30);
    } finally {
      await other.close();
    }
  });

  it('warns, naming the file and message, when a message has clip links past the scanned text', async () => {
    const file = path.join(scratch, 'long.json');
    const long = clipMessage('1000000000000000002', 'EarlyClip', '').replace(
      '"content":"https://clips.twitch.tv/EarlyClip"',
      `"content":"https://clips.twitch.tv/EarlyClip ${'x'.repeat(120_000)} https://clips.twitch.tv/LateClip"`,
    );
    writeExportParts(file, [`{${HEADER_FIELDS},"messages":[`, clipMessage('1000000000000000001', 'ShortClip'), ',', long, ']}']);
    const warnings: string[] = [];
    const result = await importExportFile({ db: t.db, clock }, file, { onWarning: (line) => warnings.push(line) });
    expect(warnings).toEqual([
      `${file}: message 1000000000000000002 holds clip links past the first 100,000 characters scanned for them: only the links before that were recorded`,
    ]);
    expect(result.warnings).toBe(1);
    expect(await count('shares')).toBe(2);
  });

  it('does not warn about a long message whose links are all in the scanned text', async () => {
    const file = path.join(scratch, 'long-quiet.json');
    const long = clipMessage('1000000000000000003', 'EarlyClip', `,"embeds":[{"url":"https://example.com/${'y'.repeat(120_000)}"}]`);
    writeExportParts(file, [`{${HEADER_FIELDS},"messages":[`, long, ']}']);
    const warnings: string[] = [];
    await importExportFile({ db: t.db, clock }, file, { onWarning: (line) => warnings.push(line) });
    expect(warnings).toEqual([]);
    expect(await count('shares')).toBe(1);
  });
});
