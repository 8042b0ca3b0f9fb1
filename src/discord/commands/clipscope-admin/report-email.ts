// /clipscope-admin report-email add|remove|list: the addresses last month's report is emailed to on the 1st
// (docs/reports.md#the-monthly-report-by-email), through the report email store. A group of its own beside the
// `report` subcommand, as Discord allows no group and subcommand of one name.
import type { SlashCommandSubcommandBuilder, SlashCommandSubcommandGroupBuilder } from 'discord.js';
import { z } from 'zod';
import type { ReportEmailStore } from '../../../db/stores/report-emails';
import { MAX_REPORT_EMAILS } from '../../../reports/email';
import type { BotContext } from '../../context';
import { parseOptions } from '../../options';
import { UserError } from '../../user-error';
import { ephemeral, type SubcommandHandler } from './shared';

/** RFC 5321's longest forward path. */
const MAX_ADDRESS_LENGTH = 254;

/** The `report-email` group's definition, added to /clipscope-admin in definition.ts. */
export function reportEmailGroup(g: SlashCommandSubcommandGroupBuilder): SlashCommandSubcommandGroupBuilder {
  const address = (s: SlashCommandSubcommandBuilder, what: string) =>
    s.addStringOption((o) => o.setName('address').setDescription(what).setRequired(true).setMaxLength(MAX_ADDRESS_LENGTH));
  return g
    .setName('report-email')
    .setDescription('Who the monthly PDF report is emailed to on the 1st')
    .addSubcommand((s) => address(s.setName('add').setDescription('Email the monthly report to this address'), 'An email address'))
    .addSubcommand((s) =>
      address(s.setName('remove').setDescription('Stop emailing the monthly report to this address'), 'An email address'),
    )
    .addSubcommand((s) => s.setName('list').setDescription('The addresses the monthly report is emailed to'));
}

/** Lower-cased so one mailbox is listed once whatever its spelling. */
const addressSchema = z.object({
  address: z
    .string()
    .trim()
    .max(MAX_ADDRESS_LENGTH, `at most ${MAX_ADDRESS_LENGTH} characters`)
    .pipe(z.email('an email address such as reports@example.com'))
    .transform((v) => v.toLowerCase()),
});

function store(ctx: BotContext): ReportEmailStore {
  if (!ctx.services.reportEmails) throw new UserError('Report emails are not available in this Clipscope.');
  return ctx.services.reportEmails;
}

const add: SubcommandHandler = async (interaction, ctx) => {
  const { address } = parseOptions(interaction, addressSchema);
  const result = await store(ctx).add(interaction.guildId, address, ctx.clock.now(), MAX_REPORT_EMAILS);
  if (result === 'full')
    throw new UserError(
      `This server already has ${MAX_REPORT_EMAILS} report addresses. Remove one with \`/clipscope-admin report-email remove\` first.`,
    );
  await interaction.reply({
    content:
      result === 'exists'
        ? `\`${address}\` already gets the monthly report.`
        : `\`${address}\` will get last month’s report as a PDF by email on the 1st of each month (server timezone).`,
    ...ephemeral,
  });
};

const remove: SubcommandHandler = async (interaction, ctx) => {
  const { address } = parseOptions(interaction, addressSchema);
  const removed = await store(ctx).remove(interaction.guildId, address);
  if (!removed) throw new UserError(`\`${address}\` is not on this server’s report list; \`/clipscope-admin report-email list\` shows it.`);
  await interaction.reply({ content: `\`${address}\` no longer gets the monthly report.`, ...ephemeral });
};

const list: SubcommandHandler = async (interaction, ctx) => {
  const addresses = await store(ctx).list(interaction.guildId);
  await interaction.reply({
    content:
      addresses.length === 0
        ? 'Nobody gets the monthly report by email. Add an address with `/clipscope-admin report-email add`.'
        : `The monthly report is emailed to (${addresses.length} of at most ${MAX_REPORT_EMAILS}):\n${addresses.map((a) => `- \`${a}\``).join('\n')}`,
    ...ephemeral,
  });
};

export const reportEmailSubcommands: Readonly<Record<string, SubcommandHandler>> = { add, remove, list };
