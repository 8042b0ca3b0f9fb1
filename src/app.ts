// Composition root: config → db → Discord bot, Twitch enrichment, HTTP API, scheduler. Nothing else wires.
// Over 400 lines: the one place that wires every part, so the order of startup and shutdown reads top to bottom.
import { createCaptureService } from './capture/service';
import { aggregateAll, formatAggregateSummary } from './analytics/aggregate';
import { createAnalytics } from './analytics/service';
import type { Clock } from './clock';
import { PROCESS_ROLES, signInSettings, type Config } from './config';
import { describeDatabase, poolSizes } from './database-engine';
import { openDatabase } from './db/client';
import type { Db } from './db/database';
import { closeDb, databaseTarget } from './db/open';
import { guildSettingsStore } from './db/guild-settings';
import { digestStore } from './db/stores/digests';
import { reportEmailStore } from './db/stores/report-emails';
import { reportStore } from './db/stores/reports';
import { DIGEST_JOB_NAME, runDueDigests } from './digest/weekly';
import { REPORT_EMAIL_CHECK_CRON, REPORT_EMAIL_JOB_NAME, runDueReportEmails } from './reports/email';
import { REPORT_CHECK_CRON, REPORT_JOB_NAME, runDueReports } from './reports/monthly';
import { createAdminServices } from './discord/admin-services';
import { createDiscordBot } from './discord/bot';
import { sharedIdentifyThrottler } from './discord/identify-throttle';
import { identifySlotStore } from './db/stores/identify-slots';
import type { BotProcesses } from './discord/bot-processes';
import type { FatalClose } from './discord/fatal-close';
import type { GatewayStatus } from './discord/shard-plan';
import { createBotView } from './discord/bot-view';
import type { BridgedBot } from './http/bot-bridge';
import { COMMANDS } from './discord/commands/index';
import type { BotContext } from './discord/context';
import { createDigestSender } from './discord/digest-sender';
import { createReportSender } from './discord/report-sender';
import { createFeedSender } from './discord/feed-sender';
import { createFeedJob } from './feed/job';
import { createHallOfFameSender } from './discord/hall-of-fame-sender';
import { createHallOfFameJob } from './hall-of-fame/job';
import { createRoleSender } from './discord/role-sender';
import { createRestBotView } from './discord/rest/bot-view';
import { createDiscordRest } from './discord/rest/discord-rest';
import { createRestDigestSender } from './discord/rest/digest-sender';
import { createRestFeedSender, createRestHallOfFameSender, createRestReportSender, createRestRoleSender } from './discord/rest/senders';
import type { DigestSender } from './digest/weekly';
import type { FeedSender } from './feed/sender';
import type { HallOfFameSender } from './hall-of-fame/sender';
import type { ReportSender } from './reports/monthly';
import type { RoleSender } from './roles/sender';
import { createRolesRunner, formatRolesSummary, type RolesRunner } from './roles/job';
import { createInteractionRouter } from './discord/interactions';
import { Pagination } from './discord/pagination';
import { startHttpWorker, type HttpWorker } from './http/worker-thread';
import type { Logger } from './logger';
import { createExclusive } from './scheduler/exclusive';
import { createScheduler, processHolderId, type Scheduler } from './scheduler/scheduler';
import type { TwitchApi } from './twitch/client';
import { createTwitchJobs } from './twitch/jobs';
import { createSharedTwitchApi } from './twitch/shared-budget';
import type { Service } from './service';

export type { Service };

