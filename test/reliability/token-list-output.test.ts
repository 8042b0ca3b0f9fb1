// `clipscope token list` prints names that anyone who may create a token chose (also from Discord): terminal control
// sequences and bidirectional overrides in them are shown as escapes, never sent to the terminal raw.
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/auth/tokens';
import { runCli } from '../../src/cli/index';
import { GUILD_A, TEST_NOW } from '../helpers/http-server';
import { createTempDb, type TempDb } from '../helpers/temp-db';

async function run(args: string[], databasePath: string): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await runCli(args, { stdout, stderr: new PassThrough(), env: { DATABASE_PATH: databasePath } });
  return { code, stdout: out };
}

const HOSTILE = 'ok\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eevil\r\nnext';

describe('clipscope token list', () => {
  let temp: TempDb;
  beforeEach(async () => {
    temp = createTempDb();
    await createApiToken(temp.db, { guildId: GUILD_A, name: HOSTILE }, TEST_NOW);
  });
  afterEach(() => temp.cleanup());

  it('escapes control characters and bidirectional overrides in token names', async () => {
    const table = await run(['token', 'list', '--guild', GUILD_A], temp.path);
    expect(table.code).toBe(0);
    // Nothing a terminal acts on: only printable text and the table's own line ends.
    expect(table.stdout).not.toMatch(/(?!\n)[\p{Cc}\u202a-\u202e]/u);
    expect(table.stdout).toContain('ok\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m\\u202eevil\\u000d\\u000anext');
    expect(table.stdout.split('\n')).toHaveLength(3);

    const json = await run(['token', 'list', '--guild', GUILD_A, '--json'], temp.path);
    expect(json.stdout).not.toMatch(/(?!\n)[\p{Cc}\u202a-\u202e]/u);
    // Still JSON, and it reads back as the stored name.
    expect((JSON.parse(json.stdout) as { name: string }[])[0]?.name).toBe(HOSTILE);
  });
});
