// clientReady: the guilds the bot was already in arrive before ready without a guildCreate event, so
// their names are recorded here.
import { Events } from 'discord.js';
import { defineListener } from '../listener';
import { rememberGuildName } from '../guild-names';

export default defineListener({
  event: Events.ClientReady,
  handle(ctx, client) {
    for (const guild of client.guilds.cache.values()) {
      if (guild.available) rememberGuildName(ctx, guild);
    }
  },
});
