import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queries } from '../../src/db/sql';
import { createApiToken, createTokenVerifier, hashToken, listApiTokens, revokeApiToken } from '../../src/auth/tokens';
import { clearTables } from '../helpers/clear-tables';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { GUILD_A, GUILD_B, TEST_NOW } from '../helpers/http-server';

// One database per engine for the file, emptied before each test.
describe.each(testEngines())('API tokens on %s', (engine) => {
  let temp: TestDatabase;
  beforeAll(async () => {
    temp = await openTestDatabase(engine, 'http-tokens');
  });
  afterAll(() => temp?.close());
  beforeEach(() => clearTables(temp.db));

  it('creates a recognisable 256-bit token and stores only its SHA-256 hash', async () => {
    const created = await createApiToken(temp.db, { guildId: GUILD_A, name: 'OBS overlay' }, TEST_NOW);
    expect(created.token).toMatch(/^cs_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created.token.slice(3), 'base64url')).toHaveLength(32);
    const rows = await queries(temp.db).all<Record<string, unknown>>('SELECT * FROM api_tokens');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toBe(hashToken(created.token));
    expect(JSON.stringify(rows)).not.toContain(created.token);
    expect(rows[0]?.prefix).toBe(created.token.slice(0, 9));
  });

  it('never creates the same token twice', async () => {
    const tokens = new Set(
      await Promise.all(Array.from({ length: 50 }, async () => (await createApiToken(temp.db, { guildId: GUILD_A }, TEST_NOW)).token)),
    );
    expect(tokens.size).toBe(50);
  });

  it('verifies a token to its guild only, and refuses unknown, malformed and revoked ones', async () => {
    const a = await createApiToken(temp.db, { guildId: GUILD_A }, TEST_NOW);
    const b = await createApiToken(temp.db, { guildId: GUILD_B }, TEST_NOW);
    const verifier = createTokenVerifier(temp.db);
    expect(await verifier.verify(a.token, TEST_NOW)).toEqual({ tokenId: a.id, guildId: GUILD_A });
    expect(await verifier.verify(b.token, TEST_NOW)).toEqual({ tokenId: b.id, guildId: GUILD_B });
    expect(await verifier.verify(`${a.token.slice(0, -1)}${a.token.endsWith('A') ? 'B' : 'A'}`, TEST_NOW)).toBeNull();
    expect(await verifier.verify('cs_short', TEST_NOW)).toBeNull();
    expect(await verifier.verify(hashToken(a.token), TEST_NOW)).toBeNull();
    expect(await revokeApiToken(temp.db, a.id, TEST_NOW + 1)).toBe('revoked');
    expect(await verifier.verify(a.token, TEST_NOW + 2)).toBeNull();
    expect(await verifier.verify(b.token, TEST_NOW + 2)).not.toBeNull();
  });

  it('refuses a token revoked through another connection (the CLI, the bot) at the very next verification', async () => {
    const a = await createApiToken(temp.db, { guildId: GUILD_A }, TEST_NOW);
    const b = await createApiToken(temp.db, { guildId: GUILD_B }, TEST_NOW);
    const verifier = createTokenVerifier(temp.db);
    for (let i = 0; i < 3; i++) expect(await verifier.verify(a.token, TEST_NOW + i)).toEqual({ tokenId: a.id, guildId: GUILD_A });
    const other = await temp.openAnother();
    try {
      expect(await revokeApiToken(other.db, a.id, TEST_NOW + 10)).toBe('revoked');
    } finally {
      await other.close();
    }
    expect(await verifier.verify(a.token, TEST_NOW + 11)).toBeNull();
    expect(await verifier.verify(b.token, TEST_NOW + 11)).toEqual({ tokenId: b.id, guildId: GUILD_B });
  });

  it('checking once per event-loop turn, refuses a token revoked elsewhere from the next turn on', async () => {
    const a = await createApiToken(temp.db, { guildId: GUILD_A }, TEST_NOW);
    const verifier = createTokenVerifier(temp.db, { changeCheck: 'once-per-turn' });
    expect(await verifier.verify(a.token, TEST_NOW)).toEqual({ tokenId: a.id, guildId: GUILD_A });
    await new Promise((resolve) => setImmediate(resolve));
    expect(await verifier.verify(a.token, TEST_NOW + 1)).not.toBeNull();
    const other = await temp.openAnother();
    try {
      expect(await revokeApiToken(other.db, a.id, TEST_NOW + 2)).toBe('revoked');
    } finally {
      await other.close();
    }
    // Requests of a turn were received before it began, so the turn's answer stands for them… (PostgreSQL has no
    // change counter to remember tokens by, so there every request reads the store and is refused at once.)
    const sameTurn = await verifier.verify(a.token, TEST_NOW + 3);
    if (engine === 'sqlite') expect(sameTurn).not.toBeNull();
    else expect(sameTurn).toBeNull();
    // …and every later request is refused.
    await new Promise((resolve) => setImmediate(resolve));
    expect(await verifier.verify(a.token, TEST_NOW + 4)).toBeNull();
    // A revocation through this connection is seen at once, within the turn.
    const b = await createApiToken(temp.db, { guildId: GUILD_A }, TEST_NOW);
    expect(await verifier.verify(b.token, TEST_NOW + 5)).not.toBeNull();
    await revokeApiToken(temp.db, b.id, TEST_NOW + 6);
    expect(await verifier.verify(b.token, TEST_NOW + 7)).toBeNull();
  });

  it('records when a token was last used, at most once a minute', async () => {
    const a = await createApiToken(temp.db, { guildId: GUILD_A }, TEST_NOW);
    const verifier = createTokenVerifier(temp.db);
    const lastUsed = async () => (await listApiTokens(temp.db, GUILD_A))[0]?.lastUsedAt;
    expect(await lastUsed()).toBeNull();
    await verifier.verify(a.token, TEST_NOW + 1000);
    expect(await lastUsed()).toBe(TEST_NOW + 1000);
    await verifier.verify(a.token, TEST_NOW + 30_000);
    expect(await lastUsed()).toBe(TEST_NOW + 1000);
    await verifier.verify(a.token, TEST_NOW + 61_000);
    expect(await lastUsed()).toBe(TEST_NOW + 61_000);
  });

  it('lists a guild’s tokens newest first without the secret, and revokes only within the given guild', async () => {
    const first = await createApiToken(temp.db, { guildId: GUILD_A, name: 'first' }, TEST_NOW);
    const second = await createApiToken(temp.db, { guildId: GUILD_A, name: 'second' }, TEST_NOW + 1);
    const other = await createApiToken(temp.db, { guildId: GUILD_B, name: 'other' }, TEST_NOW);
    const listed = await listApiTokens(temp.db, GUILD_A);
    expect(listed.map((t) => t.name)).toEqual(['second', 'first']);
    expect(JSON.stringify(listed)).not.toContain(first.token);
    expect(await revokeApiToken(temp.db, other.id, TEST_NOW, GUILD_A)).toBe('not_found');
    expect(await revokeApiToken(temp.db, second.id, TEST_NOW, GUILD_A)).toBe('revoked');
    expect(await revokeApiToken(temp.db, second.id, TEST_NOW, GUILD_A)).toBe('already_revoked');
    expect(await revokeApiToken(temp.db, 9999, TEST_NOW)).toBe('not_found');
    expect((await listApiTokens(temp.db, GUILD_A)).find((t) => t.id === second.id)?.revokedAt).toBe(TEST_NOW);
  });
});
