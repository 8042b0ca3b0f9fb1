// The gateway identify throttle shared by every bot process and host through the database (docs/adr/0033): before each
// IDENTIFY, @discordjs/ws asks it; it takes the slot of the shard's rate-limit key once that key's last IDENTIFY is 5 s old.
import { setTimeout as sleep } from 'node:timers/promises';
import type { WebSocketOptions } from 'discord.js';
import type { Clock } from '../clock';
import { ClipscopeError } from '../errors';
import type { Logger } from '../logger';
import { IDENTIFY_INTERVAL_SECONDS } from './shard-plan';

/** What discord.js's `ws.buildIdentifyThrottler` option takes. */
export type BuildIdentifyThrottler = NonNullable<WebSocketOptions['buildIdentifyThrottler']>;

/** The shortest pause between two asks, so a clock that disagrees with the slot's never spins. */
const MIN_PAUSE_MS = 50;
/** Beyond the worst case of every shard of the key identifying first, what a slow database may add. */
const WAIT_MARGIN_MS = 30_000;

/** The slots as this throttle needs them; src/db/stores/identify-slots.ts's identifySlotStore() is the one in use. */
export interface IdentifySlots {
  /** Takes the key's slot if its last IDENTIFY is intervalMs old; otherwise says who took it and when. */
  take(r: {
    key: number;
    shardId: number;
    holder: string;
    now: number;
    intervalMs: number;
  }): Promise<{ taken: true } | { taken: false; slot: { shardId: number; holder: string; identifiedAt: number } | null }>;
  /** Moves the slot taken at takenAt to `at`, when the IDENTIFY went out; a slot taken by someone since stays. */
  stamp(r: { key: number; holder: string; takenAt: number; at: number }): Promise<void>;
}

export interface SharedIdentifyThrottleOptions {
  slots: IdentifySlots;
  logger: Logger;
  clock: Clock;
  /** This process's name in the slot (processHolderId()). */
  holder: string;
  /** Discord's interval between two identifies of one key (default 5 s); tests of the bound shorten it. */
  intervalMs?: number;
}

/** A shard waited longer than every shard of its key could have needed: the slot is stuck or the clocks disagree. */
export class IdentifyThrottleError extends ClipscopeError {
  constructor(message: string, detail: Record<string, unknown>) {
    super('identify_throttle', message, { detail });
  }
}

/**
 * A `ws.buildIdentifyThrottler` for discord.js: one shard of a key at a time in this process (in the order they ask,
 * like @discordjs/ws's own throttler), and across processes the key's slot in the database.
 */
export function sharedIdentifyThrottler(options: SharedIdentifyThrottleOptions): BuildIdentifyThrottler {
  const intervalMs = options.intervalMs ?? IDENTIFY_INTERVAL_SECONDS * 1000;
  const logger = options.logger.child({ service: 'discord' });
  return async (manager) => {
    const info = await manager.fetchGatewayInformation();
    const maxConcurrency = Math.max(1, info.session_start_limit.max_concurrency);
    const shardCount = await manager.getShardCount();
    // At worst every other shard of the key, on every host, identifies first.
    const maxWaitMs = Math.ceil(shardCount / maxConcurrency) * intervalMs + WAIT_MARGIN_MS;
    const queues = new Map<number, Promise<void>>();

    const takeSlot = async (shardId: number, key: number, signal: AbortSignal): Promise<void> => {
      const started = options.clock.now();
      const maxAsks = Math.ceil(maxWaitMs / MIN_PAUSE_MS) + 1;
      for (let ask = 0; ask < maxAsks; ask++) {
        signal.throwIfAborted();
        const now = options.clock.now();
        const answer = await options.slots.take({ key, shardId, holder: options.holder, now, intervalMs });
        if (answer.taken) {
          // The take's round trip delayed this IDENTIFY: its 5 s count from when it goes out (right after this
          // returns), or a slow take followed by a fast one would put two IDENTIFYs of the key less than 5 s apart.
          // Not awaited, so the IDENTIFY is not delayed further; the next taker is at least 5 s away.
          const at = options.clock.now();
          if (at > now) {
            options.slots
              .stamp({ key, holder: options.holder, takenAt: now, at })
              .catch((error: unknown) => logger.warn({ err: error, shardId, key }, 'discord: identify slot not re-stamped'));
          }
          if (ask > 0)
            logger.info(
              { shardId, key, waitedMs: now - started },
              `discord: shard ${shardId} identifies after waiting ${now - started} ms for its identify slot`,
            );
          return;
        }
        const slot = answer.slot;
        // A slot stamped ahead of this clock (another host's clock runs fast) waits one interval at most.
        const pauseMs = Math.max(MIN_PAUSE_MS, Math.min(intervalMs, (slot?.identifiedAt ?? now) + intervalMs - now));
        if (now + pauseMs - started > maxWaitMs) {
          throw new IdentifyThrottleError(
            `discord: shard ${shardId} waited ${now - started} ms for identify slot ${key} (max ${maxWaitMs} ms), last taken by ` +
              `${slot?.holder ?? 'nobody'}: check that every host's clock is in sync (NTP) and that only this bot's processes share the database`,
            { shardId, key, waitedMs: now - started, maxWaitMs },
          );
        }
        logger.info(
          { shardId, key, waitMs: pauseMs, slotShardId: slot?.shardId ?? null, slotHolder: slot?.holder ?? null },
          `discord: shard ${shardId} waits ${pauseMs} ms to identify: rate-limit key ${key} was used by shard ${slot?.shardId ?? '?'} ` +
            `(${slot?.holder === options.holder ? 'this process' : (slot?.holder ?? 'another process')}) less than ${intervalMs} ms ago`,
        );
        await sleep(pauseMs, undefined, { signal });
      }
      throw new IdentifyThrottleError(`discord: shard ${shardId} asked for identify slot ${key} ${maxAsks} times without getting it`, {
        shardId,
        key,
      });
    };

    return {
      async waitForIdentify(shardId: number, signal: AbortSignal): Promise<void> {
        const key = shardId % maxConcurrency;
        const before = queues.get(key) ?? Promise.resolve();
        let done!: () => void;
        const mine = new Promise<void>((resolve) => {
          done = resolve;
        });
        const queued = before.then(() => mine);
        queues.set(key, queued);
        try {
          await Promise.race([before, aborted(signal)]);
          await takeSlot(shardId, key, signal);
        } catch (error) {
          if (!signal.aborted) logger.error({ err: error, shardId, key }, 'discord: identify throttle failed; the shard retries');
          throw error;
        } finally {
          done();
          if (queues.get(key) === queued) queues.delete(key);
        }
      },
    };
  };
}

/** Rejects when the signal aborts (the shard closed while it waited its turn). */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
