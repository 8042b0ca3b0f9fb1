// Reactions and removals can arrive for messages the bot never saw (posted before it joined or while it
// was down). Such a message is fetched once: if it shares clips, its shares and current reaction counts are
// recorded; if not, it is remembered as clip-less so later reactions on it cost nothing.
import { DiscordAPIError, type Message, type PartialMessage } from 'discord.js';
import { clipLinksOf, type MessageSnapshot } from '../capture/record-share';
import { emojiKey } from '../capture/record-reaction';
import { authorAllowed, type CaptureContext, type CaptureSettings, type MessagePlace } from './capture-context';
import { snapshotOf } from './message-snapshot';

export interface DiscoveredMessage {
  snapshot: MessageSnapshot;
  /** Reaction counts as Discord reports them now, without the bot's own. */
  reactions: { emojiKey: string; count: number }[];
}

// Discord errors that mean the message will never be readable: unknown message/channel, missing access.
const GONE_CODES = new Set([10003, 10008, 50001, 50013]);

/** The message's snapshot and reactions if it is an uncaptured clip message, else null. */
export async function discoverMessage(
  ctx: CaptureContext,
  message: Message | PartialMessage,
  place: MessagePlace,
  settings: CaptureSettings,
): Promise<DiscoveredMessage | null> {
  const id = message.id;
  if (!message.partial) return null; // Seen live since start: messageCreate already recorded it.
  if (ctx.noClipMessages.has(id) || ctx.clipMessages.has(id) || (await ctx.capture.isKnownClipMessage(place.guildId, id))) return null;

  let fetched: Message;
  try {
    let pending = ctx.fetches.get(id) as Promise<Message> | undefined;
    if (!pending) {
      pending = message.fetch();
      ctx.fetches.set(id, pending);
      void pending.then(
        () => ctx.fetches.delete(id),
        () => ctx.fetches.delete(id),
      );
    }
    fetched = await pending;
  } catch (error) {
    if (error instanceof DiscordAPIError && typeof error.code === 'number' && GONE_CODES.has(error.code)) {
      ctx.noClipMessages.add(id);
      ctx.logger.debug({ messageId: id, code: error.code }, 'capture: reacted message not readable, ignored');
    } else {
      ctx.logger.warn({ err: error, messageId: id }, 'capture: could not fetch a reacted message; reaction not recorded');
    }
    return null;
  }

  const result = snapshotOf(fetched, place);
  if (!result.ok) {
    ctx.logger.warn({ messageId: id, problem: result.problem }, 'capture: fetched message has unexpected fields, ignored');
    return null;
  }
  if (!authorAllowed(ctx, settings, fetched.author) || clipLinksOf(result.snapshot).length === 0) {
    ctx.noClipMessages.add(id);
    return null;
  }
  ctx.clipMessages.add(id);
  const reactions: DiscoveredMessage['reactions'] = [];
  for (const reaction of fetched.reactions.cache.values()) {
    const key = emojiKey(reaction.emoji);
    const count = (reaction.count ?? 0) - (reaction.me ? 1 : 0);
    if (key && count >= 0) reactions.push({ emojiKey: key, count });
  }
  return { snapshot: result.snapshot, reactions };
}
