// messageDelete: the message's shares stop counting (rows are kept with deleted_at).
import { Events } from 'discord.js';
import { defineListener } from '../listener';

export default defineListener({
  event: Events.MessageDelete,
  handle(ctx, message) {
    const guildId = message.guildId;
    if (!guildId) return;
    const id = message.id;
    return ctx.order.runSync([id], () => {
      ctx.capture.write(`MESSAGE_DELETE ${id}`, (w) => w.recordMessagesDeleted(guildId, [id]));
    });
  },
});
