// Autocomplete answers for game and creator options, from the guild's own data only (at most 25 choices).
import type { AutocompleteInteraction } from 'discord.js';
import { entityChoiceValue, type NamedEntity } from '../analytics/find-names';
import type { BotContext } from './context';
import { plural } from './embeds/format';
import { truncate } from './embeds/limits';

/** Discord's limits for one choice. */
const CHOICE_NAME_MAX = 100;
const MAX_CHOICES = 25;

export function choicesOf(entities: readonly NamedEntity[]): { name: string; value: string }[] {
  return entities.slice(0, MAX_CHOICES).map((entity) => {
    const count = ` (${plural(entity.clip_count, 'clip')})`;
    return { name: `${truncate(entity.name, CHOICE_NAME_MAX - count.length)}${count}`, value: entityChoiceValue(entity) };
  });
}

export async function respondWithNames(interaction: AutocompleteInteraction<'raw' | 'cached'>, ctx: BotContext): Promise<void> {
  const focused = interaction.options.getFocused(true);
  const typed = String(focused.value ?? '').slice(0, 100);
  const kind =
    focused.name === 'creator' || (focused.name === 'name' && interaction.options.getSubcommand(false) === 'creator') ? 'creator' : 'game';
  const entities =
    kind === 'creator'
      ? await ctx.analytics.suggestCreators(interaction.guildId, typed, MAX_CHOICES)
      : await ctx.analytics.suggestGames(interaction.guildId, typed, MAX_CHOICES);
  await interaction.respond(choicesOf(entities));
}
