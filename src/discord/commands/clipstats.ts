// /clipstats: the server's numbers beyond the leaderboards — overview, timeline, peak times, stream moments, one clip, a
// creator or game drill-down, this period against the previous one, CSV export of any leaderboard, and the PDF report
// (clipstats-report.ts).
import {
  InteractionContextType,
  MessageFlags,
  SlashCommandBuilder,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { z } from 'zod';
import { periodJson, resolvePeriod } from '../../analytics/periods';
import { COMPARE_SPANS, CREATOR_SORTS, GAME_SORTS, TIMELINE_BUCKETS, VIRAL_SORTS, type PeriodQuery } from '../../analytics/types';
import { extractClipLinks } from '../../capture/clip-url';
import { respondWithNames } from '../autocomplete';
import type { BotContext } from '../context';
import { topCreatorsCsv, topGamesCsv, timelineCsv, viralClipsCsv } from '../csv-export';
import { clipEmbed, compareEmbed, creatorEmbed, gameEmbed, overviewEmbed, peakTimesEmbed, timelineEmbed } from '../embeds/clipstats';
import { COLORS, plural } from '../embeds/format';
import { fitEmbed, NO_MENTIONS, safeText } from '../embeds/limits';
import { analysisContextFor } from '../guild-scope';
import { PERIOD_CHOICES, nameOption, parseOptions, periodOption } from '../options';
import { UserError } from '../user-error';
import { executeReport, reportSubcommand } from './clipstats-report';
import { executeStreams, streamsSubcommand } from './clipstats-streams';

const REPORTS = ['top-creators', 'top-games', 'viral-clips', 'timeline'] as const;
/** Rows a CSV export holds at most (the HTTP API's bound too). */
const EXPORT_MAX_ROWS = 100;

export const data = new SlashCommandBuilder()
  .setName('clipstats')
  .setDescription('Clip statistics for this server')
  .setContexts(InteractionContextType.Guild)
  .addSubcommand((s) =>
    s
      .setName('overview')
      .setDescription('Clips, views, creators, games and Discord engagement at a glance')
      .addStringOption((o) =>
        o
          .setName('period')
          .setDescription('Which period (default: all time)')
          .addChoices(...PERIOD_CHOICES),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('timeline')
      .setDescription('Clips, views, shares and reactions over time')
      .addStringOption((o) =>
        o
          .setName('bucket')
          .setDescription('One bar per day, week or month (default: day)')
          .addChoices({ name: 'day', value: 'day' }, { name: 'week', value: 'week' }, { name: 'month', value: 'month' }),
      )
      .addIntegerOption((o) =>
        o
          .setName('days')
          .setDescription('How many days back (default: 30 per day, 84 per week, 365 per month)')
          .setMinValue(1)
          .setMaxValue(3660),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('peaktimes')
      .setDescription('The hours and days your community clips and shares most (server timezone)')
      .addStringOption((o) =>
        o
          .setName('period')
          .setDescription('Which period (default: all time)')
          .addChoices(...PERIOD_CHOICES),
      ),
  )
  .addSubcommand(streamsSubcommand)
  .addSubcommand((s) =>
    s
      .setName('clip')
      .setDescription('Everything about one clip')
      .addStringOption((o) => o.setName('url').setDescription('The Twitch clip link (or its id)').setRequired(true).setMaxLength(500)),
  )
  .addSubcommand((s) =>
    s
      .setName('creator')
      .setDescription('One clip creator: numbers, games and best clips')
      .addStringOption((o) => o.setName('name').setDescription('Creator').setRequired(true).setAutocomplete(true).setMaxLength(200))
      .addStringOption((o) =>
        o
          .setName('period')
          .setDescription('Which period (default: all time)')
          .addChoices(...PERIOD_CHOICES),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('game')
      .setDescription('One game: numbers, top creators and best clips')
      .addStringOption((o) => o.setName('name').setDescription('Game').setRequired(true).setAutocomplete(true).setMaxLength(200))
      .addStringOption((o) =>
        o
          .setName('period')
          .setDescription('Which period (default: all time)')
          .addChoices(...PERIOD_CHOICES),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('compare')
      .setDescription('This period against the previous one')
      .addStringOption((o) =>
        o
          .setName('period')
          .setDescription('Which period (default: this week)')
          .addChoices(...PERIOD_CHOICES.filter((c) => c.value !== 'all_time')),
      )
      .addStringOption((o) =>
        o
          .setName('against')
          .setDescription('What to set a running period against (default: the same days of the previous one)')
          .addChoices(
            { name: 'The same days so far of the previous period', value: 'to_date' },
            { name: 'The whole previous period', value: 'whole' },
          ),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('export')
      .setDescription('Download a leaderboard or the timeline as a CSV file')
      .addStringOption((o) =>
        o
          .setName('report')
          .setDescription('What to export')
          .setRequired(true)
          .addChoices(
            { name: 'Top creators', value: 'top-creators' },
            { name: 'Top games', value: 'top-games' },
            { name: 'Viral clips', value: 'viral-clips' },
            { name: 'Timeline (per day)', value: 'timeline' },
          ),
      )
      .addStringOption((o) =>
        o
          .setName('period')
          .setDescription('Which period (default: all time; timeline: last 30 days)')
          .addChoices(...PERIOD_CHOICES),
      )
      .addIntegerOption((o) =>
        o
          .setName('rows')
          .setDescription(`How many rows (1–${EXPORT_MAX_ROWS}, default ${EXPORT_MAX_ROWS})`)
          .setMinValue(1)
          .setMaxValue(EXPORT_MAX_ROWS),
      )
      .addStringOption((o) =>
        o.setName('sort').setDescription('Rank by (a column of the report; default: clips, or views for viral clips)').setMaxLength(40),
      ),
  )
  .addSubcommand(reportSubcommand);

const periodSchema = z.object({ period: periodOption.default('all_time') });
const timelineSchema = z.object({
  bucket: z.enum(TIMELINE_BUCKETS).default('day'),
  days: z.number().int().min(1).max(3660).optional(),
});
const clipSchema = z.object({ url: z.string().trim().min(1).max(500) });
const drillSchema = z.object({ name: nameOption, period: periodOption.default('all_time') });
const compareSchema = z.object({
  period: z.enum(['day', 'week', 'month'], { error: 'choose day, week or month' }).default('week'),
  against: z.enum(COMPARE_SPANS, { error: 'choose the same days so far or the whole previous period' }).optional(),
});
const exportSchema = z.object({
  report: z.enum(REPORTS),
  period: periodOption.optional(),
  rows: z.number().int().min(1).max(EXPORT_MAX_ROWS).default(EXPORT_MAX_ROWS),
  sort: z.string().trim().optional(),
});

const TIMELINE_DEFAULT_DAYS = { day: 30, week: 84, month: 365 } as const;

export async function execute(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, ctx: BotContext): Promise<void> {
  const sub = interaction.options.getSubcommand(true);
  const guildId = interaction.guildId;
  switch (sub) {
    case 'overview': {
      const { period } = parseOptions(interaction, periodSchema);
      await interaction.deferReply();
      const answer = await ctx.analytics.overview(await analysisContextFor(guildId, ctx), { type: period });
      await interaction.editReply({ embeds: [overviewEmbed(answer)], allowedMentions: NO_MENTIONS });
      return;
    }
    case 'timeline': {
      const input = parseOptions(interaction, timelineSchema);
      await interaction.deferReply();
      const answer = await ctx.analytics.timeline(await analysisContextFor(guildId, ctx), {
        bucket: input.bucket,
        days: input.days ?? TIMELINE_DEFAULT_DAYS[input.bucket],
      });
      await interaction.editReply({ embeds: [timelineEmbed(answer)], allowedMentions: NO_MENTIONS });
      return;
    }
    case 'peaktimes': {
      const { period } = parseOptions(interaction, periodSchema);
      await interaction.deferReply();
      const answer = await ctx.analytics.peakTimes(await analysisContextFor(guildId, ctx), { type: period });
      await interaction.editReply({ embeds: [peakTimesEmbed(answer)], allowedMentions: NO_MENTIONS });
      return;
    }
    case 'streams':
      await executeStreams(interaction, ctx);
      return;
    case 'clip': {
      const { url } = parseOptions(interaction, clipSchema);
      const clipId = extractClipLinks(url)[0]?.clipId ?? (/^[A-Za-z0-9_-]{3,100}$/.test(url) ? url : null);
      if (!clipId)
        throw new UserError(
          'That is not a Twitch clip link. Paste a link like `https://clips.twitch.tv/…` or `twitch.tv/<channel>/clip/…`.',
        );
      const details = await ctx.analytics.clipDetails(guildId, clipId);
      if (!details) throw new UserError('Nobody has shared that clip in this server yet, so Clipscope has no stats for it.');
      await interaction.reply({ embeds: [clipEmbed(details, ctx.clock.now())], allowedMentions: NO_MENTIONS });
      return;
    }
    case 'creator': {
      const input = parseOptions(interaction, drillSchema);
      const creator = await ctx.analytics.findCreator(guildId, input.name);
      if (!creator)
        throw new UserError(`This server has no clips by a creator called "${safeText(input.name, 100)}". Pick one from the suggestions.`);
      await interaction.deferReply();
      const scope = await analysisContextFor(guildId, ctx);
      const period: PeriodQuery = { type: input.period };
      const embed = creatorEmbed({
        period: periodJson(resolvePeriod(period, scope.timezone, scope.now)),
        name: creator.name,
        creator: await ctx.analytics.creatorRow(scope, period, creator.id),
        games: (await ctx.analytics.topGames(scope, { period, limit: 5, sort: 'clip_count', creatorId: creator.id })).games.filter(
          (g) => g.clip_count > 0,
        ),
        clips: (await ctx.analytics.viralClips(scope, { period, limit: 5, sort: 'view_count', minViews: 0, creatorId: creator.id })).clips,
        linkedDiscordUserId: (await ctx.analytics.linkedAccount(guildId, creator.id))?.discord_user_id ?? null,
      });
      await interaction.editReply({ embeds: [embed], allowedMentions: NO_MENTIONS });
      return;
    }
    case 'game': {
      const input = parseOptions(interaction, drillSchema);
      const game = await ctx.analytics.findGame(guildId, input.name);
      if (!game)
        throw new UserError(`This server has no clips of a game called "${safeText(input.name, 100)}". Pick one from the suggestions.`);
      await interaction.deferReply();
      const scope = await analysisContextFor(guildId, ctx);
      const period: PeriodQuery = { type: input.period };
      const embed = gameEmbed({
        period: periodJson(resolvePeriod(period, scope.timezone, scope.now)),
        name: game.name,
        game: await ctx.analytics.gameRow(scope, period, game.id),
        creators: (await ctx.analytics.topCreators(scope, { period, limit: 5, sort: 'clip_count', gameId: game.id })).creators.filter(
          (c) => c.clip_count > 0,
        ),
        clips: (await ctx.analytics.viralClips(scope, { period, limit: 5, sort: 'view_count', minViews: 0, gameId: game.id })).clips,
      });
      await interaction.editReply({ embeds: [embed], allowedMentions: NO_MENTIONS });
      return;
    }
    case 'compare': {
      const { period, against } = parseOptions(interaction, compareSchema);
      await interaction.deferReply();
      const answer = await ctx.analytics.compare(await analysisContextFor(guildId, ctx), { type: period }, against);
      await interaction.editReply({ embeds: [compareEmbed(answer)], allowedMentions: NO_MENTIONS });
      return;
    }
    case 'export':
      await exportReport(interaction, ctx);
      return;
    case 'report':
      await executeReport(interaction, ctx);
      return;
    default:
      throw new UserError('Unknown subcommand. An admin may need to run `npm run commands:register`.');
  }
}

function sortFor<T extends readonly string[]>(report: string, allowed: T, given: string | undefined, fallback: T[number]): T[number] {
  if (given === undefined || given === '') return fallback;
  if ((allowed as readonly string[]).includes(given)) return given as T[number];
  throw new UserError(`\`sort\` for ${report} must be one of: ${allowed.join(', ')}.`);
}

async function exportReport(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, ctx: BotContext): Promise<void> {
  const input = parseOptions(interaction, exportSchema);
  const scope = await analysisContextFor(interaction.guildId, ctx);
  const period: PeriodQuery = { type: input.period ?? 'all_time' };
  let csv: string;
  let rows: number;
  let label: string;
  let key: string;
  // Validate the sort before deferring, so a mistake is a plain private message.
  const creatorSort = input.report === 'top-creators' ? sortFor(input.report, CREATOR_SORTS, input.sort, 'clip_count') : null;
  const gameSort = input.report === 'top-games' ? sortFor(input.report, GAME_SORTS, input.sort, 'clip_count') : null;
  const viralSort = input.report === 'viral-clips' ? sortFor(input.report, VIRAL_SORTS, input.sort, 'view_count') : null;
  if (input.report === 'timeline' && input.sort) throw new UserError('The timeline is in date order; leave `sort` empty.');
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  if (creatorSort) {
    const answer = await ctx.analytics.topCreators(scope, { period, limit: input.rows, sort: creatorSort });
    [csv, rows, label, key] = [
      topCreatorsCsv(answer),
      answer.creators.length,
      answer.period.label,
      answer.period.start?.slice(0, 10) ?? 'all-time',
    ];
  } else if (gameSort) {
    const answer = await ctx.analytics.topGames(scope, { period, limit: input.rows, sort: gameSort });
    [csv, rows, label, key] = [
      topGamesCsv(answer),
      answer.games.length,
      answer.period.label,
      answer.period.start?.slice(0, 10) ?? 'all-time',
    ];
  } else if (viralSort) {
    const answer = await ctx.analytics.viralClips(scope, { period, limit: input.rows, sort: viralSort, minViews: 0 });
    [csv, rows, label, key] = [
      viralClipsCsv(answer),
      answer.clips.length,
      answer.period.label,
      answer.period.start?.slice(0, 10) ?? 'all-time',
    ];
  } else {
    const days = input.period === 'week' ? 7 : input.period === 'month' ? 31 : input.period === 'day' ? 1 : 30;
    const answer = await ctx.analytics.timeline(scope, { bucket: 'day', days });
    [csv, rows, label, key] = [
      timelineCsv(answer),
      answer.buckets.length,
      `last ${plural(days, 'day')}`,
      answer.buckets[0]?.date ?? 'timeline',
    ];
  }
  const name = `clipscope-${input.report}-${input.report === 'timeline' ? 'daily' : (input.period ?? 'all_time')}-${key}.csv`.replace(
    /[^A-Za-z0-9._-]/g,
    '_',
  );
  await interaction.editReply({
    embeds: [
      fitEmbed({
        title: '📄 CSV export',
        color: COLORS.brand,
        description: `${REPORT_LABELS[input.report]} · ${label} · ${plural(rows, 'row')}`,
        footer: { text: 'Clipscope' },
      }),
    ],
    files: [{ attachment: Buffer.from(csv, 'utf8'), name }],
    allowedMentions: NO_MENTIONS,
  });
}

const REPORT_LABELS: Record<(typeof REPORTS)[number], string> = {
  'top-creators': 'Top creators',
  'top-games': 'Top games',
  'viral-clips': 'Viral clips',
  timeline: 'Timeline per day',
};

export async function autocomplete(interaction: AutocompleteInteraction<'raw' | 'cached'>, ctx: BotContext): Promise<void> {
  await respondWithNames(interaction, ctx);
}
