// /clipscope-admin status: the server's settings, queues, last background runs and errors in one private embed.
import type { APIEmbed } from 'discord.js';
import type { Analytics } from '../../../analytics/service';
import type { BotContext } from '../../context';
import { COLORS, discordTimestamp, formatCount, plural } from '../../embeds/format';
import { fitEmbed, safeText, truncate } from '../../embeds/limits';
import { captureLine } from './capture';
import { digestLines } from './digest';
import { feedLine } from './feed';
import { rolesStatusLine } from './roles';
import { ephemeral, type SubcommandHandler } from './shared';

export const showStatus: SubcommandHandler = async (interaction, ctx) => {
  await interaction.reply({ embeds: [await statusEmbed(ctx, interaction.guildId)], ...ephemeral });
};

/** A recorded setting's value in a line: channels and roles as mentions, lists joined, nothing as "none". */
function shownValue(field: string, value: unknown): string {
  const id = (v: unknown): string | null => (typeof v === 'string' && /^\d{1,20}$/.test(v) ? v : null);
  if (value === null || value === undefined) return 'none';
  if (Array.isArray(value)) {
    if (value.length === 0) return 'all channels';
    return value.map((v) => (id(v) ? `<#${id(v)}>` : safeText(String(v), 30))).join(', ');
  }
  if (field === 'digestChannelId' && id(value)) return `<#${id(value)}>`;
  if (field === 'dashboardViewerRoleId' && id(value)) return `<@&${id(value)}>`;
  return safeText(String(value), 60);
}

