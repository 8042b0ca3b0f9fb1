// A fake Twitch Helix + OAuth server on loopback, laid out like the Twitch CLI mock API so that Twurple reaches
// it through TWURPLE_MOCK_API_PORT (http://localhost:PORT/mock/<endpoint>, /auth/<endpoint>). It serves the
// documented shapes of Get Clips, Get Games, Get Users, Get Videos and the client-credentials token endpoint, keeps an
// 800-points-per-minute token bucket (configurable) with Ratelimit-* headers, injects faults on demand
// and records every request. Used by the tests and by bench/enrichment.ts.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeClip {
  id: string;
  url: string;
  embed_url: string;
  broadcaster_id: string;
  broadcaster_name: string;
  creator_id: string;
  creator_name: string;
  video_id: string;
  game_id: string;
  language: string;
  title: string;
  view_count: number;
  created_at: string;
  thumbnail_url: string;
  duration: number;
  vod_offset: number | null;
  is_featured: boolean;
}

/** A Get Videos record (https://dev.twitch.tv/docs/api/reference/#get-videos). */
export interface FakeVideo {
  id: string;
  stream_id: string | null;
  user_id: string;
  user_login: string;
  user_name: string;
  title: string;
  description: string;
  created_at: string;
  published_at: string;
  url: string;
  thumbnail_url: string;
  viewable: string;
  view_count: number;
  language: string;
  type: 'archive' | 'highlight' | 'upload';
  /** Twitch's duration text, e.g. "3h8m33s". */
  duration: string;
  muted_segments: null;
}

export interface VideoInput extends Partial<FakeVideo> {
  id: string;
  user_id: string;
}

