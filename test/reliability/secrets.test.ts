// Secrets never leak: the whole app (bot, HTTP API in its worker thread, scheduler with Twitch enrichment) runs with
// a known Discord token, Twitch client secret and API tokens, at LOG_LEVEL=trace, through a full session — capture, an
// API token created with /clipscope-admin, dashboard sign-in, every endpoint, every CSV report, the SSE stream, a bad,
// an unknown and a revoked token, bad parameters, a Twitch token expiry (the secret is sent again) and a Twitch 5xx —
// and then every log line of every thread, every HTTP response (headers and body), every message the bot sent to
// Discord and the job_runs table are searched for the secrets and for their hashes. A second session does the same for
// Sign in with Discord: the OAuth2 client secret, people's Discord access and refresh tokens, session ids (and their
// hashes), codes and PKCE verifiers through sign-in, every API call with a session, settings changes, a Twitch link, a
// token refresh, refusals, Discord and bot failures and sign-out; the database at rest is searched too.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp, type App } from '../../src/app';
import { systemClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import {
  installFakeOAuth,
  member,
  message,
  OAuthPermissions,
  oauthGuild,
  snowflake,
  startFakeDiscord,
  textChannel,
  twitchConnection,
  user,
  type FakeDiscord,
  type RecordedRequest,
} from '../fakes/discord';
import { chatInput, Permissions, subcommand, subcommandGroup, options as optionsOf } from '../fakes/discord/interactions';
import { FakeHelix, useFakeHelixPort } from '../fakes/helix';
import { fakeBackedAppEnv } from './app-env';
import { ROOT } from './child-process';
import { sqliteClient } from '../../src/db/client';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The API paths, from the route files (a new route file is walked without editing this test). */
function apiPaths(): string[] {
  return fs
    .readdirSync(path.join(ROOT, 'src/http/routes'))
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'healthz.ts')
    .map((f) => `/analytics/api/${f === 'export-csv.ts' ? 'export.csv' : f.replace(/\.ts$/, '')}`)
    .sort();
}

function queriesFor(apiPath: string): string[] {
  const name = apiPath.replace('/analytics/api/', '');
  if (name === 'events' || name === 'status' || name === 'linked-accounts') return [''];
  if (name === 'export.csv')
    return ['top-creators', 'top-games', 'viral-clips'].map((r) => `report=${r}&period=week`).concat('report=timeline&period=day&days=30');
  if (name === 'engagement-timeline') return ['period=day&days=30'];
  if (name === 'compare') return ['period=week'];
  // The PDF report covers a calendar period (day, week or month), never all time.
  if (name === 'report') return ['period=month'];
  // No period: the guild's role rules and changes, one page and then the most a page holds.
  if (name === 'role-changes') return ['', 'limit=100'];
  return ['period=week', 'period=all_time'];
}

