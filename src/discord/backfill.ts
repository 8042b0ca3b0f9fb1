// Crawls a channel's history over Discord's REST API, newest to oldest, 100 messages a page, recording clip shares
// (source 'backfill') and the users of every reaction on them. A checkpoint per channel (the oldest message
// reached) is committed with each page, so a restart continues where it stopped; the storage functions are
// idempotent, so the crawl is safe while live capture runs. Rate limits and 429s are handled by @discordjs/rest.
import { DiscordAPIError, REST } from '@discordjs/rest';
import { z } from 'zod';
import { clipLinksOf, type MessageSnapshot } from '../capture/record-share';
import { emojiKey } from '../capture/record-reaction';
import type { Clock } from '../clock';
import type { CrawlStore } from '../capture/service';
import { ClipscopeError } from '../errors';

export const PAGE_SIZE = 100;

export interface BackfillDeps {
  store: CrawlStore;
  clock: Clock;
  rest: REST;
}

export interface BackfillOptions {
  channelId: string;
  /** The guild the channel must belong to (a check: the crawl never records a channel under another guild). */
  guildId?: string;
  /** Stop at messages older than this (epoch ms). */
  since?: number;
  /** Forget the checkpoint and start again from the newest message. */
  restart?: boolean;
  /** Stops the crawl between pages (the checkpoint keeps what was done). */
  signal?: AbortSignal;
  /** Called after every page (and once at the end); awaited, so a slow reply edit slows the crawl, not the reverse. */
  onProgress?: (progress: BackfillProgress) => void | Promise<void>;
}

export interface BackfillProgress {
  guildId: string;
  /** The crawled channel (or thread). */
  channelId: string;
  channelName: string | null;
  /** Totals over every run of this channel's crawl. */
  messagesScanned: number;
  sharesFound: number;
  /** Time of the oldest message reached so far (epoch ms). */
  oldestReachedAt: number | null;
  pagesThisRun: number;
  done: boolean;
}

export interface BackfillResult extends BackfillProgress {
  status: 'completed' | 'already_complete' | 'stopped';
}

/** A crawl that cannot start or go on, with a message that says what to do. */
export class BackfillError extends ClipscopeError {
  constructor(message: string) {
    super('backfill', message, { userFacing: true });
  }
}

/** The REST client for the crawl: the bot token, and the API base from config (a proxy or a fake in tests). */
export function createDiscordRest(options: { token: string; apiBaseUrl: string }): REST {
  return new REST({ api: options.apiBaseUrl, version: '10' }).setToken(options.token);
}

const snowflake = z.string().regex(/^\d{1,20}$/);

const channelSchema = z.object({
  id: snowflake,
  type: z.number().int(),
  guild_id: snowflake.optional(),
  parent_id: snowflake.nullish(),
  name: z.string().nullish(),
});

const messageSchema = z.object({
  id: snowflake,
  timestamp: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'an ISO 8601 timestamp'),
  content: z.string().default(''),
  author: z.object({ id: snowflake, username: z.string(), global_name: z.string().nullish(), bot: z.boolean().optional() }),
  member: z.object({ nick: z.string().nullish() }).nullish(),
  embeds: z.array(z.object({ url: z.string().nullish(), video: z.object({ url: z.string().nullish() }).nullish() })).default([]),
  reactions: z
    .array(
      z.object({
        emoji: z.object({ id: snowflake.nullish(), name: z.string().nullish() }),
        count: z.number().int().nonnegative(),
        count_details: z.object({ burst: z.number().int().nonnegative(), normal: z.number().int().nonnegative() }).nullish(),
      }),
    )
    .default([]),
});
type HistoryMessage = z.infer<typeof messageSchema>;

const usersSchema = z.array(z.object({ id: snowflake }));

/** Discord channel types that are threads (announcement, public, private): they count for their parent channel. */
const THREAD_TYPES = new Set([10, 11, 12]);

