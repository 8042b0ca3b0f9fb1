// guildCreate: the bot joined a guild; its name is kept in guild_settings for listings and the dashboard.
import { Events } from 'discord.js';
import { defineListener } from '../listener';
import { rememberGuildName } from '../guild-names';

export default defineListener({
  event: Events.GuildCreate,
  handle: (ctx, guild) => rememberGuildName(ctx, guild),
});
