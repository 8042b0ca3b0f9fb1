// Work that must never overlap although it is started from several places (the nightly full aggregation, the
// incremental run every few minutes, /clipscope-admin aggregate): each run waits for the one before it. The
// scheduler only keeps one job from overlapping itself, not two different jobs from overlapping each other.
export interface Exclusive {
  run<T>(work: () => Promise<T>): Promise<T>;
  /** True while a run is in progress or waiting. */
  readonly busy: boolean;
}

export function createExclusive(): Exclusive {
  let tail: Promise<unknown> = Promise.resolve();
  let pending = 0;
  return {
    run<T>(work: () => Promise<T>): Promise<T> {
      pending += 1;
      const result = tail.then(work).finally(() => {
        pending -= 1;
      });
      // The next run waits for this one whether it succeeded or failed.
      tail = result.catch(() => undefined);
      return result;
    },
    get busy() {
      return pending > 0;
    },
  };
}
