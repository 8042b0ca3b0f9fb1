// The in-process answer cache: one entry per (guild, route, normalised parameters), valid while the guild's
// data version is unchanged and for at most the configured lifetime (periods roll over with the clock).
import { hash } from 'node:crypto';

export interface CachedAnswer {
  version: string;
  /** The encoded body, sent as is. */
  body: Buffer;
  etag: string;
  storedAt: number;
}

export interface ResponseCache {
  get(key: string, version: string, now: number): CachedAnswer | undefined;
  set(key: string, answer: CachedAnswer): void;
  readonly size: number;
  /** What the entries are counted as holding: their bodies, keys and ETags plus a fixed overhead each. */
  readonly bytes: number;
  /** Stops the expiry sweep (the server's close). */
  close(): void;
}

export interface ResponseCacheOptions {
  /** The bound on bytes(): the oldest entries leave first beyond it; a larger single answer is not kept at all. */
  maxBytes: number;
  ttlMs: number;
  /** The clock the sweep reads expiry against (the server's). */
  now: () => number;
  /** How often expired entries are looked for without being read; default a tenth of the lifetime, 1–10 s. */
  sweepIntervalMs?: number;
  /** Entries one sweep tick looks at, at most: the sweep never holds the event loop long. */
  sweepBatch?: number;
}

/** A Map entry, its key and the CachedAnswer object, roughly: so a flood of tiny answers is bounded too. */
const ENTRY_OVERHEAD_BYTES = 256;

function sizeOf(key: string, answer: CachedAnswer): number {
  // Keys and versions are ASCII in practice (ids, route names, JSON of parameters); V8 stores those 1 byte a character.
  return answer.body.length + key.length + answer.version.length + answer.etag.length + ENTRY_OVERHEAD_BYTES;
}

/**
 * Entries are kept in insertion order (a Map's), which is also the order of storedAt: eviction takes the oldest, and
 * the sweep walks from the oldest and stops at the first entry still fresh, so a tick costs its expired entries only.
 */
export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const entries = new Map<string, { answer: CachedAnswer; size: number }>();
  let bytes = 0;
  const remove = (key: string): void => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= entry.size;
  };

  const sweepBatch = options.sweepBatch ?? 1000;
  const sweep = (): void => {
    const now = options.now();
    let looked = 0;
    for (const [key, entry] of entries) {
      if (looked++ >= sweepBatch || now - entry.answer.storedAt < options.ttlMs) break;
      remove(key);
    }
  };
  const interval = options.sweepIntervalMs ?? Math.min(10_000, Math.max(1000, Math.floor(options.ttlMs / 10)));
  const timer = options.ttlMs > 0 ? setInterval(sweep, interval) : null;
  timer?.unref();

  return {
    get(key, version, now) {
      if (options.ttlMs <= 0) return undefined;
      const hit = entries.get(key);
      if (!hit) return undefined;
      if (hit.answer.version !== version || now - hit.answer.storedAt >= options.ttlMs) {
        remove(key);
        return undefined;
      }
      return hit.answer;
    },
    set(key, answer) {
      if (options.ttlMs <= 0) return;
      remove(key);
      const size = sizeOf(key, answer);
      if (size > options.maxBytes) return;
      entries.set(key, { answer, size });
      bytes += size;
      // Evict the oldest insertions beyond the bound (a Map iterates in insertion order).
      while (bytes > options.maxBytes) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        remove(oldest);
      }
    },
    get size() {
      return entries.size;
    },
    get bytes() {
      return bytes;
    },
    close() {
      if (timer) clearInterval(timer);
    },
  };
}

/** Serialised parameters by parameter object: parsed queries are memoised (parseRequestQuery), so are these. */
const serialisedParams = new WeakMap<object, string>();

/** The cache key: guild first, so no two guilds can ever share an entry. */
export function answerKey(guildId: string, route: string, params: unknown): string {
  let serialised = typeof params === 'object' && params !== null ? serialisedParams.get(params) : undefined;
  if (serialised === undefined) {
    serialised = JSON.stringify(params);
    if (typeof params === 'object' && params !== null) serialisedParams.set(params, serialised);
  }
  return `${guildId}\n${route}\n${serialised}`;
}

/** A strong ETag from the guild and the answer: the SHA-1 of the guild, a newline and the answer's UTF-8 bytes. */
export function etagOf(guildId: string, text: string): string {
  // One-shot crypto.hash on a string is 2.5x cheaper than a Hash object for a typical 2 KB answer.
  return `"${hash('sha1', `${guildId}\n${text}`, 'base64url').slice(0, 27)}"`;
}

/** True when an If-None-Match header lists this ETag (or is "*"). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
