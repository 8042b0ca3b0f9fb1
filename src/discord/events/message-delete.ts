// messageDelete: the message's shares stop counting (rows are kept with deleted_at).
import { Events } from 'discord.js';
import { recordMessagesDeleted } from '../../capture/record-share';
import { defineListener } from '../listener';

export default defineListener({
  event: Events.MessageDelete,
  handle(ctx, message) {
    if (!message.guildId) return;
    const id = message.id;
    return ctx.order.runSync([id], () => {
      ctx.queue.push({ describe: `MESSAGE_DELETE ${id}`, run: (db, now) => recordMessagesDeleted(db, [id], now) });
    });
  },
});
