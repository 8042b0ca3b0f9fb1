// /clipscope-admin: the server's Clipscope settings and maintenance, for members with Manage Server only
// (the default permission hides it from others; the handler checks again, since server admins can override it).
// Every answer is ephemeral: settings, errors and tokens are nobody else's business.
import {
  ChannelType,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type APIEmbed,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { z } from 'zod';
import { isValidTimeZone } from '../../analytics/periods';
import { getGuildSettings, updateGuildSettings, type GuildSettings } from '../../db/guild-settings';
import { digestStatus, resetDigestFailure } from '../../digest/weekly';
import { TwitchApiError } from '../../twitch/client';
import type { BotContext, FollowedChannel } from '../context';
import { COLORS, discordTimestamp, formatCount, plural, weekdayName, WEEKDAYS } from '../embeds/format';
import { fitEmbed, NO_MENTIONS, safeText } from '../embeds/limits';
import { parseOptions } from '../options';
import { UserError } from '../user-error';
import { legacyClient } from '../../db/client';

const TEXT_CHANNELS = [ChannelType.GuildText, ChannelType.GuildAnnouncement] as const;
const CAPTURE_CHANNELS = [ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum, ChannelType.GuildMedia] as const;

export const data = new SlashCommandBuilder()
  .setName('clipscope-admin')
  .setDescription('Clipscope settings and maintenance for this server')
  .setContexts(InteractionContextType.Guild)
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .addSubcommand((s) => s.setName('status').setDescription('Settings, queues, last background runs and errors'))
  .addSubcommand((s) =>
    s
      .setName('digest')
      .setDescription('Where and when the weekly digest is posted (no options: show the current setup)')
      .addChannelOption((o) => o.setName('channel').setDescription('Channel to post the digest in').addChannelTypes(...TEXT_CHANNELS))
      .addIntegerOption((o) =>
        o
          .setName('day')
          .setDescription('Day of the week to post on')
          .addChoices(...WEEKDAYS.map((name, i) => ({ name, value: i + 1 }))),
      )
      .addIntegerOption((o) => o.setName('hour').setDescription('Hour to post at, 0–23, in the server timezone').setMinValue(0).setMaxValue(23))
      .addStringOption((o) =>
        o.setName('timezone').setDescription('Server timezone for the digest and all periods, e.g. Europe/Berlin').setAutocomplete(true).setMaxLength(64),
      )
      .addBooleanOption((o) => o.setName('enabled').setDescription('Turn the weekly digest on or off')),
  )
  .addSubcommand((s) =>
    s
      .setName('capture')
      .setDescription('Which channels and authors Clipscope records clip links from')
      .addChannelOption((o) => o.setName('add_channel').setDescription('Also record in this channel').addChannelTypes(...CAPTURE_CHANNELS))
      .addChannelOption((o) => o.setName('remove_channel').setDescription('Stop recording in this channel').addChannelTypes(...CAPTURE_CHANNELS))
      .addBooleanOption((o) => o.setName('all_channels').setDescription('Record in every channel Clipscope can see (clears the list)'))
      .addBooleanOption((o) => o.setName('include_bots').setDescription('Also record clip links posted by bots')),
  )
  .addSubcommandGroup((g) =>
    g
      .setName('twitch')
      .setDescription('Twitch channels and clip enrichment')
      .addSubcommand((s) =>
        s
          .setName('add')
          .setDescription('Follow Twitch channels and import all their clips')
          .addStringOption((o) => o.setName('channels').setDescription('Twitch logins, separated by spaces or commas').setRequired(true).setMaxLength(500)),
      )
      .addSubcommand((s) => s.setName('list').setDescription('The Twitch channels this server follows, with their last sync'))
      .addSubcommand((s) =>
        s
          .setName('remove')
          .setDescription('Stop following Twitch channels (their clips stay)')
          .addStringOption((o) => o.setName('channels').setDescription('Twitch logins, separated by spaces or commas').setRequired(true).setMaxLength(500)),
      )
      .addSubcommand((s) => s.setName('sync').setDescription('Fetch new clips of the followed Twitch channels now'))
      .addSubcommand((s) => s.setName('retry').setDescription('Retry the clips whose Twitch details could not be fetched')),
  )
  .addSubcommand((s) => s.setName('aggregate').setDescription('Recompute this server’s leaderboards and summaries now'))
  .addSubcommandGroup((g) =>
    g
      .setName('token')
      .setDescription('HTTP API tokens for this server')
      .addSubcommand((s) =>
        s
          .setName('create')
          .setDescription('Create an API token (shown once, only to you)')
          .addStringOption((o) => o.setName('name').setDescription('What the token is for, e.g. "stream overlay"').setMaxLength(100)),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('backfill')
      .setDescription('Record the clip links already in a channel’s history')
      .addChannelOption((o) => o.setName('channel').setDescription('Channel to crawl').setRequired(true).addChannelTypes(...CAPTURE_CHANNELS))
      .addStringOption((o) => o.setName('since').setDescription('Only messages after this date, YYYY-MM-DD (default: all history)').setMaxLength(10)),
  );

const PROGRESS_EDIT_INTERVAL_MS = 5_000;

const ephemeral = { flags: MessageFlags.Ephemeral as const, allowedMentions: NO_MENTIONS };

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

const captureOptions = z.object({
  add_channel: z.string().regex(/^\d+$/).optional(),
  remove_channel: z.string().regex(/^\d+$/).optional(),
  all_channels: z.boolean().optional(),
  include_bots: z.boolean().optional(),
});

const loginsSchema = z.object({
  channels: z
    .string()
    .trim()
    .transform((s) => [...new Set(s.split(/[\s,]+/).map((l) => l.trim().replace(/^@/, '').toLowerCase()).filter(Boolean))])
    .pipe(z.array(z.string().regex(/^[a-z0-9_]{1,25}$/, 'Twitch logins are 1–25 letters, digits or underscores')).min(1, 'name at least one Twitch login').max(10, 'at most 10 channels at once')),
});

const tokenOptions = z.object({ name: z.string().trim().min(1).max(100).default('API token') });

const backfillOptions = z.object({
  channel: z.string().regex(/^\d+$/),
  since: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'use the form YYYY-MM-DD, e.g. 2025-01-31')
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'not a real date')
    .optional(),
});

