// messageReactionRemove: the user's reaction stops counting.
import { Events } from 'discord.js';
import { defineListener } from '../listener';
import { captureReactionChange } from '../reaction-change';

export default defineListener({
  event: Events.MessageReactionRemove,
  handle: (ctx, reaction, user) => captureReactionChange(ctx, 'remove', reaction, user),
});
