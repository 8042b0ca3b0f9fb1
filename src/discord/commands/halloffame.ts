// /halloffame [limit]: the server's hall of fame: its most-reacted reposted clips, and the members whose shares
// reached it most often (docs/hall-of-fame.md).
import { InteractionContextType, SlashCommandBuilder, type APIEmbed, type ChatInputCommandInteraction } from 'discord.js';
import { z } from 'zod';
import type { HallOfFameStandings } from '../../hall-of-fame/admin';
import type { BotContext } from '../context';
import { COLORS, formatCount, plural, rankLabel } from '../embeds/format';
import { fitEmbed, NO_MENTIONS } from '../embeds/limits';
import { limitOption, parseOptions } from '../options';
import { UserError } from '../user-error';

export const data = new SlashCommandBuilder()
  .setName('halloffame')
  .setDescription('The most-reacted clips of this server’s hall of fame, and who shared them')
  .setContexts(InteractionContextType.Guild)
  .addIntegerOption((o) => o.setName('limit').setDescription('How many of each (1–25, default 10)').setMinValue(1).setMaxValue(25));

const options = z.object({ limit: limitOption(10) });

export function hallOfFameEmbed(guildId: string, standings: HallOfFameStandings, on: boolean): APIEmbed {
  const clips = standings.entries.map((e, i) => {
    const repost = e.repostMessageId
      ? ` · [in the hall](https://discord.com/channels/${guildId}/${e.hallChannelId}/${e.repostMessageId})`
      : '';
    return `${rankLabel(i + 1)} [${e.clipId}](https://clips.twitch.tv/${e.clipId}) · 🏆 **${formatCount(e.count)}** · shared by <@${e.authorId}>${repost}`;
  });
  const sharers = standings.sharers.map(
    (s, i) => `${rankLabel(i + 1)} <@${s.authorId}> · ${plural(s.reposts, 'clip')} in the hall (best: ${formatCount(s.best)} reactions)`,
  );
  return fitEmbed({
    title: '🏆 Hall of fame',
    color: COLORS.brand,
    description: on ? undefined : 'The hall of fame is off now; these are the clips it reposted.',
    fields: [
      { name: 'Most-reacted clips', value: clips.join('\n') || 'None yet.' },
      { name: 'Most often in the hall', value: sharers.join('\n') || 'Nobody yet.' },
    ],
    footer: { text: 'Clipscope' },
  });
}

export async function execute(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, ctx: BotContext): Promise<void> {
  const { limit } = parseOptions(interaction, options);
  const service = ctx.services.hallOfFame;
  if (!service) throw new UserError('The hall of fame is not available in this Clipscope.');
  const [settings, standings] = await Promise.all([service.get(interaction.guildId), service.standings(interaction.guildId, limit)]);
  if (!settings && standings.entries.length === 0 && standings.sharers.length === 0) {
    throw new UserError('This server has no hall of fame yet. An admin can turn it on with `/clipscope-admin halloffame set`.');
  }
  await interaction.reply({ embeds: [hallOfFameEmbed(interaction.guildId, standings, settings !== null)], allowedMentions: NO_MENTIONS });
}
