// /clipscope-admin report [channel] [off]: where the monthly report is posted on the first days of each month
// (docs/reports.md), through the report store; no options shows the current setup.
import { ChannelType, PermissionFlagsBits, type ChatInputCommandInteraction, type SlashCommandSubcommandBuilder } from 'discord.js';
import { z } from 'zod';
import type { ReportStore } from '../../../db/stores/reports';
import type { BotContext } from '../../context';
import { parseOptions } from '../../options';
import { UserError } from '../../user-error';
import { ephemeral, type SubcommandHandler } from './shared';

const REPORT_CHANNELS = [ChannelType.GuildText, ChannelType.GuildAnnouncement] as const;
const NEEDED: ReadonlyArray<[bigint, string]> = [
  [PermissionFlagsBits.ViewChannel, 'View Channel'],
  [PermissionFlagsBits.SendMessages, 'Send Messages'],
  [PermissionFlagsBits.EmbedLinks, 'Embed Links'],
  [PermissionFlagsBits.AttachFiles, 'Attach Files'],
];

/** The `report` subcommand's definition, added to /clipscope-admin in definition.ts. */
export function reportSubcommand(s: SlashCommandSubcommandBuilder): SlashCommandSubcommandBuilder {
  return s
    .setName('report')
    .setDescription('Where the monthly PDF report is posted on the 1st (no options: show the current setup)')
    .addChannelOption((o) =>
      o
        .setName('channel')
        .setDescription('Channel to post last month’s report in')
        .addChannelTypes(...REPORT_CHANNELS),
    )
    .addBooleanOption((o) => o.setName('off').setDescription('Stop posting the monthly report'));
}

const schema = z.object({ channel: z.string().optional(), off: z.boolean().optional() }).strict();

function store(ctx: BotContext): ReportStore {
  if (!ctx.services.reports) throw new UserError('The monthly report is not available in this Clipscope.');
  return ctx.services.reports;
}

/** Refuses a channel Clipscope cannot post a file in, naming what it lacks there. */
function checkPostable(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, channelId: string): void {
  const channel = interaction.client.channels.cache.get(channelId);
  if (!channel || channel.isDMBased() || !channel.isSendable())
    throw new UserError(`<#${channelId}> is not a text channel Clipscope can see and post in.`);
  const permissions = 'permissionsFor' in channel ? channel.permissionsFor(interaction.client.user) : null;
  const missing = NEEDED.filter(([flag]) => !permissions?.has(flag)).map(([, name]) => name);
  if (missing.length > 0)
    throw new UserError(
      `Clipscope needs ${missing.join(', ')} in <#${channelId}> to post the report there. Give it those, then try again.`,
    );
}

export const configureReport: SubcommandHandler = async (interaction, ctx) => {
  const o = parseOptions(interaction, schema);
  const reports = store(ctx);
  if (o.off === true && o.channel !== undefined) throw new UserError('Choose a `channel` or `off`, not both.');
  if (o.off === true) {
    await reports.setChannel(interaction.guildId, null, ctx.clock.now());
    await interaction.reply({ content: 'The monthly report is off.', ...ephemeral });
    return;
  }
  if (o.channel !== undefined) {
    checkPostable(interaction, o.channel);
    await reports.setChannel(interaction.guildId, o.channel, ctx.clock.now());
    await interaction.reply({
      content: `Last month’s report will be posted in <#${o.channel}> as a PDF on the 1st of each month (server timezone).`,
      ...ephemeral,
    });
    return;
  }
  const current = await reports.channel(interaction.guildId);
  await interaction.reply({
    content: current
      ? `The monthly report is posted in <#${current}> on the 1st of each month.`
      : 'The monthly report is off. Turn it on with `/clipscope-admin report channel:`.',
    ...ephemeral,
  });
};
