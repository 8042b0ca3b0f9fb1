// What the rebuild and the incremental run share: the size of a step, the event loop's turn between steps, and the
// work a guild's run reports.
import type { Engine } from '../../db/database';
import type { PeriodType } from '../types';

/** Local days read per step; the event loop gets a turn between steps. */
export const DAYS_PER_STEP = 62;

/**
 * Local days a full rebuild reads per statement batch. SQLite: a read holds the connection, so short ones. PostgreSQL:
 * a read holds no lock and each batch joins the guild's clips anew, so a year at a time (one statement per table).
 */
export const REBUILD_READ_DAYS: Record<Engine, number> = { sqlite: DAYS_PER_STEP, postgres: 366 };

export interface GuildWork {
  full: boolean;
  buckets: Record<PeriodType, number>;
  /** Dirty hours consumed. */
  dirtyHours: number;
}

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