export async function execute(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, ctx: BotContext): Promise<void> {
  if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
    throw new UserError('You need the **Manage Server** permission to use `/clipscope-admin`.');
  }
  const group = interaction.options.getSubcommandGroup(false);
  const sub = interaction.options.getSubcommand(true);
  const guildId = interaction.guildId;
  switch (group ? `${group} ${sub}` : sub) {
    case 'status':
      await interaction.reply({ embeds: [statusEmbed(ctx, guildId)], ...ephemeral });
      return;
    case 'digest':
      await configureDigest(interaction, ctx);
      return;
    case 'capture':
      await configureCapture(interaction, ctx);
      return;
    case 'twitch add':
      await twitchAdd(interaction, ctx);
      return;
    case 'twitch list':
      await interaction.reply({ ...twitchChannelsReply(await requireTwitch(ctx).listChannels(guildId)), ...ephemeral });
      return;
    case 'twitch remove': {
      const twitch = requireTwitch(ctx);
      const { channels } = parseOptions(interaction, loginsSchema);
      const { removed, notFollowed } = await twitch.removeChannels(guildId, channels);
      if (removed.length === 0) throw new UserError(`This server follows none of ${channels.map((l) => `\`${l}\``).join(', ')}; \`/clipscope-admin twitch list\` shows the ones it follows.`);
      const names = removed.map((c) => `**${safeText(c.name, 50)}**`).join(', ');
      const skipped = notFollowed.length > 0 ? ` Not followed here: ${notFollowed.map((l) => `\`${l}\``).join(', ')}.` : '';
      await interaction.reply({ content: `🗑️ Stopped following ${names}. Their clips stay in this server’s history.${skipped}`, ...ephemeral });
      return;
    }
    case 'twitch sync': {
      const twitch = requireTwitch(ctx);
      twitch.startSync(guildId);
      await interaction.reply({ content: '🔄 Sync of the followed Twitch channels started. `/clipscope-admin status` shows how it went.', ...ephemeral });
      return;
    }
    case 'twitch retry': {
      const count = await requireTwitch(ctx).retryFailed(guildId);
      await interaction.reply({
        content: count === 0 ? 'No clips are waiting for a retry: every clip either has its Twitch details or is still queued.' : `🔁 ${plural(count, 'clip')} put back in the enrichment queue.`,
        ...ephemeral,
      });
      return;
    }
    case 'aggregate': {
      const aggregate = ctx.services.aggregateGuild;
      if (!aggregate) throw new UserError('Aggregation is not available in this Clipscope process.');
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const summary = await aggregate(guildId);
      await interaction.editReply({ content: `✅ Leaderboards and summaries recomputed. ${summary}`, allowedMentions: NO_MENTIONS });
      return;
    }
    case 'token create': {
      const create = ctx.services.createApiToken;
      if (!create) throw new UserError('The HTTP API is not part of this Clipscope process, so it cannot create tokens.');
      const { name } = parseOptions(interaction, tokenOptions);
      const created = create(guildId, name);
      await interaction.reply({
        content:
          `🔑 API token **${safeText(created.name, 100)}** for this server:\n\`\`\`\n${created.token}\n\`\`\`\n` +
          'Copy it now: it is shown only this once and stored only as a hash. Send it as `Authorization: Bearer <token>`. ' +
          `It shows as \`${created.prefix}…\` in listings.`,
        ...ephemeral,
      });
      return;
    }
    case 'backfill':
      await backfill(interaction, ctx);
      return;
    default:
      throw new UserError('Unknown subcommand. An admin may need to run `npm run commands:register`.');
  }
}

