// The command line as a newcomer meets it: --version, one exit status (2) for every usage error, an import error
// printed once, `clipscope guilds`, and a mistyped --database that is refused instead of creating an empty database.
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index';
import { writeGuildSettings } from '../../src/db/guild-settings';
import { GUILD_A, GUILD_B, NOW, seedCommunity } from '../fixtures/http-community';
import { createTempDb, type TempDb } from '../helpers/temp-db';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/dce');

async function run(args: string[], databasePath: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await runCli(args, { stdout, stderr, env: { DATABASE_PATH: databasePath } });
  return { code, stdout: out, stderr: err };
}

let temp: TempDb;
beforeEach(() => {
  temp = createTempDb();
});
afterEach(() => temp.cleanup());

describe('clipscope usage', () => {
  it('prints its version', async () => {
    const version = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')).version;
    for (const flag of ['--version', '-V']) {
      const result = await run([flag], temp.path);
      expect(result).toEqual({ code: 0, stdout: `clipscope ${version}\n`, stderr: '' });
    }
  });

  it.each([
    [[]],
    [['frobnicate']],
    [['token', 'list', '--colour']],
    [['migrate', 'extra-argument']],
    [['aggregate', '--period', 'year']],
    [['generate', '--size', 'XL', '--out', 'x.db']],
    [['generate', '--size', 'S']],
    [['commands:register', '--guild', '1', '--global']],
    [['import']],
    [['token', 'create', '--guild', 'my-server']],
  ])('exits 2 for the usage error %j', async (args) => {
    const result = await run(args, temp.path);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toBe('');
  });

  it('prints an import error once', async () => {
    const file = path.join(temp.dir, 'truncated.json');
    fs.copyFileSync(path.join(FIXTURES, 'malformed/truncated.json'), file);
    const result = await run(['import', file], temp.path);
    expect(result.code).toBe(1);
    expect(result.stderr.split('the file ends unexpectedly').length - 1).toBe(1);
  });
});

describe('clipscope guilds', () => {
  it('lists every server with id, name, clips and last activity, most clips first', async () => {
    seedCommunity(temp.db);
    writeGuildSettings(temp.db, GUILD_A, { guildName: 'Clip Club' }, NOW);
    const table = await run(['guilds'], temp.path);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^GUILD ID\s+NAME\s+CLIPS\s+SHARES\s+LAST ACTIVITY$/);
    expect(lines[1]).toMatch(new RegExp(`^${GUILD_A}\\s+Clip Club\\s+4\\s+5\\s+2026-11-25 \\d\\d:\\d\\d UTC$`));
    expect(lines[2]).toMatch(new RegExp(`^${GUILD_B}\\s+\\(name not seen yet\\)\\s+2\\s+3\\s+`));
    const json = JSON.parse((await run(['guilds', '--json'], temp.path)).stdout);
    expect(json[0]).toMatchObject({ guild_id: GUILD_A, name: 'Clip Club', clips: 4, shares: 5 });
  });
});

describe('guild ids', () => {
  it('import prints the guild ids it wrote; token create warns about a guild with no data', async () => {
    const result = await run(['import', path.join(FIXTURES, 'clips.json')], temp.path);
    expect(result.code).toBe(0);
    const guild = /^Guild: (\d+)$/m.exec(result.stdout)?.[1];
    expect(guild).toMatch(/^\d+$/);
    const known = await run(['token', 'create', '--guild', guild as string], temp.path);
    expect(known.stderr).not.toContain('Warning');
    const unknown = await run(['token', 'create', '--guild', '123456789012345678'], temp.path);
    expect(unknown.code).toBe(0);
    expect(unknown.stderr).toContain('Warning: this database holds no data for guild 123456789012345678');
  });
});

describe('a mistyped --database', () => {
  it('is refused by the commands that only read, and no file is created', async () => {
    const typo = path.join(temp.dir, 'clipscop.db');
    for (const args of [
      ['token', 'list', '--guild', GUILD_A, '--database', typo],
      ['token', 'create', '--guild', GUILD_A, '--database', typo],
      ['aggregate', '--database', typo],
      ['guilds', '--database', typo],
    ]) {
      const result = await run(args, temp.path);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toContain(`no database at ${typo}`);
      expect(fs.existsSync(typo)).toBe(false);
    }
  });

  it('is still created by migrate', async () => {
    const fresh = path.join(temp.dir, 'fresh.db');
    expect((await run(['migrate', '--database', fresh], temp.path)).code).toBe(0);
    expect(fs.existsSync(fresh)).toBe(true);
  });
});
