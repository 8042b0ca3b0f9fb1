// Routes every interaction to its command, autocomplete handler or button, and turns any failure into a
// short ephemeral message for the user (and the full detail in the log). A stack trace never reaches Discord.
import { isUserFacing } from '../errors';
import {
  MessageFlags,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
} from 'discord.js';
import { describeStorageProblem, storageProblemKind, type StorageProblemKind } from '../db/storage-errors';
import type { SlashCommand } from './commands/command';
import type { BotContext } from './context';
import { NO_MENTIONS } from './embeds/limits';
import { optionValues } from './options';
import { Pagination } from './pagination';

export type InteractionRouter = (interaction: Interaction) => Promise<void>;

/** Errors from other parts of Clipscope whose message is already meant for users (by class name). */
export function createInteractionRouter(ctx: BotContext, commands: readonly SlashCommand[]): InteractionRouter {
  const byName = new Map(commands.map((command) => [command.data.name, command]));

  const runCommand = async (interaction: ChatInputCommandInteraction): Promise<void> => {
    if (!interaction.inGuild()) {
      await interaction.reply({
        content: 'Clipscope commands work inside a server, where your community shares its clips.',
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    const command = byName.get(interaction.commandName);
    if (!command) {
      ctx.logger.warn({ command: interaction.commandName }, 'interaction for an unknown command (stale registration?)');
      await interaction.reply({
        content: 'This command is no longer available. An admin can run `npm run commands:register` to refresh the list.',
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    try {
      await command.execute(interaction, ctx);
    } catch (error) {
      await reportFailure(ctx, interaction, error);
    }
  };

  const runAutocomplete = async (interaction: AutocompleteInteraction): Promise<void> => {
    const command = byName.get(interaction.commandName);
    try {
      if (!interaction.inGuild() || !command?.autocomplete) {
        await interaction.respond([]);
        return;
      }
      await command.autocomplete(interaction, ctx);
    } catch (error) {
      ctx.logger.error({ err: error, command: interaction.commandName, guildId: interaction.guildId }, 'autocomplete failed');
      if (!interaction.responded) await interaction.respond([]).catch(() => undefined);
    }
  };

  const runButton = async (interaction: ButtonInteraction): Promise<void> => {
    if (!Pagination.owns(interaction.customId)) return;
    try {
      await ctx.pagination.handleButton(interaction);
    } catch (error) {
      ctx.logger.error({ err: error, customId: interaction.customId, guildId: interaction.guildId }, 'button failed');
      if (!interaction.replied && !interaction.deferred) {
        await interaction
          .reply({ content: 'That button did not work. Please run the command again.', flags: MessageFlags.Ephemeral })
          .catch(() => undefined);
      }
    }
  };

  return async (interaction) => {
    try {
      if (interaction.isChatInputCommand()) await runCommand(interaction);
      else if (interaction.isAutocomplete()) await runAutocomplete(interaction);
      else if (interaction.isButton()) await runButton(interaction);
    } catch (error) {
      // Answering itself failed (e.g. the interaction expired): nothing more can be sent, so log it.
      ctx.logger.error({ err: error, interactionId: interaction.id }, 'could not answer an interaction');
    }
  };
}

/** Tells the user, briefly and privately, and logs the detail. */
async function reportFailure(ctx: BotContext, interaction: ChatInputCommandInteraction, error: unknown): Promise<void> {
  const userFacing = isUserFacing(error);
  // The group too: "/clipscope-admin twitch add", not "/clipscope-admin add", which no one can type.
  const commandLine = [interaction.commandName, interaction.options.getSubcommandGroup(false), interaction.options.getSubcommand(false)]
    .filter(Boolean)
    .join(' ');
  const detail = { command: commandLine, guildId: interaction.guildId, userId: interaction.user.id, options: optionValues(interaction) };
  // Storage problems (disk full, busy, I/O) are named to the user in plain words and to the operator with the file.
  const storage = userFacing ? null : storageProblemKind(error);
  if (userFacing) {
    ctx.logger.info({ ...detail, reason: (error as Error).message }, 'command refused');
  } else if (storage) {
    const file = ctx.databaseLocation;
    const problem = describeStorageProblem(error, file);
    // Busy clears by itself in seconds; a full disk or an I/O error needs the operator.
    ctx.logger[storage === 'busy' ? 'warn' : 'error'](
      { ...detail, err: error, database: file, storage: problem },
      `command failed: ${problem}`,
    );
  } else {
    ctx.logger.error({ ...detail, err: error }, 'command failed');
  }
  const content = userFacing
    ? (error as Error).message
    : storage
      ? storageMessage(storage, commandLine)
      : `Something went wrong while running \`/${commandLine}\`. It has been logged; please try again in a moment.`;
  const message = { content: content.slice(0, 2000), flags: MessageFlags.Ephemeral as const, allowedMentions: NO_MENTIONS };
  if (!interaction.deferred && !interaction.replied) {
    await interaction.reply(message);
  } else if (interaction.deferred && interaction.ephemeral) {
    await interaction.editReply({ content: message.content, embeds: [], components: [], allowedMentions: NO_MENTIONS });
  } else {
    // The "thinking…" placeholder is public: remove it, then answer privately.
    if (interaction.deferred && !interaction.replied) await interaction.deleteReply().catch(() => undefined);
    await interaction.followUp(message);
  }
}

/** What a Discord user is told about a storage problem: what happened and what to do, never a path or SQLite text. */
function storageMessage(kind: StorageProblemKind, commandLine: string): string {
  const command = `\`/${commandLine}\``;
  switch (kind) {
    case 'disk_full':
      return `Clipscope could not save or read its data for ${command}: the server it runs on is out of disk space. Nothing you asked for was changed. Please tell whoever hosts Clipscope, then try again.`;
    case 'busy':
      return `Clipscope's database is busy right now (another task is writing), so ${command} did not run. Nothing was changed; please try again in a few seconds.`;
    case 'io':
      return `Clipscope could not save or read its data for ${command}: the disk of the server it runs on reported an I/O error. Nothing you asked for was changed. Please tell whoever hosts Clipscope, then try again.`;
  }
}
