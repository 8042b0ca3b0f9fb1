// A set that forgets its least recently used entries beyond a fixed size: bounded memory for "seen" lists.

export class LruSet<T> {
  private readonly entries = new Set<T>();

  constructor(readonly maxSize: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Whether the value is in the set; a hit counts as a use. */
  has(value: T): boolean {
    if (!this.entries.has(value)) return false;
    this.entries.delete(value);
    this.entries.add(value);
    return true;
  }

  add(value: T): void {
    this.entries.delete(value);
    this.entries.add(value);
    while (this.entries.size > this.maxSize) {
      const oldest = this.entries.values().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(value: T): void {
    this.entries.delete(value);
  }
}
