// messageCreate: every clip link in a new guild message becomes a share (and a clip row, pending enrichment).
import { Events } from 'discord.js';
import { clipLinksOf } from '../../capture/record-share';
import { authorAllowed, channelAllowed, placeOf, settingsOf } from '../capture-context';
import { defineListener } from '../listener';
import { snapshotOf } from '../message-snapshot';

export default defineListener({
  event: Events.MessageCreate,
  handle(ctx, message) {
    const place = placeOf(message);
    if (!place) return; // DMs are never captured.
    const result = snapshotOf(message, place);
    if (!result.ok) {
      ctx.logger.warn({ messageId: message.id, problem: result.problem }, 'capture: MESSAGE_CREATE with unexpected fields ignored');
      return;
    }
    const snapshot = result.snapshot;
    if (clipLinksOf(snapshot).length === 0) {
      // Most messages share no clip: nothing to write, and reactions on them need no fetch later.
      ctx.noClipMessages.add(message.id);
      return;
    }
    const settings = settingsOf(ctx, place.guildId);
    if (!channelAllowed(settings, place) || !authorAllowed(ctx, settings, message.author)) return;
    ctx.clipMessages.add(message.id);
    return ctx.order.runSync([message.id], () => {
      ctx.capture.write(`MESSAGE_CREATE ${message.id}`, (w) => w.recordMessage(snapshot));
    });
  },
});
