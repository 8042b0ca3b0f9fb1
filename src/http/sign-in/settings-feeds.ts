// Clip feeds from the browser (docs/feed.md), for the managers of a server: list, add, edit, pause, resume and remove
// under /dashboard/api/settings/feeds?guild=<id>. The same input rules (src/feed/input.ts) and the same feed service
// as /clipscope-admin feed; a channel is checked against what the bot can do there, as the digest channel is.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { BotView } from '../../auth/guild-access';
import { FeedAdminError, type Feed, type FeedAdmin } from '../../feed/admin';
import { feedAddInput, feedEditInput, filtersOf, NEW_FEED_DEFAULTS } from '../../feed/input';
import { TwitchApiError } from '../../twitch/errors';
import { HttpError } from '../errors';

export const FEEDS_PATH = '/dashboard/api/settings/feeds';

export interface FeedSettingsDeps {
  /** Null when Twitch is not configured: the routes then say so. */
  feeds: FeedAdmin | null;
  bot: BotView;
  /** The settings routes' check: a signed-in manager of the asked guild (a fresh check before a change). */
  manager(request: FastifyRequest, reply: FastifyReply, change: boolean): Promise<{ guildId: string }>;
}

const addBody = feedAddInput.strict();
const editBody = feedEditInput.omit({ feed: true }).strict();

const invalid = (field: string, message: string): HttpError => new HttpError(400, 'invalid_setting', message, { field });

/** The body parsed by `schema`, or the 400 naming the field at fault. */
function parseBody<S extends z.ZodType>(request: FastifyRequest, schema: S): z.output<S> {
  if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the feed as JSON (Content-Type: application/json).');
  }
  const parsed = schema.safeParse(request.body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || '(body)';
  const rule = issue?.code === 'unrecognized_keys' ? `no such option (${issue.keys.join(', ')})` : (issue?.message ?? 'a valid value');
  throw invalid(field, `${field}: expected ${rule}`);
}

function feedId(request: FastifyRequest): number {
  const id = Number((request.params as { id?: string }).id);
  if (!Number.isInteger(id) || id < 1) throw new HttpError(400, 'invalid_parameter', 'feed: expected a feed number', { parameter: 'feed' });
  return id;
}

function feedJson(f: Feed) {
  return {
    id: f.id,
    channelId: f.channelId,
    twitch: { id: f.broadcasterId, login: f.broadcasterLogin, name: f.broadcasterName },
    min_views: f.minViews,
    games: f.games,
    exclude_games: f.excludeGames,
    creators_exclude: f.creatorsExclude,
    max_per_hour: f.maxPerHour ?? 0,
    mention_role: f.mentionRoleId,
    post_member_shared: f.postMemberShared,
    taking_off: f.takingOff,
    alert_channel: f.alertChannelId,
    paused: f.paused,
    pauseCause: f.pauseCause,
    pauseReason: f.pauseReason,
  };
}

export function registerFeedSettingsRoutes(app: FastifyInstance, deps: FeedSettingsDeps): void {
  const service = (): FeedAdmin => {
    if (!deps.feeds)
      throw new HttpError(503, 'feeds_unavailable', 'Clip feeds need Twitch: set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET and restart.');
    return deps.feeds;
  };
  /** Refuses a channel the bot cannot post in, naming what it lacks there. */
  const checkPostable = async (guildId: string, field: string, channelId: string): Promise<void> => {
    const channel = (await deps.bot.channels(guildId))?.find((c) => c.id === channelId);
    if (!channel || channel.kind !== 'text') throw invalid(field, `${field}: not a text channel of this server Clipscope can see.`);
    if (!channel.canPost)
      throw invalid(field, `Clipscope needs ${channel.missingToPost.join(', ')} in #${channel.name} to post clips there.`);
  };
  const noFeed = (id: number) => new HttpError(404, 'no_such_feed', `This server has no feed #${id}.`);

  app.get(FEEDS_PATH, async (request, reply) => {
    const { guildId } = await deps.manager(request, reply, false);
    return reply.send({ feeds: deps.feeds ? (await deps.feeds.list(guildId)).map(feedJson) : [], available: deps.feeds !== null });
  });

  app.post(FEEDS_PATH, async (request, reply) => {
    const { guildId } = await deps.manager(request, reply, true);
    const feeds = service();
    const o = parseBody(request, addBody);
    await checkPostable(guildId, 'channel', o.channel);
    if (o.alert_channel) await checkPostable(guildId, 'alert_channel', o.alert_channel);
    try {
      const feed = await feeds.add(guildId, { channelId: o.channel, login: o.twitch, ...NEW_FEED_DEFAULTS, ...filtersOf(o) });
      return reply.code(201).send({ feed: feedJson(feed) });
    } catch (error) {
      if (error instanceof TwitchApiError && error.kind !== 'rejected')
        throw new HttpError(503, 'twitch_unavailable', 'Twitch is unavailable right now, so no feed was added. Please try again later.');
      if (error instanceof FeedAdminError) throw invalid('twitch', error.message);
      throw error;
    }
  });

  app.patch(`${FEEDS_PATH}/:id`, async (request, reply) => {
    const { guildId } = await deps.manager(request, reply, true);
    const feeds = service();
    const id = feedId(request);
    const o = parseBody(request, editBody);
    if (o.channel) await checkPostable(guildId, 'channel', o.channel);
    if (o.alert_channel) await checkPostable(guildId, 'alert_channel', o.alert_channel);
    const change = { ...filtersOf(o), ...(o.channel ? { channelId: o.channel } : {}), ...(o.clear_mention ? { mentionRoleId: null } : {}) };
    if (Object.keys(change).length === 0) throw invalid('(body)', 'Give at least one option to change (e.g. min_views or channel).');
    const feed = await feeds.edit(guildId, id, change);
    if (!feed) throw noFeed(id);
    return reply.send({ feed: feedJson(feed) });
  });

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    app.post(`${FEEDS_PATH}/:id/${action}`, async (request, reply) => {
      const { guildId } = await deps.manager(request, reply, true);
      const id = feedId(request);
      const feed = await service().setPaused(guildId, id, paused);
      if (!feed) throw noFeed(id);
      return reply.send({ feed: feedJson(feed) });
    });
  }

  app.delete(`${FEEDS_PATH}/:id`, async (request, reply) => {
    const { guildId } = await deps.manager(request, reply, true);
    const id = feedId(request);
    if (!(await service().remove(guildId, id))) throw noFeed(id);
    return reply.code(204).send();
  });
}
