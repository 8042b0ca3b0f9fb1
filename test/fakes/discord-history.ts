// A loopback fake of the Discord REST endpoints a history crawl uses: GET /channels/{id}, GET /channels/{id}/messages
// (before/limit paging, newest first) and GET …/reactions/{emoji} (after/limit paging). It sends Discord's rate-limit
// headers on every response and can answer with 429s (per-route bucket or global) to prove the client waits them out.
// Self-contained: the capture branch's full gateway + REST fake lives in test/fakes/discord/.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeChannel {
  id: string;
  type: number;
  guild_id?: string;
  parent_id?: string | null;
  name?: string;
}

export interface FakeUser {
  id: string;
  username: string;
  global_name?: string | null;
  bot?: boolean;
}

export interface FakeMessage {
  id: string;
  content: string;
  timestamp: string;
  author: FakeUser;
  embeds?: { url?: string; video?: { url?: string } }[];
}

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
  at: number;
}

export interface RateLimitPlan {
  /** Every n-th request (counting all requests) is answered with a 429. */
  every: number;
  /** Seconds to wait, as sent in Retry-After and retry_after (Discord sends whole seconds in the header; tests use less). */
  retryAfter: number;
  /** A global rate limit instead of a per-route bucket one. */
  global?: boolean;
  /** Only the first `times` 429s; afterwards requests pass (default: unlimited). */
  times?: number;
}

export interface FakeDiscordHistory {
  /** The REST base to give @discordjs/rest (`api` option / DISCORD_API_BASE_URL). */
  apiBaseUrl: string;
  requests: FakeRequest[];
  addChannel(channel: FakeChannel, messages?: FakeMessage[]): void;
  /** Sets who reacted with an emoji ('😂' or 'name:id'); the message's reactions[] is derived from these. */
  setReactionUsers(messageId: string, emoji: string, userIds: string[]): void;
  /** Channels the bot may not read (403, Missing Access). */
  denyChannel(channelId: string): void;
  rateLimit(plan: RateLimitPlan | null): void;
  close(): Promise<void>;
}

const EMPTY_CHANNEL_MESSAGES: FakeMessage[] = [];

