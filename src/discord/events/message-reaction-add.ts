// messageReactionAdd: a reaction on a clip message is recorded once per (message, emoji, user).
import { Events } from 'discord.js';
import { defineListener } from '../listener';
import { captureReactionChange } from '../reaction-change';

export default defineListener({
  event: Events.MessageReactionAdd,
  handle: (ctx, reaction, user) => captureReactionChange(ctx, 'add', reaction, user),
});
