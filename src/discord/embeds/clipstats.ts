// /clipstats embeds: overview, timeline, peak times, comparison, one clip, and creator and game drill-downs.
import type { APIEmbed, APIEmbedField } from 'discord.js';
import type { ClipDetails } from '../../analytics/clip-details';
import { emptyMoodCounts, MOODS, type Mood, type MoodCounts } from '../../analytics/moods-table';
import type {
  Change,
  Comparison,
  CreatorRow,
  EngagementTimeline,
  GameRow,
  Overview,
  PeakTimes,
  PeriodJson,
  ViralClip,
} from '../../analytics/types';
import {
  COLORS,
  discordTimestamp,
  formatAge,
  formatAverage,
  formatChangePct,
  formatCompact,
  formatCount,
  hourRange,
  plural,
  rankLabel,
  sparkline,
  weekdayName,
} from './format';
import { clipTitle, MOOD_LABELS, reactionBreakdown } from './leaderboards';
import { fitEmbed, link, safeText } from './limits';

const NAME_MAX = 80;
const FOOTER = { text: 'Clipscope' };

const inline = (name: string, value: string): APIEmbedField => ({ name, value, inline: true });

export function overviewEmbed(data: Overview): APIEmbed {
  if (data.total_clips === 0 && data.discord_shares === 0) {
    return fitEmbed({
      title: `📊 Clip stats · ${data.period.label}`,
      color: COLORS.brand,
      description: 'No clips in this period yet. Share Twitch clip links in this server and the numbers will appear here.',
      footer: FOOTER,
    });
  }
  const range =
    data.date_range.start && data.date_range.end
      ? `${discordTimestamp(Date.parse(data.date_range.start), 'D')} – ${discordTimestamp(Date.parse(data.date_range.end), 'D')}`
      : '—';
  return fitEmbed({
    title: `📊 Clip stats · ${data.period.label}`,
    color: COLORS.brand,
    fields: [
      inline('Clips', formatCount(data.total_clips)),
      inline('Views', formatCount(data.total_views)),
      inline('Avg views', data.total_clips > 0 ? formatAverage(data.total_views / data.total_clips) : '0'),
      inline('Creators', formatCount(data.unique_creators)),
      inline('Games', formatCount(data.unique_games)),
      inline('Discord shares', formatCount(data.discord_shares)),
      inline('Reactions', formatCount(data.discord_reactions)),
      inline(
        'Top creator',
        data.top_creator ? `${safeText(data.top_creator.name, NAME_MAX)} (${plural(data.top_creator.clip_count, 'clip')})` : '—',
      ),
      inline('Top game', data.top_game ? `${safeText(data.top_game.name, NAME_MAX)} (${plural(data.top_game.clip_count, 'clip')})` : '—'),
      { name: 'Clips created', value: range },
    ],
    footer: FOOTER,
  });
}

/** Most recent buckets listed as rows under the sparklines; the CSV export has all of them. */
const TIMELINE_ROWS = 14;

