// The Discord bot service: logs in, captures clip shares and reactions through the listeners in events/,
// and on stop stops taking events, waits for what is in flight, commits it, then disconnects.
import type { Client } from 'discord.js';
import type { Service } from '../service';
import type { Clock } from '../clock';
import type { CaptureService } from '../capture/service';
import type { Logger } from '../logger';
import { createCaptureContext, type CaptureContext } from './capture-context';
import { createDiscordClient } from './client';
import { CAPTURE_LISTENERS } from './events/index';
import { attachInteractionListener, type InteractionHandler } from './events/interaction-create';
import { guardGatewayPackets } from './gateway-guard';

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
}

export interface DiscordBot extends Service {
  client: Client;
  /** Resolves when every event received so far has been committed to the database. */
  idle(): Promise<void>;
}

export function createDiscordBot(options: DiscordBotOptions): DiscordBot {
  const logger = options.logger.child({ service: 'discord' });
  const client = createDiscordClient({ apiBaseUrl: options.apiBaseUrl });
  const capture = options.capture;
  const ctx: CaptureContext = createCaptureContext({ capture, logger, clock: options.clock, client });
  const stopTimeoutMs = options.stopTimeoutMs ?? 15_000;
  let accepting = false;
  let stopping: Promise<void> | null = null;
  const detach: (() => void)[] = [];

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
    client.on('shardDisconnect', (event, shardId) => logger.warn({ code: event.code, shardId }, 'discord gateway disconnected'));
    client.on('shardResume', (shardId, replayed) => logger.info({ shardId, replayed }, 'discord gateway resumed'));
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
        await client.login(options.token);
      } catch (error) {
        await client.destroy().catch(() => undefined);
        throw new Error(loginFailureMessage(error), { cause: error });
      }
      logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'discord bot logged in; capturing clip links');
    },
    stop() {
      stopping ??= stopBot();
      return stopping;
    },
    async idle() {
      await ctx.order.idle();
      await capture.flush();
    },
  };

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
  const detail = error instanceof Error ? error.message : String(error);
  if (/disallowed intents/i.test(detail)) {
    return 'Discord refused the privileged Message Content intent: enable it in the Discord Developer Portal → your application → Bot → Privileged Gateway Intents, then restart';
  }
  if (/invalid token/i.test(detail)) {
    return 'Discord rejected DISCORD_TOKEN: copy the bot token again from the Discord Developer Portal → your application → Bot → Reset Token';
  }
  return `could not log in to Discord: ${detail}`;
}
