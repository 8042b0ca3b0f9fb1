// messageDeleteBulk: a moderator's purge; every share of every deleted message stops counting.
import { Events } from 'discord.js';
import { recordMessagesDeleted } from '../../capture/record-share';
import { defineListener } from '../listener';

export default defineListener({
  event: Events.MessageBulkDelete,
  handle(ctx, messages, channel) {
    if (!channel.guildId) return;
    const ids = [...messages.keys()];
    if (ids.length === 0) return;
    return ctx.order.runSync(ids, () => {
      ctx.queue.push({
        describe: `MESSAGE_DELETE_BULK ${ids.length} messages in ${channel.id}`,
        run: (db, now) => recordMessagesDeleted(db, ids, now),
      });
    });
  },
});
