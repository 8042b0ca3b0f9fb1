// /topcreators [period] [limit] [game] [sort]: the guild's clip creators as a ranked leaderboard.
import { InteractionContextType, SlashCommandBuilder, type AutocompleteInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { z } from 'zod';
import { CREATOR_SORTS } from '../../analytics/types';
import { respondWithNames } from '../autocomplete';
import type { BotContext } from '../context';
import { CREATOR_SORT_LABELS, topCreatorsPages } from '../embeds/leaderboards';
import { safeText } from '../embeds/limits';
import { analysisContextFor } from '../guild-scope';
import { PERIOD_CHOICES, limitOption, nameOption, parseOptions, periodOption } from '../options';
import { UserError } from '../user-error';

export const data = new SlashCommandBuilder()
  .setName('topcreators')
  .setDescription('The top clip creators of this server')
  .setContexts(InteractionContextType.Guild)
  .addStringOption((o) =>
    o
      .setName('period')
      .setDescription('Which period (default: all time)')
      .addChoices(...PERIOD_CHOICES),
  )
  .addIntegerOption((o) => o.setName('limit').setDescription('How many creators (1–25, default 10)').setMinValue(1).setMaxValue(25))
  .addStringOption((o) => o.setName('game').setDescription('Only clips of this game').setAutocomplete(true).setMaxLength(200))
  .addStringOption((o) =>
    o
      .setName('sort')
      .setDescription('Rank by (default: clips)')
      .addChoices(...CREATOR_SORTS.map((value) => ({ name: CREATOR_SORT_LABELS[value], value }))),
  );

const options = z.object({
  period: periodOption.default('all_time'),
  limit: limitOption(10),
  game: nameOption.optional(),
  sort: z.enum(CREATOR_SORTS).default('clip_count'),
});

export async function execute(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, ctx: BotContext): Promise<void> {
  const input = parseOptions(interaction, options);
  const game = input.game === undefined ? null : await ctx.analytics.findGame(interaction.guildId, input.game);
  if (input.game !== undefined && !game) {
    throw new UserError(`This server has no clips of a game called "${safeText(input.game, 100)}". Pick one from the suggestions.`);
  }
  await interaction.deferReply();
  const answer = await ctx.analytics.topCreators(await analysisContextFor(interaction.guildId, ctx), {
    period: { type: input.period },
    limit: input.limit,
    sort: input.sort,
    gameId: game?.id ?? null,
  });
  await ctx.pagination.reply(interaction, topCreatorsPages(answer, { game: game?.name ?? null }));
}

export async function autocomplete(interaction: AutocompleteInteraction<'raw' | 'cached'>, ctx: BotContext): Promise<void> {
  await respondWithNames(interaction, ctx);
}
