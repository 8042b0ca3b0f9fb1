// One user adding or removing one reaction: the shared path of messageReactionAdd and messageReactionRemove.
import type { MessageReaction, PartialMessageReaction, PartialUser, User } from 'discord.js';
import { emojiKey, type ReactionEvent } from '../capture/record-reaction';
import { authorAllowed, channelAllowed, placeOf, settingsOf, type CaptureContext } from './capture-context';
import { discoverMessage, type DiscoveredMessage } from './discover-message';

export function captureReactionChange(
  ctx: CaptureContext,
  kind: 'add' | 'remove',
  reaction: MessageReaction | PartialMessageReaction,
  user: User | PartialUser,
): Promise<void> | void {
  const message = reaction.message;
  const place = placeOf(message);
  if (!place) return;
  const settings = settingsOf(ctx, place.guildId);
  // A partial user's `bot` is unknown (null): counted as a person, as most reactors are.
  if (!channelAllowed(settings, place) || !authorAllowed(ctx, settings, user)) return;
  const key = emojiKey(reaction.emoji);
  if (!key) {
    ctx.logger.warn({ messageId: message.id }, `capture: reaction ${kind} without an emoji name or id ignored`);
    return;
  }
  const event: ReactionEvent = {
    guildId: place.guildId,
    channelId: place.channelId,
    messageId: message.id,
    emojiKey: key,
    userId: user.id,
    at: ctx.clock.now(),
  };
  const push = (discovered: DiscoveredMessage | null): void => {
    ctx.capture.write(`MESSAGE_REACTION_${kind === 'add' ? 'ADD' : 'REMOVE'} ${message.id} ${key}`, async (w) => {
      if (discovered) await w.recordMessage(discovered.snapshot);
      if (kind === 'add') await w.reactionAdded(event);
      else await w.reactionRemoved(event);
      // The fetched counts already include this change: the named row (if any) plus an anonymous
      // remainder make the totals exact without listing every reactor.
      for (const r of discovered?.reactions ?? []) {
        await w.reactionSnapshot({
          guildId: place.guildId,
          channelId: place.channelId,
          messageId: message.id,
          emojiKey: r.emojiKey,
          count: r.count,
          userIds: [],
          at: event.at,
        });
      }
    });
  };
  // A message the client has whole was seen live: nothing to discover, so no fetch to wait for.
  if (!message.partial) return ctx.order.runSync([message.id], () => push(null));
  return ctx.order.run([message.id], async () => push(await discoverMessage(ctx, message, place, settings)));
}
