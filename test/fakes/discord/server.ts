// A fake Discord (gateway + REST) on 127.0.0.1 for offline tests with a real discord.js Client.
//
//   const discord = await startFakeDiscord({ guilds: [{ id, name, channels }] });
//   const client = new Client({ intents, rest: { api: discord.apiBaseUrl } });
//   await client.login(discord.token);          // HELLO → IDENTIFY → READY + GUILD_CREATE per guild
//   await discord.dispatch('MESSAGE_CREATE', message({ ... }));
//   discord.requests                             // every REST call: method, path, query, body
//   await discord.stop();
//
// One HTTP server answers both: REST under /api/v10/… and the WebSocket gateway (JSON encoding, no compression)
// on any other path. Sessions survive a dropped connection so RESUME replays what was missed, as Discord does.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  guildCreate,
  member,
  role,
  snowflake,
  user,
  type ApiMember,
  type ApiMessage,
  type ApiRole,
  type ApiUser,
  type FakeGuild,
} from './payloads';

export const GatewayOpcodes = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  Resume: 6,
  Reconnect: 7,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

export interface RecordedRequest {
  method: string;
  /** Path below the API version, e.g. `/channels/1/messages/2`. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when there was none (multipart bodies are kept as text). */
  body: unknown;
  /** The body's bytes as sent (attachments such as a PDF do not survive as text). */
  raw?: Buffer;
}

export interface RouteRequest extends RecordedRequest {
  params: Record<string, string>;
}

export interface RouteResponse {
  status?: number;
  headers?: Record<string, string>;
  /** Sent as JSON; omit for an empty body (204 by default). */
  body?: unknown;
}

export type RouteHandler = (request: RouteRequest) => RouteResponse | Promise<RouteResponse>;

export interface RateLimitOptions {
  /** Seconds the client must wait (body `retry_after` and header `Retry-After`). */
  retryAfter?: number;
  global?: boolean;
  scope?: 'user' | 'global' | 'shared';
  bucket?: string;
}

export interface FakeDiscordOptions {
  /** The token clients must log in with (REST `Authorization: Bot <token>` and IDENTIFY). */
  token?: string;
  bot?: ApiUser;
  applicationId?: string;
  guilds?: FakeGuild[];
  /** HELLO's heartbeat_interval in ms (Discord sends ~41250). */
  heartbeatIntervalMs?: number;
  /** Check the Authorization header on REST calls (401 otherwise). Default true. */
  checkAuthorization?: boolean;
  /**
   * Intents the application may use; IDENTIFY asking for more is closed with 4014 (Disallowed intent(s)),
   * as Discord does when a privileged intent is not enabled in the developer portal. Default: all.
   */
  allowedIntents?: number;
  /**
   * Dispatches kept per session for RESUME replays (default: all). Long benchmark streams set a limit so the
   * fake does not hold millions of payloads; a client resuming from further back misses the older ones.
   */
  replayLimit?: number;
  /**
   * The shard count GET /gateway/bot recommends and the gateway requires (default 1): an IDENTIFY with fewer shards is
   * closed with 4011 (Sharding required), one with a shard id outside [0, count) with 4010 (Invalid shard). Each
   * guild's events go only to the session of shard `(guild_id >> 22) % count`; events of no guild to shard 0.
   */
  shards?: number;
  /**
   * session_start_limit.max_concurrency (default 1). When set, the identify rate limit is enforced: shards whose
   * `id % maxConcurrency` is equal must identify at least 5 s apart, and a faster IDENTIFY gets op 9 (Invalid Session)
   * and counts in `identifyThrottleViolations`. Unset, it is not (tests that log in again and again stay quick).
   */
  maxConcurrency?: number;
}

interface Session {
  id: string;
  sequence: number;
  /** Dispatches sent in this session, for RESUME replays. */
  log: { s: number; t: string; d: unknown }[];
  socket: WebSocket | null;
  intents: number;
  invalid: boolean;
  /** [shard id, shard count] from IDENTIFY ([0, 1] when it had none). */
  shard: [number, number];
  /** The sequence last written to a socket: later log entries were missed while the connection was down. */
  delivered: number;
}

export interface IdentifyRecord {
  token: string;
  intents: number;
  shard?: [number, number];
  properties: Record<string, unknown>;
  /** When it arrived (Date.now()). */
  at: number;
}

/** Discord's wait between two identifies of one rate-limit key, less a little for timer rounding. */
const IDENTIFY_INTERVAL_MS = 5_000 - 50;

interface Route {
  method: string;
  pattern: string[];
  handler: RouteHandler;
  /** 'bot': the bot token is checked before the handler runs; 'own': the handler authorises the request itself. */
  authorization: 'bot' | 'own';
}