export function timelineEmbed(data: EngagementTimeline): APIEmbed {
  const buckets = data.buckets;
  const total = (key: 'clips_created' | 'views' | 'discord_shares' | 'discord_reactions'): number =>
    buckets.reduce((n, b) => n + b[key], 0);
  const line = (label: string, key: 'clips_created' | 'views' | 'discord_shares' | 'discord_reactions'): string =>
    `**${label}** ${formatCompact(total(key))}\n\`${sparkline(columns(buckets.map((b) => b[key])))}\``;
  const per = data.bucket === 'day' ? 'day' : data.bucket === 'week' ? 'week' : 'month';
  const recent = buckets.slice(-TIMELINE_ROWS).reverse();
  const width = Math.max(5, ...recent.map((b) => formatCompact(b.views).length));
  const table = recent
    .map(
      (b) =>
        `${b.date}  ${String(b.clips_created).padStart(5)}  ${formatCompact(b.views).padStart(width)}  ${String(b.discord_shares).padStart(6)}  ${String(b.discord_reactions).padStart(9)}${moodCell(b.moods)}`,
    )
    .join('\n');
  const header = `${'start'.padEnd(10)}  ${'clips'.padStart(5)}  ${'views'.padStart(width)}  ${'shares'.padStart(6)}  ${'reactions'.padStart(9)}  moods`;
  const windowMoods = emptyMoodCounts();
  for (const b of buckets) for (const m of MOODS) windowMoods[m] += b.moods[m];
  const moodLine = byCount(windowMoods)
    .map((m) => `${MOOD_LABELS[m]} ${formatCompact(windowMoods[m])}`)
    .join(' · ');
  const empty = buckets.every((b) => b.clips_created === 0 && b.discord_shares === 0 && b.discord_reactions === 0);
  return fitEmbed({
    title: `📈 Timeline · last ${plural(data.days, 'day')}, per ${per}`,
    color: COLORS.brand,
    description: [
      line('Clips created', 'clips_created'),
      line('Views', 'views'),
      line('Discord shares', 'discord_shares'),
      line('Reactions', 'discord_reactions'),
      ...(moodLine ? [`**Reactions by mood** ${moodLine}`] : []),
      empty ? '\nNothing happened in this window yet.' : `\n\`\`\`\n${header}\n${table}\n\`\`\``,
    ].join('\n'),
    footer: { text: `Times in ${data.timezone} · oldest to newest · Clipscope` },
  });
}

/** Sparkline columns at most: a longer window sums runs of consecutive buckets, so the four lines, the mood line and
 * the table stay within the description (3660 daily buckets would fill it four times over). */
const MAX_SPARK_COLUMNS = 120;

function columns(values: readonly number[]): number[] {
  if (values.length <= MAX_SPARK_COLUMNS) return [...values];
  const run = Math.ceil(values.length / MAX_SPARK_COLUMNS);
  const out: number[] = [];
  for (let i = 0; i < values.length; i += run) out.push(values.slice(i, i + run).reduce((a, b) => a + b, 0));
  return out;
}

/** The moods with reactions, the most first (ties in MOODS order). */
function byCount(counts: MoodCounts): Mood[] {
  return MOODS.filter((m) => counts[m] > 0).sort((a, b) => counts[b] - counts[a]);
}

/** A bucket's leading moods as a compact table cell, "  😂2 🔥1" (at most three; empty without reactions). */
function moodCell(counts: MoodCounts): string {
  const top = byCount(counts).slice(0, 3);
  return top.length === 0 ? '' : `  ${top.map((m) => `${MOOD_EMOJI[m]}${formatCompact(counts[m])}`).join(' ')}`;
}

const MOOD_EMOJI: Record<Mood, string> = Object.fromEntries(MOODS.map((m) => [m, MOOD_LABELS[m].split(' ')[0]])) as Record<Mood, string>;

function topIndexes(values: readonly number[], n: number): number[] {
  return values
    .map((v, i) => [v, i] as const)
    .filter(([v]) => v > 0)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, n)
    .map(([, i]) => i);
}

export function peakTimesEmbed(data: PeakTimes): APIEmbed {
  const totalClips = data.clips_by_hour.reduce((a, b) => a + b, 0);
  const totalShares = data.shares_by_hour.reduce((a, b) => a + b, 0);
  if (totalClips === 0 && totalShares === 0) {
    return fitEmbed({
      title: `⏰ Peak times · ${data.period.label}`,
      color: COLORS.brand,
      description: 'No clips or shares in this period yet, so there is no peak to show.',
      footer: { text: `Times in ${data.timezone} · Clipscope` },
    });
  }
  const hours = (values: number[]): string =>
    topIndexes(values, 3)
      .map((h, i) => `${rankLabel(i + 1)} ${hourRange(h)} (${formatCount(values[h] ?? 0)})`)
      .join('\n') || '—';
  const days = (values: number[]): string =>
    topIndexes(values, 3)
      .map((d, i) => `${rankLabel(i + 1)} ${weekdayName(d + 1)} (${formatCount(values[d] ?? 0)})`)
      .join('\n') || '—';
  return fitEmbed({
    title: `⏰ Peak times · ${data.period.label}`,
    color: COLORS.brand,
    description: [
      data.best_hour !== null ? `Most clips are made **${hourRange(data.best_hour)}**` : null,
      data.best_weekday !== null ? `The busiest day is **${weekdayName(data.best_weekday + 1)}**` : null,
      `\nClips by hour (00 → 23)\n\`${sparkline(data.clips_by_hour)}\``,
      `Shares by hour (00 → 23)\n\`${sparkline(data.shares_by_hour)}\``,
      `Clips by day (Mon → Sun)\n\`${sparkline(data.clips_by_weekday)}\``,
    ]
      .filter((line): line is string => line !== null)
      .join('\n'),
    fields: [
      inline('Best hours for clips', hours(data.clips_by_hour)),
      inline('Best days for clips', days(data.clips_by_weekday)),
      inline('Best hours for shares', hours(data.shares_by_hour)),
    ],
    footer: { text: `Times in ${data.timezone} · Clipscope` },
  });
}