function twitchChannelsReply(channels: FollowedChannel[]): { content?: string; embeds?: APIEmbed[] } {
  if (channels.length === 0) return { content: 'This server follows no Twitch channels yet. Add some with `/clipscope-admin twitch add`.' };
  const line = (c: FollowedChannel): string => {
    const synced = c.lastSyncAt ? `synced ${discordTimestamp(c.lastSyncAt, 'R')}` : 'not synced yet';
    const error = c.lastSyncError ? `\n  ⚠️ last sync failed: ${safeText(c.lastSyncError, 200)}` : '';
    return `**${safeText(c.name, 50)}** (\`${c.login}\`) · ${plural(c.clips, 'clip')} · ${synced}${error}`;
  };
  return {
    embeds: [fitEmbed({ title: '📺 Followed Twitch channels', color: COLORS.brand, description: channels.map(line).join('\n'), footer: { text: 'Clipscope' } })],
  };
}

function requireTwitch(ctx: BotContext): NonNullable<BotContext['services']['twitch']> {
  if (!ctx.services.twitch) {
    throw new UserError('Twitch enrichment is not configured: set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET for Clipscope and restart it.');
  }
  return ctx.services.twitch;
}

async function configureDigest(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, ctx: BotContext): Promise<void> {
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
  let settings = getGuildSettings(ctx.db, guildId);
  const changed = Object.keys(changes).some((k) => k !== 'guildName');
  if (changed) {
    settings = updateGuildSettings(ctx.db, guildId, changes, now);
    // New settings deserve a fresh attempt: a failure recorded for the old channel is forgotten.
    resetDigestFailure(ctx.db, guildId, settings, now);
    settings = getGuildSettings(ctx.db, guildId);
  }
  await interaction.reply({ content: changed ? '✅ Digest settings saved.' : undefined, embeds: [digestEmbed(ctx, settings)], ...ephemeral });
}

