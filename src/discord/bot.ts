// The Discord bot service: logs in with the shards of its plan (shard-plan.ts), captures clip shares and reactions
// through the listeners in events/, reports a fatal gateway close (fatal-close.ts), and on stop stops taking events,
// waits for what is in flight, commits it, then disconnects.
import { DiscordAPIError, Status, type Client } from 'discord.js';
import type { Service } from '../service';
import type { Clock } from '../clock';
import type { CaptureService } from '../capture/service';
import { ClipscopeError } from '../errors';
import type { Logger } from '../logger';
import { createCaptureContext, type CaptureContext } from './capture-context';
import { createDiscordClient } from './client';
import { CAPTURE_LISTENERS } from './events/index';
import { attachInteractionListener, type InteractionHandler } from './events/interaction-create';
import { fetchGatewayBot } from './gateway-bot';
import { guardGatewayPackets } from './gateway-guard';
import { fatalClose, FatalCloseError, type FatalClose } from './fatal-close';
import type { BuildIdentifyThrottler } from './identify-throttle';
import {
  planShards,
  type ShardCountSetting,
  type ShardIdsSetting,
  type GatewayStatus,
  type ShardPlan,
  type ShardStatus,
} from './shard-plan';

export interface DiscordBotOptions {
  /** Where captured events go (createCaptureService); the bot stops it on stop(). */
  capture: CaptureService;
  logger: Logger;
  clock: Clock;
  token: string;
  apiBaseUrl: string;
  /** Slash commands, autocomplete and buttons (src/discord/interactions.ts); none = capture only. */
  onInteraction?: InteractionHandler;
  /** How long stop() waits for events still fetching a message before giving up on them. */
  stopTimeoutMs?: number;
  /** DISCORD_SHARD_COUNT and DISCORD_SHARD_IDS; default: Discord's recommended count, every shard. */
  shards?: { count: ShardCountSetting; ids: ShardIdsSetting };
  /**
   * The identify throttle shared by every bot process through the database (identify-throttle.ts); without it,
   * @discordjs/ws's own throttler paces this process's shards alone.
   */
  buildIdentifyThrottler?: BuildIdentifyThrottler;
  /**
   * Called once when Discord closes a shard for good after login (close codes 4004, 4010–4014: fatal-close.ts); the
   * entry point ends the process with status 1. A fatal close during login rejects start() instead.
   */
  onFatalClose?: (close: FatalClose) => void;
  /** Awaited just before the shards identify: a bot child waits there for its parent's word (bot-processes.ts). */
  beforeLogin?: () => Promise<void>;
}

export interface DiscordBot extends Service {
  client: Client;
  /** Resolves when every event received so far has been committed to the database. */
  idle(): Promise<void>;
  /** The shards decided at start (null before start): count, this process's ids, identify waves. */
  readonly plan: ShardPlan | null;
  /** Each shard of this process now: status, ping and guilds (for /healthz and the log). */
  shards(): ShardStatus[];
  /** The total shard count and this process's shards, for /healthz; null before start. */
  gatewayStatus(): GatewayStatus | null;
}

