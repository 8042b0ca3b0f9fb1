// The CLI on either engine: --database (a SQLite file or a postgres:// URL), else DATABASE_URL, else DATABASE_PATH.
// On PostgreSQL a command runs when the parts it needs are there and otherwise refuses in one line naming them,
// without touching DATABASE_PATH; an unreachable server is one line without the password.
import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index';
import { announcePostgresSkip, createPostgresDatabase, type TestPostgresDatabase } from '../helpers/engines';
import { createTempDb, type TempDb } from '../helpers/temp-db';

async function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await runCli(args, { stdout, stderr, env });
  return { code, stdout: out, stderr: err };
}

const GUILD = '123456789012345678';

describe('clipscope with DATABASE_URL', () => {
  let temp: TempDb | undefined;
  afterEach(() => temp?.cleanup());

  it('opens DATABASE_URL, not the SQLite file, and says in one line without the password when it is unreachable', async () => {
    temp = createTempDb();
    const missing = `${temp.dir}/not-created.db`;
    const result = await run(['token', 'list', '--guild', GUILD], {
      DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/db',
      DATABASE_PATH: missing,
      DATABASE_ACQUIRE_TIMEOUT_MS: '2000',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^clipscope token: cannot connect to PostgreSQL at postgres:\/\/u@127\.0\.0\.1:1\/db: .*ECONNREFUSED.*\n$/,
    );
    expect(result.stderr).not.toContain('secret');
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('runs on the SQLite file given with --database', async () => {
    temp = createTempDb();
    const result = await run(['token', 'list', '--guild', GUILD, '--database', temp.path], {
      DATABASE_URL: 'postgres://u@127.0.0.1:1/db',
    });
    expect(result).toMatchObject({ code: 0 });
  });
});

describe.skipIf(announcePostgresSkip())('clipscope on a PostgreSQL database', () => {
  let database: TestPostgresDatabase;
  beforeAll(async () => {
    database = await createPostgresDatabase('cli-database-url');
  });
  afterAll(() => database?.drop());

  it('migrates it, then creates, lists and revokes a token there (DATABASE_URL and --database URL alike)', async () => {
    const env = { DATABASE_URL: database.url, DATABASE_PATH: '/nonexistent/clipscope.db' };
    const migrated = await run(['migrate'], env);
    expect(migrated).toMatchObject({
      code: 0,
      stdout: `Database ready: ${database.url.replace(/^postgres:\/\/([^:@]+)(:[^@]*)?@/, 'postgres://$1@')}\n`,
    });

    const created = await run(['token', 'create', '--guild', GUILD, '--name', 'ci'], env);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^\S{20,}\n$/);

    const listed = await run(['token', 'list', '--guild', GUILD, '--json', '--database', database.url], {});
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: 1, guild_id: GUILD, name: 'ci', revoked_at: null })]);

    expect(await run(['token', 'revoke', '1'], env)).toMatchObject({ code: 0, stdout: 'Revoked token #1.\n' });
    const after = await run(['token', 'list', '--guild', GUILD, '--json'], env);
    expect(JSON.parse(after.stdout)[0].revoked_at).not.toBeNull();
  });
});
