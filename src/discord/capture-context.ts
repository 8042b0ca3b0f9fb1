// What every capture listener shares: the capture service (writes, settings), the per-message ordering, and the
// memory of which messages are known to hold no clip link (so reactions on them never cause a fetch).
import type { Client } from 'discord.js';
import type { Clock } from '../clock';
import type { CaptureService, CaptureSettings } from '../capture/service';
import type { Logger } from '../logger';
import { LruSet } from './lru-set';
import { MessageOrder } from './message-order';

/** Message ids remembered as "no clip link here"; beyond this the oldest are forgotten (and refetched if needed). */
export const NO_CLIP_MEMORY = 50_000;
/** Message ids remembered as "has a clip link" while their shares may still be waiting in the queue. */
export const CLIP_MEMORY = 10_000;

export interface CaptureContext {
  capture: CaptureService;
  logger: Logger;
  clock: Clock;
  client: Client;
  order: MessageOrder;
  noClipMessages: LruSet<string>;
  clipMessages: LruSet<string>;
  /** Fetches of uncached messages in progress, so concurrent reactions share one request. */
  fetches: Map<string, Promise<unknown>>;
}

export function createCaptureContext(deps: { capture: CaptureService; logger: Logger; clock: Clock; client: Client }): CaptureContext {
  return {
    ...deps,
    order: new MessageOrder(),
    noClipMessages: new LruSet(NO_CLIP_MEMORY),
    clipMessages: new LruSet(CLIP_MEMORY),
    fetches: new Map(),
  };
}

/** Where a message counts: a thread's or forum post's messages count for its parent channel. */
export interface MessagePlace {
  guildId: string;
  channelId: string;
  threadId: string | null;
}

export function placeOf(message: { guildId: string | null; channelId: string; client: Client }): MessagePlace | null {
  if (!message.guildId) return null;
  const channel = message.client.channels.cache.get(message.channelId);
  if (channel?.isThread()) {
    return { guildId: message.guildId, channelId: channel.parentId ?? channel.id, threadId: channel.id };
  }
  return { guildId: message.guildId, channelId: message.channelId, threadId: null };
}

export type { CaptureSettings };

/** Whether the guild's capture allow-list (empty = everything) lets this place in. */
export function channelAllowed(settings: CaptureSettings, place: MessagePlace): boolean {
  const allowed = settings.captureChannelIds;
  if (allowed.length === 0) return true;
  return allowed.includes(place.channelId) || (place.threadId !== null && allowed.includes(place.threadId));
}

/** Whether messages (or reactions) by this author are captured: never the bot itself, other bots on opt-in. */
export function authorAllowed(ctx: CaptureContext, settings: CaptureSettings, author: { id: string; bot?: boolean | null }): boolean {
  if (author.id === ctx.client.user?.id) return false;
  if (author.bot === true && !settings.includeBots) return false;
  return true;
}

/** Read on every event, so that a change made by a command applies to the very next message. */
export function settingsOf(ctx: CaptureContext, guildId: string): CaptureSettings {
  return ctx.capture.settingsNow(guildId);
}
