// The settings of a whole app wired to the loopback fakes (Discord gateway + REST, Helix + OAuth) with the HTTP API
// on a free port and every scheduled job parked, so a test drives each job itself.
import type { FakeDiscord } from '../fakes/discord';
import type { FakeHelix } from '../fakes/helix';

/** A cron expression that does not fire during a test run (midnight on 1 January). */
export const NEVER = '0 0 1 1 *';

export function fakeBackedAppEnv(databasePath: string, discord: FakeDiscord, helix: FakeHelix): Record<string, string> {
  return {
    DATABASE_PATH: databasePath,
    DISCORD_TOKEN: discord.token,
    DISCORD_API_BASE_URL: discord.apiBaseUrl,
    TWITCH_CLIENT_ID: helix.clientId,
    TWITCH_CLIENT_SECRET: helix.clientSecret,
    TWURPLE_MOCK_API_PORT: String(helix.port),
    ENRICH_INTERVAL_SECONDS: '86400',
    REFRESH_CRON: NEVER,
    TWITCH_SYNC_CRON: NEVER,
    AGGREGATE_CRON: NEVER,
    AGGREGATE_INCREMENTAL_CRON: NEVER,
    DIGEST_ENABLED: 'false',
    HTTP_ENABLED: 'true',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
  };
}
