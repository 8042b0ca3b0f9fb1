// The Twitch Helix boundary: Twurple's ApiClient with an app token, zod-checked payloads, and retries with
// exponential backoff and jitter on top of Twurple's own rate limiter, so callers see typed data or one clear error.
import { ApiClient } from '@twurple/api';
import { AppTokenAuthProvider } from '@twurple/auth';
import { z } from 'zod';
import type { Logger } from '../logger';
import { HelixPacer, type PacingOptions } from './pacing';
import { ClipscopeError } from '../errors';

// Twurple's documented way to type fetchOptions as the platform fetch's RequestInit.
declare module '@twurple/api-call' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  export interface TwitchApiCallFetchOptions extends Omit<RequestInit, 'headers' | 'method' | 'body'> {}
}

/** Helix accepts at most this many ids (or logins) per Get Clips / Get Games / Get Users call. */
export const HELIX_MAX_IDS = 100;

// ---------------------------------------------------------------------------------------------------------
// Payload shapes (https://dev.twitch.tv/docs/api/reference): what we read, checked at the edge.

/** RFC 3339 as Helix sends it; also "YYYY-MM-DD HH:MM:SS" (UTC), which the Twitch CLI mock API sends. */
const twitchTime = z.union([
  z.iso.datetime({ offset: true }).transform((v) => Date.parse(v)),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
    .transform((v) => Date.parse(`${v.replace(' ', 'T')}Z`)),
]);

const helixClipSchema = z.object({
  id: z.string().min(1),
  url: z.string(),
  embed_url: z.string().optional(),
  broadcaster_id: z.string(),
  broadcaster_name: z.string(),
  creator_id: z.string(),
  creator_name: z.string().optional(),
  /** The Twitch CLI mock API names the creator here instead of creator_name. */
  creator_login: z.string().optional(),
  video_id: z.string().optional(),
  /** '' when Twitch knows no game for the clip. */
  game_id: z.string(),
  language: z.string().optional(),
  title: z.string(),
  view_count: z.number().int().nonnegative(),
  created_at: twitchTime,
  thumbnail_url: z.string(),
  duration: z.number().nonnegative(),
  vod_offset: z.number().nullable().optional(),
  is_featured: z.boolean().optional(),
});

const helixGameSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  box_art_url: z.string().optional(),
  igdb_id: z.string().optional(),
});

const helixUserSchema = z.object({
  id: z.string().min(1),
  login: z.string().min(1),
  display_name: z.string(),
  created_at: twitchTime.optional(),
});

const envelopeSchema = z.object({
  data: z.array(z.unknown()),
  pagination: z.object({ cursor: z.string().optional() }).partial().optional(),
});

/** A clip as Clipscope uses it: Helix's fields, with the creation time as epoch ms. */
export interface HelixClip {
  id: string;
  url: string;
  broadcasterId: string;
  broadcasterName: string;
  creatorId: string;
  creatorName: string;
  gameId: string;
  title: string;
  viewCount: number;
  createdAt: number;
  thumbnailUrl: string;
  duration: number;
}

export interface HelixGame {
  id: string;
  name: string;
}

export interface HelixUser {
  id: string;
  login: string;
  displayName: string;
}

/** An item of a Helix list that did not have the documented shape. */
export interface RejectedItem {
  /** The item's id, when it had a readable one. */
  id: string | null;
  problem: string;
}

export interface ClipLookup {
  clips: HelixClip[];
  rejected: RejectedItem[];
}

export interface BroadcasterClipsQuery {
  broadcasterId: string;
  /** Window start, epoch ms (inclusive). */
  startedAt: number;
  /** Window end, epoch ms. */
  endedAt: number;
  /** Page size, 1–100. */
  first?: number;
  after?: string;
}

export interface ClipPage extends ClipLookup {
  /** The cursor of the next page; absent on the last page. */
  cursor: string | null;
}

/** The Helix calls Clipscope makes: what enrichment, refresh and channel sync are written against. */
export interface TwitchApi {
  getClipsByIds(ids: readonly string[]): Promise<ClipLookup>;
  getClipsByBroadcaster(query: BroadcasterClipsQuery): Promise<ClipPage>;
  getGamesByIds(ids: readonly string[]): Promise<HelixGame[]>;
  getUsersByLogins(logins: readonly string[]): Promise<HelixUser[]>;
}

