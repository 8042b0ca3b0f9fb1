// The CLI with DATABASE_URL set: its commands still run on SQLite only, so they refuse rather than silently open
// DATABASE_PATH; --database PATH still names a SQLite file explicitly.
import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index';
import { createTempDb, type TempDb } from '../helpers/temp-db';

async function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await runCli(args, { stdout, stderr, env });
  return { code, stderr: err };
}

describe('clipscope with DATABASE_URL', () => {
  let temp: TempDb | undefined;
  afterEach(() => temp?.cleanup());

  it('refuses a database command instead of opening the SQLite file, and names the way out', async () => {
    temp = createTempDb();
    const missing = `${temp.dir}/not-created.db`;
    const result = await run(['token', 'list', '--guild', '123456789012345678'], {
      DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/db',
      DATABASE_PATH: missing,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'clipscope token: runs on SQLite only so far (not yet available on PostgreSQL), and DATABASE_URL is set: unset it, or pass --database PATH for a SQLite file\n',
    );
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('runs on the SQLite file given with --database', async () => {
    temp = createTempDb();
    const result = await run(['token', 'list', '--guild', '123456789012345678', '--database', temp.path], {
      DATABASE_URL: 'postgres://u@127.0.0.1:1/db',
    });
    expect(result).toMatchObject({ code: 0 });
  });
});
