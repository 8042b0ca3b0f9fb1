// /clipscope-admin digest: where and when the weekly digest is posted, and the server timezone (with suggestions).
import type { APIEmbed, AutocompleteInteraction } from 'discord.js';
import { z } from 'zod';
import { isValidTimeZone } from '../../../analytics/periods';
import type { GuildSettings } from '../../../db/guild-settings';
import { digestStatus, resetDigestFailure } from '../../../digest/weekly';
import type { BotContext } from '../../context';
import { COLORS, discordTimestamp, weekdayName } from '../../embeds/format';
import { fitEmbed } from '../../embeds/limits';
import { parseOptions } from '../../options';
import { actorOf, ephemeral, type SubcommandHandler } from './shared';

const timezoneSchema = z
  .string()
  .trim()
  .refine(isValidTimeZone, 'not a timezone Clipscope knows: pick one from the suggestions, e.g. Europe/Berlin or America/New_York');

const digestOptions = z.object({
  channel: z.string().regex(/^\d+$/).optional(),
  day: z.number().int().min(1).max(7).optional(),
  hour: z.number().int().min(0).max(23).optional(),
  timezone: timezoneSchema.optional(),
  enabled: z.boolean().optional(),
});

export const configureDigest: SubcommandHandler = async (interaction, ctx) => {
  const input = parseOptions(interaction, digestOptions);
  const guildId = interaction.guildId;
  const now = ctx.clock.now();
  const changes: Partial<GuildSettings> = {};
  if (input.channel !== undefined) changes.digestChannelId = input.channel;
  if (input.day !== undefined) changes.digestWeekday = input.day;
  if (input.hour !== undefined) changes.digestHour = input.hour;
  if (input.timezone !== undefined) changes.timezone = input.timezone;
  if (input.enabled !== undefined) changes.digestEnabled = input.enabled;
  if (interaction.guild?.name) changes.guildName = interaction.guild.name;
  let settings = await ctx.settings.get(guildId);
  const changed = Object.keys(changes).some((k) => k !== 'guildName');
  if (changed) {
    settings = await ctx.settings.update(guildId, changes, now, actorOf(interaction));
    // New settings deserve a fresh attempt: a failure recorded for the old channel is forgotten.
    await resetDigestFailure(ctx.digests, guildId, settings, now);
    settings = await ctx.settings.get(guildId);
  }
  await interaction.reply({
    content: changed ? '✅ Digest settings saved.' : undefined,
    embeds: [await digestEmbed(ctx, settings)],
    ...ephemeral,
  });
};

/** The digest setup in a few lines: channel and time, whether this week's is due, and the last error. */
export async function digestLines(ctx: Pick<BotContext, 'digests' | 'clock'>, settings: GuildSettings): Promise<string[]> {
  const when = `${weekdayName(settings.digestWeekday)}s at ${String(settings.digestHour).padStart(2, '0')}:00 (${settings.timezone})`;
  if (!settings.digestChannelId)
    return [`Not posted yet: choose a channel with \`/clipscope-admin digest channel:\`. It would go out ${when}.`];
  if (!settings.digestEnabled) return [`Turned off (channel <#${settings.digestChannelId}>, ${when}).`];
  const { schedule, due } = await digestStatus(ctx.digests, settings, ctx.clock.now());
  const lines = [`Posted in <#${settings.digestChannelId}> ${when}, covering the week before.`];
  if (due === 'pending') lines.push(`The digest for the week of ${schedule.weekDate} is due and goes out within 15 minutes.`);
  else lines.push(`Next digest: ${discordTimestamp(schedule.nextAt, 'F')} (${discordTimestamp(schedule.nextAt, 'R')}).`);
  if (settings.digestLastError) lines.push(`⚠️ Last attempt failed: ${settings.digestLastError}`);
  return lines;
}

async function digestEmbed(ctx: BotContext, settings: GuildSettings): Promise<APIEmbed> {
  return fitEmbed({
    title: '📬 Weekly digest',
    color: settings.digestLastError ? COLORS.warn : COLORS.brand,
    description: (await digestLines(ctx, settings)).join('\n'),
    footer: { text: 'Clipscope' },
  });
}

/** Suggests timezones for the digest's `timezone` option. */
export async function suggestTimezones(interaction: AutocompleteInteraction<'raw' | 'cached'>): Promise<void> {
  const focused = interaction.options.getFocused(true);
  if (focused.name !== 'timezone') {
    await interaction.respond([]);
    return;
  }
  const typed = String(focused.value).trim().toLowerCase().replace(/\s+/g, '_');
  const zones = ['UTC', ...Intl.supportedValuesOf('timeZone')];
  const matches = zones.filter((z) => z.toLowerCase().includes(typed));
  // Those starting with the typed text first (e.g. "ber" → Europe/Berlin before Atlantic/Bermuda only if it starts).
  matches.sort(
    (a, b) =>
      Number(
        !a
          .toLowerCase()
          .split('/')
          .some((p) => p.startsWith(typed)),
      ) -
      Number(
        !b
          .toLowerCase()
          .split('/')
          .some((p) => p.startsWith(typed)),
      ),
  );
  await interaction.respond([...new Set(matches)].slice(0, 25).map((z) => ({ name: z, value: z })));
}
