// /viral [period] [min_views] [limit] [sort]: the clips taking off, with links, reactions and age.
import { InteractionContextType, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { z } from 'zod';
import { VIRAL_SORTS } from '../../analytics/types';
import type { BotContext } from '../context';
import { VIRAL_SORT_LABELS, viralPages } from '../embeds/leaderboards';
import { analysisContextFor } from '../guild-scope';
import { PERIOD_CHOICES, limitOption, parseOptions, periodOption } from '../options';

export const data = new SlashCommandBuilder()
  .setName('viral')
  .setDescription('The clips taking off in this server')
  .setContexts(InteractionContextType.Guild)
  .addStringOption((o) =>
    o
      .setName('period')
      .setDescription('Which period (default: this week)')
      .addChoices(...PERIOD_CHOICES),
  )
  .addIntegerOption((o) =>
    o.setName('min_views').setDescription('Only clips with at least this many views').setMinValue(0).setMaxValue(1_000_000_000),
  )
  .addIntegerOption((o) => o.setName('limit').setDescription('How many clips (1–25, default 10)').setMinValue(1).setMaxValue(25))
  .addStringOption((o) =>
    o
      .setName('sort')
      .setDescription('Rank by (default: views)')
      .addChoices(...VIRAL_SORTS.map((value) => ({ name: VIRAL_SORT_LABELS[value], value }))),
  );

const options = z.object({
  period: periodOption.default('week'),
  min_views: z.number().int().min(0, { error: 'must be 0 or more' }).max(1_000_000_000).default(0),
  limit: limitOption(10),
  sort: z.enum(VIRAL_SORTS).default('view_count'),
});

export async function execute(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, ctx: BotContext): Promise<void> {
  const input = parseOptions(interaction, options);
  await interaction.deferReply();
  const scope = await analysisContextFor(interaction.guildId, ctx);
  const answer = await ctx.analytics.viralClips(scope, {
    period: { type: input.period },
    limit: input.limit,
    sort: input.sort,
    minViews: input.min_views,
  });
  await ctx.pagination.reply(interaction, viralPages(answer, scope.now));
}
