// The /clipstats streams embed: when in their broadcasts the server's clips happen, rendered from the one
// StreamMoments answer the API serves too.
import type { APIEmbed } from 'discord.js';
import type { StreamMoments, StreamRow } from '../../analytics/types';
import { COLORS, formatCount, plural, rankLabel, sparkline } from './format';
import { fitEmbed, link } from './limits';

const FOOTER = { text: 'Clips placed by Twitch’s VOD offset · Clipscope' };

/** 1 h 05 min, 12 min, 40 s. */
export function formatOffset(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min`;
}

const rate = (perHour: number | null): string => (perHour === null ? '—' : `${perHour.toLocaleString('en-US')}/h`);

function streamLine(s: StreamRow, i: number): string {
  const title = link(s.title || 'Untitled stream', s.url, 80);
  return `${rankLabel(i + 1)} ${title} · ${plural(s.clips, 'clip')}, ${formatCount(s.views)} views · ${rate(s.clips_per_hour)}`;
}

export function streamMomentsEmbed(data: StreamMoments): APIEmbed {
  const title = `🎥 Stream moments · ${data.period.label}`;
  if (data.clips.total === 0 && data.streams.count === 0) {
    return fitEmbed({
      title,
      color: COLORS.brand,
      description:
        'No clips or streams in this period yet. Follow your channel with `/clipscope-admin twitch add` so the sync reads its streams.',
      footer: FOOTER,
    });
  }
  // The busiest 10-minute bin, the first on ties.
  const peak = data.clips_by_bin.reduce((best, n, i) => (n > (data.clips_by_bin[best] ?? 0) ? i : best), 0);
  const s = data.streams;
  const lines = [
    `**${formatCount(data.clips.placed)}** of ${plural(data.clips.total, 'clip')} placed in their stream` +
      (data.clips.without_offset > 0 ? ` (${formatCount(data.clips.without_offset)} without a VOD offset, counted apart)` : ''),
  ];
  if (data.clips.placed > 0) {
    lines.push(
      `Most clips come **${peak * data.bin_minutes}–${(peak + 1) * data.bin_minutes} min** into the stream`,
      `Clips by ${data.bin_minutes} minutes into the stream\n\`${sparkline(data.clips_by_bin.slice(0, 48))}\``,
    );
  }
  const fields = [
    {
      name: 'Streams',
      value: `${formatCount(s.count)} · ${s.hours_streamed.toLocaleString('en-US')} h\n${plural(s.clips, 'clip')} · ${rate(s.clips_per_hour)}`,
      inline: true,
    },
    {
      name: 'Time to first clip',
      value:
        s.time_to_first_clip.median_seconds === null
          ? '—'
          : `median ${formatOffset(s.time_to_first_clip.median_seconds)}\nmean ${formatOffset(s.time_to_first_clip.mean_seconds ?? 0)}`,
      inline: true,
    },
    {
      name: 'Clips per hour by third',
      value: `start ${rate(s.thirds.first.clips_per_hour)}\nmiddle ${rate(s.thirds.middle.clips_per_hour)}\nend ${rate(s.thirds.last.clips_per_hour)}`,
      inline: true,
    },
  ];
  if (data.top_by_clips.length > 0)
    fields.push({ name: 'Streams with the most clips', value: data.top_by_clips.slice(0, 5).map(streamLine).join('\n'), inline: false });
  if (data.games_per_hour.length > 0)
    fields.push({
      name: 'Clips per hour streamed, by game',
      value: data.games_per_hour
        .slice(0, 5)
        .map(
          (g, i) => `${rankLabel(i + 1)} ${g.game_name} · ${plural(g.clips, 'clip')} in ${g.hours_streamed} h · ${rate(g.clips_per_hour)}`,
        )
        .join('\n'),
      inline: false,
    });
  return fitEmbed({ title, color: COLORS.brand, description: lines.join('\n'), fields, footer: FOOTER });
}