export interface App {
  db: Db;
  scheduler: Scheduler;
  services: Service[];
  /** The Twitch client, or null when TWITCH_CLIENT_ID/SECRET are not set (clips then stay pending). */
  twitch: TwitchApi | null;
  /** The HTTP API's base URL once started (the actual port when HTTP_PORT=0), or null when it is off or stopped. */
  readonly httpUrl: string | null;
  /** The shards of the bot run in this process now (a bot child answers its parent with it); null without a bot here. */
  gatewayStatus(): GatewayStatus | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface AppDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  /**
   * The configured database, opened and migrated by the entry point (openDb of src/db/open.ts, either engine); the
   * app closes it on stop. Without it the app opens the SQLite file at DATABASE_PATH itself (tests, the demo).
   */
  db?: Db;
  /**
   * Called once when Discord closes a gateway shard for good after login (src/discord/fatal-close.ts): the entry point
   * stops the app and exits with status 1. Without it the bot only logs the fatal line.
   */
  onFatalClose?: (close: FatalClose) => void;
  /**
   * DISCORD_PROCESSES > 1: the bot role runs in these child processes instead of here (src/discord/bot-processes.ts);
   * this process supervises them and shows their shards in /healthz.
   */
  botProcesses?: BotProcesses;
  /** Awaited by the bot just before its shards identify (a bot child waits for its turn there). */
  beforeLogin?: () => Promise<void>;
}