function digestLines(ctx: BotContext, settings: GuildSettings): string[] {
  const when = `${weekdayName(settings.digestWeekday)}s at ${String(settings.digestHour).padStart(2, '0')}:00 (${settings.timezone})`;
  if (!settings.digestChannelId) return [`Not posted yet: choose a channel with \`/clipscope-admin digest channel:\`. It would go out ${when}.`];
  if (!settings.digestEnabled) return [`Turned off (channel <#${settings.digestChannelId}>, ${when}).`];
  const { schedule, due } = digestStatus(ctx.db, settings, ctx.clock.now());
  const lines = [`Posted in <#${settings.digestChannelId}> ${when}, covering the week before.`];
  if (due === 'pending') lines.push(`The digest for the week of ${schedule.weekDate} is due and goes out within 15 minutes.`);
  else lines.push(`Next digest: ${discordTimestamp(schedule.nextAt, 'F')} (${discordTimestamp(schedule.nextAt, 'R')}).`);
  if (settings.digestLastError) lines.push(`⚠️ Last attempt failed: ${settings.digestLastError}`);
  return lines;
}

function digestEmbed(ctx: BotContext, settings: GuildSettings): APIEmbed {
  return fitEmbed({
    title: '📬 Weekly digest',
    color: settings.digestLastError ? COLORS.warn : COLORS.brand,
    description: digestLines(ctx, settings).join('\n'),
    footer: { text: 'Clipscope' },
  });
}

async function configureCapture(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, ctx: BotContext): Promise<void> {
  const input = parseOptions(interaction, captureOptions);
  const guildId = interaction.guildId;
  const current = getGuildSettings(ctx.db, guildId);
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
  const settings = updateGuildSettings(ctx.db, guildId, changes, ctx.clock.now());
  await interaction.reply({ content: '✅ Capture settings saved.', embeds: [captureEmbed(settings)], ...ephemeral });
}

function captureLine(settings: GuildSettings): string {
  const where = settings.captureChannelIds.length === 0 ? 'every channel Clipscope can see' : settings.captureChannelIds.map((id) => `<#${id}>`).join(', ');
  return `Recording clip links in ${where}; ${settings.includeBots ? 'including' : 'ignoring'} links posted by bots.`;
}

function captureEmbed(settings: GuildSettings): APIEmbed {
  return fitEmbed({ title: '🎥 Capture', color: COLORS.brand, description: captureLine(settings), footer: { text: 'Clipscope' } });
}

async function twitchAdd(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, ctx: BotContext): Promise<void> {
  const twitch = requireTwitch(ctx);
  const { channels } = parseOptions(interaction, loginsSchema);
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  let added: Awaited<ReturnType<typeof twitch.registerChannels>>;
  try {
    added = await twitch.registerChannels(interaction.guildId, channels);
  } catch (error) {
    const problem = twitchProblemForAdmin(error);
    if (!problem) throw error;
    // Refused credentials are logged once, at error level, by the Twitch client itself; an outage is worth a warning.
    if (problem.log) ctx.logger.warn({ err: (error as Error).message, guildId: interaction.guildId }, 'Twitch lookup for /clipscope-admin twitch add failed');
    throw new UserError(problem.message);
  }
  twitch.startSync(interaction.guildId);
  await interaction.editReply({
    content: `✅ Following ${added.map((c) => `**${safeText(c.name, 50)}**`).join(', ')}. Their clips are being imported now; \`/clipscope-admin status\` shows progress.`,
    allowedMentions: NO_MENTIONS,
  });
}

