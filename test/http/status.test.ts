// GET /analytics/api/status: the guild's clips still waiting for Twitch (they count as shares, not yet as clips), and
// whether this server looks them up at all.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordMessageNow } from '../../src/capture/record-now';
import { rememberGuildName } from '../../src/db/guild-settings';
import type { HttpServer } from '../../src/http/server';
import { GUILD_A, GUILD_B, seedCommunity } from '../fixtures/http-community';
import { bearer, startTestServer, TEST_NOW, tokenFor } from '../helpers/http-server';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import type { Db, Engine } from '../../src/db/database';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { mirrorTables, RAW_TABLES } from '../analytics/community-seed';

let temp: TempDb;
let server: HttpServer | undefined;
// PostgreSQL serves a copy of what the capture code wrote on SQLite.
let postgres: TestDatabase | undefined;

beforeAll(async () => {
  if (testEngines().includes('postgres')) postgres = await openTestDatabase('postgres', 'http-status');
});
afterAll(async () => {
  await postgres?.close();
});

async function dbOn(engine: Engine): Promise<Db> {
  if (engine === 'sqlite' || !postgres) return temp.db;
  await mirrorTables(temp.db, postgres.db, RAW_TABLES);
  return postgres.db;
}

function shareUnenriched(guildId: string, slug: string, messageId: string): void {
  recordMessageNow(
    temp.db,
    {
      guildId,
      channelId: '900',
      messageId,
      authorId: 'poster',
      authorName: 'poster',
      authorIsBot: false,
      postedAt: TEST_NOW - 1000,
      content: `https://clips.twitch.tv/${slug}`,
      source: 'discord',
    },
    TEST_NOW - 1000,
  );
}

/** A server icon hash as the gateway gives it. */
const ICON = '0123456789abcdef0123456789abcdef';

beforeEach(async () => {
  temp = createTempDb();
  seedCommunity(temp.db);
  await rememberGuildName(temp.db, GUILD_A, 'Clip Club', TEST_NOW, ICON);
  shareUnenriched(GUILD_A, 'WaitingOne', '9001');
  shareUnenriched(GUILD_A, 'WaitingTwo', '9002');
  shareUnenriched(GUILD_B, 'WaitingOfB', '9003');
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  temp.cleanup();
});

describe.each(testEngines())('GET /analytics/api/status on %s', (engine) => {
  it('counts the guild’s own clips waiting for Twitch and says enrichment is off and how to turn it on', async () => {
    const db = await dbOn(engine);
    ({ server } = await startTestServer(db));
    const res = await server.app.inject({ url: '/analytics/api/status', headers: bearer(await tokenFor(db, GUILD_A)) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      guild: { id: GUILD_A, name: 'Clip Club', icon_url: `https://cdn.discordapp.com/icons/${GUILD_A}/${ICON}.png?size=64` },
      enrichment: { pending: 2, failed: 0, not_found: 0 },
      twitch_enrichment: { configured: false, enable_with: ['TWITCH_CLIENT_ID', 'TWITCH_CLIENT_SECRET'] },
    });
  });

  it('says enrichment is on when the composition root says so', async () => {
    const db = await dbOn(engine);
    ({ server } = await startTestServer(db, { twitchEnrichment: true }));
    const res = await server.app.inject({ url: '/analytics/api/status', headers: bearer(await tokenFor(db, GUILD_B)) });
    expect(res.json()).toMatchObject({
      guild: { id: GUILD_B, name: null, icon_url: null },
      enrichment: { pending: 1 },
      twitch_enrichment: { configured: true },
    });
  });

  it('needs a token and takes no parameters', async () => {
    const db = await dbOn(engine);
    ({ server } = await startTestServer(db));
    expect((await server.app.inject({ url: '/analytics/api/status' })).statusCode).toBe(401);
    const res = await server.app.inject({ url: '/analytics/api/status?guild_id=1', headers: bearer(await tokenFor(db, GUILD_A)) });
    expect(res.statusCode).toBe(400);
  });
});
