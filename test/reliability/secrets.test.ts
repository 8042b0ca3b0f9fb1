// Secrets never leak: the whole app (bot, HTTP API in its worker thread, scheduler with Twitch enrichment) runs with
// a known Discord token, Twitch client secret and API tokens, at LOG_LEVEL=trace, through a full session — capture, an
// API token created with /clipscope-admin, dashboard sign-in, every endpoint, every CSV report, the SSE stream, a bad,
// an unknown and a revoked token, bad parameters, a Twitch token expiry (the secret is sent again) and a Twitch 5xx —
// and then every log line of every thread, every HTTP response (headers and body), every message the bot sent to
// Discord and the job_runs table are searched for the secrets and for their hashes.
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
import { member, message, snowflake, startFakeDiscord, textChannel, user, type FakeDiscord, type RecordedRequest } from '../fakes/discord';
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
