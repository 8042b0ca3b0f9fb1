// Composition root: config → db → Discord bot, Twitch enrichment, HTTP API, scheduler. Nothing else wires.
import { aggregateAll, aggregateAnalytics, formatAggregateSummary } from './analytics/aggregate';
import type { Clock } from './clock';
import type { Config } from './config';
import { closeDatabase, openDatabase, type Db } from './db/client';
import { DIGEST_CHECK_CRON, DIGEST_JOB_NAME, runDueDigests } from './digest/weekly';
import { createAnalyticsQueries } from './discord/analytics-queries';
import { createDiscordBot } from './discord/bot';
import { COMMANDS } from './discord/commands/index';
import type { BotContext } from './discord/context';
import { createDigestSender } from './discord/digest-sender';
import { createInteractionRouter } from './discord/interactions';
import { Pagination } from './discord/pagination';
import type { Logger } from './logger';
import { createScheduler, type Scheduler } from './scheduler/scheduler';

/** A long-running part of the app that starts after the database and stops before it closes. */
export interface Service {
  name: string;
  start(): Promise<void>;
  /** Stop taking work, flush what is pending. */
  stop(): Promise<void>;
}

export interface App {
  db: Db;
  scheduler: Scheduler;
  services: Service[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface AppDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
}

export function createApp({ config, logger, clock }: AppDeps): App {
  const db = openDatabase({ path: config.DATABASE_PATH });
  logger.info({ database: config.DATABASE_PATH }, 'database ready (migrations applied)');
  const services: Service[] = [];
  const scheduler = createScheduler({ db, logger, clock, timezone: config.TZ });

  if (config.DISCORD_TOKEN) {
    const analytics = createAnalyticsQueries(db);
    const commands: BotContext = {
      db,
      clock,
      logger: logger.child({ service: 'commands' }),
      analytics,
      pagination: new Pagination({ clock }),
      services: {
        aggregateGuild: async (guildId) => formatAggregateSummary(await aggregateAnalytics(db, { guildId }, { clock, logger })),
        // Wired by the parts that own them (src/twitch, src/http/tokens.ts, src/discord/backfill.ts) when present.
        twitch: null,
        createApiToken: null,
        backfill: null,
      },
    };
    const bot = createDiscordBot({
      db,
      logger,
      clock,
      token: config.DISCORD_TOKEN,
      apiBaseUrl: config.DISCORD_API_BASE_URL,
      batchMax: config.CAPTURE_BATCH_MAX,
      onInteraction: createInteractionRouter(commands, COMMANDS),
    });
    services.push(bot);
    if (config.DIGEST_ENABLED) {
      const sender = createDigestSender(bot.client);
      scheduler.add({
        name: DIGEST_JOB_NAME,
        cron: DIGEST_CHECK_CRON,
        run: async () => {
          const outcomes = await runDueDigests({ db, clock, logger, analytics, sender });
          const failed = outcomes.filter((o) => o.status === 'failed').length;
          return outcomes.length === 0 ? 'no digest due' : `${outcomes.length - failed} digests posted, ${failed} failed`;
        },
      });
    }
  } else {
    logger.warn('Discord bot disabled: set DISCORD_TOKEN to enable capture, slash commands and the weekly digest');
  }

  // Analytics summaries: a light incremental run every few minutes (only buckets touched since the last run) and a
  // nightly full rebuild that also repairs anything a missed dirty mark left behind. Answers are as fresh as the
  // incremental interval.
  scheduler.add({
    name: 'aggregate-incremental',
    cron: config.AGGREGATE_INCREMENTAL_CRON,
    run: async () => formatAggregateSummary(await aggregateAll(db, { clock, logger })),
  });
  scheduler.add({
    name: 'aggregate-full',
    cron: config.AGGREGATE_CRON,
    run: async () => formatAggregateSummary(await aggregateAll(db, { clock, logger }, { full: true })),
  });

  // Scheduled jobs start last, once every service they may use is up.
  services.push({
    name: 'scheduler',
    start: async () => scheduler.start(),
    stop: () => scheduler.stop(),
  });

  let stopped = false;
  return {
    db,
    scheduler,
    services,
    async start() {
      for (const service of services) {
        await service.start();
        logger.info({ service: service.name }, 'service started');
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      // Reverse order: presentation first, then writers, so pending writes are flushed before the database closes.
      for (const service of [...services].reverse()) {
        try {
          await service.stop();
        } catch (error) {
          logger.error({ err: error, service: service.name }, 'service failed to stop cleanly');
        }
      }
      closeDatabase(db);
      logger.info('stopped');
    },
  };
}
