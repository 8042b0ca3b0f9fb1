// How often a broadcaster is polled (docs/feed.md): every FAST_MS while its channel is busy (the last poll saw a
// clip made in the last BUSY_WINDOW_MS: it is live or being clipped), and otherwise twice as long each quiet poll,
// up to SLOW_MS. A failed poll keeps its interval.
export const FAST_MS = 2 * 60_000;
export const SLOW_MS = 15 * 60_000;
export const BUSY_WINDOW_MS = 30 * 60_000;

export function nextInterval(previousMs: number, newestClipAt: number | null, now: number): number {
  if (newestClipAt !== null && now - newestClipAt <= BUSY_WINDOW_MS) return FAST_MS;
  return Math.min(SLOW_MS, Math.max(FAST_MS, previousMs * 2));
}