describe('secrets in logs, errors and responses', () => {
  let app: App | null = null;
  let discord: FakeDiscord | null = null;
  let helix: FakeHelix | null = null;
  let restoreEnv: (() => void) | null = null;
  let dir: string | null = null;
  afterEach(async () => {
    await app?.stop();
    await discord?.stop();
    await helix?.stop();
    restoreEnv?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('never writes the Discord token, the Twitch secret or tokens, or API tokens or their hashes, anywhere over a full session', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-secrets-'));
    const guildId = snowflake();
    const channel = textChannel({ guild_id: guildId, name: 'clips' });
    const admin = user({ username: 'admin' });
    const discordToken = `MTk4NjIyNDgzNDcxOTI1MjQ4.Secret.${randomBytes(18).toString('base64url')}`;
    discord = await startFakeDiscord({
      token: discordToken,
      guilds: [{ id: guildId, name: 'Secretive', channels: [channel], members: [member(admin)] }],
    });
    const twitchSecret = `twitchsecret${randomBytes(12).toString('hex')}`;
    helix = new FakeHelix({ clientSecret: twitchSecret });
    restoreEnv = useFakeHelixPort(await helix.start());

    const logText: string[] = [];
    const logger = createLogger({ level: 'trace', destination: { write: (line: string) => void logText.push(line) } });
    app = createApp({
      config: loadConfig({
        ...fakeBackedAppEnv(path.join(dir, 'clipscope.db'), discord, helix),
        LOG_LEVEL: 'trace',
        HTTP_CHANGE_CHECK_MS: '50',
      }),
      logger,
      clock: systemClock,
    });
    await app.start();
    const base = app.httpUrl!;

    // Capture, then enrichment through a Twitch token expiry (Twurple sends the client secret again) and a 5xx.
    for (let i = 0; i < 5; i++) {
      helix.addClip({ id: `SecretSessionClip${i}`, title: `Clip ${i}` });
      await discord.dispatch(
        'MESSAGE_CREATE',
        message({
          channel_id: channel.id,
          guild_id: guildId,
          author: admin,
          member: member(admin),
          content: `https://clips.twitch.tv/SecretSessionClip${i}`,
        }),
      );
    }
    await vi.waitFor(() => expect(sqliteClient(app!.db).prepare('SELECT count(*) AS n FROM shares').get()).toEqual({ n: 5 }), {
      timeout: 20_000,
    });
    expect(await app.scheduler.runNow('twitch-enrich')).toBe(true);
    helix.inject({ kind: 'revoke_token' }, 1);
    helix.inject({ kind: 'status', status: 503 }, 1);
    sqliteClient(app.db).prepare("UPDATE clips SET enrichment_state = 'pending', enrichment_next_attempt_at = 0").run();
    expect(await app.scheduler.runNow('twitch-enrich')).toBe(true);
    expect(await app.scheduler.runNow('aggregate-incremental')).toBe(true);
    expect(helix.tokensIssued).toBeGreaterThanOrEqual(2);

    // An admin creates API tokens with the slash command: the one place a token is shown, once, to that admin.
    const createToken = async (name: string): Promise<{ token: string; reply: RecordedRequest }> => {
      const interaction = chatInput({
        applicationId: discord!.applicationId,
        guildId,
        channel,
        user: admin,
        permissions: Permissions.manager,
        commandName: 'clipscope-admin',
        options: [subcommandGroup('token', subcommand('create', optionsOf({ name })))],
      });
      const interactionToken = String(interaction.token);
      await discord!.dispatch('INTERACTION_CREATE', interaction);
      await vi.waitFor(() => expect(discord!.requests.some((r) => r.path.includes(interactionToken))).toBe(true), { timeout: 10_000 });
      const reply = discord!.requests.find((r) => r.path.includes(interactionToken))!;
      const token = /```\n(\S+)\n```/.exec((reply.body as { data: { content: string } }).data.content)?.[1];
      expect(token, JSON.stringify(reply.body)).toMatch(/^\S{20,}$/);
      return { token: token!, reply };
    };
    const live = await createToken('dashboard');
    const revoked = await createToken('old overlay');

    // Discord refuses the reply that carries a new token (400): the error is logged, and must not carry the token.
    const refused = chatInput({
      applicationId: discord.applicationId,
      guildId,
      channel,
      user: admin,
      permissions: Permissions.manager,
      commandName: 'clipscope-admin',
      options: [subcommandGroup('token', subcommand('create', optionsOf({ name: 'refused' })))],
    });
    discord.route('POST', `/interactions/:interactionId/${String(refused.token)}/callback`, () => ({
      status: 400,
      body: { code: 50035, message: 'Invalid Form Body' },
    }));
    const linesBefore = logText.length;
    await discord.dispatch('INTERACTION_CREATE', refused);
    await vi.waitFor(
      () => expect(logText.slice(linesBefore).some((l) => /"level":(40|50)/.test(l) && /Invalid Form Body/.test(l))).toBe(true),
      { timeout: 10_000 },
    );
    const refusedToken = (
      sqliteClient(app.db).prepare("SELECT prefix FROM api_tokens WHERE name = 'refused'").get() as { prefix: string } | undefined
    )?.prefix;
    expect(refusedToken).toBeDefined();

    const responses: string[] = [];
    const call = async (url: string, init: RequestInit = {}): Promise<Response> => {
      const response = await fetch(`${base}${url}`, init);
      const text = url.includes('/events') && response.status === 200 ? '' : await response.text();
      // The label leaves out the query: one request puts a token there on purpose, and the label is ours, not the server's.
      responses.push(`${response.status} ${url.split('?')[0]}\n${headerText(response.headers)}\n\n${text}`);
      return response;
    };
    const auth = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } });

    // Sign-in as the dashboard does it, then every endpoint and CSV report.
    expect((await call('/')).status).toBe(200);
    expect((await call('/healthz')).status).toBe(200);
    expect((await call('/analytics/api/overview?period=week', auth(live.token))).status).toBe(200);
    const paths = apiPaths();
    expect(paths).toEqual(expect.arrayContaining(['/analytics/api/overview', '/analytics/api/export.csv', '/analytics/api/events']));
    for (const apiPath of paths.filter((p) => !p.endsWith('/events'))) {
      for (const query of queriesFor(apiPath)) {
        const response = await call(`${apiPath}?${query}`, auth(live.token));
        expect(response.status, `${apiPath}?${query}`).toBe(200);
      }
    }
    // The live-update stream: its first event, then the client goes away.
    const stream = new AbortController();
    const sse = await fetch(`${base}/analytics/api/events`, { ...auth(live.token), signal: stream.signal });
    expect(sse.status).toBe(200);
    const reader = sse.body!.getReader();
    let sseText = '';
    while (!/\n\n/.test(sseText)) {
      const chunk = await reader.read();
      if (chunk.done) break;
      sseText += new TextDecoder().decode(chunk.value);
    }
    expect(sseText).toMatch(/^event: version\n/m);
    responses.push(`SSE\n${headerText(sse.headers)}\n\n${sseText}`);
    stream.abort();

    // Bad tokens and bad requests: refused, and the refusal must not echo what was presented.
    const unknown = `cs_${randomBytes(24).toString('base64url')}`;
    const garbage = `not-a-token-${randomBytes(8).toString('hex')}`;
    expect((await call('/analytics/api/top-creators?period=week', auth(unknown))).status).toBe(401);
    expect((await call('/analytics/api/top-creators?period=week', auth(garbage))).status).toBe(401);
    expect(
      (
        await call('/analytics/api/top-creators?period=week', {
          headers: { authorization: `Basic ${Buffer.from(`x:${live.token}`).toString('base64')}` },
        })
      ).status,
    ).toBe(401);
    expect((await call(`/analytics/api/top-creators?period=week&token=${live.token}`)).status).toBeGreaterThanOrEqual(400);
    expect((await call('/analytics/api/top-creators?period=fortnight', auth(live.token))).status).toBe(400);
    expect((await call('/analytics/api/export.csv?report=passwords', auth(live.token))).status).toBe(400);
    expect((await call('/analytics/api/nothing-here', auth(live.token))).status).toBe(404);
    expect((await call('/analytics/api/top-creators?period=week', auth(revoked.token))).status).toBe(200);
    const revokedId = (
      sqliteClient(app.db).prepare('SELECT id FROM api_tokens WHERE token_hash = ?').get(sha256(revoked.token)) as { id: number }
    ).id;
    sqliteClient(app.db).prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ?').run(Date.now(), revokedId);
    expect((await call('/analytics/api/top-creators?period=week', auth(revoked.token))).status).toBe(401);
    expect((await call('/analytics/api/events', auth(revoked.token))).status).toBe(401);

    await app.stop();
    app = null;

    const apiTokens = [live.token, revoked.token, unknown, garbage];
    const secrets: [string, string][] = [
      ['Discord token', discordToken],
      ['Twitch client secret', twitchSecret],
      ...[...helix.tokens].map((t): [string, string] => ['Twitch app access token', t]),
      ...apiTokens.map((t): [string, string] => ['API token', t]),
      ...apiTokens.map((t): [string, string] => ['API token hash (prefix)', sha256(t).slice(0, 16)]),
      ["the refused reply's interaction token", String(refused.token)],
    ];
    expect(secrets.length).toBeGreaterThanOrEqual(12);

    const logs = logText.join('');
    // The worker thread's lines are in the same capture: the HTTP server logged its refusals and bad requests there.
    expect(logText.some((l) => /"component":"http"/.test(l))).toBe(true);
    expect(logText.length).toBeGreaterThan(30);
    const jobRuns = JSON.stringify(readJobRuns(path.join(dir, 'clipscope.db')));
    expect(jobRuns).toContain('twitch-enrich');
    // What the bot sent to Discord, minus the two ephemeral replies that show a new token to its admin (by design).
    const botSent = discord.requests
      .filter((r) => r !== live.reply && r !== revoked.reply)
      .map((r) => `${r.method} ${r.path} ${JSON.stringify(r.body ?? null)}`)
      .join('\n');
    const places: [string, string][] = [
      ['the log', logs],
      ['HTTP responses', responses.join('\n')],
      ['requests the bot sent to Discord', botSent],
      ['job_runs', jobRuns],
    ];
    // The token whose reply Discord refused was never seen by the test: no API-token-shaped string may be in the log.
    const tokenShaped = new RegExp(`${refusedToken!.replace(/[^\w]/g, '\\$&')}[\\w-]{8,}`);
    expect(tokenShaped.test(logs), 'a full API token in the log').toBe(false);
    const leaks = places.flatMap(([where, text]) =>
      secrets
        // The bot addresses its replies to the interaction token's URL: that is where it belongs.
        .filter(([what]) => !(where === 'requests the bot sent to Discord' && what.includes('interaction token')))
        .filter(([, secret]) => text.includes(secret))
        .map(([what]) => `${what} in ${where}`),
    );
    expect(leaks).toEqual([]);
    // The control: the token reply does carry its token, so the search would have found one that leaked.
    expect(JSON.stringify(live.reply.body)).toContain(live.token);
  }, 90_000);
});

