import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { queries } from '../../src/db/sql';
import { ImportError, importExportFile, type ImportOptions } from '../../src/importers/dce/import-file';
import { clearTables } from '../helpers/clear-tables';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { clipMessage, HEADER_FIELDS, writeExportParts, type ExportPart } from './hostile-export';

const MB = 1024 * 1024;

describe.each(testEngines())('import bounds on %s', (engine) => {
  let t: TestDatabase;
  let scratch: string;
  beforeAll(async () => {
    t = await openTestDatabase(engine, 'import-bounds');
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-bounds-'));
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await clearTables(t.db);
  });

  let n = 0;
  function write(parts: ExportPart[]): string {
    const file = path.join(scratch, `hostile-${++n}.json`);
    writeExportParts(file, parts);
    return file;
  }

  /** The ImportError the import of `file` ends with (the test fails if it imports). */
  async function refusal(file: string, options: ImportOptions = {}): Promise<ImportError> {
    try {
      await importExportFile({ db: t.db, clock: new ManualClock(Date.UTC(2024, 6, 1)) }, file, options);
    } catch (error) {
      if (error instanceof ImportError) return error;
      throw error;
    }
    throw new Error(`${file} was imported, not refused`);
  }

  async function shareCount(): Promise<number> {
    return (await queries(t.db).get<{ n: number }>('SELECT count(*) AS n FROM shares'))?.n ?? 0;
  }

  it('refuses a 3 MB string before "messages", naming the file and the byte where the string starts', async () => {
    const before = `{${HEADER_FIELDS},"padding":`;
    const file = write([
      before,
      '"',
      { repeat: 'a', times: 3 * MB },
      '","messages":[',
      clipMessage('1000000000000000001', 'FirstClip'),
      ']}',
    ]);
    const error = await refusal(file);
    expect(error.byteOffset).toBe(before.length);
    expect(error.message).toMatch(
      /hostile-\d+\.json:1: not a DiscordChatExporter JSON export: the value of "padding" before "messages" takes the fields outside the messages over 1 MB \(byte [\d,]+\)$/,
    );
    expect(await shareCount()).toBe(0);
  });

  it('refuses arrays nested 1,000,000 deep before "messages" at the first bracket too deep', async () => {
    const before = `{${HEADER_FIELDS},"nest":`;
    const file = write([before, { repeat: '[', times: 1_000_000 }, { repeat: ']', times: 1_000_000 }, ',"messages":[]}']);
    const error = await refusal(file);
    expect(error.byteOffset).toBe(before.length + 64);
    expect(error.reason).toBe(
      'the value of "nest" before "messages" nests arrays and objects more than 64 deep: not a DiscordChatExporter export',
    );
  });

  it('refuses 20 MB of nested arrays before "messages" within the first chunk read, never buffering the rest', async () => {
    const before = `{${HEADER_FIELDS},"nest":`;
    const file = write([before, { repeat: '[', times: 10 * MB }, { repeat: ']', times: 10 * MB }, ',"messages":[]}']);
    let chunksRead = 0;
    const error = await refusal(file, { onProgress: () => chunksRead++ });
    expect(error.byteOffset).toBe(before.length + 64);
    // On main this nesting was accepted after buffering it whole (1.2 GB for 20 MB).
    expect(chunksRead).toBe(0);
  });

  it('refuses a message nested too deep, keeping the valid message before it', async () => {
    const first = clipMessage('1000000000000000001', 'FirstClip');
    const prefix = `{${HEADER_FIELDS},"messages":[${first},`;
    const deep = clipMessage('1000000000000000002', 'SecondClip', ',"x":ARRAYS');
    const [head, tail] = deep.split('ARRAYS') as [string, string];
    const file = write([prefix, head, { repeat: '[', times: 100_000 }, { repeat: ']', times: 100_000 }, tail, ']}']);
    const error = await refusal(file);
    // The message's own braces are the first level: its 64th array is the 65th.
    expect(error.byteOffset).toBe(prefix.length + head.length + 63);
    expect(error.reason).toContain('message 2 nests arrays and objects more than 64 deep');
    expect(error.messagesKept).toBe(1);
    expect(await shareCount()).toBe(1);
  });

  it('refuses a 3 MB value after "messages", keeping the messages', async () => {
    const prefix = `{${HEADER_FIELDS},"messages":[${clipMessage('1000000000000000001', 'FirstClip')}],"messageCount":`;
    const file = write([prefix, { repeat: '1', times: 3 * MB }, '}']);
    const error = await refusal(file);
    expect(error.byteOffset).toBe(prefix.length);
    expect(error.reason).toContain('the value of "messageCount" after "messages" takes the fields outside the messages over 1 MB');
    expect(await shareCount()).toBe(1);
  });

  it('refuses many small fields before "messages" that add up to more than the bound', async () => {
    const field = `"f":"${'b'.repeat(10_000)}",`;
    const file = write([`{${HEADER_FIELDS},`, { repeat: field, times: 300 }, '"messages":[]}']);
    const error = await refusal(file);
    expect(error.reason).toContain('before "messages" takes the fields outside the messages over 1 MB');
    expect(error.byteOffset).toBeLessThan(1.1 * MB);
  });

  it('refuses a message holding more values than the bound, at the first value too many', async () => {
    const first = clipMessage('1000000000000000001', 'FirstClip');
    const prefix = `{${HEADER_FIELDS},"messages":[${first},`;
    const many = clipMessage('1000000000000000002', 'SecondClip', ',"x":[FILL]');
    const [head, tail] = many.split('FILL') as [string, string];
    // 2.4 MB of empty objects: 800,000 of them, each far larger decoded than its 3 bytes of text.
    const file = write([prefix, head, { repeat: '{},', times: 800_000 }, '{}', tail, ']}']);
    const error = await refusal(file, { limits: { maxValues: 100_000 } });
    expect(error.reason).toBe('message 2 holds more than 100,000 values: not a DiscordChatExporter export');
    expect(error.byteOffset).toBeGreaterThan(prefix.length + head.length);
    expect(error.byteOffset).toBeLessThan(prefix.length + head.length + 300_000);
    expect(await shareCount()).toBe(1);
  });

  it('refuses a message larger than the configured bound at the byte where the message starts', async () => {
    const first = clipMessage('1000000000000000001', 'FirstClip');
    const prefix = `{${HEADER_FIELDS},"messages":[${first},`;
    const big = clipMessage('1000000000000000002', 'SecondClip', ',"x":"FILL"');
    const [head, tail] = big.split('FILL') as [string, string];
    const file = write([prefix, head, { repeat: 'z', times: 2 * MB }, tail, ']}']);
    const error = await refusal(file, { limits: { maxMessageBytes: MB }, chunkSize: 64 * 1024 });
    expect(error.byteOffset).toBe(prefix.length);
    expect(error.reason).toBe('message 2 is larger than 1 MB: not a Discord message');
    expect(await shareCount()).toBe(1);
  });
});
