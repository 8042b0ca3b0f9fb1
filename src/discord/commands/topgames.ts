// /topgames [period] [limit] [sort]: the games this server clips most, as a ranked leaderboard.
import { InteractionContextType, SlashCommandBuilder, type ChatInputCommandInteraction } from 'discord.js';
import { z } from 'zod';
import { GAME_SORTS } from '../../analytics/types';
import type { BotContext } from '../context';
import { GAME_SORT_LABELS, topGamesPages } from '../embeds/leaderboards';
import { analysisContextFor } from '../guild-scope';
import { PERIOD_CHOICES, limitOption, parseOptions, periodOption } from '../options';

export const data = new SlashCommandBuilder()
  .setName('topgames')
  .setDescription('The games this server clips most')
  .setContexts(InteractionContextType.Guild)
  .addStringOption((o) =>
    o
      .setName('period')
      .setDescription('Which period (default: all time)')
      .addChoices(...PERIOD_CHOICES),
  )
  .addIntegerOption((o) => o.setName('limit').setDescription('How many games (1–25, default 10)').setMinValue(1).setMaxValue(25))
  .addStringOption((o) =>
    o
      .setName('sort')
      .setDescription('Rank by (default: clips)')
      .addChoices(...GAME_SORTS.map((value) => ({ name: GAME_SORT_LABELS[value], value }))),
  );

const options = z.object({
  period: periodOption.default('all_time'),
  limit: limitOption(10),
  sort: z.enum(GAME_SORTS).default('clip_count'),
});

export async function execute(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, ctx: BotContext): Promise<void> {
  const input = parseOptions(interaction, options);
  await interaction.deferReply();
  const answer = await ctx.analytics.topGames(await analysisContextFor(interaction.guildId, ctx), {
    period: { type: input.period },
    limit: input.limit,
    sort: input.sort,
  });
  await ctx.pagination.reply(interaction, topGamesPages(answer));
}
