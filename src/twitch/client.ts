// The Twitch Helix boundary: Twurple's ApiClient with an app token, zod-checked payloads (schemas.ts), and retries with
// exponential backoff and jitter on top of Twurple's own rate limiter, so callers see typed data or one clear error (errors.ts).
import { ApiClient } from '@twurple/api';
import { AppTokenAuthProvider } from '@twurple/auth';
import type { Logger } from '../logger';
import { BudgetWaitError, HelixPacer, type PacingOptions } from './pacing';
import { classifyTwitchError, redactSecrets, TooManyIdsError, TwitchApiError } from './errors';
import {
  envelopeSchema,
  helixGameSchema,
  helixUserSchema,
  parseClip,
  parseItems,
  parseVideo,
  type HelixVideo,
  type RejectedItem,
  type ClipLookup,
  type ClipPage,
  type HelixEnvelope,
  type HelixGame,
  type HelixUser,
} from './schemas';

// Twurple's documented way to type fetchOptions as the platform fetch's RequestInit.
declare module '@twurple/api-call' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  export interface TwitchApiCallFetchOptions extends Omit<RequestInit, 'headers' | 'method' | 'body'> {}
}

/** Helix accepts at most this many ids (or logins) per Get Clips / Get Games / Get Users call. */
export const HELIX_MAX_IDS = 100;

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

export interface UserVideosQuery {
  /** The broadcaster's user id. */
  userId: string;
  /** Page size, 1–100. */
  first?: number;
  after?: string;
}

export interface VideoPage {
  /** Past broadcasts (type=archive), newest first. */
  videos: HelixVideo[];
  rejected: RejectedItem[];
  cursor: string | null;
}

/** The Helix calls Clipscope makes: what enrichment, refresh and channel sync are written against. */
export interface TwitchApi {
  getClipsByIds(ids: readonly string[]): Promise<ClipLookup>;
  getClipsByBroadcaster(query: BroadcasterClipsQuery): Promise<ClipPage>;
  getGamesByIds(ids: readonly string[]): Promise<HelixGame[]>;
  getUsersByLogins(logins: readonly string[]): Promise<HelixUser[]>;
  /** One page of a channel's past broadcasts (Get Videos, type=archive), newest first. */
  getArchiveVideos(query: UserVideosQuery): Promise<VideoPage>;
}

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
    if (pacer) {
      try {
        await pacer.take();
      } catch (error) {
        // The shared budget stayed empty too long: a rate limit like a 429, retried with backoff by call().
        if (error instanceof BudgetWaitError) throw new TwitchApiError('rate_limited', `${what}: ${error.message}`);
        throw error;
      }
    }
    inFlight += 1;
    try {
      return await withDeadline(apiClient.callApi<unknown>({ type: 'helix', url, query }), callTimeoutMs, what);
    } finally {
      inFlight -= 1;
      syncPacer();
    }
  }

  async function call(what: string, url: string, query: Record<string, string | string[]>): Promise<HelixEnvelope> {
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
    async getArchiveVideos(query) {
      const query_: Record<string, string> = { user_id: query.userId, type: 'archive', first: String(query.first ?? HELIX_MAX_IDS) };
      if (query.after) query_.after = query.after;
      const envelope = await call(`Get Videos (user ${query.userId})`, 'videos', query_);
      const parsed = parseItems(envelope.data, parseVideo);
      const cursor = envelope.pagination?.cursor;
      return { videos: parsed.clips, rejected: parsed.rejected, cursor: cursor ? cursor : null };
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