function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export async function startFakeDiscordHistory(options: { token: string }): Promise<FakeDiscordHistory> {
  const channels = new Map<string, { channel: FakeChannel; messages: FakeMessage[] }>();
  const messageChannel = new Map<string, string>();
  /** messageId → emoji → user ids (ascending). */
  const reactions = new Map<string, Map<string, string[]>>();
  const denied = new Set<string>();
  const requests: FakeRequest[] = [];
  let plan: RateLimitPlan | null = null;
  let served429 = 0;

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const bucketHeaders = (bucket: string, remaining: number, resetAfter: number): Record<string, string> => ({
    'X-RateLimit-Limit': '5',
    'X-RateLimit-Remaining': String(remaining),
    'X-RateLimit-Reset': ((Date.now() + resetAfter * 1000) / 1000).toFixed(3),
    'X-RateLimit-Reset-After': resetAfter.toFixed(3),
    'X-RateLimit-Bucket': bucket,
  });

  const reactionsOf = (messageId: string): unknown[] =>
    [...(reactions.get(messageId) ?? new Map<string, string[]>())].map(([emoji, users]) => {
      const custom = /^(.+):(\d+)$/.exec(emoji);
      return {
        emoji: custom ? { id: custom[2], name: custom[1] } : { id: null, name: emoji },
        count: users.length,
        count_details: { burst: 0, normal: users.length },
        burst_colors: [],
        me: false,
        me_burst: false,
        burst_count: 0,
      };
    });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const record = (status: number): void => {
      requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, status, at: Date.now() });
    };
    const match = /^\/api\/v10\/channels\/(\d+)(\/messages(?:\/(\d+)\/reactions\/([^/]+))?)?$/.exec(url.pathname);
    const bucket = match?.[4] ? 'reactions-bucket' : match?.[2] ? 'messages-bucket' : 'channel-bucket';

    if (req.headers.authorization !== `Bot ${options.token}`) {
      record(401);
      send(res, 401, { message: '401: Unauthorized', code: 0 });
      return;
    }
    if (plan && requests.length % plan.every === plan.every - 1 && (plan.times === undefined || served429 < plan.times)) {
      served429++;
      record(429);
      const headers: Record<string, string> = { 'Retry-After': String(plan.retryAfter) };
      if (plan.global) {
        headers['X-RateLimit-Global'] = 'true';
        headers['X-RateLimit-Scope'] = 'global';
      } else {
        Object.assign(headers, bucketHeaders(bucket, 0, plan.retryAfter), { 'X-RateLimit-Scope': 'user' });
      }
      send(res, 429, { message: 'You are being rate limited.', retry_after: plan.retryAfter, global: Boolean(plan.global) }, headers);
      return;
    }
    const entry = match ? channels.get(match[1] ?? '') : undefined;
    if (!match || !entry || req.method !== 'GET') {
      record(404);
      send(res, 404, { message: 'Unknown Channel', code: 10003 }, bucketHeaders(bucket, 4, 1));
      return;
    }
    if (denied.has(entry.channel.id)) {
      record(403);
      send(res, 403, { message: 'Missing Access', code: 50001 }, bucketHeaders(bucket, 4, 1));
      return;
    }
    const ok = (body: unknown): void => {
      record(200);
      send(res, 200, body, bucketHeaders(bucket, 4, 1));
    };
    if (!match[2]) {
      ok(entry.channel);
      return;
    }
    const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit') ?? 50)));
    if (!match[3]) {
      const before = url.searchParams.get('before');
      const older = before ? entry.messages.filter((m) => compareIds(m.id, before) < 0) : entry.messages;
      const page = older.slice(-limit).reverse();
      ok(
        page.map((m) => ({
          type: 0,
          channel_id: entry.channel.id,
          edited_timestamp: null,
          tts: false,
          mention_everyone: false,
          mentions: [],
          mention_roles: [],
          attachments: [],
          embeds: m.embeds ?? [],
          pinned: false,
          flags: 0,
          components: [],
          ...m,
          author: { discriminator: '0', avatar: null, global_name: null, ...m.author },
          ...(reactions.has(m.id) ? { reactions: reactionsOf(m.id) } : {}),
        })),
      );
      return;
    }
    const messageId = match[3];
    const emoji = decodeURIComponent(match[4] ?? '');
    if (messageChannel.get(messageId) !== entry.channel.id) {
      record(404);
      send(res, 404, { message: 'Unknown Message', code: 10008 }, bucketHeaders(bucket, 4, 1));
      return;
    }
    const users = reactions.get(messageId)?.get(emoji);
    if (!users) {
      record(404);
      send(res, 404, { message: 'Unknown Emoji', code: 10014 }, bucketHeaders(bucket, 4, 1));
      return;
    }
    const after = url.searchParams.get('after');
    const type = url.searchParams.get('type') ?? '0';
    const list = type === '0' ? users : [];
    const page = (after ? list.filter((u) => compareIds(u, after) > 0) : list).slice(0, limit);
    ok(page.map((id) => ({ id, username: `user${id.slice(-4)}`, discriminator: '0', global_name: null, avatar: null })));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiBaseUrl: `http://127.0.0.1:${port}/api`,
    requests,
    addChannel(channel, messages = EMPTY_CHANNEL_MESSAGES) {
      const sorted = [...messages].sort((a, b) => compareIds(a.id, b.id));
      channels.set(channel.id, { channel, messages: sorted });
      for (const m of sorted) messageChannel.set(m.id, channel.id);
    },
    setReactionUsers(messageId, emoji, userIds) {
      let byEmoji = reactions.get(messageId);
      if (!byEmoji) {
        byEmoji = new Map();
        reactions.set(messageId, byEmoji);
      }
      byEmoji.set(emoji, [...userIds].sort(compareIds));
    },
    denyChannel(channelId) {
      denied.add(channelId);
    },
    rateLimit(next) {
      plan = next;
      served429 = 0;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
