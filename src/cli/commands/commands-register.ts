// `clipscope commands:register` (= `npm run commands:register`): tells Discord which slash commands Clipscope
// has, globally or to one guild (DISCORD_DEV_GUILD_ID or --guild) for instant updates while developing.
import { REST } from '@discordjs/rest';
import { Routes, type RESTGetCurrentApplicationResult } from 'discord.js';
import { loadConfig } from '../../config';
import { commandDefinitions } from '../../discord/commands/index';
import { CliError, type CliCommand } from '../command';

export const commandsRegisterCommand: CliCommand = {
  name: 'commands:register',
  summary: 'Register the slash commands with Discord (globally, or to DISCORD_DEV_GUILD_ID)',
  help: `Usage: clipscope commands:register [--guild ID | --global] [--print]

Sends the definitions of /topcreators, /topgames, /viral, /clipstats and /clipscope-admin to Discord,
replacing whatever this application registered before. Run it after installing Clipscope and after
every upgrade that changes a command's options.

Global commands reach every server the bot is in (Discord may take a few minutes to show changes);
commands registered to one guild update instantly, which is what you want while developing.

Options:
  --guild ID   register to this guild only (default: DISCORD_DEV_GUILD_ID if set, else global)
  --global     register globally even when DISCORD_DEV_GUILD_ID is set
  --print      print the JSON that would be sent, and send nothing

Settings: DISCORD_TOKEN (required), DISCORD_APPLICATION_ID (looked up with the token when unset),
DISCORD_API_BASE_URL.`,
  options: { guild: { type: 'string' }, global: { type: 'boolean' }, print: { type: 'boolean' } },
  async run({ values }, io) {
    const definitions = commandDefinitions();
    if (values.print === true) {
      io.stdout.write(`${JSON.stringify(definitions, null, 2)}\n`);
      return 0;
    }
    const config = loadConfig(io.env);
    // Usage errors first (exit 2), whatever the environment holds.
    if (values.global === true && typeof values.guild === 'string') throw new CliError('use either --guild or --global, not both', 2);
    if (!config.DISCORD_TOKEN) throw new CliError('DISCORD_TOKEN is not set: the bot token is needed to register commands');
    const guildId = values.global === true ? undefined : typeof values.guild === 'string' ? values.guild : config.DISCORD_DEV_GUILD_ID;
    if (guildId !== undefined && !/^\d{15,25}$/.test(guildId))
      throw new CliError(`"${guildId}" is not a Discord guild id (a long number)`, 2);

    const rest = new REST({ api: config.DISCORD_API_BASE_URL, version: '10' }).setToken(config.DISCORD_TOKEN);
    try {
      const applicationId =
        config.DISCORD_APPLICATION_ID ?? ((await rest.get(Routes.currentApplication())) as RESTGetCurrentApplicationResult).id;
      const route = guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId);
      const registered = (await rest.put(route, { body: definitions })) as unknown[];
      const names = definitions.map((d) => `/${d.name}`).join(', ');
      io.stdout.write(
        guildId
          ? `Registered ${registered.length} commands to guild ${guildId}: ${names}. They are usable there now.\n`
          : `Registered ${registered.length} commands globally: ${names}. Discord may take a few minutes to show changes in every server.\n`,
      );
      return 0;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 401) throw new CliError('Discord rejected DISCORD_TOKEN (401 Unauthorized): check the bot token');
      if (status === 403)
        throw new CliError('Discord refused (403): is the bot in that guild, and was it invited with the applications.commands scope?');
      throw new CliError(`registering the commands failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  },
};
