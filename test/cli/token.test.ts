import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index';
import { closeDatabase, openDatabase } from '../../src/db/client';
import { createTokenVerifier } from '../../src/auth/tokens';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { GUILD_A } from '../helpers/http-server';

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

describe('clipscope token', () => {
  let temp: TempDb;
  beforeEach(() => {
    temp = createTempDb();
  });
  afterEach(() => temp.cleanup());

  it('prints the new token alone on stdout, and the token opens the guild', async () => {
    const result = await run(['token', 'create', '--guild', GUILD_A, '--name', 'Stream deck'], temp.path);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^cs_[A-Za-z0-9_-]{43}\n$/);
    expect(result.stderr).toContain('shown only this once');
    const db = openDatabase({ path: temp.path });
    try {
      expect((await createTokenVerifier(db).verify(result.stdout.trim(), Date.now()))?.guildId).toBe(GUILD_A);
    } finally {
      closeDatabase(db);
    }
  });

  it('lists tokens by name and prefix without revealing them, then revokes one', async () => {
    const created = await run(['token', 'create', '--guild', GUILD_A, '--name', 'Overlay'], temp.path);
    const token = created.stdout.trim();
    const listed = await run(['token', 'list', '--guild', GUILD_A], temp.path);
    expect(listed.stdout).toContain('Overlay');
    expect(listed.stdout).toContain(token.slice(0, 9));
    expect(listed.stdout).not.toContain(token);
    expect(listed.stdout).toContain('active');
    const json = JSON.parse((await run(['token', 'list', '--guild', GUILD_A, '--json'], temp.path)).stdout) as Array<{ id: number }>;
    const id = json[0]?.id;
    const revoked = await run(['token', 'revoke', String(id)], temp.path);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Revoked token #${id}`);
    expect((await run(['token', 'list', '--guild', GUILD_A], temp.path)).stdout).toContain('revoked');
    const db = openDatabase({ path: temp.path });
    try {
      expect(await createTokenVerifier(db).verify(token, Date.now())).toBeNull();
    } finally {
      closeDatabase(db);
    }
  });

  it('explains bad input and exits non-zero', async () => {
    const badGuild = await run(['token', 'create', '--guild', 'my-server'], temp.path);
    expect(badGuild.code).toBe(2);
    expect(badGuild.stderr).toContain('--guild: expected a Discord guild id');
    expect(badGuild.stdout).toBe('');
    expect((await run(['token', 'frobnicate'], temp.path)).stderr).toContain('expected "create", "list" or "revoke"');
    expect((await run(['token', 'revoke', 'abc'], temp.path)).code).toBe(2);
    const missing = await run(['token', 'revoke', '42'], temp.path);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no token #42');
  });
});