function changeLine(change: Change): string {
  return `**${formatCount(change.current)}** ${formatChangePct(change.change_pct, change.current)}\nwas ${formatCount(change.previous)}`;
}

export function compareEmbed(data: Comparison): APIEmbed {
  return fitEmbed({
    title: `⚖️ ${data.label}`,
    color: COLORS.brand,
    fields: [
      inline('Clips', changeLine(data.clips)),
      inline('Views', changeLine(data.views)),
      inline('Discord shares', changeLine(data.discord_shares)),
      inline('Reactions', changeLine(data.discord_reactions)),
      inline('Creators', changeLine(data.unique_creators)),
      inline('Games', changeLine(data.unique_games)),
    ],
    footer: {
      text:
        data.span === 'to_date'
          ? 'So far against the same days of the previous period · against: whole for all of it · Clipscope'
          : FOOTER.text,
    },
  });
}

function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}` : `${s} s`;
}

const ENRICHMENT_NOTES: Record<ClipDetails['enrichment_state'], string | null> = {
  done: null,
  pending: 'Twitch details are still being fetched.',
  not_found: 'Twitch no longer has this clip (deleted or private); it still counts as a share.',
  failed: 'Fetching Twitch details failed; an admin can retry with `/clipscope-admin enrichment retry`.',
};

export function clipEmbed(clip: ClipDetails, now: number): APIEmbed {
  const title = clip.title?.trim() ? clip.title : clip.clip_id;
  const shares = clip.shares
    .map((s) => `<#${s.thread_id ?? s.channel_id}> by ${safeText(s.author_name, 40)} ${discordTimestamp(Date.parse(s.posted_at), 'R')}`)
    .join('\n');
  const history = clip.view_history.map((h) => h.view_count);
  const note = ENRICHMENT_NOTES[clip.enrichment_state];
  return fitEmbed({
    title: safeText(title, 256),
    url: clip.url,
    color: COLORS.brand,
    ...(note ? { description: note } : {}),
    ...(clip.thumbnail_url ? { image: { url: clip.thumbnail_url } } : {}),
    fields: [
      inline('Views', formatCount(clip.view_count)),
      inline('Discord shares', `${formatCount(clip.discord_shares)} in ${plural(clip.channel_count, 'channel')}`),
      inline(
        'Reactions',
        clip.discord_reactions > 0 ? `${formatCount(clip.discord_reactions)}\n${reactionBreakdown(clip.reaction_types, 6)}` : '0',
      ),
      inline('Clipped by', clip.creator_name ? safeText(clip.creator_name, NAME_MAX) : '—'),
      inline('Channel', clip.broadcaster_name ? safeText(clip.broadcaster_name, NAME_MAX) : '—'),
      inline('Game', clip.game_name ? safeText(clip.game_name, NAME_MAX) : '—'),
      inline(
        'Created',
        clip.clip_created_at
          ? `${discordTimestamp(Date.parse(clip.clip_created_at), 'D')} (${formatAge(clip.clip_created_at, now)} ago)`
          : '—',
      ),
      inline('First shared', clip.first_shared_at ? discordTimestamp(Date.parse(clip.first_shared_at), 'f') : '—'),
      inline('Length', formatDuration(clip.duration)),
      ...(history.length >= 2
        ? [
            {
              name: 'Views over time',
              value: `\`${sparkline(history)}\` ${formatCount(history[0] ?? 0)} → ${formatCount(history.at(-1) ?? 0)}`,
            },
          ]
        : []),
      ...(shares ? [{ name: 'Shared', value: shares }] : []),
    ],
    footer: { text: `Clip ${clip.clip_id} · Clipscope` },
  });
}

