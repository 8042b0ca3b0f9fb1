import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpServer } from '../../src/http/server';
import { bearer, GUILD_A, GUILD_B, startTestServer, TEST_NOW, tokenFor } from '../helpers/http-server';
import { clearTables } from '../helpers/clear-tables';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { recordMessage } from '../../src/capture/record-share';
import { createApiToken, revokeApiToken } from '../../src/auth/tokens';
import { InjectBrowser, PUBLIC_URL, startSignInWorld } from '../helpers/sign-in';

interface StreamEvent {
  event: string;
  data: { version: string; error?: string; status?: number };
}

/** Reads server-sent events from a fetch response into an array as they arrive. */
function collectEvents(response: Response): { events: StreamEvent[]; ended: () => boolean; stop: () => Promise<void> } {
  const events: StreamEvent[] = [];
  let ended = false;
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          ended = true;
          return;
        }
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) as { version: string } });
        }
      }
    } catch {
      // Cancelled by stop().
    }
  })();
  return {
    events,
    ended: () => ended,
    stop: async () => {
      await reader.cancel().catch(() => undefined);
      await pump;
    },
  };
}

async function shareIn(temp: TestDatabase, guildId: string, messageId: string, at: number): Promise<void> {
  await temp.db.transaction(async (tx) => {
    await recordMessage(
      tx,
      {
        guildId,
        channelId: '1',
        messageId,
        authorId: '2',
        authorName: 'viewer',
        authorIsBot: false,
        postedAt: at,
        content: `https://clips.twitch.tv/Clip${messageId}`,
        source: 'discord',
      },
      at,
    );
  });
}

