// The shape of one gateway listener (one file per event in events/), and how the bot attaches it.
import type { ClientEvents } from 'discord.js';
import type { CaptureContext } from './capture-context';

export interface Listener<E extends keyof ClientEvents = keyof ClientEvents> {
  event: E;
  /** Handles one event; errors are caught and logged by the bot, never thrown into discord.js. */
  handle(ctx: CaptureContext, ...args: ClientEvents[E]): void | Promise<void>;
}

export function defineListener<E extends keyof ClientEvents>(listener: Listener<E>): Listener<E> {
  return listener;
}
