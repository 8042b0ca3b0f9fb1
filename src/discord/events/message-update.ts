// messageUpdate: an edit that adds a clip link adds a share, one that removes it removes the share,
// anything else changes nothing. Partial updates (content missing) are completed by fetching the message.
import { Events, type Message, type PartialMessage } from 'discord.js';
import { clipLinksOf } from '../../capture/record-share';
import { authorAllowed, channelAllowed, placeOf, settingsOf } from '../capture-context';
import { defineListener } from '../listener';
import { sameClipIds, snapshotOf } from '../message-snapshot';

export default defineListener({
  event: Events.MessageUpdate,
  handle(ctx, oldMessage, newMessage) {
    const place = placeOf(newMessage);
    if (!place) return;
    const settings = settingsOf(ctx, place.guildId);
    if (!channelAllowed(settings, place)) return;
    const id = newMessage.id;
    // discord.js patches the cached message in place, so the content is read now: a second edit handled before
    // this one's turn must not be read in its stead (a link present only in between would never be recorded).
    const current = newMessage.partial ? null : { author: newMessage.author, result: snapshotOf(newMessage, place) };
    const before = oldMessage.partial ? null : snapshotOf(oldMessage, place);
    return ctx.order.run([id], async () => {
      let seen = current;
      if (!seen) {
        try {
          const message: Message | PartialMessage = await newMessage.fetch();
          seen = { author: message.author, result: snapshotOf(message, place) };
        } catch (error) {
          ctx.logger.debug({ err: error, messageId: id }, 'capture: edited message not available, edit ignored');
          return;
        }
      }
      if (!seen.author || !authorAllowed(ctx, settings, seen.author)) return;
      const result = seen.result;
      if (!result.ok) {
        ctx.logger.warn({ messageId: id, problem: result.problem }, 'capture: MESSAGE_UPDATE with unexpected fields ignored');
        return;
      }
      const snapshot = result.snapshot;
      const links = clipLinksOf(snapshot);
      // Embeds resolving, pins, reactions… arrive as updates too: same links means nothing to write.
      if (before?.ok && sameClipIds(clipLinksOf(before.snapshot), links)) return;
      if (links.length === 0) {
        ctx.noClipMessages.add(id);
        ctx.clipMessages.delete(id);
      } else {
        ctx.noClipMessages.delete(id);
        ctx.clipMessages.add(id);
      }
      ctx.capture.write(`MESSAGE_UPDATE ${id}`, (w) => w.recordMessage(snapshot));
    });
  },
});