// ---------------------------------------------------------------------------------------------------------
// Errors

export type TwitchErrorKind =
  /** 429 that outlived the retries. */
  | 'rate_limited'
  /** 5xx that outlived Twurple's and our retries. */
  | 'server'
  /** Connection refused/reset, DNS, timeouts. */
  | 'network'
  /** A response that is not the documented JSON. */
  | 'malformed'
  /** Twitch refused the request itself (4xx other than 401/429): retrying the same request will not help. */
  | 'rejected'
  /** The client id/secret were refused, or the token kept being refused after renewal: nothing works until fixed. */
  | 'auth';

/** One Helix call that failed for good; the message is one line and never contains the client secret. */
export class TwitchApiError extends ClipscopeError {
  // `reported` (from ClipscopeError) is set when the client has already told the operator (refused credentials are
  // logged once, at error level), so a job failing every minute does not flood the log.
  constructor(
    readonly kind: TwitchErrorKind,
    message: string,
    readonly status: number | null = null,
  ) {
    super(`twitch_${kind}`, message, { detail: { status } });
  }

  /** Whether the same request may succeed later (everything but a refused request or refused credentials). */
  get retryable(): boolean {
    return this.kind !== 'rejected' && this.kind !== 'auth';
  }
}

/** Thrown when a caller asks for more than Helix allows in one call: a bug in the caller, not a Twitch fault. */
export class TooManyIdsError extends Error {}

// ---------------------------------------------------------------------------------------------------------
// Retries

export interface RetryPolicy {
  /** Extra tries after the first, for errors that may pass (429, 5xx, network, malformed body). */
  retries: number;
  /** First backoff; doubled each retry. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 4, baseDelayMs: 1000, maxDelayMs: 30_000 };

/**
 * Backoff before retry number `attempt` (0-based): exponential, capped, with "equal jitter" — half fixed,
 * half random — so many clients that failed together do not retry together, yet none retries at once.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** Removes the client secret and token from anything we log or store. */
export function redactSecrets(text: string): string {
  return text
    .replace(/(client_secret=)[^&\s]+/gi, '$1[redacted]')
    .replace(/(access_token=)[^&\s]+/gi, '$1[redacted]')
    .replace(/(Bearer\s+)\S+/gi, '$1[redacted]');
}

/** Turns whatever Twurple or fetch threw into a TwitchApiError with a one-line, secret-free message. */
export function classifyTwitchError(error: unknown, what: string): TwitchApiError {
  if (error instanceof TwitchApiError) return error;
  if (isHttpStatusCodeError(error)) {
    const status = error.statusCode;
    const isTokenCall = /^\/?token\b/.test(error.url);
    const detail = `${what}: Twitch answered HTTP ${status}${twitchMessage(error.body)}`;
    if (isTokenCall) {
      if (status >= 500 || status === 429) return new TwitchApiError(status === 429 ? 'rate_limited' : 'server', detail, status);
      return new TwitchApiError(
        'auth',
        `Twitch refused the app credentials (HTTP ${status}${twitchMessage(error.body)}): check TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET`,
        status,
      );
    }
    if (status === 429) return new TwitchApiError('rate_limited', detail, status);
    if (status >= 500) return new TwitchApiError('server', detail, status);
    if (status === 401) {
      return new TwitchApiError('auth', `${detail} even with a renewed app token: check TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET`, status);
    }
    return new TwitchApiError('rejected', detail, status);
  }
  if (error instanceof SyntaxError) return new TwitchApiError('malformed', `${what}: Twitch sent a response that is not JSON`);
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? ` (${cause.message})` : '';
    const name = error.name === 'TimeoutError' || error.name === 'AbortError' ? 'request timed out' : error.message;
    return new TwitchApiError('network', redactSecrets(`${what}: ${name}${causeText}`).split('\n')[0] ?? what);
  }
  return new TwitchApiError('network', `${what}: ${redactSecrets(String(error))}`);
}