/** A creator's numbers in a period, the games they clip and their best clips. */
export interface CreatorProfile {
  period: PeriodJson;
  name: string;
  creator: CreatorRow | null;
  games: GameRow[];
  clips: ViralClip[];
  /** The member who linked this Twitch account (verified through Discord), if one did. */
  linkedDiscordUserId?: string | null;
}

export interface GameProfile {
  period: PeriodJson;
  name: string;
  game: GameRow | null;
  creators: CreatorRow[];
  clips: ViralClip[];
}

function clipLines(clips: readonly ViralClip[]): string {
  return clips.map((c, i) => `${rankLabel(i + 1)} ${link(clipTitle(c), c.url, 180)} · ${plural(c.view_count, 'view')}`).join('\n') || '—';
}

export function creatorEmbed(profile: CreatorProfile): APIEmbed {
  const title = `🎬 ${safeText(profile.name, NAME_MAX)} · ${profile.period.label}`;
  const row = profile.creator;
  // A mention renders the member's current Discord name; the reply allows no mentions, so nobody is pinged.
  const linked =
    profile.linkedDiscordUserId && /^\d{1,20}$/.test(profile.linkedDiscordUserId) ? `On Discord: <@${profile.linkedDiscordUserId}>` : null;
  if (!row || row.clip_count === 0) {
    return fitEmbed({
      title,
      color: COLORS.brand,
      description: [linked, 'No clips by this creator in this period. Try `period: All time`.'].filter(Boolean).join('\n'),
      footer: FOOTER,
    });
  }
  return fitEmbed({
    title,
    color: COLORS.brand,
    ...(linked ? { description: linked } : {}),
    fields: [
      inline('Clips', formatCount(row.clip_count)),
      inline('Views', formatCount(row.total_views)),
      inline('Avg views', formatAverage(row.avg_views)),
      inline('Discord shares', formatCount(row.discord_shares)),
      inline('Reactions', formatCount(row.discord_reactions)),
      inline('Games', formatCount(row.unique_games)),
      {
        name: 'Games clipped',
        value:
          profile.games
            .map((g, i) => `${rankLabel(i + 1)} ${safeText(g.game_name, NAME_MAX)} (${plural(g.clip_count, 'clip')})`)
            .join('\n') || '—',
      },
      { name: 'Best clips', value: clipLines(profile.clips) },
    ],
    footer: FOOTER,
  });
}

export function gameEmbed(profile: GameProfile): APIEmbed {
  const title = `🎮 ${safeText(profile.name, NAME_MAX)} · ${profile.period.label}`;
  const row = profile.game;
  if (!row || row.clip_count === 0) {
    return fitEmbed({
      title,
      color: COLORS.brand,
      description: 'No clips of this game in this period. Try `period: All time`.',
      footer: FOOTER,
    });
  }
  return fitEmbed({
    title,
    color: COLORS.brand,
    fields: [
      inline('Clips', formatCount(row.clip_count)),
      inline('Views', formatCount(row.total_views)),
      inline('Avg views', formatAverage(row.avg_view_count)),
      inline('Discord shares', formatCount(row.discord_shares)),
      inline('Reactions', formatCount(row.discord_reactions)),
      inline('Creators', formatCount(row.unique_creators)),
      {
        name: 'Top creators',
        value:
          profile.creators
            .map((c, i) => `${rankLabel(i + 1)} ${safeText(c.creator_name, NAME_MAX)} (${plural(c.clip_count, 'clip')})`)
            .join('\n') || '—',
      },
      { name: 'Best clips', value: clipLines(profile.clips) },
    ],
    footer: FOOTER,
  });
}