describe('secrets of Sign in with Discord', () => {
  let app: App | null = null;
  let discord: FakeDiscord | null = null;
  let helix: FakeHelix | null = null;
  let restoreEnv: (() => void) | null = null;
  let dir: string | null = null;
  afterEach(async () => {
    await app?.stop();
    await discord?.stop();
    await helix?.stop();
    restoreEnv?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('never writes the client secret, Discord tokens, session ids, codes or verifiers anywhere over a whole signed-in session', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-signin-secrets-'));
    const guildId = snowflake();
    const clips = textChannel({ guild_id: guildId, name: 'clips' });
    const rules = textChannel({
      guild_id: guildId,
      name: 'rules',
      permission_overwrites: [{ id: guildId, type: 0, allow: '0', deny: (1n << 11n).toString() }],
    });
    const owner = user({ username: 'owner', global_name: 'Owner' });
    discord = await startFakeDiscord({ guilds: [{ id: guildId, name: 'Secretive', channels: [clips, rules], members: [member(owner)] }] });
    const publicUrl = 'http://clipscope.test';
    const clientSecret = `oauthsecret${randomBytes(16).toString('hex')}`;
    const oauth = installFakeOAuth(discord, {
      clientId: discord.applicationId,
      clientSecret,
      redirectUris: [`${publicUrl}/auth/discord/callback`],
    });
    oauth.account(owner, {
      guilds: [oauthGuild({ id: guildId, name: 'Secretive' }, { owner: true, permissions: OAuthPermissions.administrator })],
      connections: [twitchConnection({ id: '4242', name: 'owner_tv' })],
    });
    helix = new FakeHelix();
    restoreEnv = useFakeHelixPort(await helix.start());

    const logText: string[] = [];
    const logger = createLogger({ level: 'trace', destination: { write: (line: string) => void logText.push(line) } });
    app = createApp({
      config: loadConfig({
        ...fakeBackedAppEnv(path.join(dir, 'clipscope.db'), discord, helix),
        LOG_LEVEL: 'trace',
        DISCORD_APPLICATION_ID: discord.applicationId,
        DISCORD_CLIENT_SECRET: clientSecret,
        PUBLIC_URL: publicUrl,
      }),
      logger,
      clock: systemClock,
    });
    await app.start();
    const base = app.httpUrl!;
    expect(logText.some((l) => l.includes('Sign in with Discord enabled'))).toBe(true);

    // A browser over real HTTP: cookies kept by name; each response recorded without the Set-Cookie header that carries
    // the session id by design (those are checked on their own below).
    const cookies = new Map<string, string>();
    const responses: string[] = [];
    const setCookies: string[] = [];
    const call = async (url: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; text: string }> => {
      const headers = new Headers(init.headers);
      if (cookies.size > 0) headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
      const response = await fetch(`${base}${url}`, { ...init, headers, redirect: 'manual' });
      for (const line of response.headers.getSetCookie()) {
        setCookies.push(line);
        const [pair = ''] = line.split(';');
        const [name = '', value = ''] = pair.split('=');
        if (value === '') cookies.delete(name);
        else cookies.set(name, value);
      }
      const text = await response.text();
      const shown: string[] = [];
      response.headers.forEach((value, name) => {
        if (name !== 'set-cookie') shown.push(`${name}: ${value}`);
      });
      responses.push(`${response.status} ${url.split('?')[0]}\n${shown.join('\n')}\n\n${text}`);
      return { status: response.status, headers: response.headers, text };
    };
    /** Discord's side of a consent: the authorize page (the fake) sends the browser back to the callback. */
    const throughDiscord = async (start: { headers: Headers }): Promise<string> => {
      const back = new URL((await fetch(start.headers.get('location')!, { redirect: 'manual' })).headers.get('location')!);
      return `${back.pathname}${back.search}`;
    };
    const codes: string[] = [];
    const sessionIds: string[] = [];

    oauth.signInAs(owner.id);
    const callbackUrl = await throughDiscord(await call('/auth/discord'));
    codes.push(new URL(callbackUrl, base).searchParams.get('code')!);
    expect((await call(callbackUrl)).status).toBe(303);
    sessionIds.push(cookies.get('clipscope_session')!);
    const session = JSON.parse((await call('/auth/session')).text) as { csrfToken: string; guilds: { id: string }[] };
    expect(session.guilds.map((g) => g.id)).toEqual([guildId]);
    const csrfOnly = { 'x-csrf-token': session.csrfToken, origin: publicUrl };
    const csrf = { ...csrfOnly, 'content-type': 'application/json' };

    // Every API path with the session, the settings read and changed, a refused change, the live stream.
    for (const apiPath of apiPaths().filter((p) => !p.endsWith('/events'))) {
      for (const query of queriesFor(apiPath)) expect((await call(`${apiPath}?${query}&guild=${guildId}`)).status, apiPath).toBe(200);
    }
    expect((await call(`/dashboard/api/settings?guild=${guildId}`)).status).toBe(200);
    const patch = (body: unknown, headers: Record<string, string> = csrf) =>
      call(`/dashboard/api/settings?guild=${guildId}`, { method: 'PATCH', headers, body: JSON.stringify(body) });
    expect((await patch({ timezone: 'Europe/Berlin', digest: { channelId: clips.id } })).status).toBe(200);
    expect((await patch({ digest: { channelId: rules.id } })).status).toBe(400);
    expect((await patch({ timezone: 'UTC' }, { 'content-type': 'application/json' })).status).toBe(403);
    const stream = new AbortController();
    const sse = await fetch(`${base}/analytics/api/events?guild=${guildId}`, {
      headers: { cookie: `clipscope_session=${sessionIds[0]}` },
      signal: stream.signal,
    });
    expect(sse.status).toBe(200);
    stream.abort();

    // A Twitch link (a second grant replaces the first), then a refresh through an expired access token.
    const linkUrl = await throughDiscord(await call(`/auth/discord/link-twitch?next=${encodeURIComponent(`/?guild=${guildId}`)}`));
    codes.push(new URL(linkUrl, base).searchParams.get('code')!);
    expect((await call(linkUrl)).status).toBe(303);
    oauth.expireAccessTokens();
    expect((await call('/auth/refresh', { method: 'POST', headers: csrfOnly })).status).toBe(200);
    expect(oauth.tokenRequests.some((r) => r.grantType === 'refresh_token' && r.status === 200)).toBe(true);

    // Refusals and failures: a replayed callback, a forged cookie, another guild, Discord failing, the bot failing.
    expect((await call(callbackUrl)).status).toBe(400);
    const forged = `${'Q'.repeat(20)}${randomBytes(17).toString('base64url')}`.slice(0, 43);
    sessionIds.push(forged);
    const realCookie = cookies.get('clipscope_session')!;
    cookies.set('clipscope_session', forged);
    expect((await call(`/analytics/api/overview?guild=${guildId}`)).status).toBe(401);
    cookies.set('clipscope_session', realCookie);
    expect((await call(`/analytics/api/overview?guild=${snowflake()}`)).status).toBe(403);
    discord.route('GET', '/users/@me/guilds', () => ({ status: 502, body: { message: 'upstream', code: 0 } }), { authorization: 'own' });
    oauth.expireAccessTokens();
    expect((await call('/auth/refresh', { method: 'POST', headers: csrfOnly })).status).toBe(502);
    discord.route('GET', '/guilds/:g/members/:u', () => ({ status: 500, body: { message: 'boom', code: 0 } }));
    expect((await patch({ timezone: 'UTC' })).status).toBe(503);
    // Sign-out: without the token refused; with it, the grant is revoked even though Discord answers the first revoke badly.
    expect((await call('/auth/logout', { method: 'POST' })).status).toBe(403);
    let revokeFailures = 1;
    discord.route(
      'POST',
      '/oauth2/token/revoke',
      () => (revokeFailures-- > 0 ? { status: 503, body: { message: 'try later' } } : { body: {} }),
      { authorization: 'own' },
    );
    expect((await call('/auth/logout', { method: 'POST', headers: csrfOnly })).status).toBe(204);
    cookies.set('clipscope_session', realCookie);
    expect((await call(`/analytics/api/overview?guild=${guildId}`)).status).toBe(401);

    await app.stop();
    app = null;

    const dbFile = path.join(dir, 'clipscope.db');
    const verifiers = oauth.tokenRequests.length > 0 ? tokenFormValues(discord.requests, 'code_verifier') : [];
    expect(verifiers.length).toBe(2);
    const secrets: [string, string][] = [
      ['OAuth2 client secret', clientSecret],
      ...oauth.issuedTokens.map((t): [string, string] => ['Discord access or refresh token', t]),
      ...sessionIds.map((id): [string, string] => ['session id', id]),
      ...sessionIds.slice(0, 1).map((id): [string, string] => ['session id hash', sha256(id)]),
      ...codes.map((c): [string, string] => ['authorization code', c]),
      ...verifiers.map((v): [string, string] => ['PKCE verifier', v]),
    ];
    expect(oauth.issuedTokens.length).toBeGreaterThanOrEqual(6);
    const logs = logText.join('');
    expect(logs).toContain('signed in with Discord');
    expect(logs).toContain('could not revoke a Discord token on sign-out');
    expect(logs).toContain('sign-in check could not complete');
    const places: [string, string][] = [
      ['the log', logs],
      ['HTTP responses', responses.join('\n')],
      ['the database', databaseText(dbFile)],
    ];
    const leaks = places.flatMap(([where, text]) =>
      secrets
        // The database keys sessions by the hash of their id: that is where the hash belongs.
        .filter(([what]) => !(where === 'the database' && what === 'session id hash'))
        .filter(([, secret]) => text.includes(secret))
        .map(([what]) => `${what} in ${where}`),
    );
    expect(leaks).toEqual([]);
    // Set-Cookie carries the session id to its browser, and only that: no token, secret or code.
    const cookieText = setCookies.join('\n');
    expect(cookieText).toContain(sessionIds[0]);
    expect(secrets.filter(([what]) => what !== 'session id').filter(([, s]) => cookieText.includes(s))).toEqual([]);
    // The control: the database does keep the session's hash, so the search would have found a stored id.
    expect(databaseText(dbFile).length).toBeGreaterThan(1000);
  }, 90_000);
});

/** Every value of a form field the app sent to Discord's token endpoint. */
function tokenFormValues(requests: RecordedRequest[], field: string): string[] {
  return requests
    .filter((r) => r.method === 'POST' && r.path === '/oauth2/token' && typeof r.body === 'string')
    .map((r) => new URLSearchParams(r.body as string).get(field))
    .filter((v): v is string => v !== null);
}

/** Every row of every table, as text. */
function databaseText(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    return tables.map(({ name }) => `${name}: ${JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())}`).join('\n');
  } finally {
    db.close();
  }
}

function headerText(headers: Headers): string {
  const lines: string[] = [];
  headers.forEach((value, name) => lines.push(`${name}: ${value}`));
  return lines.join('\n');
}

function readJobRuns(file: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT * FROM job_runs').all();
  } finally {
    db.close();
  }
}