export function createApp({ config, logger, clock, db: opened, onFatalClose, botProcesses, beforeLogin }: AppDeps): App {
  if (!opened && config.DATABASE_URL)
    throw new Error('createApp: open the PostgreSQL database with openDb (src/db/open.ts) and pass it as db');
  const db = opened ?? openDatabase({ path: config.DATABASE_PATH, cacheMb: config.DATABASE_CACHE_MB });
  const database = describeDatabase(config);
  logger.info({ engine: database.engine, database: database.database }, `${database.line} (migrations applied)`);
  const services: Service[] = [];
  // ROLES picks the parts this process runs (docs/operations.md#process-roles); every process shares the database.
  const roles = new Set(config.ROLES);
  const runs = { bot: roles.has('bot'), http: roles.has('http'), jobs: roles.has('jobs') };
  logger.info(
    { roles: config.ROLES },
    `roles: ${config.ROLES.join(', ')}${config.ROLES.length < PROCESS_ROLES.length ? ` (not ${PROCESS_ROLES.filter((r) => !roles.has(r)).join(', ')})` : ''}`,
  );
  // Every process with the jobs role schedules the same jobs; each tick runs in the one that takes the job's lease.
  const scheduler = createScheduler({ db, logger, clock, timezone: config.TZ, leaseMs: config.JOB_LEASE_SECONDS * 1000 });
  // One aggregation at a time, whoever starts it: the two scheduled jobs and /clipscope-admin aggregate.
  const aggregation = createExclusive();

  let twitch: TwitchApi | null = null;
  if (config.TWITCH_CLIENT_ID && config.TWITCH_CLIENT_SECRET) {
    // Every process of this client id spends Helix's one bucket through the database (ADR 0034).
    twitch = createSharedTwitchApi({
      clientId: config.TWITCH_CLIENT_ID,
      clientSecret: config.TWITCH_CLIENT_SECRET,
      logger,
      idsPerCall: config.TWITCH_IDS_PER_CALL,
      db,
      clock,
    });
    for (const job of createTwitchJobs({ db, clock, logger, twitch, config })) scheduler.add(job);
    if (runs.jobs)
      logger.info(
        { enrichEverySeconds: config.ENRICH_INTERVAL_SECONDS, mockApiPort: config.TWURPLE_MOCK_API_PORT ?? null },
        config.TWURPLE_MOCK_API_PORT ? 'Twitch enrichment enabled, against the mock API' : 'Twitch enrichment enabled',
      );
  } else if (runs.jobs) {
    const missing = ['TWITCH_CLIENT_ID', 'TWITCH_CLIENT_SECRET'].filter((k) => !config[k as 'TWITCH_CLIENT_ID']);
    logger.warn(
      { missing },
      'Twitch enrichment and the clip feed disabled: set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET to enable; captured clips stay pending until then',
    );
  }

  /** What the HTTP worker asks of the bot (Sign in with Discord, /healthz's shards); null without DISCORD_TOKEN. */
  let botView: BridgedBot | null = null;
  /** Clipper roles (docs/roles.md), applied after each incremental aggregation; null without DISCORD_TOKEN. */
  let clipperRoles: RolesRunner | null = null;
  /** This process's own bot shards, for a parent asking over IPC. */
  let localGateway: (() => GatewayStatus | null) | null = null;
  /** What the jobs that post to Discord are given: the gateway client's senders, or REST's where there is none. */
  interface DiscordSenders {
    digest: DigestSender;
    feed: FeedSender;
    hallOfFame: HallOfFameSender;
    report: ReportSender;
    roles: RoleSender;
  }
  let senders: DiscordSenders | null = null;
  if (config.DISCORD_TOKEN && runs.bot && !botProcesses) {
    const analytics = createAnalytics(db);
    const settings = guildSettingsStore(db);
    const digests = digestStore(db);
    const commands: BotContext = {
      settings,
      digests,
      databaseLocation: db.location,
      clock,
      logger: logger.child({ service: 'commands' }),
      analytics,
      pagination: new Pagination({ clock }),
      services: createAdminServices({
        db,
        clock,
        logger,
        twitch,
        discord: { token: config.DISCORD_TOKEN, apiBaseUrl: config.DISCORD_API_BASE_URL },
        aggregation,
      }),
    };
    const bot = createDiscordBot({
      capture: createCaptureService(db, { logger: logger.child({ service: 'discord' }), clock, batchMax: config.CAPTURE_BATCH_MAX }),
      logger,
      clock,
      token: config.DISCORD_TOKEN,
      apiBaseUrl: config.DISCORD_API_BASE_URL,
      onInteraction: createInteractionRouter(commands, COMMANDS),
      shards: { count: config.DISCORD_SHARD_COUNT, ids: config.DISCORD_SHARD_IDS },
      // Every bot process of every host paces its IDENTIFYs through the database: Discord's limit is per bot.
      buildIdentifyThrottler: sharedIdentifyThrottler({ slots: identifySlotStore(db), logger, clock, holder: processHolderId() }),
      ...(onFatalClose ? { onFatalClose } : {}),
      ...(beforeLogin ? { beforeLogin } : {}),
    });
    services.push(bot);
    localGateway = () => bot.gatewayStatus();
    botView = { ...createBotView(bot.client, settings), gatewayStatus: async () => bot.gatewayStatus() };
    // This process's client knows every guild it serves: its cache answers permission checks without a REST call.
    senders = {
      digest: createDigestSender(bot.client),
      feed: createFeedSender(bot.client),
      hallOfFame: createHallOfFameSender(bot.client),
      report: createReportSender(bot.client),
      roles: createRoleSender(bot.client),
    };
  } else if (config.DISCORD_TOKEN) {
    // No gateway client that knows every guild here (the DISCORD_PROCESSES > 1 parent, or ROLES without bot): the
    // jobs and sign-in checks ask Discord over REST (docs/adr/0037-jobs-and-sign-in-over-rest.md).
    const discord = createDiscordRest({ token: config.DISCORD_TOKEN, apiBaseUrl: config.DISCORD_API_BASE_URL, clock });
    const restView = createRestBotView(discord, guildSettingsStore(db));
    if (runs.bot && botProcesses) {
      services.push(botProcesses);
      botView = { ...restView, gatewayStatus: () => botProcesses.gatewayStatus() };
    } else {
      botView = restView;
    }
    senders = {
      digest: createRestDigestSender(discord),
      feed: createRestFeedSender(discord),
      hallOfFame: createRestHallOfFameSender(discord),
      report: createRestReportSender(discord),
      roles: createRestRoleSender(discord),
    };
    if (runs.jobs)
      logger.info(
        { processes: config.DISCORD_PROCESSES, bot: runs.bot },
        'the jobs that post to Discord (digest, clip feed, hall of fame, clipper roles, monthly report) run here over REST',
      );
  } else if (runs.bot || runs.jobs) {
    logger.warn(
      'Discord bot disabled: set DISCORD_TOKEN to enable capture, slash commands, the weekly digest, the clip feed and the hall of fame',
    );
  }

  if (senders) {
    const analytics = createAnalytics(db);
    const settings = guildSettingsStore(db);
    const digests = digestStore(db);
    if (config.DIGEST_ENABLED) {
      const sender = senders.digest;
      scheduler.add({
        name: DIGEST_JOB_NAME,
        cron: config.DIGEST_CHECK_CRON,
        run: async () => {
          const outcomes = await runDueDigests({ settings, digests, clock, logger, analytics, sender });
          const failed = outcomes.filter((o) => o.status === 'failed').length;
          return outcomes.length === 0 ? 'no digest due' : `${outcomes.length - failed} digests posted, ${failed} failed`;
        },
      });
    }
    // The clip feed (docs/feed.md) needs both ends: Twitch to poll and the bot to post.
    if (config.FEED_ENABLED && twitch) {
      scheduler.add(createFeedJob({ db, clock, logger, twitch, sender: senders.feed, helixCallsPerRun: config.FEED_HELIX_CALLS_PER_RUN }));
    }
    // The hall of fame (docs/hall-of-fame.md): off until a guild sets it up, so the pass costs one read until then.
    scheduler.add(createHallOfFameJob({ db, clock, logger, sender: senders.hallOfFame }));
    clipperRoles = createRolesRunner({
      db,
      clock,
      logger,
      sender: senders.roles,
      changesPerRun: config.ROLES_CHANGES_PER_RUN,
      changesPerMinute: config.ROLES_CHANGES_PER_MINUTE,
    });
    // The monthly report (docs/reports.md): off until a guild picks a channel; each month claimed before it is posted.
    const reportSender = senders.report;
    const reports = reportStore(db);
    scheduler.add({
      name: REPORT_JOB_NAME,
      cron: REPORT_CHECK_CRON,
      run: async () => {
        const outcomes = await runDueReports({ reports, settings, analytics, sender: reportSender, clock, logger });
        const failed = outcomes.filter((o) => o.result === 'failed').length;
        return outcomes.length === 0 ? 'no report due' : `${outcomes.length - failed} reports posted, ${failed} failed`;
      },
    });
  }

  // The monthly report by email (docs/reports.md): needs only SMTP, not the bot; each address's month claimed first.
  if (config.SMTP_URL && config.REPORT_FROM && runs.jobs) {
    const smtpUrl = config.SMTP_URL;
    const from = config.REPORT_FROM;
    const analytics = createAnalytics(db);
    const settings = guildSettingsStore(db);
    const emails = reportEmailStore(db);
    scheduler.add({
      name: REPORT_EMAIL_JOB_NAME,
      cron: REPORT_EMAIL_CHECK_CRON,
      run: async () => {
        // Loaded on first use, and one connection per check: the job runs a few minutes a month.
        const { createSmtpMailer } = await import('./reports/mailer');
        const mailer = createSmtpMailer(smtpUrl);
        try {
          const outcomes = await runDueReportEmails({ emails, settings, analytics, mailer, from, clock, logger });
          const failed = outcomes.filter((o) => o.result === 'failed').length;
          return outcomes.length === 0 ? 'no report email due' : `${outcomes.length - failed} report emails sent, ${failed} failed`;
        } finally {
          mailer.close();
        }
      },
    });
    logger.info({ smtpHost: new URL(smtpUrl).hostname }, 'Monthly report email enabled');
  } else if (runs.jobs) {
    logger.info('Monthly report email disabled: set SMTP_URL and REPORT_FROM to enable it');
  }

  // Analytics summaries: a light incremental run every few minutes (only buckets touched since the last run) and a
  // nightly full rebuild that also repairs anything a missed dirty mark left behind. Answers are as fresh as the
  // incremental interval.
  scheduler.add({
    name: 'aggregate-incremental',
    cron: config.AGGREGATE_INCREMENTAL_CRON,
    run: async () => {
      const summary = formatAggregateSummary(await aggregation.run(() => aggregateAll(db, { clock, logger })));
      // Clipper roles read what was just aggregated alongside; one run at a time, as this job never overlaps itself.
      return clipperRoles ? `${summary}; roles: ${formatRolesSummary(await clipperRoles.runOnce())}` : summary;
    },
  });
  scheduler.add({
    name: 'aggregate-full',
    cron: config.AGGREGATE_CRON,
    run: async () => formatAggregateSummary(await aggregation.run(() => aggregateAll(db, { clock, logger }, { full: true }))),
  });
  let http: HttpWorker | null = null;
  const signIn = signInSettings(config);
  const httpOn = config.HTTP_ENABLED && runs.http;
  if (httpOn && signIn.settings === null) {
    logger.info(
      { missing: signIn.missing },
      `Sign in with Discord disabled (the dashboard takes API tokens only): set ${signIn.missing.join(', ')} to enable it`,
    );
  } else if (httpOn && signIn.settings) {
    logger.info(
      { redirectUri: `${signIn.settings.publicUrl}/auth/discord/callback`, clientId: signIn.settings.clientId },
      'Sign in with Discord enabled (register the redirect URI on the Discord developer portal)',
    );
  }
  if (httpOn) {
    services.push({
      name: 'http',
      // Its own thread, database handle (a SQLite connection, or a PostgreSQL pool: docs/adr/0011) and event loop: a
      // gateway burst or an aggregation run here cannot starve API requests there. Nothing else crosses threads.
      start: async () => {
        http = await startHttpWorker(
          {
            database: databaseTarget(config),
            poolSize: poolSizes(config).http,
            logLevel: logger.level,
            host: config.HTTP_HOST,
            port: config.HTTP_PORT,
            options: {
              corsOrigins: config.HTTP_CORS_ORIGINS,
              rateLimitPerMinute: config.HTTP_RATE_LIMIT_PER_MINUTE,
              rateLimitPerIpPerMinute: config.HTTP_RATE_LIMIT_PER_IP_PER_MINUTE,
              cacheSeconds: config.HTTP_CACHE_SECONDS,
              cacheMaxBytes: config.HTTP_CACHE_MAX_MB * 1_048_576,
              querySecondsPerMinute: config.HTTP_QUERY_SECONDS_PER_MINUTE,
              readWorkers: config.HTTP_READ_WORKERS,
              queryTimeoutMs: config.HTTP_QUERY_TIMEOUT_SECONDS * 1000,
              changeCheckMs: config.HTTP_CHANGE_CHECK_MS,
              trustProxy: config.HTTP_TRUST_PROXY,
              twitchEnrichment: twitch !== null,
            },
            signIn: signIn.settings,
            twitch:
              config.TWITCH_CLIENT_ID && config.TWITCH_CLIENT_SECRET
                ? { clientId: config.TWITCH_CLIENT_ID, clientSecret: config.TWITCH_CLIENT_SECRET }
                : null,
          },
          { logger, botView },
        );
        const { url } = http;
        logger.info(
          { url },
          `dashboard at ${url}/ and API at ${url}/analytics/api/ (create a token: npx clipscope token create --guild ID)`,
        );
      },
      stop: async () => {
        await http?.stop();
        http = null;
      },
    });
  } else {
    logger.info(
      runs.http ? 'HTTP API and dashboard disabled (HTTP_ENABLED=false)' : 'HTTP API and dashboard not run here (ROLES has no http)',
    );
  }

  // Scheduled jobs start last, once every service they may use is up; only where ROLES has jobs.
  if (runs.jobs) {
    services.push({
      name: 'scheduler',
      start: async () => scheduler.start(),
      stop: () => scheduler.stop(),
    });
  }

  let stopped = false;
  return {
    db,
    scheduler,
    services,
    twitch,
    get httpUrl() {
      return http?.url ?? null;
    },
    gatewayStatus: () => localGateway?.() ?? null,
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
      await closeDb(db);
      logger.info('stopped');
    },
  };
}
