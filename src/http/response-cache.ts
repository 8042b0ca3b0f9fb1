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
}

export function createResponseCache(options: { maxEntries: number; ttlMs: number }): ResponseCache {
  const entries = new Map<string, CachedAnswer>();
  return {
    get(key, version, now) {
      if (options.ttlMs <= 0) return undefined;
      const hit = entries.get(key);
      if (!hit) return undefined;
      if (hit.version !== version || now - hit.storedAt >= options.ttlMs) {
        entries.delete(key);
        return undefined;
      }
      return hit;
    },
    set(key, answer) {
      if (options.ttlMs <= 0) return;
      entries.delete(key);
      entries.set(key, answer);
      // Evict the oldest insertions beyond the bound (a Map iterates in insertion order).
      while (entries.size > options.maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
    get size() {
      return entries.size;
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
