// /clipstats report: the server's report for a day, week or month as a PDF attachment (and its CSV bundle on request).
// The subcommand's builder and handler, wired into /clipstats by clipstats.ts.
import type { ChatInputCommandInteraction, SlashCommandSubcommandBuilder } from 'discord.js';
import { z } from 'zod';
import { renderReportCsvBundle } from '../../reports/csv-bundle';
import { collectReport, MAX_REPORT_OFFSET } from '../../reports/report';
import { REPORT_PERIODS } from '../../reports/types';
import type { BotContext } from '../context';
import { COLORS } from '../embeds/format';
import { fitEmbed, NO_MENTIONS } from '../embeds/limits';
import { analysisContextFor } from '../guild-scope';
import { parseOptions } from '../options';
import { UserError } from '../user-error';

/** How far back a report may reach from Discord (the CLI reaches further). */
const MAX_OFFSET = Math.min(24, MAX_REPORT_OFFSET);

export function reportSubcommand(s: SlashCommandSubcommandBuilder): SlashCommandSubcommandBuilder {
  return s
    .setName('report')
    .setDescription('A PDF report of a day, week or month: numbers, leaderboards, viral clips and charts')
    .addStringOption((o) =>
      o
        .setName('period')
        .setDescription('Which kind of period (default: month)')
        .addChoices({ name: 'Day', value: 'day' }, { name: 'Week', value: 'week' }, { name: 'Month', value: 'month' }),
    )
    .addIntegerOption((o) =>
      o
        .setName('offset')
        .setDescription(`How many periods back: 0 = the current one (default), 1 = the previous one, … up to ${MAX_OFFSET}`)
        .setMinValue(0)
        .setMaxValue(MAX_OFFSET),
    )
    .addBooleanOption((o) => o.setName('csv').setDescription('Also attach the data as a zip of CSV files'));
}

const reportSchema = z.object({
  period: z.enum(REPORT_PERIODS, { error: 'choose day, week or month' }).default('month'),
  offset: z
    .number()
    .int()
    .min(0)
    .max(MAX_OFFSET, { error: `a whole number from 0 to ${MAX_OFFSET}` })
    .default(0),
  csv: z.boolean().default(false),
});

/**
 * Bots whose report is being made: rendering charts and the PDF takes the main thread for a moment, so a bot makes
 * one report at a time and asks a second requester to try again (keyed by the bot's context, not a global).
 */
const busy = new WeakSet<BotContext>();

export async function executeReport(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, ctx: BotContext): Promise<void> {
  const input = parseOptions(interaction, reportSchema);
  if (busy.has(ctx)) throw new UserError('A report is being made right now. Please try again in a minute.');
  busy.add(ctx);
  try {
    await interaction.deferReply();
    const scope = await analysisContextFor(interaction.guildId, ctx);
    const report = await collectReport(ctx.analytics, {
      guildId: scope.guildId,
      guildName: interaction.guild?.name ?? (await ctx.analytics.guildName(scope.guildId)),
      timezone: scope.timezone,
      now: scope.now,
      period: input.period,
      offset: input.offset,
    });
    // Loaded on first use, so the bot starts without the PDF and chart libraries.
    const { renderReportPdf } = await import('../../reports/pdf');
    const pdf = await renderReportPdf(report);
    const base = `clipscope-report-${report.period.label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`.replace(/-+$/, '');
    const files = [{ attachment: pdf, name: `${base}.pdf` }];
    if (input.csv) files.push({ attachment: renderReportCsvBundle(report), name: `${base}-csv.zip` });
    await interaction.editReply({
      embeds: [
        fitEmbed({
          title: '📄 Clipscope report',
          color: COLORS.brand,
          description: `${report.period.label} · ${report.sections.map((s) => s.title).join(', ')}`,
          footer: { text: `Times in ${report.period.timezone}` },
        }),
      ],
      files,
      allowedMentions: NO_MENTIONS,
    });
  } finally {
    busy.delete(ctx);
  }
}