/** What an admin can do about a Twitch call that failed for good: wait (outage, rate limit) or fix the credentials. */
function twitchProblemForAdmin(error: unknown): { message: string; log: boolean } | null {
  if (!(error instanceof TwitchApiError)) return null;
  switch (error.kind) {
    case 'server':
    case 'rate_limited':
    case 'network':
    case 'malformed':
      return { message: 'Twitch is unavailable right now, so no channel was added. Please try again in a few minutes.', log: true };
    case 'auth':
      return {
        message:
          "Twitch refused Clipscope's app credentials, so no channel was added. Whoever runs Clipscope should check `TWITCH_CLIENT_ID` and `TWITCH_CLIENT_SECRET` and restart it.",
        log: false,
      };
    case 'rejected':
      return null;
  }
}

async function backfill(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, ctx: BotContext): Promise<void> {
  const crawler = ctx.services.backfill;
  if (!crawler) throw new UserError('History backfill is not available in this Clipscope process.');
  const input = parseOptions(interaction, backfillOptions);
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const since = input.since ? Date.parse(`${input.since}T00:00:00Z`) : null;
  // Progress edits are best effort and at most every few seconds: a long crawl outlives the reply's 15-minute
  // token, and a failed edit must never stop the crawl (its checkpoint and /clipscope-admin status carry on).
  let lastEdit = 0;
  const summary = await crawler.crawl({ guildId: interaction.guildId, channelId: input.channel, since }, async (line) => {
    const now = ctx.clock.now();
    if (now - lastEdit < PROGRESS_EDIT_INTERVAL_MS) return;
    lastEdit = now;
    await interaction
      .editReply({ content: `⏳ Backfilling <#${input.channel}>: ${line}`, allowedMentions: NO_MENTIONS })
      .catch((error: unknown) => ctx.logger.debug({ err: error }, 'backfill progress edit failed'));
  });
  await interaction
    .editReply({ content: `✅ Backfill of <#${input.channel}> done. ${summary}`, allowedMentions: NO_MENTIONS })
    .catch((error: unknown) => ctx.logger.info({ err: error, summary }, 'backfill finished after its reply expired'));
}

interface JobRunRow {
  job: string;
  last_started_at: number | null;
  last_finished_at: number | null;
  last_error: string | null;
  last_summary: string | null;
}

