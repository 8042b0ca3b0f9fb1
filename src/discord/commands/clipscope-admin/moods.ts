// /clipscope-admin moods set|reset|list: the server's overrides of the default emoji → mood table (docs/moods.md),
// through the mood admin service. An override changes every mood answer at once (they read the raw reactions until
// the next aggregation run rebuilds the mood summaries with it).
import type { SlashCommandSubcommandGroupBuilder } from 'discord.js';
import { moodResetInput, moodSetInput, type MoodAdmin, type MoodOverrideResult } from '../../../analytics/mood-overrides';
import { MAX_MOOD_EMOJI_LENGTH, MAX_MOOD_OVERRIDES, MOODS } from '../../../analytics/moods-table';
import type { BotContext } from '../../context';
import { MOOD_LABELS } from '../../embeds/leaderboards';
import { fitEmbed, safeText } from '../../embeds/limits';
import { COLORS } from '../../embeds/format';
import { parseOptions } from '../../options';
import { UserError } from '../../user-error';
import { ephemeral, type SubcommandHandler } from './shared';

const EMOJI_HELP = 'A unicode emoji, a custom emoji, or a custom emoji’s name (e.g. KEKW)';

/** The `moods` group's definition, added to /clipscope-admin in definition.ts. */
export function moodsGroup(g: SlashCommandSubcommandGroupBuilder): SlashCommandSubcommandGroupBuilder {
  return g
    .setName('moods')
    .setDescription('Which mood each reaction emoji counts as (hype, funny, love, …)')
    .addSubcommand((s) =>
      s
        .setName('set')
        .setDescription('Count an emoji as a mood in this server')
        .addStringOption((o) => o.setName('emoji').setDescription(EMOJI_HELP).setRequired(true).setMaxLength(MAX_MOOD_EMOJI_LENGTH))
        .addStringOption((o) =>
          o
            .setName('mood')
            .setDescription('The mood it expresses')
            .setRequired(true)
            .addChoices(...MOODS.map((value) => ({ name: MOOD_LABELS[value], value }))),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('reset')
        .setDescription('Back to the default mood for an emoji')
        .addStringOption((o) => o.setName('emoji').setDescription(EMOJI_HELP).setRequired(true).setMaxLength(MAX_MOOD_EMOJI_LENGTH)),
    )
    .addSubcommand((s) => s.setName('list').setDescription('This server’s mood overrides'));
}

const setSchema = moodSetInput;
const resetSchema = moodResetInput;

function service(ctx: BotContext): MoodAdmin {
  if (!ctx.services.moods) throw new UserError('Mood settings are not available in this Clipscope.');
  return ctx.services.moods;
}

/** A refused change as the user reads it. */
function refusal(result: Extract<MoodOverrideResult, { ok: false }>): UserError {
  const name = safeText(result.emoji, 100);
  switch (result.reason) {
    case 'empty':
      return new UserError('`emoji` is empty: give a unicode emoji, a custom emoji or its name.');
    case 'too_long':
      return new UserError(`\`emoji\` is longer than ${MAX_MOOD_EMOJI_LENGTH} characters.`);
    case 'too_many':
      return new UserError(
        `This server already has ${MAX_MOOD_OVERRIDES} mood overrides. Reset some with \`/clipscope-admin moods reset\` first.`,
      );
    case 'not_overridden':
      return new UserError(`${name} has no override here; it already counts as its default mood.`);
  }
}

const set: SubcommandHandler = async (interaction, ctx) => {
  const o = parseOptions(interaction, setSchema);
  const result = await service(ctx).set(interaction.guildId, o.emoji, o.mood, interaction.user.id);
  if (!result.ok) throw refusal(result);
  const note = result.mood === result.defaultMood ? ' (its default too)' : ` (default: ${MOOD_LABELS[result.defaultMood]})`;
  await interaction.reply({
    content: `${safeText(result.emoji, 100)} now counts as **${MOOD_LABELS[result.mood]}**${note}. Mood answers use it at once.`,
    ...ephemeral,
  });
};

const reset: SubcommandHandler = async (interaction, ctx) => {
  const o = parseOptions(interaction, resetSchema);
  const result = await service(ctx).reset(interaction.guildId, o.emoji);
  if (!result.ok) throw refusal(result);
  await interaction.reply({
    content: `${safeText(result.emoji, 100)} is back to its default mood, **${MOOD_LABELS[result.mood]}**.`,
    ...ephemeral,
  });
};

const list: SubcommandHandler = async (interaction, ctx) => {
  const overrides = await service(ctx).list(interaction.guildId);
  const lines = overrides.map((o) => `${safeText(o.emoji, 100)} → **${MOOD_LABELS[o.mood]}** (default: ${MOOD_LABELS[o.defaultMood]})`);
  await interaction.reply({
    embeds: [
      fitEmbed({
        title: 'Mood overrides',
        color: COLORS.brand,
        description:
          lines.length === 0
            ? 'None: every emoji counts as the default table says. Change one with `/clipscope-admin moods set`.'
            : lines.join('\n'),
        footer: { text: `${overrides.length} of at most ${MAX_MOOD_OVERRIDES} · Clipscope` },
      }),
    ],
    ...ephemeral,
  });
};

export const moodsSubcommands: Readonly<Record<string, SubcommandHandler>> = { set, reset, list };