export async function backfillChannel(deps: BackfillDeps, options: BackfillOptions): Promise<BackfillResult> {
  const { clock, rest } = deps;
  const store = deps.store;
  const channel = await fetchChannel(rest, options.channelId);
  if (!channel.guild_id) throw new BackfillError(`channel ${options.channelId} is not in a server: only server channels can be backfilled`);
  if (options.guildId !== undefined && options.guildId !== channel.guild_id) {
    throw new BackfillError(`channel ${options.channelId} belongs to server ${channel.guild_id}, not ${options.guildId}`);
  }
  const guildId = channel.guild_id;
  const isThread = THREAD_TYPES.has(channel.type);
  const countedChannelId = isThread && channel.parent_id ? channel.parent_id : channel.id;
  const threadId = isThread ? channel.id : null;
  const captured = (await store.settings(guildId)).captureChannelIds;
  if (captured.length > 0 && !captured.includes(countedChannelId) && !captured.includes(channel.id)) {
    // Live capture ignores this channel; a history of it would count clips the bot never counts going forward.
    throw new BackfillError(
      `channel ${channel.name ? `#${channel.name}` : channel.id} is not one of this server's capture channels: add it to them first`,
    );
  }

  let checkpoint = options.restart ? undefined : await store.readCheckpoint(guildId, channel.id);
  const since = options.since ?? null;
  const progress: BackfillProgress = {
    guildId,
    channelId: channel.id,
    channelName: channel.name ?? null,
    messagesScanned: checkpoint?.messages_scanned ?? 0,
    sharesFound: checkpoint?.shares_found ?? 0,
    oldestReachedAt: checkpoint?.before_message_id ? snowflakeTime(checkpoint.before_message_id) : null,
    pagesThisRun: 0,
    done: false,
  };

  if (checkpoint?.completed_at != null) {
    // A finished crawl is finished, unless this run asks to go further back than the last one did.
    const wentFarEnough = checkpoint.since_ts === null || (since !== null && since >= checkpoint.since_ts);
    const reachedStart = checkpoint.since_ts === null;
    if (wentFarEnough || reachedStart) {
      progress.done = true;
      await options.onProgress?.(progress);
      return { ...progress, status: 'already_complete' };
    }
  }

  let before = checkpoint?.before_message_id ?? null;
  checkpoint = undefined;

  for (;;) {
    if (options.signal?.aborted) return { ...progress, status: 'stopped' };
    const page = await fetchPage(rest, channel.id, before);
    const fetchedAt = clock.now();
    const inRange = since === null ? page : page.filter((m) => Date.parse(m.timestamp) >= since);
    const reachedEnd = page.length < PAGE_SIZE || inRange.length < page.length;
    const includeBots = (await store.settings(guildId)).includeBots;

    // Network first (reaction users), then one transaction for the page and its checkpoint.
    const toRecord: { snapshot: MessageSnapshot; message: HistoryMessage; reactions: ReactionUsers[] }[] = [];
    for (const message of inRange) {
      if (message.author.bot === true && !includeBots) continue;
      const snapshot = toSnapshot(message, guildId, countedChannelId, threadId);
      const hasLinks = clipLinksOf(snapshot).length > 0;
      if (!hasLinks && !(await store.hasRecordedShares(guildId, message.id))) continue;
      const reactions: ReactionUsers[] = [];
      if (hasLinks) {
        for (const reaction of message.reactions) {
          const key = emojiKey(reaction.emoji);
          if (key === null) continue;
          const userIds = await fetchReactionUsers(rest, channel.id, message.id, reaction.emoji, (reaction.count_details?.burst ?? 0) > 0);
          reactions.push({ key, count: reaction.count, userIds });
        }
      }
      toRecord.push({ snapshot, message, reactions });
    }

    // The oldest message handled (not the page's oldest when `since` cut it): a later run with an earlier since
    // continues from exactly here.
    const oldest = inRange.at(-1);
    const newest = inRange[0];
    const last = inRange.at(-1);
    const now = clock.now();
    const scanned = progress.messagesScanned + inRange.length;
    const beforeNext = oldest ? oldest.id : before;
    const added = await store.writePage(
      {
        guildId,
        channelId: channel.id,
        countedChannelId,
        threadId,
        // A page holds every message between its oldest and newest: a clip message recorded in that range that
        // Discord no longer returns was deleted while the bot was away.
        span:
          newest && last
            ? {
                oldestAt: Date.parse(last.timestamp),
                newestAt: Date.parse(newest.timestamp),
                lowId: BigInt(last.id),
                highId: BigInt(newest.id),
                presentIds: new Set(inRange.map((m) => m.id)),
              }
            : null,
        messages: toRecord.map(({ snapshot, reactions }) => ({
          snapshot,
          links: clipLinksOf(snapshot),
          reactions: reactions.map((reaction) => ({
            guildId,
            channelId: countedChannelId,
            messageId: snapshot.messageId,
            emojiKey: reaction.key,
            count: Math.max(reaction.count, reaction.userIds.length),
            userIds: reaction.userIds,
            // When each reaction was added is not in the API; the message's time keeps it in the right period.
            at: snapshot.postedAt,
          })),
        })),
        fetchedAt,
        checkpoint: { beforeMessageId: beforeNext, sinceTs: since, messagesScanned: scanned, completed: reachedEnd },
        now,
      },
      progress.sharesFound,
    );
    progress.sharesFound += added;
    progress.messagesScanned = scanned;
    before = beforeNext;
    if (oldest) progress.oldestReachedAt = Date.parse(oldest.timestamp);
    progress.done = reachedEnd;
    progress.pagesThisRun++;
    await options.onProgress?.({ ...progress });
    if (reachedEnd) return { ...progress, status: 'completed' };
  }
}

