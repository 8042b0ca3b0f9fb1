// Builds the real HTTP server on a temporary database for tests; callers close it in afterEach.
import type { Analytics } from '../../src/analytics/service';
import { ManualClock } from '../../src/clock';
import { createHttpServer, type HttpOptions, type HttpServer } from '../../src/http/server';
import type { SignInDeps } from '../../src/http/sign-in';
import { httpServices } from '../../src/http/services';
import { createApiToken } from '../../src/auth/tokens';
import { silentLogger } from '../../src/logger';
import type { Db } from '../../src/db/client';

/** 2026-11-25T12:00:00Z, a Wednesday. */
export const TEST_NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

export const GUILD_A = '100000000000000001';
export const GUILD_B = '200000000000000002';

export async function startTestServer(
  db: Db,
  options: Partial<HttpOptions> = {},
  clock = new ManualClock(TEST_NOW),
  extra: { signIn?: SignInDeps | null; reads?: Analytics | null } = {},
): Promise<{ server: HttpServer; clock: ManualClock }> {
  const server = await createHttpServer({
    ...httpServices(db),
    signIn: extra.signIn ?? null,
    reads: extra.reads ?? null,
    clock,
    logger: silentLogger(),
    options: {
      corsOrigins: [],
      rateLimitPerMinute: 10_000,
      rateLimitPerIpPerMinute: 10_000,
      cacheSeconds: 60,
      changeCheckMs: 0,
      trustProxy: false,
      ...options,
    },
  });
  return { server, clock };
}

export async function tokenFor(db: Db, guildId: string, name = 'test'): Promise<string> {
  return (await createApiToken(db, { guildId, name }, TEST_NOW)).token;
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
