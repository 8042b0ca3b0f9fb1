// Every capture listener, attached by the bot in this order.
import clientReady from './client-ready';
import guildAvailable from './guild-available';
import guildCreate from './guild-create';
import guildUpdate from './guild-update';
import messageCreate from './message-create';
import messageDelete from './message-delete';
import messageDeleteBulk from './message-delete-bulk';
import messageReactionAdd from './message-reaction-add';
import messageReactionRemove from './message-reaction-remove';
import messageReactionRemoveAll from './message-reaction-remove-all';
import messageReactionRemoveEmoji from './message-reaction-remove-emoji';
import messageUpdate from './message-update';
import type { Listener } from '../listener';

// Each listener is checked against its own event's arguments where it is defined; the list only erases that.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const CAPTURE_LISTENERS: Listener<any>[] = [
  clientReady,
  guildCreate,
  guildAvailable,
  guildUpdate,
  messageCreate,
  messageUpdate,
  messageDelete,
  messageDeleteBulk,
  messageReactionAdd,
  messageReactionRemove,
  messageReactionRemoveAll,
  messageReactionRemoveEmoji,
];
