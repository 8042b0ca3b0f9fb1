// `clipscope report` on both engines: the PDF and the CSV bundle written where asked, for the period asked, and every
// mistake in the arguments refused with a line naming the option.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index';
import { closePostgres, openPostgres, type PostgresDb } from '../../src/db/postgres/engine';
import { migratePostgres } from '../../src/db/schema-postgres/migrate';
import { GUILD, seedCommunity } from '../analytics/community-seed';
import { createPostgresDatabase, testEngines, type TestPostgresDatabase } from '../helpers/engines';
import { createTempDb, type TempDb } from '../helpers/temp-db';

/** The offset of November 2026 from the month it is now in Berlin (the seeded community's timezone). */
function novemberOffset(): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', year: 'numeric', month: 'numeric' }).formatToParts(
    Date.now(),
  );
  const year = Number(parts.find((p) => p.type === 'year')?.value);
  const month = Number(parts.find((p) => p.type === 'month')?.value);
  return year * 12 + month - (2026 * 12 + 11);
}

function capture(): { stream: NodeJS.WritableStream; text(): string } {
  let text = '';
  return {
    stream: {
      write: (chunk: string) => {
        text += String(chunk);
        return true;
      },
    } as unknown as NodeJS.WritableStream,
    text: () => text,
  };
}

describe.each(testEngines())('clipscope report on %s', (engine) => {
  let temp: TempDb | null = null;
  let server: TestPostgresDatabase | null = null;
  let pg: PostgresDb | null = null;
  let scratch: string;

  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-cli-report-'));
    if (engine === 'postgres') {
      server = await createPostgresDatabase('cli-report');
      pg = openPostgres({ url: server.url, poolSize: 2 });
      await migratePostgres(pg.pool);
      await seedCommunity(pg);
    } else {
      temp = createTempDb();
      await seedCommunity(temp.db);
    }
  });
  afterAll(async () => {
    temp?.cleanup();
    if (pg) await closePostgres(pg);
    await server?.drop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  const env = (): Record<string, string> => (server ? { DATABASE_URL: server.url } : { DATABASE_PATH: (temp as TempDb).path });

  async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const stdout = capture();
    const stderr = capture();
    const code = await runCli(args, { stdout: stdout.stream, stderr: stderr.stream, env: env() });
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  it("writes November's PDF and CSV bundle for the server", async () => {
    const pdf = path.join(scratch, 'november.pdf');
    const zip = path.join(scratch, 'november.zip');
    const offset = novemberOffset();
    const result = await run(['report', '--guild', GUILD, '--period', 'month', '--offset', String(offset), '--out', pdf, '--csv', zip]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Wrote ${pdf} \\(\\d+ KiB\\): November 2026, Clip Club\\nWrote ${zip} \\(\\d+ KiB\\)`));
    const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
    expect(text).toContain('Clipscope report: Clip Club');
    expect(text).toContain('November 2026');
    expect(text).toContain('Top creators');
    const files = unzipSync(fs.readFileSync(zip));
    expect(Object.keys(files)).toContain('top-games.csv');
    expect(fs.readdirSync(scratch).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses bad arguments with a line naming the option, and writes nothing', async () => {
    const out = path.join(scratch, 'never.pdf');
    const cases: Array<[string[], number, RegExp]> = [
      [['report', '--out', out], 2, /--guild needs a server id/],
      [['report', '--guild', GUILD], 2, /--out needs the path of the PDF/],
      [['report', '--guild', GUILD, '--out', out, '--period', 'year'], 2, /--period must be one of day, week, month \(got "year"\)/],
      [['report', '--guild', GUILD, '--out', out, '--offset=-1'], 2, /--offset must be a whole number from 0 to 120/],
      [['report', '--guild', GUILD, '--out', out, '--rows', '99'], 2, /--rows must be a whole number from 1 to 25/],
      [['report', '--guild', GUILD, '--out', path.join(scratch, 'missing', 'r.pdf')], 1, /The folder of .* does not exist/],
      [['report', '--guild', '123456789', '--out', out], 1, /holds no data for server 123456789/],
    ];
    for (const [args, code, message] of cases) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(code);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
    expect(fs.existsSync(out)).toBe(false);
  });
});
