// The weekly digest embed: last week's numbers against the week before, the best clips, creators and games,
// the community favourite, the peak hour and one growth idea — or a short friendly note for a quiet week.
import type { APIEmbed, APIEmbedField } from 'discord.js';
import type { CreatorRow, GameRow, GrowthOpportunities, Overview, ViralClip } from '../../analytics/types';
import type { WeeklyDigestData } from '../../digest/data';
import { COLORS, formatAverage, formatChange, formatCount, hourRange, plural, rankLabel, weekdayName } from './format';
import { clipTitle, reactionBreakdown } from './leaderboards';
import { fitEmbed, link, safeText } from './limits';

export type { WeeklyDigestData };

const NAME_MAX = 60;

/** A week with nothing shared, clipped or reacted to. */
export function isQuietWeek(current: Overview): boolean {
  return current.total_clips === 0 && current.discord_shares === 0 && current.discord_reactions === 0;
}

function metricLine(label: string, current: number, previous: number): string {
  return `**${formatCount(current)}** ${label} (${formatChange(current, previous)} vs ${formatCount(previous)})`;
}

/** One sentence on where the community could grow, from the growth analysis; null when nothing stands out. */
export function growthLine(growth: GrowthOpportunities): string | null {
  const game = growth.underclipped_games[0];
  if (game) {
    return (
      `**${safeText(game.game_name, NAME_MAX)}** clips average ${formatCount(game.avg_view_count)} views, ` +
      `yet only ${plural(game.clip_count, 'clip was', 'clips were')} made. Clip more of it!`
    );
  }
  const creator = growth.engaging_creators[0];
  if (creator && creator.discord_reactions > 0 && creator.clip_count > 0) {
    return (
      `Clips by **${safeText(creator.creator_name, NAME_MAX)}** draw ${formatAverage(creator.discord_reactions / creator.clip_count)} ` +
      'reactions each. The community loves them, so give them a shout-out!'
    );
  }
  const favourite = growth.community_favourites[0];
  if (favourite) {
    return `${link(clipTitle(favourite), favourite.url, 200)} has more love here than views on Twitch. Share it further!`;
  }
  return null;
}

export function weeklyDigestEmbed(data: WeeklyDigestData): APIEmbed {
  const title = `📬 Weekly clip digest · week of ${data.week.date}`;
  const { current, previous } = data;
  if (isQuietWeek(current)) {
    const before = isQuietWeek(previous)
      ? ''
      : `\n\nThe week before had ${plural(previous.total_clips, 'clip')} and ${plural(previous.discord_shares, 'share')}.`;
    return fitEmbed({
      title,
      color: COLORS.brand,
      description:
        '🌙 A quiet week: no new clips were shared here.' +
        before +
        '\n\nCaught a great moment on stream? Post the Twitch clip link in this server and it will be in next week’s digest.',
      footer: { text: `Times in ${data.week.timezone} · Clipscope` },
    });
  }

  const fields: APIEmbedField[] = [];
  if (data.topClips.length > 0) {
    fields.push({
      name: '🔥 Top clips',
      value: data.topClips
        .slice(0, 5)
        .map(
          (c, i) =>
            `${rankLabel(i + 1)} ${link(clipTitle(c), c.url, 150)} · ${plural(c.view_count, 'view')}${c.creator_name ? ` · by ${safeText(c.creator_name, 40)}` : ''}`,
        )
        .join('\n'),
    });
  }
  if (data.topCreators.length > 0) {
    fields.push({
      name: '🎬 Top creators',
      value: data.topCreators
        .slice(0, 3)
        .map((c, i) => `${rankLabel(i + 1)} ${safeText(c.creator_name, NAME_MAX)} · ${plural(c.clip_count, 'clip')}`)
        .join('\n'),
      inline: true,
    });
  }
  if (data.topGames.length > 0) {
    fields.push({
      name: '🎮 Top games',
      value: data.topGames
        .slice(0, 3)
        .map((g, i) => `${rankLabel(i + 1)} ${safeText(g.game_name, NAME_MAX)} · ${plural(g.clip_count, 'clip')}`)
        .join('\n'),
      inline: true,
    });
  }
  if (data.favourite && data.favourite.discord_reactions > 0) {
    const f = data.favourite;
    const breakdown = reactionBreakdown(f.reaction_types);
    fields.push({
      name: '❤️ Community favourite',
      value: `${link(clipTitle(f), f.url, 300)} · ${plural(f.discord_reactions, 'reaction')}${breakdown ? ` (${breakdown})` : ''}`,
    });
  }
  if (data.funniest) {
    const f = data.funniest;
    fields.push({
      name: '😂 Funniest clip of the week',
      value: `${link(clipTitle(f), f.url, 300)} · ${plural(f.mood_reactions ?? 0, 'funny reaction')}`,
    });
  }
  if (data.peakHour !== null) {
    const day = data.peakWeekday !== null ? ` · busiest day: ${weekdayName(data.peakWeekday + 1)}` : '';
    fields.push({ name: '⏰ Peak hour', value: `${hourRange(data.peakHour)} (${data.week.timezone})${day}` });
  }
  const growth = growthLine(data.growth);
  if (growth) fields.push({ name: '🌱 Growth opportunity', value: growth });

  return fitEmbed({
    title,
    color: COLORS.brand,
    description: [
      metricLine('clips', current.total_clips, previous.total_clips),
      metricLine('views', current.total_views, previous.total_views),
      metricLine('shares', current.discord_shares, previous.discord_shares),
      metricLine('reactions', current.discord_reactions, previous.discord_reactions),
    ].join('\n'),
    fields,
    footer: { text: `Compared with the week before · times in ${data.week.timezone} · Clipscope` },
  });
}
