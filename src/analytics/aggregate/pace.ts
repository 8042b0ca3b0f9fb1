// What the rebuild and the incremental run share: the size of a step, the event loop's turn between steps, and the
// work a guild's run reports.
import type { PeriodType } from '../types';

/** Local days read per step; the event loop gets a turn between steps. */
export const DAYS_PER_STEP = 62;

export interface GuildWork {
  full: boolean;
  buckets: Record<PeriodType, number>;
  /** Dirty hours consumed. */
  dirtyHours: number;
}

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
