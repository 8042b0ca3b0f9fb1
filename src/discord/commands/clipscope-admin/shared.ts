// What the /clipscope-admin subcommand files share: the handler shape and the private-reply options.
import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import type { SettingsActor } from '../../../db/guild-settings';
import type { BotContext } from '../../context';
import { NO_MENTIONS } from '../../embeds/limits';

/** Answers one subcommand (the permission check has passed). */
export type SubcommandHandler = (interaction: ChatInputCommandInteraction<'raw' | 'cached'>, ctx: BotContext) => Promise<void>;

/** Every answer is ephemeral: settings, errors and tokens are nobody else's business. */
export const ephemeral = { flags: MessageFlags.Ephemeral as const, allowedMentions: NO_MENTIONS };

/** Who is changing settings with a slash command, for the record of settings changes. */
export function actorOf(interaction: ChatInputCommandInteraction<'raw' | 'cached'>): SettingsActor {
  return { id: interaction.user.id, name: interaction.user.globalName ?? interaction.user.username, source: 'command' };
}