/** Twurple's HttpStatusCodeError (from @twurple/api-call, which is not re-exported), recognised by its shape. */
function isHttpStatusCodeError(error: unknown): error is Error & { statusCode: number; url: string; body: string } {
  return (
    error instanceof Error &&
    typeof (error as { statusCode?: unknown }).statusCode === 'number' &&
    typeof (error as { url?: unknown }).url === 'string' &&
    typeof (error as { body?: unknown }).body === 'string'
  );
}

function twitchMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string' && parsed.message !== '') return ` (${redactSecrets(parsed.message).slice(0, 200)})`;
  } catch {
    // Not JSON: say nothing rather than echo an HTML error page.
  }
  return '';
}

// ---------------------------------------------------------------------------------------------------------
// The client

export interface TwitchApiOptions {
  clientId: string;
  clientSecret: string;
  logger: Logger;
  retry?: Partial<RetryPolicy>;
  /** Per HTTP request; a hung connection would otherwise hold up Twurple's whole rate-limiter batch. */
  requestTimeoutMs?: number;
  /**
   * Per call, queueing in Twurple's limiter included (which may wait up to a minute for the budget). A backstop:
   * Twurple's limiter leaves queued calls waiting if every call of a batch failed at the network level, until
   * another call comes; giving up and retrying is that other call.
   */
  callTimeoutMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Ids (or logins) sent per Helix call, 1–100 (TWITCH_IDS_PER_CALL). Helix takes 100; the Twitch CLI mock API
   * answers only the first id of a call, so local trials against it use 1. Larger lists are split into calls.
   */
  idsPerCall?: number;
  /**
   * Our pacing on top of Twurple's limiter (see pacing.ts): calls go out as Helix's bucket refills instead of
   * emptying it and stalling until it is full again. `false` leaves the pace to Twurple alone.
   */
  pacing?: Partial<PacingOptions> | false;
  /** For the pacer's clock; real time by default. */
  now?: () => number;
  /**
   * Log refused credentials once at error level (the service, whose operator reads the log). The CLI says false:
   * it stops and prints the error itself.
   */
  logRefusedCredentials?: boolean;
}

/** What a ready Twitch client offers beyond the calls: the Twurple client itself, for stats and events. */
export interface TwurpleTwitchApi extends TwitchApi {
  apiClient: ApiClient;
  /** The model of Helix's bucket the calls are paced by (null with pacing off). */
  pacer: HelixPacer | null;
}

/**
 * Builds the production client: AppTokenAuthProvider (client credentials, renewed by Twurple on expiry
 * and on a 401) + ApiClient (Helix rate limiter that reads the Ratelimit-* headers and waits on 429;
 * 3 retries of 5xx and network errors 0.5/1/2 s apart). With TWURPLE_MOCK_API_PORT set, Twurple itself
 * sends every call to http://localhost:PORT/mock/… and /auth/… (the Twitch CLI mock API or the tests' fake).
 */
