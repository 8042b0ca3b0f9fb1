// /clipscope-admin: the server's Clipscope settings and maintenance, for members with Manage Server only (the
// default permission hides it from others; the handler checks again, since server admins can override it).
import { PermissionFlagsBits, type AutocompleteInteraction, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../../context';
import { UserError } from '../../user-error';
import { configureCapture } from './capture';
import { dashboardSubcommands } from './dashboard';
import { configureDigest, suggestTimezones } from './digest';
import { feedSubcommands } from './feed';
import { hallOfFameSubcommands } from './halloffame';
import { rolesSubcommands } from './roles';
import { aggregate, backfill } from './maintenance';
import { configureReport } from './report';
import { reportEmailSubcommands } from './report-email';
import { moodsSubcommands } from './moods';
import type { SubcommandHandler } from './shared';
import { showStatus } from './status';
import { tokenSubcommands } from './token';
import { twitchSubcommands } from './twitch';

export { data } from './definition';
export { statusEmbed } from './status';

/** Each subcommand's handler, and each group's subcommands under the group's name. */
const SUBCOMMANDS: Readonly<Record<string, SubcommandHandler | Readonly<Record<string, SubcommandHandler>>>> = {
  status: showStatus,
  digest: configureDigest,
  capture: configureCapture,
  twitch: twitchSubcommands,
  aggregate,
  token: tokenSubcommands,
  backfill,
  dashboard: dashboardSubcommands,
  feed: feedSubcommands,
  halloffame: hallOfFameSubcommands,
  roles: rolesSubcommands,
  report: configureReport,
  'report-email': reportEmailSubcommands,
  moods: moodsSubcommands,
};

function handlerFor(group: string | null, sub: string): SubcommandHandler | null {
  const entry = Object.hasOwn(SUBCOMMANDS, group ?? sub) ? SUBCOMMANDS[group ?? sub] : undefined;
  if (group === null) return typeof entry === 'function' ? entry : null;
  return entry && typeof entry !== 'function' && Object.hasOwn(entry, sub) ? (entry[sub] ?? null) : null;
}

export async function execute(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, ctx: BotContext): Promise<void> {
  if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
    throw new UserError('You need the **Manage Server** permission to use `/clipscope-admin`.');
  }
  const handler = handlerFor(interaction.options.getSubcommandGroup(false), interaction.options.getSubcommand(true));
  if (!handler) throw new UserError('Unknown subcommand. An admin may need to run `npm run commands:register`.');
  await handler(interaction, ctx);
}

export async function autocomplete(interaction: AutocompleteInteraction<'raw' | 'cached'>): Promise<void> {
  await suggestTimezones(interaction);
}
