// Keeps events about the same message in the order they arrived, even when one of them must first wait
// for a REST fetch; events about different messages do not wait for each other.

export class MessageOrder {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();

  /** Runs `task` after every earlier task that shares one of `keys` (message ids) has finished. */
  run<T>(keys: readonly string[], task: () => T | Promise<T>): Promise<T> {
    const earlier = [...new Set(keys)].map((k) => this.tails.get(k)).filter((p): p is Promise<void> => p !== undefined);
    const result = (earlier.length > 0 ? Promise.all(earlier) : Promise.resolve()).then(task);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    for (const key of keys) this.tails.set(key, settled);
    this.running.add(settled);
    void settled.then(() => {
      this.running.delete(settled);
      for (const key of keys) if (this.tails.get(key) === settled) this.tails.delete(key);
    });
    return result;
  }

  /**
   * Like run for a synchronous task, but when nothing earlier is pending for its keys it runs at once, without
   * the promises run needs: most events concern a message nothing else is waiting on.
   */
  runSync(keys: readonly string[], task: () => void): void | Promise<void> {
    for (const key of keys) if (this.tails.has(key)) return this.run(keys, task);
    task();
  }

  /** Tasks started and not yet finished. */
  get size(): number {
    return this.running.size;
  }

  /** Resolves once every task started so far (and any they chained) has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
