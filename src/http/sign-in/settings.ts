// Settings from the browser, for the managers of a server: GET and PATCH /dashboard/api/settings?guild=<id>. The same
// settings store the slash commands use; every change is checked against what the bot can do in the server (a digest
// channel it cannot post in is refused with the reason), recorded (who, what, when) and needs the CSRF token and a
// fresh check through the bot that the person still manages the server.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isValidTimeZone } from '../../analytics/periods';
import type { BotChannel, BotView } from '../../auth/guild-access';
import type { Session, SessionService } from '../../auth/sessions';
import type { Clock } from '../../clock';
import type { GuildSettings, GuildSettingsChanges, GuildSettingsStore } from '../../db/guild-settings';
import type { DigestStore } from '../../db/stores/digests';
import { resetDigestFailure } from '../../digest/weekly';
import type { FeedAdmin } from '../../feed/admin';
import { HttpError } from '../errors';
import type { GuildAccessChecker } from './access';
import { registerFeedSettingsRoutes } from './settings-feeds';

export const SETTINGS_PATH = '/dashboard/api/settings';
/** Capture channels a guild may list at most. */
const MAX_CAPTURE_CHANNELS = 100;

export interface SettingsRouteDeps {
  guildSettings: GuildSettingsStore;
  digests: DigestStore;
  bot: BotView;
  sessions: SessionService;
  access: GuildAccessChecker;
  clock: Clock;
  authenticate(request: FastifyRequest, reply: FastifyReply): Promise<Session | null | HttpError>;
  csrfFailure(request: FastifyRequest, session: Session): HttpError | null;
  /** Clip feeds (settings-feeds.ts); null when Twitch is not configured. */
  feeds?: FeedAdmin | null;
}

const snowflake = z.string().regex(/^\d{17,20}$/, 'a Discord id');

/** What a PATCH may change; unknown fields are refused (a typo must not pass silently). */
export const settingsPatch = z.strictObject({
  timezone: z.string().trim().max(64).refine(isValidTimeZone, 'an IANA timezone such as Europe/Berlin').optional(),
  digest: z
    .strictObject({
      channelId: snowflake.nullable().optional(),
      weekday: z.number().int().min(1, 'a day from 1 (Monday) to 7 (Sunday)').max(7, 'a day from 1 (Monday) to 7 (Sunday)').optional(),
      hour: z.number().int().min(0, 'an hour from 0 to 23').max(23, 'an hour from 0 to 23').optional(),
      enabled: z.boolean().optional(),
    })
    .optional(),
  capture: z
    .strictObject({
      channelIds: z.array(snowflake).max(MAX_CAPTURE_CHANNELS, `at most ${MAX_CAPTURE_CHANNELS} channels`).optional(),
      includeBots: z.boolean().optional(),
    })
    .optional(),
  viewerRoleId: snowflake.nullable().optional(),
});

type SettingsPatch = z.output<typeof settingsPatch>;

const invalid = (field: string, message: string): HttpError => new HttpError(400, 'invalid_setting', message, { field });

/** The settings as the dashboard shows them. */
function settingsJson(s: GuildSettings) {
  return {
    timezone: s.timezone,
    digest: {
      channelId: s.digestChannelId,
      weekday: s.digestWeekday,
      hour: s.digestHour,
      enabled: s.digestEnabled,
      lastError: s.digestLastError,
    },
    capture: { channelIds: s.captureChannelIds, includeBots: s.includeBots },
    viewerRoleId: s.dashboardViewerRoleId,
  };
}

/** Checks a patch against the server as the bot sees it; resolves with the store's changes, or throws the 400 to send. */
async function validate(patch: SettingsPatch, channels: BotChannel[], roles: { id: string }[]): Promise<GuildSettingsChanges> {
  const byId = new Map(channels.map((c) => [c.id, c]));
  const changes: GuildSettingsChanges = {};
  if (patch.timezone !== undefined) changes.timezone = patch.timezone;
  const digest = patch.digest ?? {};
  if (digest.channelId !== undefined) {
    if (digest.channelId !== null) {
      const channel = byId.get(digest.channelId);
      if (!channel)
        throw invalid('digest.channelId', 'That channel is not in this server (or Clipscope cannot see it). Pick one from the list.');
      if (!channel.canPost) {
        throw invalid(
          'digest.channelId',
          `Clipscope cannot post the digest in #${channel.name}: it needs ${channel.missingToPost.join(', ')} there.`,
        );
      }
    }
    changes.digestChannelId = digest.channelId;
  }
  if (digest.weekday !== undefined) changes.digestWeekday = digest.weekday;
  if (digest.hour !== undefined) changes.digestHour = digest.hour;
  if (digest.enabled !== undefined) changes.digestEnabled = digest.enabled;
  const capture = patch.capture ?? {};
  if (capture.channelIds !== undefined) {
    const unique = [...new Set(capture.channelIds)];
    for (const id of unique) {
      const channel = byId.get(id);
      if (!channel) throw invalid('capture.channelIds', `Channel ${id} is not in this server. Pick channels from the list.`);
      if (!channel.canView) throw invalid('capture.channelIds', `Clipscope cannot see #${channel.name}: give it View Channel there first.`);
    }
    changes.captureChannelIds = unique;
  }
  if (capture.includeBots !== undefined) changes.includeBots = capture.includeBots;
  if (patch.viewerRoleId !== undefined) {
    if (patch.viewerRoleId !== null && !roles.some((r) => r.id === patch.viewerRoleId)) {
      throw invalid('viewerRoleId', 'That role is not in this server. Pick one from the list.');
    }
    changes.dashboardViewerRoleId = patch.viewerRoleId;
  }
  return changes;
}