export function statusEmbed(ctx: BotContext, guildId: string): APIEmbed {
  const db = legacyClient(ctx.db);
  const settings = getGuildSettings(ctx.db, guildId);
  const states = Object.fromEntries(
    db
      .prepare<[string], { state: string; n: number }>('SELECT enrichment_state AS state, count(*) AS n FROM clips WHERE guild_id = ? GROUP BY enrichment_state')
      .all(guildId)
      .map((r) => [r.state, r.n]),
  ) as Record<string, number | undefined>;
  const shares = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM shares WHERE guild_id = ? AND deleted_at IS NULL').get(guildId)?.n ?? 0;
  const dirty = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM dirty_hours WHERE guild_id = ?').get(guildId)?.n ?? 0;
  const jobs = db.prepare<[], JobRunRow>('SELECT * FROM job_runs ORDER BY job').all();
  const channels = db
    .prepare<[string], { broadcaster_name: string; last_sync_at: number | null; last_sync_error: string | null }>(
      'SELECT broadcaster_name, last_sync_at, last_sync_error FROM twitch_channels WHERE guild_id = ? ORDER BY broadcaster_login',
    )
    .all(guildId);
  const crawls = db
    .prepare<[string], { channel_id: string; messages_scanned: number; shares_found: number; completed_at: number | null }>(
      'SELECT channel_id, messages_scanned, shares_found, completed_at FROM backfill_checkpoints WHERE guild_id = ? ORDER BY updated_at DESC LIMIT 5',
    )
    .all(guildId);

  const errors: string[] = [];
  if (settings.digestLastError) errors.push(`Digest: ${settings.digestLastError}`);
  for (const job of jobs) if (job.last_error) errors.push(`Job \`${job.job}\`: ${safeText(job.last_error, 200)}`);
  for (const c of channels) if (c.last_sync_error) errors.push(`Twitch ${safeText(c.broadcaster_name, 50)}: ${safeText(c.last_sync_error, 200)}`);

  const jobLine = (job: JobRunRow): string => {
    const when = job.last_finished_at ?? job.last_started_at;
    const running = job.last_started_at !== null && (job.last_finished_at === null || job.last_finished_at < job.last_started_at);
    const state = running ? 'running' : job.last_error ? '❌ failed' : '✅';
    return `\`${job.job}\` ${state} ${when ? discordTimestamp(when, 'R') : ''}${job.last_summary && !job.last_error ? ` · ${safeText(job.last_summary, 120)}` : ''}`;
  };

  const fields = [
    {
      name: 'Clips',
      value: [
        `${formatCount((states.done ?? 0) + (states.pending ?? 0) + (states.failed ?? 0) + (states.not_found ?? 0))} clips, ${plural(shares, 'live share')}`,
        `Enrichment queue: ${formatCount(states.pending ?? 0)} pending · ${formatCount(states.failed ?? 0)} failed · ${formatCount(states.not_found ?? 0)} gone from Twitch`,
        `Aggregation queue: ${plural(dirty, 'changed hour')}`,
        ctx.services.twitch ? null : 'Twitch enrichment is not configured (TWITCH_CLIENT_ID, TWITCH_CLIENT_SECRET).',
      ]
        .filter(Boolean)
        .join('\n'),
    },
    { name: 'Capture', value: captureLine(settings) },
    { name: 'Weekly digest', value: digestLines(ctx, settings).join('\n') },
    { name: 'Background jobs', value: jobs.length > 0 ? jobs.map(jobLine).join('\n') : 'No job has run yet.' },
  ];
  if (channels.length > 0) {
    fields.push({
      name: 'Twitch channels',
      value: channels
        .map((c) => `${safeText(c.broadcaster_name, 50)}: ${c.last_sync_at ? `synced ${discordTimestamp(c.last_sync_at, 'R')}` : 'not synced yet'}${c.last_sync_error ? ' ⚠️' : ''}`)
        .join('\n'),
    });
  }
  if (crawls.length > 0) {
    fields.push({
      name: 'History backfill',
      value: crawls
        .map((c) => `<#${c.channel_id}>: ${formatCount(c.messages_scanned)} messages, ${plural(c.shares_found, 'clip link')}${c.completed_at ? ' ✅' : ' (in progress)'}`)
        .join('\n'),
    });
  }
  fields.push({ name: 'Errors', value: errors.length > 0 ? errors.join('\n') : 'None 🎉' });
  return fitEmbed({
    title: `🛠️ Clipscope status${settings.guildName ? ` · ${safeText(settings.guildName, 100)}` : ''}`,
    color: errors.length > 0 ? COLORS.warn : COLORS.good,
    description: `Timezone: ${settings.timezone}`,
    fields,
    footer: { text: 'Clipscope' },
  });
}

export async function autocomplete(interaction: AutocompleteInteraction<'raw' | 'cached'>): Promise<void> {
  const focused = interaction.options.getFocused(true);
  if (focused.name !== 'timezone') {
    await interaction.respond([]);
    return;
  }
  const typed = String(focused.value).trim().toLowerCase().replace(/\s+/g, '_');
  const zones = ['UTC', ...Intl.supportedValuesOf('timeZone')];
  const matches = zones.filter((z) => z.toLowerCase().includes(typed));
  // Those starting with the typed text first (e.g. "ber" → Europe/Berlin before Atlantic/Bermuda only if it starts).
  matches.sort((a, b) => Number(!a.toLowerCase().split('/').some((p) => p.startsWith(typed))) - Number(!b.toLowerCase().split('/').some((p) => p.startsWith(typed))));
  await interaction.respond([...new Set(matches)].slice(0, 25).map((z) => ({ name: z, value: z })));
}
