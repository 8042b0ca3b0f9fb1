// messageReactionRemoveEmoji: every reaction of one emoji was removed from a message.
import { Events } from 'discord.js';
import { emojiKey } from '../../capture/record-reaction';
import { channelAllowed, placeOf, settingsOf } from '../capture-context';
import { defineListener } from '../listener';

export default defineListener({
  event: Events.MessageReactionRemoveEmoji,
  handle(ctx, reaction) {
    const message = reaction.message;
    const place = placeOf(message);
    if (!place || !channelAllowed(settingsOf(ctx, place.guildId), place)) return;
    const key = emojiKey(reaction.emoji);
    if (!key) {
      ctx.logger.warn({ messageId: message.id }, 'capture: MESSAGE_REACTION_REMOVE_EMOJI without an emoji ignored');
      return;
    }
    const id = message.id;
    return ctx.order.runSync([id], () => {
      ctx.capture.write(`MESSAGE_REACTION_REMOVE_EMOJI ${id} ${key}`, (w) =>
        w.reactionsCleared({ guildId: place.guildId, messageId: id, emojiKey: key }),
      );
    });
  },
});