export interface RouteOptions {
  /**
   * Who checks the Authorization header: 'bot' (default) refuses anything but the bot token before the handler
   * runs; 'own' leaves it to the handler (OAuth2 routes take client credentials or a user's Bearer token).
   */
  authorization?: 'bot' | 'own';
}

/** REST paths, versioned (`/api/v10/…`, as discord.js calls them) or not (`/api/…`, Discord's default version). */
const API_PATH = /^\/api(\/v\d+)?(?=\/|$)/;

export class FakeDiscord {
  readonly token: string;
  readonly bot: ApiUser;
  readonly botMember: ApiMember;
  readonly applicationId: string;
  readonly guilds: FakeGuild[];
  /** Every REST request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Every IDENTIFY received. */
  readonly identifies: IdentifyRecord[] = [];
  /** Every RESUME received (session id and sequence the client asked to resume from). */
  readonly resumes: { sessionId: string; seq: number }[] = [];
  /** Messages served by GET /channels/:id/messages[/:mid], by channel then message id. */
  readonly messages = new Map<string, Map<string, ApiMessage>>();
  /** Users who reacted, by `${messageId}:${emojiKey}` where emojiKey is the unicode char or name:id. */
  readonly reactionUsers = new Map<string, ApiUser[]>();

  private readonly server: http.Server;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<string, Session>();
  private readonly routes: Route[] = [];
  /** Pages outside the API (e.g. /oauth2/authorize, which a browser opens), by method and path. */
  private readonly pages = new Map<string, RouteHandler>();
  private readonly rateLimits: { method: string; pattern: string[]; options: RateLimitOptions }[] = [];
  private readonly heartbeatIntervalMs: number;
  private readonly checkAuthorization: boolean;
  private readonly allowedIntents: number | null;
  private readonly replayLimit: number;
  /** The shard count recommended and required (FakeDiscordOptions.shards). */
  readonly shardCount: number;
  readonly maxConcurrency: number;
  /** IDENTIFYs that came sooner than 5 s after the previous one of their rate-limit key (should stay 0). */
  identifyThrottleViolations = 0;
  private readonly lastIdentifyAt = new Map<number, number>();
  private readonly enforceIdentifyInterval: boolean;
  private readonly waiters = new Set<() => void>();
  private port = 0;