export async function statusEmbed(
  ctx: Pick<BotContext, 'settings' | 'digests' | 'clock' | 'services' | 'analytics'>,
  guildId: string,
): Promise<APIEmbed> {
  const settings = await ctx.settings.get(guildId);
  const status = statusOf(await ctx.analytics.guildStatus(guildId));
  const states = status.clipsByState;

  const errors: string[] = [];
  if (settings.digestLastError) errors.push(`Digest: ${settings.digestLastError}`);
  for (const job of status.jobs) if (job.lastError) errors.push(`Job \`${job.job}\`: ${safeText(job.lastError, 200)}`);
  for (const c of status.twitchChannels)
    if (c.lastSyncError) errors.push(`Twitch ${safeText(c.name, 50)}: ${safeText(c.lastSyncError, 200)}`);

  const jobLine = (job: JobRun): string => {
    const when = job.lastFinishedAt ?? job.lastStartedAt;
    const running = job.lastStartedAt !== null && (job.lastFinishedAt === null || job.lastFinishedAt < job.lastStartedAt);
    const state = running ? 'running' : job.lastError ? '❌ failed' : '✅';
    return `\`${job.job}\` ${state} ${when ? discordTimestamp(when, 'R') : ''}${job.lastSummary && !job.lastError ? ` · ${safeText(job.lastSummary, 120)}` : ''}`;
  };

  const fields = [
    {
      name: 'Clips',
      value: [
        `${formatCount((states.done ?? 0) + (states.pending ?? 0) + (states.failed ?? 0) + (states.not_found ?? 0))} clips, ${plural(status.liveShares, 'live share')}`,
        `Enrichment queue: ${formatCount(states.pending ?? 0)} pending · ${formatCount(states.failed ?? 0)} failed · ${formatCount(states.not_found ?? 0)} gone from Twitch`,
        `Aggregation queue: ${plural(status.changedHours, 'changed hour')}`,
        ctx.services.twitch ? null : 'Twitch enrichment is not configured (TWITCH_CLIENT_ID, TWITCH_CLIENT_SECRET).',
      ]
        .filter(Boolean)
        .join('\n'),
    },
    { name: 'Capture', value: captureLine(settings) },
    { name: 'Weekly digest', value: (await digestLines(ctx, settings)).join('\n') },
    { name: 'Background jobs', value: status.jobs.length > 0 ? status.jobs.map(jobLine).join('\n') : 'No job has run yet.' },
  ];
  if (status.twitchChannels.length > 0) {
    fields.push({
      name: 'Twitch channels',
      value: status.twitchChannels
        .map(
          (c) =>
            `${safeText(c.name, 50)}: ${c.lastSyncAt ? `synced ${discordTimestamp(c.lastSyncAt, 'R')}` : 'not synced yet'}${c.lastSyncError ? ' ⚠️' : ''}`,
        )
        .join('\n'),
    });
  }
  if (status.backfills.length > 0) {
    fields.push({
      name: 'History backfill',
      value: status.backfills
        .map(
          (c) =>
            `<#${c.channelId}>: ${formatCount(c.messagesScanned)} messages, ${plural(c.sharesFound, 'clip link')}${c.completedAt ? ' ✅' : ' (in progress)'}`,
        )
        .join('\n'),
    });
  }
  const changes = await ctx.settings.recentChanges(guildId, 5);
  if (changes.length > 0) {
    fields.push({
      name: 'Recent settings changes',
      value: changes
        .map(
          (c) =>
            `\`${c.field}\` ${shownValue(c.field, c.oldValue)} → ${shownValue(c.field, c.newValue)} by ${safeText(c.actorName, 50)} (${c.source === 'dashboard' ? 'dashboard' : 'slash command'}) ${discordTimestamp(c.changedAt, 'R')}`,
        )
        .join('\n'),
    });
  }
  // Clip feeds, and why one is paused for permissions (Clipscope's own text with a channel mention, so not escaped).
  const feeds = (await ctx.services.feeds?.list(guildId)) ?? [];
  for (const f of feeds) if (f.pauseCause === 'permissions') errors.push(`Clip feed #${f.id}: ${truncate(f.pauseReason ?? '', 200)}`);
  if (feeds.length > 0) fields.push({ name: 'Clip feeds', value: feeds.map(feedLine).join('\n') });
  // Clipper roles are applied right after the incremental aggregation (src/app.ts): its last finish is theirs.
  const aggregation = status.jobs.find((j) => j.job === 'aggregate-incremental');
  const rolesLine = ctx.services.roles
    ? await rolesStatusLine(ctx.services.roles, guildId, ctx.clock.now(), aggregation?.lastFinishedAt ?? null)
    : null;
  if (rolesLine) fields.push({ name: 'Clipper roles', value: rolesLine });
  fields.push({ name: 'Errors', value: errors.length > 0 ? errors.join('\n') : 'None 🎉' });
  return fitEmbed({
    title: `🛠️ Clipscope status${settings.guildName ? ` · ${safeText(settings.guildName, 100)}` : ''}`,
    color: errors.length > 0 ? COLORS.warn : COLORS.good,
    description: `Timezone: ${settings.timezone}`,
    fields,
    footer: { text: 'Clipscope' },
  });
}

interface JobRun {
  job: string;
  lastStartedAt: number | null;
  lastFinishedAt: number | null;
  lastError: string | null;
  lastSummary: string | null;
}

/** The status facts in the shape this embed reads. */
function statusOf(facts: Awaited<ReturnType<Analytics['guildStatus']>>) {
  return {
    clipsByState: facts.enrichmentStates,
    liveShares: facts.liveShares,
    changedHours: facts.dirtyHours,
    jobs: facts.jobs.map(
      (j): JobRun => ({
        job: j.job,
        lastStartedAt: j.last_started_at,
        lastFinishedAt: j.last_finished_at,
        lastError: j.last_error,
        lastSummary: j.last_summary,
      }),
    ),
    twitchChannels: facts.channels.map((ch) => ({
      name: ch.broadcaster_name,
      lastSyncAt: ch.last_sync_at,
      lastSyncError: ch.last_sync_error,
    })),
    backfills: facts.crawls.map((b) => ({
      channelId: b.channel_id,
      messagesScanned: b.messages_scanned,
      sharesFound: b.shares_found,
      completedAt: b.completed_at,
    })),
  };
}
