// Slash command options at the edge: collected from the interaction into a plain object and checked by zod,
// so a handler receives typed values and a bad value becomes a clear message instead of an exception.
import type { AutocompleteInteraction, ChatInputCommandInteraction, CommandInteractionOption } from 'discord.js';
import { z } from 'zod';
import { PERIOD_TYPES } from '../analytics/types';
import { UserError } from './user-error';

/** The option values of the invoked (sub)command, by name. Channel options give the channel id. */
export function optionValues(interaction: ChatInputCommandInteraction | AutocompleteInteraction): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const collect = (options: readonly CommandInteractionOption[]): void => {
    for (const option of options) {
      if (option.options) collect(option.options);
      else if (option.value !== undefined) values[option.name] = option.value;
    }
  };
  collect(interaction.options.data);
  return values;
}

export function parseOptions<S extends z.ZodType>(interaction: ChatInputCommandInteraction, schema: S): z.infer<S> {
  const parsed = schema.safeParse(optionValues(interaction));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = issue.path.join('.');
    return name ? `\`${name}\`: ${issue.message}` : issue.message;
  });
  throw new UserError(`That option is not valid. ${problems.join('; ')}`);
}

export const periodOption = z.enum(PERIOD_TYPES, { error: 'choose day, week, month or all_time' });

/** limit 1–25, the most one embed can list. */
export function limitOption(defaultValue: number): z.ZodDefault<z.ZodNumber> {
  return z
    .number({ error: 'a whole number from 1 to 25' })
    .int({ error: 'a whole number from 1 to 25' })
    .min(1, { error: 'a whole number from 1 to 25' })
    .max(25, { error: 'a whole number from 1 to 25' })
    .default(defaultValue);
}

/** A free-text name (game or creator) as typed or picked from autocomplete. */
export const nameOption = z.string().trim().min(1, { error: 'must not be empty' }).max(200, { error: 'at most 200 characters' });

export const PERIOD_CHOICES = [
  { name: 'Today', value: 'day' },
  { name: 'This week', value: 'week' },
  { name: 'This month', value: 'month' },
  { name: 'All time', value: 'all_time' },
] as const;
