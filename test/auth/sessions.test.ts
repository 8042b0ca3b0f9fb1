// Dashboard sessions: only a hash of the id is stored, the Discord tokens are sealed with the id, sessions end when
// idle or at their absolute expiry, the CSRF token is bound to the session, and a sign-in state works once, from
// the browser it was given to, for ten minutes. On both engines.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DiscordTokens } from '../../src/auth/discord-oauth';
import {
  createSessionService,
  hashSecret,
  openTokens,
  pkceVerifier,
  sealTokens,
  SIGN_IN_TTL_MS,
  type SessionService,
} from '../../src/auth/sessions';
import { queries } from '../../src/db/sql';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

const NOW = Date.UTC(2026, 10, 25, 12);
const HOUR = 3_600_000;
const tokens: DiscordTokens = {
  accessToken: 'access-AAAA1111',
  refreshToken: 'refresh-BBBB2222',
  expiresAt: NOW + 7 * 24 * HOUR,
  scopes: ['identify', 'guilds'],
};
const user = { id: '300000000000000003', name: 'Alice', avatar: null };
const guild = { id: '100000000000000001', name: 'Guild A', icon: null, access: 'manage' as const, checkedAt: NOW };

describe.each(testEngines())('dashboard sessions on %s', (engine) => {
  let t: TestDatabase;
  let sessions: SessionService;
  beforeAll(async () => {
    t = await openTestDatabase(engine, 'sessions');
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(async () => {
    for (const table of ['dashboard_session_guilds', 'dashboard_sessions', 'dashboard_sign_ins'])
      await queries(t.db).run(`DELETE FROM ${table}`);
    sessions = createSessionService(t.db, { idleMs: 24 * HOUR, maxMs: 7 * 24 * HOUR });
  });

  const tableText = async (table: string) => JSON.stringify(await queries(t.db).all(`SELECT * FROM ${table}`));

  it('stores only the hash of the session id, and the Discord tokens sealed with the id', async () => {
    const session = await sessions.start({ user, tokens, guilds: [guild] }, NOW);
    expect(session.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await tableText('dashboard_sessions');
    expect(stored).not.toContain(session.id);
    expect(stored).toContain(hashSecret(session.id));
    expect(stored).not.toContain(tokens.accessToken);
    expect(stored).not.toContain(tokens.refreshToken);

    const opened = await sessions.open(session.id, NOW + 1000);
    expect(opened?.user).toEqual(user);
    expect([...opened!.guilds.keys()]).toEqual([guild.id]);
    expect(sessions.discordTokens(opened!)).toEqual(tokens);
    // Another id cannot open the sealed tokens, and altered text is refused.
    expect(openTokens('x'.repeat(43), opened!.sealedTokens)).toBeNull();
    expect(openTokens(session.id, `${opened!.sealedTokens.slice(0, -2)}AA`)).toBeNull();
    expect(openTokens(session.id, sealTokens(session.id, tokens))).toEqual(tokens);
  });

  it('refuses malformed, unknown, idle and expired sessions, and deletes what expired', async () => {
    expect(await sessions.open('', NOW)).toBeNull();
    expect(await sessions.open('not a session', NOW)).toBeNull();
    expect(await sessions.open('A'.repeat(43), NOW)).toBeNull();

    const idle = await sessions.start({ user, tokens, guilds: [] }, NOW);
    expect(await sessions.open(idle.id, NOW + 23 * HOUR)).not.toBeNull();
    // Used at +23 h, so idle only from then on.
    expect(await sessions.open(idle.id, NOW + 46 * HOUR)).not.toBeNull();
    expect(await sessions.open(idle.id, NOW + 46 * HOUR + 24 * HOUR)).toBeNull();
    expect(await sessions.open(idle.id, NOW + 46 * HOUR)).toBeNull();

    const busy = await sessions.start({ user, tokens, guilds: [guild] }, NOW);
    for (let t = NOW; t < NOW + 7 * 24 * HOUR; t += 12 * HOUR) expect(await sessions.open(busy.id, t)).not.toBeNull();
    expect(await sessions.open(busy.id, NOW + 7 * 24 * HOUR)).toBeNull();
    expect(await tableText('dashboard_sessions')).toBe('[]');
    expect(await tableText('dashboard_session_guilds')).toBe('[]');
  });

  it('binds the CSRF token to the session', async () => {
    const a = await sessions.start({ user, tokens, guilds: [] }, NOW);
    const b = await sessions.start({ user, tokens, guilds: [] }, NOW);
    const token = sessions.csrfToken(a);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token).not.toBe(a.id);
    expect(sessions.checkCsrf(a, token)).toBe(true);
    expect(sessions.checkCsrf(b, token)).toBe(false);
    expect(sessions.checkCsrf(a, undefined)).toBe(false);
    expect(sessions.checkCsrf(a, `${token}x`)).toBe(false);
  });

  it('takes a server away after a failed re-check, lowers or confirms it otherwise, and ends on logout', async () => {
    const other = { ...guild, id: '200000000000000002', name: 'Guild B' };
    const session = await sessions.start({ user, tokens, guilds: [guild, other] }, NOW);
    await sessions.recordCheck(session, guild.id, null, NOW + HOUR);
    await sessions.recordCheck(session, other.id, 'view', NOW + HOUR);
    const reopened = await sessions.open(session.id, NOW + HOUR);
    expect([...reopened!.guilds.values()].map((g) => [g.id, g.access, g.checkedAt])).toEqual([[other.id, 'view', NOW + HOUR]]);
    // A re-check never adds a server the session did not have.
    await sessions.recordCheck(reopened!, guild.id, 'manage', NOW + HOUR);
    expect([...(await sessions.open(session.id, NOW + HOUR))!.guilds.keys()]).toEqual([other.id]);
    await sessions.end(reopened!);
    expect(await sessions.open(session.id, NOW + HOUR)).toBeNull();
  });

  it('keeps refreshed tokens sealed, and replaces the servers from a fresh list', async () => {
    const session = await sessions.start({ user, tokens, guilds: [guild] }, NOW);
    const refreshed = { ...tokens, accessToken: 'access-CCCC3333', refreshToken: 'refresh-DDDD4444', expiresAt: NOW + 8 * 24 * HOUR };
    await sessions.storeDiscordTokens(session, refreshed);
    const other = { ...guild, id: '200000000000000002', name: 'Guild B', checkedAt: NOW + HOUR };
    expect(await sessions.replaceGuilds(session, [other], NOW + HOUR)).toBe(true);
    const reopened = await sessions.open(session.id, NOW + HOUR);
    expect(sessions.discordTokens(reopened!)).toEqual(refreshed);
    expect(reopened!.tokenExpiresAt).toBe(refreshed.expiresAt);
    expect([...reopened!.guilds.keys()]).toEqual([other.id]);
    expect(await tableText('dashboard_sessions')).not.toContain('CCCC3333');
  });

  it('finishes a sign-in once, only from the browser that started it, within ten minutes', async () => {
    const started = await sessions.beginSignIn({ purpose: 'sign-in', sessionHash: null, returnTo: '/' }, NOW);
    expect(started.codeVerifier).toBe(pkceVerifier(started.browserNonce, started.state));
    expect(started.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await tableText('dashboard_sign_ins');
    for (const secret of [started.state, started.browserNonce, started.codeVerifier]) expect(stored).not.toContain(secret);

    expect(await sessions.finishSignIn(started.state, started.browserNonce, NOW + 1000)).toEqual({
      purpose: 'sign-in',
      sessionHash: null,
      returnTo: '/',
      codeVerifier: started.codeVerifier,
    });
    expect(await sessions.finishSignIn(started.state, started.browserNonce, NOW + 2000)).toBeNull();

    const otherBrowser = await sessions.beginSignIn({ purpose: 'sign-in', sessionHash: null, returnTo: '/' }, NOW);
    expect(await sessions.finishSignIn(otherBrowser.state, started.browserNonce, NOW)).toBeNull();
    expect(await sessions.finishSignIn(otherBrowser.state, otherBrowser.browserNonce, NOW)).toBeNull();

    const late = await sessions.beginSignIn({ purpose: 'sign-in', sessionHash: null, returnTo: '/' }, NOW);
    expect(await sessions.finishSignIn(late.state, late.browserNonce, NOW + SIGN_IN_TTL_MS)).toBeNull();
    expect(await sessions.finishSignIn(late.state, undefined, NOW)).toBeNull();
  });
});