export function createTwitchApi(options: TwitchApiOptions): TwurpleTwitchApi {
  const authProvider = new AppTokenAuthProvider(options.clientId, options.clientSecret);
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const logger = options.logger.child({ component: 'twitch' });
  // Twurple spreads fetchOptions into every request, so a getter yields a fresh timeout signal per request.
  const fetchOptions = {
    get signal(): AbortSignal {
      return AbortSignal.timeout(timeoutMs);
    },
  };
  const apiClient = new ApiClient({
    authProvider,
    fetchOptions,
    logger: {
      minLevel: 'debug',
      custom: (level, message) => {
        // Twurple's rate-limiter waits are normal operation; only its errors deserve attention.
        if (level <= 1) logger.warn({ twurple: true }, redactSecrets(message));
        else logger.debug({ twurple: true }, redactSecrets(message));
      },
    },
  });
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const callTimeoutMs = options.callTimeoutMs ?? 150_000;
  const idsPerCall = Math.min(HELIX_MAX_IDS, Math.max(1, options.idsPerCall ?? HELIX_MAX_IDS));
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const pacer = options.pacing === false ? null : new HelixPacer(options.pacing ?? {}, { now: options.now });
  let inFlight = 0;
  let lastObserved = '';
  /** Twitch is refusing the app's credentials: said once at error level, and again only after they worked in between. */
  let credentialsRefused = false;

  function reportRefusedCredentials(error: TwitchApiError): void {
    if (options.logRefusedCredentials === false) return;
    error.reported = true;
    if (credentialsRefused) return;
    credentialsRefused = true;
    // Names the variables, never their values: the message comes from classifyTwitchError, which redacts secrets.
    logger.error(
      { status: error.status, detail: error.message },
      'Twitch refused the app credentials: check TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET (then restart Clipscope). ' +
        'Enrichment, view refresh and channel sync stop until Twitch accepts them; this is logged once, not on every call.',
    );
  }

  /**
   * Tells the pacer what Twitch last said about the bucket. Only when no other call is under way: Twurple's figure
   * is from its last finished batch, so with calls in the air it may predate points they took.
   */
  function syncPacer(): void {
    if (!pacer || inFlight > 0) return;
    const stats = twurpleBucket(apiClient);
    if (!stats) return;
    const key = `${stats.limit}/${stats.remaining}/${stats.resetAt}`;
    // The same figures again mean no answer came since (a network error, say): already applied, and stale now.
    if (key === lastObserved) return;
    lastObserved = key;
    pacer.observe(stats);
  }

  async function send(what: string, url: string, query: Record<string, string | string[]>): Promise<unknown> {
    if (pacer) await pacer.take();
    inFlight += 1;
    try {
      return await withDeadline(apiClient.callApi<unknown>({ type: 'helix', url, query }), callTimeoutMs, what);
    } finally {
      inFlight -= 1;
      syncPacer();
    }
  }

  async function call(what: string, url: string, query: Record<string, string | string[]>): Promise<z.infer<typeof envelopeSchema>> {
    for (let attempt = 0; ; attempt++) {
      try {
        const body = await send(what, url, query);
        if (credentialsRefused) {
          credentialsRefused = false;
          logger.info('Twitch accepts the app credentials again');
        }
        const envelope = envelopeSchema.safeParse(body);
        if (!envelope.success) throw new TwitchApiError('malformed', `${what}: Twitch sent a body without a data list`);
        return envelope.data;
      } catch (raw) {
        const error = classifyTwitchError(raw, what);
        if (error.kind === 'auth') reportRefusedCredentials(error);
        if (error.kind === 'rate_limited') pacer?.emptied();
        if (!error.retryable || attempt >= policy.retries) throw error;
        const delay = backoffDelay(attempt, policy.baseDelayMs, policy.maxDelayMs, random);
        logger.warn({ err: error.message, attempt: attempt + 1, delayMs: delay }, 'Twitch call failed; retrying');
        await sleep(delay);
      }
    }
  }

  return {
    apiClient,
    pacer,
    async getClipsByIds(ids) {
      checkCount(ids, 'clip ids');
      const result: ClipLookup = { clips: [], rejected: [] };
      for (const chunk of chunks(ids, idsPerCall)) {
        const envelope = await call(`Get Clips (${chunk.length} ids)`, 'clips', { id: chunk });
        const parsed = parseItems(envelope.data, parseClip);
        result.clips.push(...parsed.clips);
        result.rejected.push(...parsed.rejected);
      }
      return result;
    },
    async getClipsByBroadcaster(query) {
      const query_: Record<string, string> = {
        broadcaster_id: query.broadcasterId,
        started_at: new Date(query.startedAt).toISOString(),
        ended_at: new Date(query.endedAt).toISOString(),
        first: String(query.first ?? HELIX_MAX_IDS),
      };
      if (query.after) query_.after = query.after;
      const envelope = await call(`Get Clips (broadcaster ${query.broadcasterId})`, 'clips', query_);
      const cursor = envelope.pagination?.cursor;
      return { ...parseItems(envelope.data, parseClip), cursor: cursor ? cursor : null };
    },
    async getGamesByIds(ids) {
      checkCount(ids, 'game ids');
      const games: HelixGame[] = [];
      for (const chunk of chunks(ids, idsPerCall)) {
        const envelope = await call(`Get Games (${chunk.length} ids)`, 'games', { id: chunk });
        games.push(
          ...parseItems(envelope.data, (item) => {
            const game = helixGameSchema.parse(item);
            return { id: game.id, name: game.name };
          }).clips,
        );
      }
      return games;
    },
    async getUsersByLogins(logins) {
      checkCount(logins, 'logins');
      const users: HelixUser[] = [];
      for (const chunk of chunks(logins, idsPerCall)) {
        const envelope = await call(`Get Users (${chunk.length} logins)`, 'users', { login: chunk });
        users.push(
          ...parseItems(envelope.data, (item) => {
            const user = helixUserSchema.parse(item);
            return { id: user.id, login: user.login, displayName: user.display_name };
          }).clips,
        );
      }
      return users;
    },
  };
}

