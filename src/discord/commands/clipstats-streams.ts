// /clipstats streams: when in their broadcasts the server's clips happen, and which streams gave the most. The
// subcommand's definition and handler; /clipstats (clipstats.ts) lists it.
import type { ChatInputCommandInteraction, SlashCommandSubcommandBuilder } from 'discord.js';
import { z } from 'zod';
import type { BotContext } from '../context';
import { streamMomentsEmbed } from '../embeds/stream-moments';
import { NO_MENTIONS } from '../embeds/limits';
import { analysisContextFor } from '../guild-scope';
import { PERIOD_CHOICES, parseOptions, periodOption } from '../options';

export function streamsSubcommand(s: SlashCommandSubcommandBuilder): SlashCommandSubcommandBuilder {
  return s
    .setName('streams')
    .setDescription('When in your streams clips happen, and which streams gave the most')
    .addStringOption((o) =>
      o
        .setName('period')
        .setDescription('Streams that started in which period (default: this month)')
        .addChoices(...PERIOD_CHOICES),
    );
}

const schema = z.object({ period: periodOption.default('month') });

export async function executeStreams(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, ctx: BotContext): Promise<void> {
  const { period } = parseOptions(interaction, schema);
  await interaction.deferReply();
  const answer = await ctx.analytics.streamMoments(await analysisContextFor(interaction.guildId, ctx), {
    period: { type: period },
    limit: 5,
  });
  await interaction.editReply({ embeds: [streamMomentsEmbed(answer)], allowedMentions: NO_MENTIONS });
}