interface ReactionUsers {
  key: string;
  count: number;
  userIds: string[];
}

function toSnapshot(message: HistoryMessage, guildId: string, channelId: string, threadId: string | null): MessageSnapshot {
  const embedUrls: string[] = [];
  for (const embed of message.embeds) {
    if (embed.url) embedUrls.push(embed.url);
    if (embed.video?.url) embedUrls.push(embed.video.url);
  }
  return {
    guildId,
    channelId,
    threadId,
    messageId: message.id,
    authorId: message.author.id,
    authorName: message.member?.nick || message.author.global_name || message.author.username,
    authorIsBot: message.author.bot === true,
    postedAt: Date.parse(message.timestamp),
    content: message.content,
    embedUrls,
    source: 'backfill',
  };
}

async function fetchChannel(rest: REST, channelId: string): Promise<z.infer<typeof channelSchema>> {
  const raw = await call(() => rest.get(`/channels/${channelId}`), channelId);
  return parseResponse(channelSchema, raw, `channel ${channelId}`);
}

async function fetchPage(rest: REST, channelId: string, before: string | null): Promise<HistoryMessage[]> {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (before) query.set('before', before);
  const raw = await call(() => rest.get(`/channels/${channelId}/messages`, { query }), channelId);
  return parseResponse(z.array(messageSchema), raw, `messages of channel ${channelId}`);
}

/** Every user of one reaction, paging with after= (normal reactions, and super reactions when there are any). */
async function fetchReactionUsers(
  rest: REST,
  channelId: string,
  messageId: string,
  emoji: { id?: string | null; name?: string | null },
  hasBurst: boolean,
): Promise<string[]> {
  const identifier = emoji.id ? `${emoji.name ?? '_'}:${emoji.id}` : encodeURIComponent(emoji.name ?? '');
  const users = new Set<string>();
  for (const type of hasBurst ? [0, 1] : [0]) {
    let after: string | null = null;
    for (;;) {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE), type: String(type) });
      if (after) query.set('after', after);
      const raw = await call(() => rest.get(`/channels/${channelId}/messages/${messageId}/reactions/${identifier}`, { query }), channelId);
      const page = parseResponse(usersSchema, raw, `reaction users of message ${messageId}`);
      for (const user of page) users.add(user.id);
      const last = page.at(-1);
      if (page.length < PAGE_SIZE || !last) break;
      after = last.id;
    }
  }
  return [...users];
}

async function call<T>(request: () => Promise<T>, channelId: string): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof DiscordAPIError) {
      if (error.code === 10003 || error.status === 404)
        throw new BackfillError(`channel ${channelId} does not exist (or the bot cannot see it)`);
      if (error.code === 50001 || error.code === 50013 || error.status === 403) {
        throw new BackfillError(
          `the bot cannot read the history of channel ${channelId}: give it View Channel and Read Message History there`,
        );
      }
      if (error.status === 401) throw new BackfillError('Discord rejected the bot token (401): check DISCORD_TOKEN');
    }
    throw error;
  }
}

function parseResponse<T>(schema: z.ZodType<T>, raw: unknown, what: string): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`unexpected response from Discord for ${what}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
  }
  return parsed.data;
}

/** Creation time of a snowflake (epoch ms). */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + 1420070400000n);
}