/**
 * Twurple's last known Ratelimit-* figures for app-token calls. ApiClient.rateLimiterStats is null on Node, where
 * the Helix limiter is partitioned by user; the app partition's stats (key null) are read from the limiter Twurple
 * built. Null if that shape is not there (another Twurple version): the pacer then runs on its own model alone.
 */
function twurpleBucket(apiClient: ApiClient): { limit: number; remaining: number; resetAt: number } | null {
  const limiter = (apiClient as unknown as { _rateLimiter?: { getChildStats?: (key: null) => unknown } })._rateLimiter;
  if (typeof limiter?.getChildStats !== 'function') return null;
  const stats = limiter.getChildStats(null) as {
    lastKnownLimit?: number | null;
    lastKnownRemainingRequests?: number | null;
    lastKnownResetDate?: Date | null;
  } | null;
  const limit = stats?.lastKnownLimit;
  const remaining = stats?.lastKnownRemainingRequests;
  // Without Ratelimit-* headers (the Twitch CLI mock API sends none) Twurple reads 0 for both: nothing to learn.
  if (typeof limit !== 'number' || typeof remaining !== 'number' || !(limit >= 1) || !Number.isFinite(remaining)) return null;
  return { limit, remaining, resetAt: stats?.lastKnownResetDate?.getTime() ?? 0 };
}

/** Rejects with a retryable network error if the promise has not settled in time (the promise itself runs on). */
function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TwitchApiError('network', `${what}: no answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function chunks(values: readonly string[], size: number): string[][] {
  const result: string[][] = [];
  for (let i = 0; i < values.length; i += size) result.push(values.slice(i, i + size));
  return result;
}

function checkCount(values: readonly string[], what: string): void {
  if (values.length > HELIX_MAX_IDS) throw new TooManyIdsError(`at most ${HELIX_MAX_IDS} ${what} per Helix call, got ${values.length}`);
}

function parseClip(item: unknown): HelixClip {
  const clip = helixClipSchema.parse(item);
  return {
    id: clip.id,
    url: clip.url,
    broadcasterId: clip.broadcaster_id,
    broadcasterName: clip.broadcaster_name,
    creatorId: clip.creator_id,
    creatorName: clip.creator_name ?? clip.creator_login ?? '',
    gameId: clip.game_id,
    title: clip.title,
    viewCount: clip.view_count,
    createdAt: clip.created_at,
    thumbnailUrl: clip.thumbnail_url,
    duration: clip.duration,
  };
}

/** Parses each list item on its own, so one odd record does not spoil the other 99. */
function parseItems<T>(items: unknown[], parse: (item: unknown) => T): { clips: T[]; rejected: RejectedItem[] } {
  const parsed: T[] = [];
  const rejected: RejectedItem[] = [];
  for (const item of items) {
    try {
      parsed.push(parse(item));
    } catch (error) {
      const id =
        typeof item === 'object' && item !== null && typeof (item as { id?: unknown }).id === 'string' ? (item as { id: string }).id : null;
      const problem =
        error instanceof z.ZodError ? error.issues.map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`).join('; ') : String(error);
      rejected.push({ id, problem: `Twitch sent a record without the documented shape (${problem.slice(0, 300)})` });
    }
  }
  return { clips: parsed, rejected };
}
