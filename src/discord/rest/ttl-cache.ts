// A cache of at most `maxEntries` values that each live `ttlMs`: a job run asks Discord for a guild once, not per
// clip, and a permission changed on Discord is seen within the TTL. Concurrent misses share one fetch.
import type { Clock } from '../../clock';

export class TtlCache<V> {
  private readonly entries = new Map<string, { at: number; value: Promise<V> }>();

  constructor(
    private readonly clock: Clock,
    readonly maxEntries: number,
    readonly ttlMs: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached value, or `load()`'s, remembered unless it fails (a failure is asked again next time). */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = this.clock.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) {
      // Most recently used last, so the oldest use is evicted first.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    const value = load();
    this.entries.delete(key);
    this.entries.set(key, { at: now, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    return value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