/** Seconds as Twitch writes a video's duration: "3h8m33s", "45m2s", "12s". */
export function twitchDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`;
}

export interface FakeGame {
  id: string;
  name: string;
  box_art_url: string;
  igdb_id: string;
}

export interface FakeUser {
  id: string;
  login: string;
  display_name: string;
  type: string;
  broadcaster_type: string;
  description: string;
  profile_image_url: string;
  offline_image_url: string;
  view_count: number;
  created_at: string;
}

export interface RecordedRequest {
  method: string;
  /** Path without the /mock or /auth prefix, e.g. "clips", "token". */
  endpoint: string;
  kind: 'helix' | 'auth' | 'other';
  query: URLSearchParams;
  /** The HTTP status the fake answered. */
  status: number;
  at: number;
  /** The Ratelimit-Remaining the fake answered with (null when it sent none). */
  remaining: number | null;
}

/** A fault served instead of the normal answer, to the next requests that match. */
export type Fault =
  | { kind: 'status'; status: number; body?: unknown }
  /** 429 with an emptied bucket (Ratelimit-Remaining 0, Reset in resetInMs). */
  | { kind: 'rate_limited'; resetInMs?: number }
  /** 429 while the bucket still reports points left (what Twurple's limiter does not absorb). */
  | { kind: 'rate_limited_with_points' }
  | { kind: 'malformed' }
  /** Answers normally, after a delay. */
  | { kind: 'slow'; delayMs: number }
  /** Answers normally but leaves out every other clip of the answer. */
  | { kind: 'partial' }
  /** Closes the connection without answering. */
  | { kind: 'drop' }
  /** Answers 401 and forgets every issued token, as when an app token expires or is revoked. */
  | { kind: 'revoke_token' };

interface PendingFault {
  fault: Fault;
  remaining: number;
  endpoint: string | undefined;
}

export interface FakeHelixOptions {
  clientId?: string;
  clientSecret?: string;
  /** Token bucket: capacity `points`, refilled evenly over `windowMs` (Twitch: 800 per 60 000 ms). */
  rateLimit?: { points: number; windowMs: number; startEmpty?: boolean; fractionalReset?: boolean };
  /** Get Clips by broadcaster stops paginating after this many clips of one query (Twitch: about 1000). */
  paginationCap?: number;
  tokenTtlSeconds?: number;
  now?: () => number;
}

export interface ClipInput extends Partial<FakeClip> {
  id: string;
}

export class FakeHelix {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clips = new Map<string, FakeClip>();
  readonly games = new Map<string, FakeGame>();
  readonly users = new Map<string, FakeUser>();
  readonly videos = new Map<string, FakeVideo>();
  readonly requests: RecordedRequest[] = [];
  readonly tokens = new Set<string>();
  /** Tokens issued so far (renewals included). */
  tokensIssued = 0;
  port = 0;

  private readonly servers: http.Server[] = [];
  private readonly faults: PendingFault[] = [];
  private readonly paginationCap: number;
  private readonly tokenTtl: number;
  private readonly now: () => number;
  private bucket: { points: number; windowMs: number; level: number; updatedAt: number; fractionalReset: boolean } | null;
  private nextTokenNumber = 1;
  private readonly instanceTag: string;

  constructor(options: FakeHelixOptions = {}) {
    // Unique per instance: Twurple reads TWURPLE_MOCK_API_PORT at each call, so a call left over from an earlier
    // test's client can reach this server; with another client id and tokens it is refused, not served.
    this.instanceTag = randomBytes(4).toString('hex');
    this.clientId = options.clientId ?? `fake-client-${this.instanceTag}`;
    this.clientSecret = options.clientSecret ?? `fake-secret-${this.instanceTag}`;
    this.paginationCap = options.paginationCap ?? 1000;
    this.tokenTtl = options.tokenTtlSeconds ?? 5_000_000;
    this.now = options.now ?? (() => Date.now());
    const rl = options.rateLimit ?? { points: 800, windowMs: 60_000 };
    this.bucket = {
      points: rl.points,
      windowMs: rl.windowMs,
      level: rl.startEmpty ? 0 : rl.points,
      updatedAt: this.now(),
      fractionalReset: rl.fractionalReset ?? false,
    };
  }

  // ------------------------------------------------------------------ data

  addClip(input: ClipInput): FakeClip {
    const broadcasterId = input.broadcaster_id ?? '1001';
    const clip: FakeClip = {
      url: `https://clips.twitch.tv/${input.id}`,
      embed_url: `https://clips.twitch.tv/embed?clip=${input.id}`,
      broadcaster_id: broadcasterId,
      broadcaster_name: `Broadcaster${broadcasterId}`,
      creator_id: '2001',
      creator_name: 'Clipper',
      video_id: '',
      game_id: '509658',
      language: 'en',
      title: `Clip ${input.id}`,
      view_count: 10,
      created_at: '2024-05-01T12:00:00Z',
      thumbnail_url: `https://clips-media-assets2.twitch.tv/${input.id}-preview-480x272.jpg`,
      duration: 30,
      vod_offset: null,
      is_featured: false,
      ...input,
    };
    this.clips.set(clip.id, clip);
    return clip;
  }

  /** Stores a clip record exactly as given, for shapes other servers send (e.g. the Twitch CLI mock API's). */
  addRawClip(record: Record<string, unknown> & { id: string; broadcaster_id: string; created_at: string; view_count: number }): void {
    this.clips.set(record.id, record as unknown as FakeClip);
  }

  addGame(id: string, name: string): FakeGame {
    const game = { id, name, box_art_url: `https://static-cdn.jtvnw.net/ttv-boxart/${id}-{width}x{height}.jpg`, igdb_id: '' };
    this.games.set(id, game);
    return game;
  }

  addUser(input: { id: string; login: string; display_name?: string; created_at?: string }): FakeUser {
    const user: FakeUser = {
      type: '',
      broadcaster_type: 'partner',
      description: '',
      profile_image_url: '',
      offline_image_url: '',
      view_count: 0,
      display_name: input.display_name ?? input.login,
      created_at: input.created_at ?? '2015-01-01T00:00:00Z',
      ...input,
    };
    this.users.set(user.id, user);
    return user;
  }

  addVideo(input: VideoInput): FakeVideo {
    const created = input.created_at ?? '2024-05-01T18:00:00Z';
    const video: FakeVideo = {
      stream_id: `s-${input.id}`,
      user_login: `broadcaster${input.user_id}`,
      user_name: `Broadcaster${input.user_id}`,
      title: `Stream ${input.id}`,
      description: '',
      created_at: created,
      published_at: created,
      url: `https://www.twitch.tv/videos/${input.id}`,
      thumbnail_url: '',
      viewable: 'public',
      view_count: 0,
      language: 'en',
      type: 'archive',
      duration: '3h0m0s',
      muted_segments: null,
      ...input,
    };
    this.videos.set(video.id, video);
    return video;
  }

  /** Serves `fault` to the next `times` requests (of `endpoint` only, e.g. "clips", when given). */
  inject(fault: Fault, times = 1, endpoint?: string): void {
    this.faults.push({ fault, remaining: times, endpoint });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Requests to a Helix endpoint that got a normal answer (status 200). */
  served(endpoint: string): RecordedRequest[] {
    return this.requests.filter((r) => r.kind === 'helix' && r.endpoint === endpoint && r.status === 200);
  }

  /** How many times each id was asked for in answered requests to a Helix endpoint (Get Clips by default). */
  requestedIds(endpoint = 'clips'): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.served(endpoint)) for (const id of r.query.getAll('id')) counts.set(id, (counts.get(id) ?? 0) + 1);
    return counts;
  }

  /** The bucket's level now (fractional points), or null without a rate limit. */
  bucketLevel(): number | null {
    if (!this.bucket) return null;
    this.refill();
    return this.bucket.level;
  }

  /** Empties the bucket now, as if other work had spent the budget. */
  drainBucket(): void {
    if (!this.bucket) return;
    this.refill();
    this.bucket.level = 0;
  }

  // ------------------------------------------------------------------ server

  async start(): Promise<number> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const v4 = http.createServer((req, res) => this.handle(req, res));
      // Like Twitch's edge, keep connections open: undici subtracts a second from the server's keep-alive hint,
      // so Node's default of 5 s (or less) would make clients reconnect, and look up "localhost", far more often.
      v4.keepAliveTimeout = 65_000;
      const port = await new Promise<number>((resolve, reject) => {
        v4.once('error', reject);
        v4.listen(0, '127.0.0.1', () => resolve((v4.address() as AddressInfo).port));
      });
      // Twurple calls "localhost", which some systems resolve to ::1 first: answer there too, same port.
      const v6 = http.createServer((req, res) => this.handle(req, res));
      v6.keepAliveTimeout = 65_000;
      const v6Result = await new Promise<'ok' | 'unavailable' | 'taken'>((resolve) => {
        v6.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE' ? 'taken' : 'unavailable'));
        v6.listen(port, '::1', () => resolve('ok'));
      });
      if (v6Result === 'taken') {
        await closeServer(v4);
        continue;
      }
      this.servers.push(v4);
      if (v6Result === 'ok') this.servers.push(v6);
      this.port = port;
      return port;
    }
    throw new Error('fake Helix: no free port on both 127.0.0.1 and ::1');
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.splice(0).map(closeServer));
  }

  private refill(): void {
    const b = this.bucket;
    if (!b) return;
    const t = this.now();
    b.level = Math.min(b.points, b.level + ((t - b.updatedAt) * b.points) / b.windowMs);
    b.updatedAt = t;
  }

  /** Ratelimit-* headers; takes a point unless `take` is false. Returns false when the bucket is empty. */
  private spend(res: http.ServerResponse, take: boolean, record: RecordedRequest): boolean {
    const b = this.bucket;
    if (!b) return true;
    this.refill();
    const ok = b.level >= 1;
    if (ok && take) b.level -= 1;
    const fullAt = this.now() + ((b.points - b.level) * b.windowMs) / b.points;
    res.setHeader('Ratelimit-Limit', String(b.points));
    record.remaining = Math.floor(b.level);
    res.setHeader('Ratelimit-Remaining', String(record.remaining));
    // Twitch sends whole epoch seconds; a compressed benchmark window may ask for fractions.
    res.setHeader('Ratelimit-Reset', b.fractionalReset ? (fullAt / 1000).toFixed(3) : String(Math.ceil(fullAt / 1000)));
    return ok;
  }

  private takeFault(endpoint: string): Fault | null {
    const index = this.faults.findIndex((f) => f.endpoint === undefined || f.endpoint === endpoint);
    if (index < 0) return null;
    const pending = this.faults[index]!;
    pending.remaining -= 1;
    if (pending.remaining <= 0) this.faults.splice(index, 1);
    return pending.fault;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/(mock|auth)\/(.+)$/.exec(url.pathname);
    const kind = match ? (match[1] === 'mock' ? 'helix' : 'auth') : 'other';
    const endpoint = match ? match[2]! : url.pathname;
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      endpoint,
      kind,
      query: url.searchParams,
      status: 0,
      at: this.now(),
      remaining: null,
    };
    this.requests.push(record);
    const send = (status: number, body: unknown): void => {
      record.status = status;
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    };
    req.resume();
    req.on('end', () => {
      if (kind === 'auth') return this.handleAuth(endpoint, req.method ?? 'GET', url.searchParams, send);
      if (kind === 'other') return send(404, { error: 'Not Found', status: 404, message: 'unknown path' });
      this.handleHelix(endpoint, req, res, url.searchParams, send, record);
    });
  }

  private handleAuth(endpoint: string, method: string, query: URLSearchParams, send: (status: number, body: unknown) => void): void {
    if (endpoint !== 'token' || method !== 'POST') return send(404, { status: 404, message: 'not found' });
    if (query.get('grant_type') !== 'client_credentials') return send(400, { status: 400, message: 'unsupported grant type' });
    if (query.get('client_id') !== this.clientId) return send(400, { status: 400, message: 'invalid client' });
    if (query.get('client_secret') !== this.clientSecret) return send(403, { status: 403, message: 'invalid client secret' });
    const token = `fake-app-token-${this.instanceTag}-${this.nextTokenNumber++}`;
    this.tokens.add(token);
    this.tokensIssued += 1;
    send(200, { access_token: token, expires_in: this.tokenTtl, token_type: 'bearer' });
  }

  private handleHelix(
    endpoint: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    query: URLSearchParams,
    send: (status: number, body: unknown) => void,
    record: RecordedRequest,
  ): void {
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (req.headers['client-id'] !== this.clientId) {
      return send(401, { error: 'Unauthorized', status: 401, message: 'Client ID and OAuth token do not match' });
    }
    if (!this.tokens.has(token)) return send(401, { error: 'Unauthorized', status: 401, message: 'Invalid OAuth token' });

    const fault = this.takeFault(endpoint);
    if (fault?.kind === 'revoke_token') {
      this.tokens.clear();
      return send(401, { error: 'Unauthorized', status: 401, message: 'Invalid OAuth token' });
    }
    if (fault?.kind === 'drop') {
      record.status = -1;
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'rate_limited') {
      this.spend(res, false, record);
      const resetAt = this.now() + (fault.resetInMs ?? 0);
      record.remaining = 0;
      res.setHeader('Ratelimit-Remaining', '0');
      res.setHeader('Ratelimit-Reset', String(resetAt / 1000));
      return send(429, { error: 'Too Many Requests', status: 429, message: 'Too Many Requests' });
    }
    if (fault?.kind === 'rate_limited_with_points') {
      this.spend(res, false, record);
      return send(429, { error: 'Too Many Requests', status: 429, message: 'Too Many Requests' });
    }
    if (!this.spend(res, true, record)) return send(429, { error: 'Too Many Requests', status: 429, message: 'Too Many Requests' });
    if (fault?.kind === 'status') {
      return send(fault.status, fault.body ?? { error: http.STATUS_CODES[fault.status] ?? 'Error', status: fault.status, message: '' });
    }
    if (fault?.kind === 'malformed') {
      record.status = 200;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"data": [{"id": "trunc');
      return;
    }
    const answer = (): void => {
      const result = this.answer(endpoint, query);
      if (fault?.kind === 'partial' && Array.isArray((result.body as { data?: unknown[] }).data)) {
        const body = result.body as { data: unknown[] };
        body.data = body.data.filter((_, i) => i % 2 === 0);
      }
      send(result.status, result.body);
    };
    if (fault?.kind === 'slow') setTimeout(answer, fault.delayMs);
    else answer();
  }

  private answer(endpoint: string, query: URLSearchParams): { status: number; body: unknown } {
    const bad = (message: string) => ({ status: 400, body: { error: 'Bad Request', status: 400, message } });
    switch (endpoint) {
      case 'clips': {
        const ids = query.getAll('id');
        const broadcasterId = query.get('broadcaster_id');
        const gameId = query.get('game_id');
        const given = [ids.length > 0, broadcasterId !== null, gameId !== null].filter(Boolean).length;
        if (given !== 1) return bad('The request must specify exactly one of broadcaster_id, game_id or id');
        if (ids.length > 100) return bad('The request may specify a maximum of 100 id query parameters');
        if (ids.length > 0) {
          const data = ids.map((id) => this.clips.get(id)).filter((c): c is FakeClip => c !== undefined);
          return { status: 200, body: { data, pagination: {} } };
        }
        return this.clipPage(query, broadcasterId, gameId);
      }
      case 'games': {
        const ids = query.getAll('id');
        const names = query.getAll('name');
        if (ids.length + names.length === 0) return bad('Missing required parameter id, name or igdb_id');
        if (ids.length + names.length > 100) return bad('The request may specify a maximum of 100 ids and names');
        const data = [...this.games.values()].filter((g) => ids.includes(g.id) || names.includes(g.name));
        return { status: 200, body: { data } };
      }
      case 'users': {
        const ids = query.getAll('id');
        const logins = query.getAll('login').map((l) => l.toLowerCase());
        if (ids.length + logins.length === 0) return bad('An app access token requires id or login');
        if (ids.length + logins.length > 100) return bad('The request may specify a maximum of 100 ids and logins');
        const data = [...this.users.values()].filter((u) => ids.includes(u.id) || logins.includes(u.login.toLowerCase()));
        return { status: 200, body: { data } };
      }
      case 'videos':
        return this.videoPage(query);
      default:
        return { status: 404, body: { error: 'Not Found', status: 404, message: `no endpoint ${endpoint}` } };
    }
  }

  /**
   * Get Clips by broadcaster/game: clips in [started_at, ended_at) (ended_at defaults to a week later), ordered
   * by views like Twitch, `first` per page, and no further cursor once `paginationCap` clips have been served.
   */
  private clipPage(query: URLSearchParams, broadcasterId: string | null, gameId: string | null): { status: number; body: unknown } {
    const first = Number(query.get('first') ?? '20');
    if (!Number.isInteger(first) || first < 1 || first > 100) {
      return { status: 400, body: { error: 'Bad Request', status: 400, message: 'first must be between 1 and 100' } };
    }
    const startedAt = query.get('started_at');
    const endedAt = query.get('ended_at');
    const start = startedAt ? Date.parse(startedAt) : Number.NEGATIVE_INFINITY;
    const end = endedAt ? Date.parse(endedAt) : startedAt ? start + 7 * 86_400_000 : Number.POSITIVE_INFINITY;
    if (Number.isNaN(start) || Number.isNaN(end)) {
      return { status: 400, body: { error: 'Bad Request', status: 400, message: 'started_at and ended_at must be RFC 3339' } };
    }
    const matching = [...this.clips.values()]
      .filter((c) => (broadcasterId !== null ? c.broadcaster_id === broadcasterId : c.game_id === gameId))
      .filter((c) => {
        const t = Date.parse(c.created_at);
        return t >= start && t < end;
      })
      .sort((a, b) => b.view_count - a.view_count || a.id.localeCompare(b.id))
      .slice(0, this.paginationCap);
    return this.page(matching, query, first);
  }

  /** Get Videos by id or by user_id (newest first, `type` all/archive/highlight/upload, `first` ≤ 100, `after`). */
  private videoPage(query: URLSearchParams): { status: number; body: unknown } {
    const bad = (message: string) => ({ status: 400, body: { error: 'Bad Request', status: 400, message } });
    const ids = query.getAll('id');
    const userId = query.get('user_id');
    const gameId = query.get('game_id');
    if ([ids.length > 0, userId !== null, gameId !== null].filter(Boolean).length !== 1)
      return bad('The request must specify exactly one of id, user_id or game_id');
    if (ids.length > 100) return bad('The request may specify a maximum of 100 id query parameters');
    if (ids.length > 0) return { status: 200, body: { data: ids.map((id) => this.videos.get(id)).filter(Boolean), pagination: {} } };
    const type = query.get('type') ?? 'all';
    if (!['all', 'archive', 'highlight', 'upload'].includes(type)) return bad('type must be all, archive, highlight or upload');
    const first = Number(query.get('first') ?? '20');
    if (!Number.isInteger(first) || first < 1 || first > 100) return bad('first must be between 1 and 100');
    const matching = [...this.videos.values()]
      .filter((v) => v.user_id === userId && (type === 'all' || v.type === type))
      .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || a.id.localeCompare(b.id));
    return this.page(matching, query, first);
  }

  private page(matching: readonly unknown[], query: URLSearchParams, first: number): { status: number; body: unknown } {
    const after = query.get('after');
    const offset = offsetCursor(after);
    if (!Number.isInteger(offset) || offset < 0) {
      return { status: 400, body: { error: 'Bad Request', status: 400, message: 'invalid cursor' } };
    }
    const data = matching.slice(offset, offset + first);
    const next = offset + first;
    const pagination = next < matching.length ? { cursor: Buffer.from(`offset:${next}`).toString('base64url') } : {};
    return { status: 200, body: { data, pagination } };
  }
}

function offsetCursor(after: string | null): number {
  return after
    ? Number(
        Buffer.from(after, 'base64url')
          .toString('utf8')
          .replace(/^offset:/, ''),
      )
    : 0;
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Points Twurple at the fake (TWURPLE_MOCK_API_PORT) and returns a function that restores the environment. */
export function useFakeHelixPort(port: number): () => void {
  const previous = process.env.TWURPLE_MOCK_API_PORT;
  process.env.TWURPLE_MOCK_API_PORT = String(port);
  return () => {
    if (previous === undefined) delete process.env.TWURPLE_MOCK_API_PORT;
    else process.env.TWURPLE_MOCK_API_PORT = previous;
  };
}