export function createDiscordBot(options: DiscordBotOptions): DiscordBot {
  const logger = options.logger.child({ service: 'discord' });
  const client = createDiscordClient({
    apiBaseUrl: options.apiBaseUrl,
    ...(options.buildIdentifyThrottler ? { buildIdentifyThrottler: options.buildIdentifyThrottler } : {}),
  });
  const capture = options.capture;
  const ctx: CaptureContext = createCaptureContext({ capture, logger, clock: options.clock, client });
  const stopTimeoutMs = options.stopTimeoutMs ?? 15_000;
  let accepting = false;
  let stopping: Promise<void> | null = null;
  let plan: ShardPlan | null = null;
  let loggedIn = false;
  /** The first fatal close seen; a later one (every shard may close at once) adds nothing. */
  let fatal: FatalClose | null = null;
  const detach: (() => void)[] = [];

  const shards = (): ShardStatus[] => {
    const guilds = new Map<number, number>();
    for (const guild of client.guilds.cache.values()) guilds.set(guild.shardId, (guilds.get(guild.shardId) ?? 0) + 1);
    return [...client.ws.shards.values()]
      .map((shard) => ({
        id: shard.id,
        status: statusName(shard.status),
        pingMs: shard.ping >= 0 ? Math.round(shard.ping) : null,
        guilds: guilds.get(shard.id) ?? 0,
      }))
      .sort((a, b) => a.id - b.id);
  };

  const attachListeners = (): void => {
    const guarded = guardGatewayPackets(client, (event, problem) => logger.warn({ event, problem }, 'gateway: malformed dispatch ignored'));
    if (!guarded) logger.warn('gateway: this discord.js has no packet handler to guard; malformed payloads may crash the client');
    for (const listener of CAPTURE_LISTENERS) {
      const handler = (...args: unknown[]): void => {
        if (!accepting) return;
        try {
          const result = (listener.handle as (c: CaptureContext, ...a: unknown[]) => unknown)(ctx, ...args);
          if (result instanceof Promise) {
            result.catch((error: unknown) => logger.error({ err: error, event: listener.event }, 'capture: event handling failed'));
          }
        } catch (error) {
          logger.error({ err: error, event: listener.event }, 'capture: event handling failed');
        }
      };
      client.on(listener.event, handler);
      detach.push(() => client.off(listener.event, handler));
    }
    if (options.onInteraction) detach.push(attachInteractionListener(client, options.onInteraction, () => accepting, logger));
    client.on('error', (error) => logger.error({ err: error }, 'discord client error'));
    client.on('warn', (message) => logger.warn({ detail: message }, 'discord client warning'));
    client.on('shardDisconnect', (event, shardId) => {
      logger.warn({ code: event.code, shardId }, 'discord gateway disconnected');
      const close = fatalClose(event.code, shardId);
      if (!close || fatal) return;
      fatal = close;
      // During login start() rejects with this line; afterwards the entry point is told and ends the process.
      if (!loggedIn) return;
      logger.fatal({ code: close.code, shardId }, close.message);
      options.onFatalClose?.(close);
    });
    client.on('shardResume', (shardId, replayed) => logger.info({ shardId, replayed }, 'discord gateway resumed'));
    client.on('shardReady', (shardId) => {
      const shard = shards().find((s) => s.id === shardId);
      logger.info({ shardId, guilds: shard?.guilds ?? 0, pingMs: shard?.pingMs ?? null }, 'discord shard ready');
    });
    client.on('shardReconnecting', (shardId) => {
      if (!stopping) logger.info({ shardId }, 'discord shard reconnecting');
    });
    client.on('debug', (message) => logger.trace({ detail: message }, 'discord debug'));
  };

  return {
    name: 'discord',
    client,
    async start() {
      // On PostgreSQL the capture settings are read into memory first, so the first events are judged by them.
      await capture.ready;
      attachListeners();
      accepting = true;
      try {
        // The shards are decided before any connects: Discord's recommendation and session start limit come first.
        client.rest.setToken(options.token);
        plan = planShards(options.shards ?? { count: 'auto', ids: 'all' }, await fetchGatewayBot(client.rest));
        logPlan(plan);
        // discord.js reads these when it connects; the identify throttler then starts them in max_concurrency buckets.
        client.options.shards = plan.shardIds;
        client.options.shardCount = plan.shardCount;
        await options.beforeLogin?.();
        await client.login(options.token);
      } catch (error) {
        await client.destroy().catch(() => undefined);
        const message = fatal?.message ?? loginFailureMessage(error);
        logger.fatal({ code: fatal?.code ?? null, shardId: fatal?.shardId ?? null }, message);
        if (fatal) throw new FatalCloseError(fatal, { cause: error });
        throw new Error(message, { cause: error });
      }
      loggedIn = true;
      logger.info(
        { user: client.user?.tag, guilds: client.guilds.cache.size, shards: shards() },
        'discord bot logged in; capturing clip links',
      );
    },
    stop() {
      stopping ??= stopBot();
      return stopping;
    },
    async idle() {
      await ctx.order.idle();
      await capture.flush();
    },
    get plan() {
      return plan;
    },
    shards,
    gatewayStatus: () => (plan ? { shardCount: plan.shardCount, shards: shards() } : null),
  };

  function logPlan(p: ShardPlan): void {
    const ids = p.shardIds.length === p.shardCount ? 'all' : p.shardIds.join(',');
    logger.info(
      {
        shardCount: p.shardCount,
        shardIds: p.shardIds,
        recommended: p.recommended,
        maxConcurrency: p.maxConcurrency,
        waves: p.waves.length,
      },
      `discord: starting ${p.shardIds.length} of ${p.shardCount} shards (${ids}) in ${p.waves.length} identify waves of at most ${p.maxConcurrency}`,
    );
    if (p.shardCount < p.recommended) {
      logger.warn(
        { shardCount: p.shardCount, recommended: p.recommended },
        "discord: DISCORD_SHARD_COUNT is below Discord's recommendation; Discord closes shards with 4011 once they serve more than 2,500 servers each",
      );
    }
  }

  async function stopBot(): Promise<void> {
    accepting = false;
    for (const off of detach.splice(0)) off();
    // Events that wait on a REST fetch still need the client; give them a bounded time to finish.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), stopTimeoutMs);
    });
    const waited = await Promise.race([ctx.order.idle().then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    if (waited === 'timeout') logger.warn({ inFlight: ctx.order.size }, 'discord: events still fetching at shutdown were dropped');
    await capture.stop();
    await client.destroy();
    logger.info('discord bot stopped; pending captures committed');
  }
}

/** What to do about a failed login, in one line (shown by `npm start` before it exits). */
export function loginFailureMessage(error: unknown): string {
  if (error instanceof ClipscopeError && error.userFacing) return error.message;
  const detail = error instanceof Error ? error.message : String(error);
  // GET /gateway/bot comes first now, so a bad token shows as its 401.
  if (error instanceof DiscordAPIError && error.status === 401) {
    return 'Discord rejected DISCORD_TOKEN: copy the bot token again from the Discord Developer Portal → your application → Bot → Reset Token';
  }
  if (/disallowed intents/i.test(detail)) {
    return 'Discord refused the privileged Message Content intent: enable it in the Discord Developer Portal → your application → Bot → Privileged Gateway Intents, then restart';
  }
  if (/invalid token/i.test(detail)) {
    return 'Discord rejected DISCORD_TOKEN: copy the bot token again from the Discord Developer Portal → your application → Bot → Reset Token';
  }
  return `could not log in to Discord: ${detail}`;
}

const STATUS_NAMES = new Map<number, string>(
  Object.entries(Status)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
    .map(([name, value]) => [value, name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()]),
);

/** discord.js's shard status as a word: ready, connecting, waiting_for_guilds… */
function statusName(status: Status): string {
  return STATUS_NAMES.get(status) ?? String(status);
}
