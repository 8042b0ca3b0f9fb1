// /clipscope-admin capture: which channels and authors Clipscope records clip links from.
import type { APIEmbed } from 'discord.js';
import { z } from 'zod';
import type { GuildSettings } from '../../../db/guild-settings';
import { COLORS } from '../../embeds/format';
import { fitEmbed } from '../../embeds/limits';
import { parseOptions } from '../../options';
import { UserError } from '../../user-error';
import { actorOf, ephemeral, type SubcommandHandler } from './shared';

const captureOptions = z.object({
  add_channel: z.string().regex(/^\d+$/).optional(),
  remove_channel: z.string().regex(/^\d+$/).optional(),
  all_channels: z.boolean().optional(),
  include_bots: z.boolean().optional(),
});

export const configureCapture: SubcommandHandler = async (interaction, ctx) => {
  const input = parseOptions(interaction, captureOptions);
  const guildId = interaction.guildId;
  const current = await ctx.settings.get(guildId);
  let channels = [...current.captureChannelIds];
  if (input.all_channels === true) channels = [];
  if (input.add_channel && !channels.includes(input.add_channel)) channels.push(input.add_channel);
  if (input.remove_channel) {
    if (channels.length === 0) {
      throw new UserError('Clipscope records in every channel right now. Add the channels it should record in with `add_channel` instead.');
    }
    channels = channels.filter((id) => id !== input.remove_channel);
  }
  const changes: Partial<GuildSettings> = { captureChannelIds: channels };
  if (input.include_bots !== undefined) changes.includeBots = input.include_bots;
  const settings = await ctx.settings.update(guildId, changes, ctx.clock.now(), actorOf(interaction));
  await interaction.reply({ content: '✅ Capture settings saved.', embeds: [captureEmbed(settings)], ...ephemeral });
};

export function captureLine(settings: GuildSettings): string {
  const where =
    settings.captureChannelIds.length === 0
      ? 'every channel Clipscope can see'
      : settings.captureChannelIds.map((id) => `<#${id}>`).join(', ');
  return `Recording clip links in ${where}; ${settings.includeBots ? 'including' : 'ignoring'} links posted by bots.`;
}

function captureEmbed(settings: GuildSettings): APIEmbed {
  return fitEmbed({ title: '🎥 Capture', color: COLORS.brand, description: captureLine(settings), footer: { text: 'Clipscope' } });
}
