// guildUpdate: a renamed guild keeps its current name in guild_settings.
import { Events } from 'discord.js';
import { defineListener } from '../listener';
import { rememberGuildName } from '../guild-names';

export default defineListener({
  event: Events.GuildUpdate,
  handle: (ctx, _old, guild) => rememberGuildName(ctx, guild),
});
