// messageDeleteBulk: a moderator's purge; every share of every deleted message stops counting.
import { Events } from 'discord.js';
import { defineListener } from '../listener';

export default defineListener({
  event: Events.MessageBulkDelete,
  handle(ctx, messages, channel) {
    const guildId = channel.guildId;
    if (!guildId) return;
    const ids = [...messages.keys()];
    if (ids.length === 0) return;
    return ctx.order.runSync(ids, () => {
      ctx.capture.write(`MESSAGE_DELETE_BULK ${ids.length} messages in ${channel.id}`, (w) => w.recordMessagesDeleted(guildId, ids));
    });
  },
});