// One database per engine for the file, emptied before each test.
describe.each(testEngines())('GET /analytics/api/events on %s', (engine) => {
  let temp: TestDatabase;
  let server: HttpServer | null = null;
  beforeAll(async () => {
    temp = await openTestDatabase(engine, 'http-events');
  });
  afterAll(() => temp?.close());
  beforeEach(() => clearTables(temp.db));
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('streams the guild’s version at once and a change when its data changes', async () => {
    ({ server } = await startTestServer(temp.db, { changeCheckMs: 20 }));
    const url = await server.listen('127.0.0.1', 0);
    const token = await tokenFor(temp.db, GUILD_A);
    const response = await fetch(`${url}/analytics/api/events`, { headers: bearer(token) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('content-security-policy')).toBeTruthy();
    const stream = collectEvents(response);
    await expect.poll(() => stream.events.length).toBe(1);
    expect(stream.events[0]?.event).toBe('version');
    const initial = stream.events[0]!.data.version;

    await shareIn(temp, GUILD_A, '9001', TEST_NOW + 10);
    await expect.poll(() => stream.events.length).toBe(2);
    expect(stream.events[1]).toMatchObject({ event: 'change' });
    expect(stream.events[1]!.data.version).not.toBe(initial);
    await stream.stop();
  });

  it('never tells guild A about guild B’s changes', async () => {
    ({ server } = await startTestServer(temp.db, { changeCheckMs: 20 }));
    const url = await server.listen('127.0.0.1', 0);
    const a = collectEvents(await fetch(`${url}/analytics/api/events`, { headers: bearer(await tokenFor(temp.db, GUILD_A)) }));
    const b = collectEvents(await fetch(`${url}/analytics/api/events`, { headers: bearer(await tokenFor(temp.db, GUILD_B)) }));
    await expect.poll(() => a.events.length + b.events.length).toBe(2);
    await shareIn(temp, GUILD_B, '9100', TEST_NOW + 10);
    await expect.poll(() => b.events.length).toBe(2);
    // A later change of A arrives as A's first change: nothing of B's slipped in before it.
    await shareIn(temp, GUILD_A, '9101', TEST_NOW + 20);
    await expect.poll(() => a.events.length).toBe(2);
    expect(b.events).toHaveLength(2);
    await a.stop();
    await b.stop();
  });

  it('limits how many streams one token may hold open', async () => {
    ({ server } = await startTestServer(temp.db, { maxStreamsPerToken: 1 }));
    const url = await server.listen('127.0.0.1', 0);
    const token = await tokenFor(temp.db, GUILD_A);
    const first = collectEvents(await fetch(`${url}/analytics/api/events`, { headers: bearer(token) }));
    await expect.poll(() => first.events.length).toBe(1);
    const second = await fetch(`${url}/analytics/api/events`, { headers: bearer(token) });
    expect(second.status).toBe(429);
    expect(await second.json()).toMatchObject({ error: 'too_many_streams' });
    await first.stop();
    // Once the first stream is gone, a new one is allowed again.
    await expect
      .poll(async () => {
        const res = await fetch(`${url}/analytics/api/events`, { headers: bearer(token) });
        await res.body?.cancel();
        return res.status;
      })
      .toBe(200);
  });

  it('ends an open stream with a "closed" event once its token is revoked', async () => {
    ({ server } = await startTestServer(temp.db, { streamRecheckMs: 20 }));
    const url = await server.listen('127.0.0.1', 0);
    const created = await createApiToken(temp.db, { guildId: GUILD_A }, TEST_NOW);
    const kept = await tokenFor(temp.db, GUILD_A, 'kept');
    const revoked = collectEvents(await fetch(`${url}/analytics/api/events`, { headers: bearer(created.token) }));
    const other = collectEvents(await fetch(`${url}/analytics/api/events`, { headers: bearer(kept) }));
    await expect.poll(() => revoked.events.length + other.events.length).toBe(2);

    expect(await revokeApiToken(temp.db, created.id, TEST_NOW + 1)).toBe('revoked');
    await expect.poll(() => revoked.ended()).toBe(true);
    expect(revoked.events.at(-1)).toMatchObject({ event: 'closed', data: { status: 401, error: 'invalid_token' } });
    // The other token's stream of the same guild stays open and keeps receiving changes.
    await shareIn(temp, GUILD_A, '9200', TEST_NOW + 10);
    await expect.poll(() => other.events.length).toBe(2);
    expect(other.ended()).toBe(false);
    await other.stop();
  });

  it('ends an open stream of a dashboard session once the person signs out', async () => {
    const world = await startSignInWorld(temp.db, { guildA: GUILD_A, guildB: GUILD_B, http: { streamRecheckMs: 20 } });
    try {
      const browser = new InjectBrowser(world.server);
      await browser.signIn(world, world.alice.id);
      const url = await world.server.listen('127.0.0.1', 0);
      const stream = collectEvents(
        await fetch(`${url}/analytics/api/events?guild=${GUILD_A}`, { headers: { cookie: browser.cookieHeader } }),
      );
      await expect.poll(() => stream.events.length).toBe(1);
      const { csrfToken } = (await browser.get('/auth/session')).json() as { csrfToken: string };
      const out = await browser.request('POST', '/auth/logout', { headers: { 'x-csrf-token': csrfToken, origin: PUBLIC_URL } });
      expect(out.statusCode).toBe(204);
      await expect.poll(() => stream.ended()).toBe(true);
      expect(stream.events.at(-1)).toMatchObject({ event: 'closed', data: { status: 401, error: 'session_ended' } });
    } finally {
      await world.stop();
    }
  });

  it('ends an open stream of a session whose Manage Server role was removed, once the bot re-checks it', async () => {
    const world = await startSignInWorld(temp.db, { guildA: GUILD_A, guildB: GUILD_B, http: { streamRecheckMs: 20 } });
    try {
      const browser = new InjectBrowser(world.server);
      await browser.signIn(world, world.alice.id);
      const url = await world.server.listen('127.0.0.1', 0);
      const stream = collectEvents(
        await fetch(`${url}/analytics/api/events?guild=${GUILD_A}`, { headers: { cookie: browser.cookieHeader } }),
      );
      await expect.poll(() => stream.events.length).toBe(1);
      const alice = world.guildA.members!.find((m) => m.user.id === world.alice.id)!;
      alice.roles = [];
      // Past the re-check interval, the stream's next check asks the bot, which no longer confirms the access.
      world.clock.advance(world.settings.recheckMs);
      await expect.poll(() => stream.ended()).toBe(true);
      expect(stream.events.at(-1)).toMatchObject({ event: 'closed', data: { status: 403, error: 'guild_forbidden' } });
    } finally {
      await world.stop();
    }
  });

  it('ends an open stream of a session that reached its maximum lifetime', async () => {
    const world = await startSignInWorld(temp.db, { guildA: GUILD_A, guildB: GUILD_B, http: { streamRecheckMs: 20 } });
    try {
      const browser = new InjectBrowser(world.server);
      await browser.signIn(world, world.alice.id);
      const url = await world.server.listen('127.0.0.1', 0);
      const stream = collectEvents(
        await fetch(`${url}/analytics/api/events?guild=${GUILD_A}`, { headers: { cookie: browser.cookieHeader } }),
      );
      await expect.poll(() => stream.events.length).toBe(1);
      world.clock.advance(world.settings.sessionMaxMs);
      await expect.poll(() => stream.ended()).toBe(true);
      expect(stream.events.at(-1)).toMatchObject({ event: 'closed', data: { status: 401, error: 'session_ended' } });
    } finally {
      await world.stop();
    }
  });

  it('answers HEAD at once with the stream’s headers and holds no stream slot', async () => {
    ({ server } = await startTestServer(temp.db, { maxStreamsPerToken: 1 }));
    const url = await server.listen('127.0.0.1', 0);
    const token = await tokenFor(temp.db, GUILD_A);
    for (let i = 0; i < 3; i++) {
      const head = await fetch(`${url}/analytics/api/events`, { method: 'HEAD', headers: bearer(token) });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toContain('text/event-stream');
      // The body is complete (empty): a hanging HEAD would never resolve this.
      expect(await head.text()).toBe('');
    }
    const stream = collectEvents(await fetch(`${url}/analytics/api/events`, { headers: bearer(token) }));
    await expect.poll(() => stream.events.length).toBe(1);
    await stream.stop();
  });
});