  constructor(options: FakeDiscordOptions = {}) {
    this.token = options.token ?? 'fake-bot-token';
    this.bot = options.bot ?? user({ username: 'clipscope', bot: true });
    this.botMember = member(this.bot);
    this.applicationId = options.applicationId ?? this.bot.id;
    this.guilds = options.guilds ?? [];
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41_250;
    this.checkAuthorization = options.checkAuthorization ?? true;
    this.allowedIntents = options.allowedIntents ?? null;
    this.replayLimit = options.replayLimit ?? Number.POSITIVE_INFINITY;
    this.shardCount = options.shards ?? 1;
    this.maxConcurrency = options.maxConcurrency ?? 1;
    this.enforceIdentifyInterval = options.maxConcurrency !== undefined;
    this.server = http.createServer((req, res) => void this.handleHttp(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.handleSocket(ws));
    });
    this.installDefaultRoutes();
  }

  /** Listens on a random free port of 127.0.0.1. */
  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The REST base for discord.js: `new Client({ rest: { api: fake.apiBaseUrl } })`. */
  get apiBaseUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Sessions that finished IDENTIFY and are connected now. */
  get connectedSessions(): number {
    return [...this.sessions.values()].filter((s) => s.socket && !s.invalid).length;
  }

  /** The shard ids of the sessions connected now, ascending (a shard counted once per session). */
  get connectedShards(): number[] {
    return [...this.sessions.values()]
      .filter((s) => s.socket && !s.invalid)
      .map((s) => s.shard[0])
      .sort((a, b) => a - b);
  }

  /**
   * Sends a dispatch (op 0) with the next sequence number to every live session. A session whose connection
   * dropped keeps the event for its RESUME. Resolves once written to the sockets.
   */
  async dispatch(event: string, data: unknown): Promise<void> {
    const sends: Promise<void>[] = [];
    const guildId = guildOfEvent(event, data);
    for (const session of this.sessions.values()) {
      if (session.invalid) continue;
      // Discord sends a guild's events on its shard only, and events of no guild (DMs) on shard 0.
      const [shardId, count] = session.shard;
      if ((guildId === null ? 0 : shardOfGuild(guildId, count)) !== shardId) continue;
      const s = ++session.sequence;
      session.log.push({ s, t: event, d: data });
      if (session.log.length > this.replayLimit) session.log.splice(0, session.log.length - this.replayLimit);
      if (session.socket) {
        session.delivered = s;
        sends.push(send(session.socket, { op: GatewayOpcodes.Dispatch, s, t: event, d: data }));
      }
    }
    await Promise.all(sends);
  }

  /**
   * Closes every gateway connection with a close code, as Discord does (4000 unknown error → the client
   * resumes; 4004 authentication failed → it gives up). 1006 drops the TCP connection without a close frame.
   */
  disconnect(code = 4000, reason = 'fake disconnect'): void {
    for (const session of this.sessions.values()) {
      const socket = session.socket;
      if (!socket) continue;
      session.socket = null;
      if (code === 1006) socket.terminate();
      else socket.close(code, reason);
    }
  }

  /** Asks every connected client to reconnect and resume (op 7). */
  async requestReconnect(): Promise<void> {
    await Promise.all(
      [...this.sessions.values()].filter((s) => s.socket).map((s) => send(s.socket!, { op: GatewayOpcodes.Reconnect, d: null })),
    );
  }

  /** Resolves when `predicate` holds, re-checked after every gateway or REST event. */
  async waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (predicate()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`FakeDiscord.waitFor timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const check = (): void => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  /**
   * Adds or overrides a REST route. `pattern` is below /api/v10, with `:name` segments, e.g.
   * `route('GET', '/guilds/:guildId/roles', () => ({ body: [] }))`. Later routes win over earlier ones.
   */
  route(method: string, pattern: string, handler: RouteHandler, options: RouteOptions = {}): void {
    this.routes.unshift({
      method: method.toUpperCase(),
      pattern: splitPath(pattern),
      handler,
      authorization: options.authorization ?? 'bot',
    });
  }

  /**
   * Adds a page outside the API, e.g. `page('GET', '/oauth2/authorize', …)`: what a browser opens on discord.com.
   * Its requests are recorded with the full path.
   */
  page(method: string, path: string, handler: RouteHandler): void {
    this.pages.set(`${method.toUpperCase()} ${path}`, handler);
  }

  /** The origin of this server (http://127.0.0.1:PORT): what discord.com is to a browser in the tests. */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Answers the next `count` matching requests with 429 and Discord's rate-limit headers and body. */
  rateLimit(method: string, pattern: string, options: RateLimitOptions = {}, count = 1): void {
    for (let i = 0; i < count; i++) this.rateLimits.push({ method: method.toUpperCase(), pattern: splitPath(pattern), options });
  }

  /**
   * What POST /channels/:id/messages does: stores the bot's message and returns it. With `enforce_nonce`, a repeat
   * of a nonce the bot used in the channel within the last few minutes returns the earlier message, as Discord does.
   * Public so a test route can accept a post and then lose the response.
   */
  postMessage(channelId: string, body: unknown): ApiMessage {
    const fields = (typeof body === 'object' && body !== null ? body : {}) as { nonce?: unknown; enforce_nonce?: unknown };
    if (fields.enforce_nonce === true && fields.nonce !== undefined) {
      const since = Date.now() - NONCE_WINDOW_MS;
      for (const earlier of this.messages.get(channelId)?.values() ?? []) {
        if (earlier.author.id === this.bot.id && earlier.nonce === fields.nonce && Date.parse(earlier.timestamp) >= since) return earlier;
      }
    }
    const created = this.createMessage(channelId, body);
    this.putMessage(created);
    return created;
  }

  /** Makes a message available to GET /channels/:id/messages and GET /channels/:id/messages/:mid. */
  putMessage(msg: ApiMessage): void {
    let channel = this.messages.get(msg.channel_id);
    if (!channel) {
      channel = new Map();
      this.messages.set(msg.channel_id, channel);
    }
    channel.set(msg.id, msg);
  }

  /** The REST requests matching a method and a path pattern (`:name` segments match anything). */
  requestsTo(method: string, pattern: string): RecordedRequest[] {
    const parts = splitPath(pattern);
    return this.requests.filter((r) => r.method === method.toUpperCase() && matchPath(parts, splitPath(r.path)) !== null);
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private handleSocket(socket: WebSocket): void {
    let session: Session | null = null;
    void send(socket, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.heartbeatIntervalMs } });
    socket.on('message', (raw) => {
      let payload: { op?: number; d?: any };
      try {
        payload = JSON.parse(String(raw));
      } catch {
        socket.close(4002, 'Error while decoding payload.');
        return;
      }
      switch (payload.op) {
        case GatewayOpcodes.Heartbeat:
          void send(socket, { op: GatewayOpcodes.HeartbeatAck });
          break;
        case GatewayOpcodes.Identify: {
          const d = payload.d ?? {};
          this.identifies.push({ token: d.token, intents: d.intents, shard: d.shard, properties: d.properties ?? {}, at: Date.now() });
          if (session) {
            socket.close(4005, 'Already authenticated.');
            break;
          }
          if (d.token !== this.token && d.token !== `Bot ${this.token}`) {
            socket.close(4004, 'Authentication failed.');
            break;
          }
          if (this.allowedIntents !== null && (Number(d.intents ?? 0) & ~this.allowedIntents) !== 0) {
            socket.close(4014, 'Disallowed intent(s).');
            break;
          }
          const shard: unknown = d.shard ?? [0, 1];
          if (!isShardPair(shard)) {
            socket.close(4010, 'Invalid shard.');
            break;
          }
          if (shard[1] < this.shardCount) {
            socket.close(4011, 'Sharding required.');
            break;
          }
          // Discord's identify rate limit: one IDENTIFY per rate-limit key (shard id % max_concurrency) per 5 s.
          const key = shard[0] % this.maxConcurrency;
          const now = Date.now();
          const last = this.lastIdentifyAt.get(key);
          this.lastIdentifyAt.set(key, now);
          if (this.enforceIdentifyInterval && last !== undefined && now - last < IDENTIFY_INTERVAL_MS) {
            this.identifyThrottleViolations++;
            void send(socket, { op: GatewayOpcodes.InvalidSession, d: false });
            break;
          }
          const held = this.takeHeldEvents(shard);
          session = { id: snowflake(), sequence: 0, log: [], socket, intents: Number(d.intents ?? 0), invalid: false, shard, delivered: 0 };
          this.sessions.set(session.id, session);
          void this.sendReadyAndGuilds(session, held);
          break;
        }
        case GatewayOpcodes.Resume: {
          const d = payload.d ?? {};
          this.resumes.push({ sessionId: d.session_id, seq: d.seq });
          const known = this.sessions.get(d.session_id);
          if (!known || known.invalid || d.token !== this.token) {
            void send(socket, { op: GatewayOpcodes.InvalidSession, d: false });
            break;
          }
          session = known;
          known.socket = socket;
          known.delivered = known.sequence;
          void (async () => {
            for (const entry of known.log.filter((e) => e.s > Number(d.seq ?? 0))) {
              await send(socket, { op: GatewayOpcodes.Dispatch, s: entry.s, t: entry.t, d: entry.d });
            }
            const s = ++known.sequence;
            known.log.push({ s, t: 'RESUMED', d: {} });
            await send(socket, { op: GatewayOpcodes.Dispatch, s, t: 'RESUMED', d: {} });
            this.notify();
          })();
          break;
        }
        default:
          // Presence updates, voice state updates, request guild members: accepted and ignored.
          break;
      }
      this.notify();
    });
    socket.on('close', (code) => {
      if (session && session.socket === socket) {
        session.socket = null;
        // A client that closes with 1000/1001 ends its session, as on Discord.
        if (code === 1000 || code === 1001) session.invalid = true;
      }
      this.notify();
    });
    socket.on('error', () => undefined);
  }

  /**
   * The events a shard's earlier sessions missed while no connection of theirs was up (a process killed with -9 that
   * identifies again instead of resuming), to be sent to the shard's new session after its GUILD_CREATEs. Those
   * sessions end here, so nothing is delivered twice. Discord would drop them (a new session starts from now); the fake
   * holds them so that a test of a restarted process can count every event exactly once.
   */
  private takeHeldEvents(shard: [number, number]): { t: string; d: unknown }[] {
    const held: { s: number; t: string; d: unknown }[] = [];
    for (const old of this.sessions.values()) {
      if (old.invalid || old.socket || old.shard[0] !== shard[0] || old.shard[1] !== shard[1]) continue;
      old.invalid = true;
      held.push(...old.log.filter((e) => e.s > old.delivered && e.t !== 'RESUMED'));
    }
    return held.map(({ t, d }) => ({ t, d }));
  }

  private async sendReadyAndGuilds(session: Session, held: { t: string; d: unknown }[] = []): Promise<void> {
    const socket = session.socket;
    if (!socket) return;
    const [shardId, count] = session.shard;
    const guilds = this.guilds.filter((g) => shardOfGuild(g.id, count) === shardId);
    const ready = {
      v: 10,
      user: this.bot,
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.gatewayUrl,
      shard: session.shard,
      application: { id: this.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      geo_ordered_rtc_regions: [],
      guild_join_requests: [],
      user_settings: {},
    };
    const events: [string, unknown][] = [
      ['READY', ready],
      ...guilds.map((g): [string, unknown] => ['GUILD_CREATE', guildCreate(g, this.botMemberIn(g))]),
      ...held.map((e): [string, unknown] => [e.t, e.d]),
    ];
    for (const [t, d] of events) {
      const s = ++session.sequence;
      session.log.push({ s, t, d });
      // A connection closed meanwhile keeps the rest for its RESUME, like any dispatch.
      if (session.socket !== socket) continue;
      session.delivered = s;
      await send(socket, { op: GatewayOpcodes.Dispatch, s, t, d });
    }
    this.notify();
  }

  private async handleHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const text = raw.toString('utf8');
    let body: unknown;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const prefix = API_PATH.exec(url.pathname);
    if (!prefix) {
      const page = this.pages.get(`${method} ${url.pathname}`);
      if (!page) {
        reply(res, { status: 404, body: { message: '404: Not Found', code: 0 } });
        return;
      }
      const recorded: RecordedRequest = { method, path: url.pathname, query: url.searchParams, headers: req.headers, body, raw };
      this.requests.push(recorded);
      this.notify();
      try {
        reply(res, await page({ ...recorded, params: {} }));
      } catch (error) {
        reply(res, { status: 500, body: { message: `fake Discord page failed: ${(error as Error).message}`, code: 0 } });
      }
      this.notify();
      return;
    }
    const path = url.pathname.slice(prefix[0].length) || '/';
    const recorded: RecordedRequest = { method, path, query: url.searchParams, headers: req.headers, body, raw };
    this.requests.push(recorded);
    // Waiters see the request as soon as it arrives, even while its handler is still answering.
    this.notify();
    try {
      reply(res, await this.answer(recorded));
    } catch (error) {
      reply(res, { status: 500, body: { message: `fake Discord handler failed: ${(error as Error).message}`, code: 0 } });
    }
    this.notify();
  }

  private async answer(request: RecordedRequest): Promise<RouteResponse> {
    const segments = splitPath(request.path);
    const route = this.routes.find((r) => r.method === request.method && matchPath(r.pattern, segments) !== null);
    const checksItself = route?.authorization === 'own' || isTokenlessRoute(segments);
    if (this.checkAuthorization && request.headers.authorization !== `Bot ${this.token}` && !checksItself) {
      return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
    }
    const limitIndex = this.rateLimits.findIndex((l) => l.method === request.method && matchPath(l.pattern, segments) !== null);
    if (limitIndex >= 0) {
      const { options } = this.rateLimits.splice(limitIndex, 1)[0]!;
      const retryAfter = options.retryAfter ?? 0.05;
      const global = options.global ?? false;
      return {
        status: 429,
        headers: {
          'retry-after': String(Math.ceil(retryAfter)),
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String((Date.now() + retryAfter * 1000) / 1000),
          'x-ratelimit-reset-after': String(retryAfter),
          'x-ratelimit-bucket': options.bucket ?? 'fake-bucket',
          'x-ratelimit-scope': options.scope ?? (global ? 'global' : 'user'),
          ...(global ? { 'x-ratelimit-global': 'true' } : {}),
        },
        body: { message: 'You are being rate limited.', retry_after: retryAfter, global },
      };
    }
    if (route) return route.handler({ ...request, params: matchPath(route.pattern, segments)! });
    return { status: 404, body: { message: '404: Not Found', code: 0 } };
  }

  private installDefaultRoutes(): void {
    const unknownMessage = { status: 404, body: { message: 'Unknown Message', code: 10008 } };
    this.route('GET', '/gateway/bot', () => ({
      body: {
        url: this.gatewayUrl,
        shards: this.shardCount,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: this.maxConcurrency },
      },
    }));
    this.route('GET', '/gateway', () => ({ body: { url: this.gatewayUrl } }));
    // A user as GET /users/{id} shows it (its `bot` flag): any member, reactor or message author the fake knows.
    this.route('GET', '/users/:userId', ({ params }) => {
      const found = this.findUser(params.userId!);
      return found ? { body: found } : { status: 404, body: { message: 'Unknown User', code: 10013 } };
    });
    this.route('GET', '/users/@me', () => ({ body: this.bot }));
    // A guild member as the bot fetches it (discord.js guild.members.fetch): its current roles.
    this.route('GET', '/guilds/:guildId/members/:userId', ({ params }) => {
      const guild = this.guilds.find((g) => g.id === params.guildId);
      if (!guild) return { status: 404, body: { message: 'Unknown Guild', code: 10004 } };
      const found = params.userId === this.bot.id ? this.botMemberIn(guild) : guild.members?.find((m) => m.user.id === params.userId);
      return found ? { body: found } : { status: 404, body: { message: 'Unknown Member', code: 10007 } };
    });
    // The guild as the bot fetches it over REST: owner and roles (a guild it is not in answers 404 Unknown Guild).
    this.route('GET', '/guilds/:guildId', ({ params }) => {
      const guild = this.guilds.find((g) => g.id === params.guildId);
      if (!guild) return { status: 404, body: { message: 'Unknown Guild', code: 10004 } };
      const {
        members: _m,
        channels: _c,
        threads: _t,
        voice_states: _v,
        presences: _p,
        ...rest
      } = guildCreate(guild, this.botMemberIn(guild));
      return { body: rest };
    });
    this.route('GET', '/guilds/:guildId/channels', ({ params }) => {
      const guild = this.guilds.find((g) => g.id === params.guildId);
      if (!guild) return { status: 404, body: { message: 'Unknown Guild', code: 10004 } };
      return { body: (guild.channels ?? []).map((c) => ({ ...c, guild_id: guild.id })) };
    });
    this.route('GET', '/guilds/:guildId/roles', ({ params }) => {
      const guild = this.guilds.find((g) => g.id === params.guildId);
      return guild ? { body: guildRoles(guild) } : { status: 404, body: { message: 'Unknown Guild', code: 10004 } };
    });
    // A member's role given or taken, as Discord checks it: the member and role exist, and the bot has Manage Roles
    // and a highest role above the role (else 403 Missing Permissions). The member object changes in place.
    const memberRole =
      (add: boolean): RouteHandler =>
      ({ params }) => {
        const guild = this.guilds.find((g) => g.id === params.guildId);
        if (!guild) return { status: 404, body: { message: 'Unknown Guild', code: 10004 } };
        const target = guild.members?.find((m) => m.user.id === params.userId);
        if (!target) return { status: 404, body: { message: 'Unknown Member', code: 10007 } };
        const role = guildRoles(guild).find((r) => r.id === params.roleId);
        if (!role) return { status: 404, body: { message: 'Unknown Role', code: 10011 } };
        if (!this.botMayManage(guild, role)) return { status: 403, body: { message: 'Missing Permissions', code: 50013 } };
        const roles = target.roles.filter((r) => r !== role.id);
        target.roles = add ? [...roles, role.id] : roles;
        return { status: 204 };
      };
    this.route('PUT', '/guilds/:guildId/members/:userId/roles/:roleId', memberRole(true));
    this.route('DELETE', '/guilds/:guildId/members/:userId/roles/:roleId', memberRole(false));
    this.route('GET', '/channels/:channelId', ({ params }) => {
      const channel = this.findChannel(params.channelId!);
      return channel ? { body: channel } : { status: 404, body: { message: 'Unknown Channel', code: 10003 } };
    });
    this.route('GET', '/channels/:channelId/messages/:messageId', ({ params }) => {
      const found = this.messages.get(params.channelId!)?.get(params.messageId!);
      return found ? { body: found } : unknownMessage;
    });
    // History paging, newest first, as Discord does: before / after / around, limit 1–100 (default 50).
    this.route('GET', '/channels/:channelId/messages', ({ params, query }) => {
      const all = [...(this.messages.get(params.channelId!)?.values() ?? [])].sort((a, b) => compareIds(b.id, a.id));
      const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 50) || 50));
      const before = query.get('before');
      const after = query.get('after');
      let page = all;
      if (before) page = page.filter((m) => compareIds(m.id, before) < 0);
      if (after)
        page = page
          .filter((m) => compareIds(m.id, after) > 0)
          .reverse()
          .slice(0, limit)
          .reverse();
      return { body: page.slice(0, limit) };
    });
    this.route('GET', '/channels/:channelId/messages/:messageId/reactions/:emoji', ({ params, query }) => {
      const emoji = decodeURIComponent(params.emoji!);
      const users = [...(this.reactionUsers.get(`${params.messageId}:${emoji}`) ?? [])].sort((a, b) => compareIds(a.id, b.id));
      const after = query.get('after');
      const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 25) || 25));
      return { body: (after ? users.filter((u) => compareIds(u.id, after) > 0) : users).slice(0, limit) };
    });
    // JSON, or multipart/form-data with files (payload_json and files[n], as @discordjs/rest sends attachments).
    this.route('POST', '/channels/:channelId/messages', (request) => ({
      body: this.postMessage(request.params.channelId!, messageBody(request)),
    }));
    this.route('PATCH', '/channels/:channelId/messages/:messageId', ({ params, body }) => {
      const existing = this.messages.get(params.channelId!)?.get(params.messageId!);
      if (!existing) return unknownMessage;
      const updated = { ...existing, ...(body as object), edited_timestamp: new Date().toISOString() };
      this.putMessage(updated);
      return { body: updated };
    });
    this.route('DELETE', '/channels/:channelId/messages/:messageId', ({ params }) => {
      if (!this.messages.get(params.channelId!)?.delete(params.messageId!)) return unknownMessage;
      return { status: 204 };
    });
    this.route('POST', '/interactions/:interactionId/:token/callback', ({ query, body }) => {
      if (query.get('with_response') !== 'true') return { status: 204 };
      const data = (body as { data?: Record<string, unknown> } | undefined)?.data ?? {};
      return {
        body: {
          interaction: {
            id: snowflake(),
            type: 2,
            activity_instance_id: null,
            response_message_id: null,
            response_message_loading: false,
            response_message_ephemeral: false,
          },
          resource: { type: (body as { type?: number })?.type ?? 4, message: this.createMessage(snowflake(), data) },
        },
      };
    });
    this.route('POST', '/webhooks/:applicationId/:token', ({ body }) => ({ body: this.createMessage(snowflake(), body) }));
    this.route('GET', '/webhooks/:applicationId/:token/messages/:messageId', () => ({ body: this.createMessage(snowflake(), {}) }));
    this.route('PATCH', '/webhooks/:applicationId/:token/messages/:messageId', ({ params, body }) => ({
      body: { ...this.createMessage(snowflake(), body), ...(params.messageId === '@original' ? {} : { id: params.messageId }) },
    }));
    this.route('DELETE', '/webhooks/:applicationId/:token/messages/:messageId', () => ({ status: 204 }));
    this.route('PUT', '/applications/:applicationId/commands', ({ body }) => ({ body: withIds(body, this.applicationId) }));
    this.route('PUT', '/applications/:applicationId/guilds/:guildId/commands', ({ body, params }) => ({
      body: withIds(body, this.applicationId, params.guildId),
    }));
  }

  /** The bot's own member in a guild, with the roles `botRoles` gives it there. */
  botMemberIn(guild: FakeGuild): ApiMember {
    return { ...this.botMember, roles: guild.botRoles ?? [] };
  }

  /** A member leaves the guild: REST no longer knows them (404 Unknown Member); the test dispatches any event. */
  removeMember(guildId: string, userId: string): void {
    const guild = this.guilds.find((g) => g.id === guildId);
    if (guild?.members) guild.members = guild.members.filter((m) => m.user.id !== userId);
  }

  /** Whether Discord would let the bot give or take `role` in `guild`: Manage Roles (or Administrator), and above it. */
  botMayManage(guild: FakeGuild, role: ApiRole): boolean {
    const roles = guildRoles(guild);
    const mine = roles.filter((r) => r.id === guild.id || (guild.botRoles ?? []).includes(r.id));
    const permissions = mine.reduce((all, r) => all | BigInt(r.permissions), 0n);
    if ((permissions & (ADMINISTRATOR | MANAGE_ROLES)) === 0n) return false;
    const highest = Math.max(...mine.map((r) => Number(r.position ?? 0)));
    return role.id !== guild.id && highest > Number(role.position ?? 0);
  }

  private findUser(id: string): ApiUser | undefined {
    if (id === this.bot.id) return this.bot;
    for (const guild of this.guilds) {
      const found = guild.members?.find((m) => m.user.id === id);
      if (found) return found.user;
    }
    for (const users of this.reactionUsers.values()) {
      const found = users.find((u) => u.id === id);
      if (found) return found;
    }
    for (const channel of this.messages.values()) for (const m of channel.values()) if (m.author.id === id) return m.author;
    return undefined;
  }

  private findChannel(id: string): Record<string, unknown> | undefined {
    for (const guild of this.guilds) {
      const channel = [...(guild.channels ?? []), ...(guild.threads ?? [])].find((c) => c.id === id);
      if (channel) return { ...channel, guild_id: guild.id };
    }
    return undefined;
  }

  private createMessage(channelId: string, body: unknown): ApiMessage {
    const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const id = snowflake();
    return {
      type: 0,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      components: [],
      pinned: false,
      flags: 0,
      ...fields,
      id,
      channel_id: channelId,
      author: this.bot,
      content: typeof fields.content === 'string' ? fields.content : '',
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
    };
  }
}

/** The parts of a multipart/form-data body: each part's headers and bytes. */
export function multipartParts(request: Pick<RecordedRequest, 'headers' | 'raw'>): Array<{ headers: string; body: Buffer }> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(String(request.headers['content-type'] ?? ''));
  const raw = request.raw;
  if (!boundary || !raw) return [];
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: Array<{ headers: string; body: Buffer }> = [];
  let at = raw.indexOf(delimiter);
  while (at >= 0) {
    const next = raw.indexOf(delimiter, at + delimiter.length);
    if (next < 0) break;
    const part = raw.subarray(at + delimiter.length + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    if (split >= 0) parts.push({ headers: part.subarray(0, split).toString('utf8'), body: part.subarray(split + 4) });
    at = next;
  }
  return parts;
}

/** A message body as sent: the JSON, or a multipart body's payload_json with its files as attachments. */
function messageBody(request: RouteRequest): unknown {
  if (!String(request.headers['content-type'] ?? '').startsWith('multipart/form-data')) return request.body;
  const parts = multipartParts(request);
  const json = parts.find((p) => /name="payload_json"/.test(p.headers));
  const payload = (json ? JSON.parse(json.body.toString('utf8')) : {}) as Record<string, unknown>;
  const files = parts.filter((p) => /name="files\[\d+\]"/.test(p.headers));
  return {
    ...payload,
    attachments: files.map((f) => ({
      id: snowflake(),
      filename: /filename="([^"]*)"/.exec(f.headers)?.[1] ?? 'file',
      size: f.body.length,
      url: 'https://cdn.discordapp.com/attachments/fake',
      proxy_url: 'https://media.discordapp.net/attachments/fake',
    })),
  };
}

const ADMINISTRATOR = 1n << 3n;
const MANAGE_ROLES = 1n << 28n;

/** A guild's roles, @everyone (its id is the guild's) included. */
function guildRoles(guild: FakeGuild): ApiRole[] {
  return guild.roles ?? [role({ id: guild.id })];
}

/** How long Discord remembers a message nonce it enforces (documented as "a few minutes"). */
const NONCE_WINDOW_MS = 5 * 60_000;

/** Creates and starts a fake Discord; call `stop()` in afterEach/afterAll. */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  return new FakeDiscord(options).start();
}

function send(socket: WebSocket, payload: unknown): Promise<void> {
  return new Promise((resolve) => {
    if (socket.readyState !== socket.OPEN) {
      resolve();
      return;
    }
    socket.send(JSON.stringify(payload), () => resolve());
  });
}

function reply(res: http.ServerResponse, response: RouteResponse): void {
  const hasBody = response.body !== undefined;
  const status = response.status ?? (hasBody ? 200 : 204);
  res.writeHead(status, { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...response.headers });
  res.end(hasBody ? JSON.stringify(response.body) : undefined);
}

function splitPath(path: string): string[] {
  return path
    .split('?')[0]!
    .split('/')
    .filter((s) => s !== '');
}

function matchPath(pattern: string[], segments: string[]): Record<string, string> | null {
  if (pattern.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const s = segments[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = s;
    // A literal matches encoded too: @discordjs/rest sends `/users/@me` as `/users/%40me`, which Discord decodes.
    else if (p !== s && p !== safeDecode(s)) return null;
  }
  return params;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Interaction callbacks and webhook followups are authorised by their token in the path, not the bot token. */
function isTokenlessRoute(segments: string[]): boolean {
  return segments[0] === 'interactions' || segments[0] === 'webhooks';
}

/** The shard Discord routes a guild to. */
export function shardOfGuild(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/**
 * The guild an event belongs to: its guild_id, or the guild itself for GUILD_CREATE/UPDATE/DELETE; null for none, and
 * for an id that is no snowflake (the hostile-payload tests send those; they go to shard 0 like events of no guild).
 */
function guildOfEvent(event: string, data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const fields = data as { guild_id?: unknown; id?: unknown };
  const snowflake = (v: unknown): v is string => typeof v === 'string' && /^\d{1,20}$/.test(v);
  if (snowflake(fields.guild_id)) return fields.guild_id;
  if ((event === 'GUILD_CREATE' || event === 'GUILD_UPDATE' || event === 'GUILD_DELETE') && snowflake(fields.id)) return fields.id;
  return null;
}

function isShardPair(value: unknown): value is [number, number] {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    value.every((n) => Number.isInteger(n)) &&
    value[1] >= 1 &&
    value[0] >= 0 &&
    value[0] < value[1]
  );
}

function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function withIds(body: unknown, applicationId: string, guildId?: string): unknown {
  if (!Array.isArray(body)) return [];
  return body.map((command: Record<string, unknown>) => ({
    id: snowflake(),
    application_id: applicationId,
    version: snowflake(),
    type: 1,
    ...(guildId ? { guild_id: guildId } : {}),
    ...command,
  }));
}
