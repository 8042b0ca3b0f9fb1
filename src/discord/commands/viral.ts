// /viral [period] [min_views] [limit] [sort]: the clips taking off, with links, reactions and age; sort by views,
// reactions, views per hour, or one reaction mood (docs/moods.md: sort:funny is "the funniest clips").
import { InteractionContextType, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { z } from 'zod';
import { MOODS } from '../../analytics/moods-table';
import { VIRAL_SORTS } from '../../analytics/types';
import type { BotContext } from '../context';
import { MOOD_LABELS, VIRAL_SORT_LABELS, viralPages } from '../embeds/leaderboards';
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
      .addChoices(
        ...VIRAL_SORTS.map((value) => ({ name: VIRAL_SORT_LABELS[value], value })),
        ...MOODS.map((value) => ({ name: `${MOOD_LABELS[value]} reactions`, value })),
      ),
  );

const options = z.object({
  period: periodOption.default('week'),
  min_views: z.number().int().min(0, { error: 'must be 0 or more' }).max(1_000_000_000).default(0),
  limit: limitOption(10),
  sort: z.enum([...VIRAL_SORTS, ...MOODS]).default('view_count'),
});

const isMood = (sort: string): sort is (typeof MOODS)[number] => (MOODS as readonly string[]).includes(sort);

export async function execute(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, ctx: BotContext): Promise<void> {
  const input = parseOptions(interaction, options);
  await interaction.deferReply();
  const scope = await analysisContextFor(interaction.guildId, ctx);
  const query = { period: { type: input.period }, limit: input.limit, minViews: input.min_views };
  const { sort } = input;
  const answer = isMood(sort)
    ? await ctx.analytics.moodViralClips(scope, { ...query, mood: sort })
    : await ctx.analytics.viralClips(scope, { ...query, sort });
  await ctx.pagination.reply(interaction, viralPages(answer, scope.now));
}