/**
 * The session, its guild and a check that it manages it (fresh before a change); throws the 4xx/503 to send. Shared
 * by every managers' settings route (settings-moods.ts too).
 */
export async function requireManager(
  deps: Pick<SettingsRouteDeps, 'authenticate' | 'csrfFailure' | 'access' | 'clock'>,
  request: FastifyRequest,
  reply: FastifyReply,
  change: boolean,
): Promise<{ session: Session; guildId: string }> {
  reply.header('cache-control', 'no-store');
  reply.header('vary', 'Cookie');
  const session = await deps.authenticate(request, reply);
  if (session instanceof HttpError) throw session;
  if (session === null) throw new HttpError(401, 'unauthorized', 'Sign in with Discord to change a server’s settings.');
  if (change) {
    const refused = deps.csrfFailure(request, session);
    if (refused) throw refused;
  }
  const guildId = (request.query as Record<string, unknown> | undefined)?.guild;
  if (typeof guildId !== 'string') {
    throw new HttpError(400, 'invalid_parameter', 'guild: expected the id of one of your servers (?guild=<id>)', { parameter: 'guild' });
  }
  const level = await deps.access.check(session, guildId, deps.clock.now(), { fresh: change });
  if (level === null) {
    throw new HttpError(
      403,
      'guild_forbidden',
      'You cannot open this server’s dashboard. Pick one of your servers, or sign in with an account that manages it.',
    );
  }
  if (level !== 'manage')
    throw new HttpError(403, 'not_a_manager', 'Only members with Manage Server (or the owner) can see and change its settings.');
  return { session, guildId };
}

export function registerSettingsRoutes(app: FastifyInstance, deps: SettingsRouteDeps): void {
  const manager = (request: FastifyRequest, reply: FastifyReply, change: boolean) => requireManager(deps, request, reply, change);

  const answer = async (guildId: string) => {
    const [settings, channels, roles, changes] = await Promise.all([
      deps.guildSettings.get(guildId),
      deps.bot.channels(guildId),
      deps.bot.roles(guildId),
      deps.guildSettings.recentChanges(guildId, 10),
    ]);
    return {
      settings: settingsJson(settings),
      channels: channels ?? [],
      roles: roles ?? [],
      recentChanges: changes.map((c) => ({ ...c, changedAt: new Date(c.changedAt).toISOString() })),
    };
  };

  app.get(SETTINGS_PATH, async (request, reply) => {
    const { guildId } = await manager(request, reply, false);
    return reply.send(await answer(guildId));
  });

  app.patch(SETTINGS_PATH, async (request, reply) => {
    const { session, guildId } = await manager(request, reply, true);
    if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
      throw new HttpError(415, 'unsupported_media_type', 'Send the settings as JSON (Content-Type: application/json).');
    }
    const parsed = settingsPatch.safeParse(request.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.map(String).join('.') || '(body)';
      const rule = issue?.code === 'unrecognized_keys' ? `no such setting (${issue.keys.join(', ')})` : (issue?.message ?? 'a valid value');
      throw invalid(field, `${field}: expected ${rule}`);
    }
    const [channels, roles] = await Promise.all([deps.bot.channels(guildId), deps.bot.roles(guildId)]);
    const changes = await validate(parsed.data, channels ?? [], roles ?? []);
    const now = deps.clock.now();
    const actor = { id: session.user.id, name: session.user.name, source: 'dashboard' as const };
    const settings = await deps.guildSettings.update(guildId, changes, now, actor);
    const digestChanged = ['digestChannelId', 'digestWeekday', 'digestHour', 'digestEnabled', 'timezone'].some((k) => k in changes);
    // New digest settings deserve a fresh attempt, as with /clipscope-admin digest.
    if (digestChanged) await resetDigestFailure(deps.digests, guildId, settings, now);
    return reply.send(await answer(guildId));
  });

  registerFeedSettingsRoutes(app, { feeds: deps.feeds ?? null, bot: deps.bot, manager });
}
