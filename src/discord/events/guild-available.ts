// guildAvailable: a guild that was unavailable at startup (a Discord outage) came back; record its name.
import { Events } from 'discord.js';
import { defineListener } from '../listener';
import { rememberGuildName } from '../guild-names';

export default defineListener({
  event: Events.GuildAvailable,
  handle: (ctx, guild) => rememberGuildName(ctx, guild),
});
