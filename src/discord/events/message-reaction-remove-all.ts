// messageReactionRemoveAll: a moderator cleared every reaction of a message.
import { Events } from 'discord.js';
import { recordReactionsCleared } from '../../capture/record-reaction';
import { channelAllowed, placeOf, settingsOf } from '../capture-context';
import { defineListener } from '../listener';

export default defineListener({
  event: Events.MessageReactionRemoveAll,
  handle(ctx, message) {
    const place = placeOf(message);
    if (!place || !channelAllowed(settingsOf(ctx, place.guildId), place)) return;
    const id = message.id;
    return ctx.order.runSync([id], () => {
      ctx.queue.push({
        describe: `MESSAGE_REACTION_REMOVE_ALL ${id}`,
        run: (db, now) => recordReactionsCleared(db, { guildId: place.guildId, messageId: id }, now),
      });
    });
  },
});
