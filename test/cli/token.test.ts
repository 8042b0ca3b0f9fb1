import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index';
import { createTokenVerifier } from '../../src/auth/tokens';
import { clearTables } from '../helpers/clear-tables';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { GUILD_A } from '../helpers/http-server';

/** The CLI in-process, its database selected by the environment (DATABASE_PATH, or DATABASE_URL on PostgreSQL). */
async function run(args: string[], database: TestDatabase): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await runCli(args, { stdout, stderr, env: { ...database.env } });
  return { code, stdout: out, stderr: err };
}

// One database per engine for the file, emptied before each test.
describe.each(testEngines())('clipscope token on %s', (engine) => {
  let temp: TestDatabase;
  beforeAll(async () => {
    temp = await openTestDatabase(engine, 'cli-token');
  });
  afterAll(() => temp?.close());
  beforeEach(() => clearTables(temp.db));

  it('prints the new token alone on stdout, and the token opens the guild', async () => {
    const result = await run(['token', 'create', '--guild', GUILD_A, '--name', 'Stream deck'], temp);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^cs_[A-Za-z0-9_-]{43}\n$/);
    expect(result.stderr).toContain('shown only this once');
    const other = await temp.openAnother();
    try {
      expect((await createTokenVerifier(other.db).verify(result.stdout.trim(), Date.now()))?.guildId).toBe(GUILD_A);
    } finally {
      await other.close();
    }
  });

  it('lists tokens by name and prefix without revealing them, then revokes one', async () => {
    const created = await run(['token', 'create', '--guild', GUILD_A, '--name', 'Overlay'], temp);
    const token = created.stdout.trim();
    const listed = await run(['token', 'list', '--guild', GUILD_A], temp);
    expect(listed.stdout).toContain('Overlay');
    expect(listed.stdout).toContain(token.slice(0, 9));
    expect(listed.stdout).not.toContain(token);
    expect(listed.stdout).toContain('active');
    const json = JSON.parse((await run(['token', 'list', '--guild', GUILD_A, '--json'], temp)).stdout) as Array<{ id: number }>;
    const id = json[0]?.id;
    const revoked = await run(['token', 'revoke', String(id)], temp);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Revoked token #${id}`);
    expect((await run(['token', 'list', '--guild', GUILD_A], temp)).stdout).toContain('revoked');
    const other = await temp.openAnother();
    try {
      expect(await createTokenVerifier(other.db).verify(token, Date.now())).toBeNull();
    } finally {
      await other.close();
    }
  });

  it('explains bad input and exits non-zero', async () => {
    const badGuild = await run(['token', 'create', '--guild', 'my-server'], temp);
    expect(badGuild.code).toBe(2);
    expect(badGuild.stderr).toContain('--guild: expected a Discord guild id');
    expect(badGuild.stdout).toBe('');
    expect((await run(['token', 'frobnicate'], temp)).stderr).toContain('expected "create", "list" or "revoke"');
    expect((await run(['token', 'revoke', 'abc'], temp)).code).toBe(2);
    const missing = await run(['token', 'revoke', '42'], temp);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no token #42');
  });
});
