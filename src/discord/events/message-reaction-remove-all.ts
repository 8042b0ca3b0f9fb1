// messageReactionRemoveAll: a moderator cleared every reaction of a message.
import { Events } from 'discord.js';
import { channelAllowed, placeOf, settingsOf } from '../capture-context';
import { defineListener } from '../listener';

export default defineListener({
  event: Events.MessageReactionRemoveAll,
  handle(ctx, message) {
    const place = placeOf(message);
    if (!place || !channelAllowed(settingsOf(ctx, place.guildId), place)) return;
    const id = message.id;
    return ctx.order.runSync([id], () => {
      ctx.capture.write(`MESSAGE_REACTION_REMOVE_ALL ${id}`, (w) => w.reactionsCleared({ guildId: place.guildId, messageId: id }));
    });
  },
});
