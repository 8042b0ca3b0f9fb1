import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index';
import { closeDatabase, openDatabase } from '../../src/db/client';
import { queries } from '../../src/db/sql';
import { clearTables } from '../helpers/clear-tables';
import { closePostgres, openPostgres, type PostgresDb } from '../../src/db/postgres/engine';
import { migratePostgres } from '../../src/db/schema-postgres/migrate';
import { createPostgresDatabase, testEngines, type TestPostgresDatabase } from '../helpers/engines';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { clipMessage, HEADER_FIELDS, writeExportParts } from '../importers/hostile-export';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/dce');

function capture(): { stream: PassThrough; text(): string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe.each(testEngines())('clipscope import on %s', (engine) => {
  // SQLite: a file per test, as `npm start` would find it. PostgreSQL: one database for the file, named to the CLI by
  // DATABASE_URL, emptied before each test.
  let temp: TempDb | null = null;
  let server: TestPostgresDatabase | null = null;
  let pg: PostgresDb | null = null;
  let scratch: string;
  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-cli-import-'));
    if (engine !== 'postgres') return;
    server = await createPostgresDatabase('cli-import');
    pg = openPostgres({ url: server.url, poolSize: 2 });
    await migratePostgres(pg.pool);
  });
  afterAll(async () => {
    temp?.cleanup();
    if (pg) await closePostgres(pg);
    await server?.drop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });
  beforeEach(async () => {
    temp?.cleanup();
    temp = engine === 'sqlite' ? createTempDb() : null;
    if (pg) await clearTables(pg);
  });

  const env = (): Record<string, string> => (server ? { DATABASE_URL: server.url } : { DATABASE_PATH: temp!.path });

  async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const stdout = capture();
    const stderr = capture();
    const code = await runCli(args, { stdout: stdout.stream, stderr: stderr.stream, env: env() });
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  async function countShares(): Promise<number> {
    const sql = 'SELECT count(*) AS n FROM shares WHERE deleted_at IS NULL';
    if (pg) return (await queries(pg).get<{ n: number }>(sql))!.n;
    const db = openDatabase({ path: temp!.path });
    try {
      return (db.$client.prepare(sql).get() as { n: number }).n;
    } finally {
      closeDatabase(db);
    }
  }

  describe('clipscope import', () => {
    it('imports several files and reports what it recorded, then skips them on a second run', async () => {
      const files = ['general.json', 'clips.json', 'thread-best-of-march.json'].map((f) => path.join(FIXTURES, f));
      const first = await run(['import', ...files]);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('Imported 3 of 3 files: 10 messages read, 7 new clip shares, 5 new clips pending enrichment.');
      expect(first.stdout).toContain('clipscope enrich');
      // Not a terminal: plain progress lines with the message rate.
      expect(first.stderr).toMatch(/Importing: [\d.]+ MB\/[\d.]+ MB · 10 messages [\d.,]+ messages\/s/);
      expect(await countShares()).toBe(7);

      const second = await run(['import', ...files]);
      expect(second.code).toBe(0);
      expect(second.stdout).toContain(
        'Imported 0 of 3 files: 0 messages read, 0 new clip shares, 0 new clips pending enrichment, 3 skipped',
      );
      expect(await countShares()).toBe(7);
    });

    it('imports a folder and exits non-zero with a one-line reason naming the bad file, keeping everything valid', async () => {
      const dir = fs.mkdtempSync(path.join(scratch, 'exports-'));
      fs.rmSync(dir, { recursive: true });
      fs.mkdirSync(dir);
      fs.copyFileSync(path.join(FIXTURES, 'clips.json'), path.join(dir, 'a-clips.json'));
      fs.copyFileSync(path.join(FIXTURES, 'malformed/truncated.json'), path.join(dir, 'b-truncated.json'));
      fs.copyFileSync(path.join(FIXTURES, 'forum-review-my-clip.json'), path.join(dir, 'c-forum.json'));
      const result = await run(['import', dir]);
      expect(result.code).toBe(1);
      const last = result.stderr.trim().split('\n').at(-1) ?? '';
      expect(last).toMatch(
        /^clipscope import: .*b-truncated\.json:\d+: the file ends unexpectedly \(inside messages, after message 1\): the export is truncated \(byte [\d,]+\)$/,
      );
      // a-clips (1), the message before the truncation (1) and c-forum (1).
      expect(await countShares()).toBe(3);
    });

    it('refuses a file with a value too large before "messages" naming the byte, and still imports the files after it', async () => {
      const dir = fs.mkdtempSync(path.join(scratch, 'hostile-'));
      const before = `{${HEADER_FIELDS},"padding":`;
      // 4 MB of string before "messages": on main it was buffered whole (a 600 MB one broke V8's string limit).
      writeExportParts(path.join(dir, 'a-padded.json'), [before, '"', { repeat: 'x', times: 4 * 1024 * 1024 }, '","messages":[]}']);
      writeExportParts(path.join(dir, 'b-nested.json'), [
        `{${HEADER_FIELDS},"nest":`,
        { repeat: '[', times: 500_000 },
        { repeat: ']', times: 500_000 },
        ',"messages":[]}',
      ]);
      fs.copyFileSync(path.join(FIXTURES, 'clips.json'), path.join(dir, 'c-clips.json'));
      const result = await run(['import', dir]);
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines.at(-1)).toBe('clipscope import: 2 of 3 files could not be imported (listed above)');
      expect(result.stderr).toMatch(
        new RegExp(`a-padded\\.json:1: .*"padding" before "messages" .* over 1 MB \\(byte ${before.length}\\)\\n`),
      );
      expect(result.stderr).toMatch(/b-nested\.json:1: the value of "nest" before "messages" nests arrays and objects more than 64 deep/);
      expect(result.stdout).toContain('Imported 1 of 3 files');
      expect(await countShares()).toBe(1);
    });

    it('prints a warning line naming the file and message whose clip links go past the scanned text', async () => {
      const file = path.join(scratch, 'long-message.json');
      const message = clipMessage('1000000000000000009', 'LateClip').replace('"content":"', `"content":"${'z'.repeat(100_500)} `);
      writeExportParts(file, [`{${HEADER_FIELDS},"messages":[`, message, ']}']);
      const result = await run(['import', file]);
      expect(result.code).toBe(0);
      expect(result.stderr).toContain(
        `warning: ${file}: message 1000000000000000009 holds clip links past the first 100,000 characters scanned for them`,
      );
      expect(await countShares()).toBe(0);
    });

    it('explains what is wrong with its arguments', async () => {
      expect((await run(['import'])).stderr).toContain('give at least one export file or folder');
      expect((await run(['import', path.join(scratch, 'nope.json')])).stderr).toContain('nope.json: no such file or folder');
      expect((await run(['import', '--guild', 'abc', FIXTURES])).stderr).toContain('--guild expects a Discord server id');
    });
  });
});
