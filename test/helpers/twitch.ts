// Test wiring for the Twitch module: a started fake Helix, Twurple pointed at it through TWURPLE_MOCK_API_PORT,
// the production client built on top, a temporary database, and a way to capture shares like the bot does.
import { ManualClock } from '../../src/clock';
import { silentLogger, type Logger } from '../../src/logger';
import { createTwitchApi, type TwurpleTwitchApi } from '../../src/twitch/client';
import { createTwitchJobs } from '../../src/twitch/jobs';
import type { PacingOptions } from '../../src/twitch/pacing';
import type { Job } from '../../src/scheduler/scheduler';
import { FakeHelix, useFakeHelixPort, type FakeHelixOptions } from '../fakes/helix';
import { createTempDb, type TempDb } from './temp-db';
import { recordMessageNow } from '../../src/capture/record-now';
import { inBulkTransaction as inTransaction } from '../../src/db/bulk';

export interface TwitchHarness {
  helix: FakeHelix;
  twitch: TwurpleTwitchApi;
  temp: TempDb;
  clock: ManualClock;
  /** Records a Discord message sharing the given clip slugs, as the capture path does. */
  share(guildId: string, messageId: string, slugs: string[], postedAt?: number): void;
  close(): Promise<void>;
}

export const T0 = Date.parse('2024-06-01T12:00:00Z');

/** The service's scheduled Twitch jobs on this harness, with the default schedule and attempts. */
export function twitchJobsOn(harness: TwitchHarness, logger: Logger = silentLogger()): Job[] {
  return createTwitchJobs({
    db: harness.temp.db,
    clock: harness.clock,
    logger,
    twitch: harness.twitch,
    config: {
      ENRICH_INTERVAL_SECONDS: 60,
      ENRICH_MAX_ATTEMPTS: 3,
      REFRESH_YOUNG_MINUTES: 60,
      REFRESH_RECENT_MINUTES: 1440,
      REFRESH_OLD_MINUTES: 10_080,
      REFRESH_CRON: '0 * * * *',
      TWITCH_SYNC_CRON: '0 3 * * *',
    },
  });
}

export async function startTwitchHarness(
  options: {
    helix?: FakeHelixOptions;
    clientSecret?: string;
    retries?: number;
    requestTimeoutMs?: number;
    callTimeoutMs?: number;
    idsPerCall?: number;
    pacing?: Partial<PacingOptions> | false;
  } = {},
): Promise<TwitchHarness> {
  const helix = new FakeHelix(options.helix);
  const port = await helix.start();
  const restoreEnv = useFakeHelixPort(port);
  const twitch = createTwitchApi({
    clientId: helix.clientId,
    clientSecret: options.clientSecret ?? helix.clientSecret,
    logger: silentLogger(),
    // Short waits keep the suite fast; the shape of the backoff is what is under test.
    retry: { retries: options.retries ?? 3, baseDelayMs: 5, maxDelayMs: 20 },
    requestTimeoutMs: options.requestTimeoutMs ?? 5000,
    callTimeoutMs: options.callTimeoutMs,
    idsPerCall: options.idsPerCall,
    // The fake's bucket is known here: the pacer starts from what it holds rather than from an assumed-empty one.
    pacing:
      options.pacing === false
        ? false
        : {
            points: options.helix?.rateLimit?.points ?? 800,
            windowMs: options.helix?.rateLimit?.windowMs ?? 60_000,
            initialPoints: options.helix?.rateLimit?.startEmpty ? 0 : (options.helix?.rateLimit?.points ?? 800),
            ...options.pacing,
          },
  });
  const temp = createTempDb();
  const clock = new ManualClock(T0);
  return {
    helix,
    twitch,
    temp,
    clock,
    share(guildId, messageId, slugs, postedAt = clock.now()) {
      inTransaction(temp.db, () =>
        recordMessageNow(
          temp.db,
          {
            guildId,
            channelId: `${guildId}-general`,
            messageId,
            authorId: 'u1',
            authorName: 'sharer',
            authorIsBot: false,
            postedAt,
            content: slugs.map((s) => `look https://clips.twitch.tv/${s}`).join('\n'),
            source: 'discord',
          },
          clock.now(),
        ),
      );
    },
    async close() {
      temp.cleanup();
      await helix.stop();
      restoreEnv();
    },
  };
}
