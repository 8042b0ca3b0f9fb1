// The aggregation run: for each guild (all, or one), a full rebuild or an incremental run of every period type, with
// progress and a summary of the work done.
import { analyzeSummaries } from '../../db/aggregation/rebuild';
import { countCurrentPeriodTypes, listGuildsToAggregate } from '../../db/aggregation/state';
import type { Clock } from '../../clock';
import { withGuildAggregationLock } from '../../db/aggregation/steps';
import type { Db } from '../../db/database';
import { getGuildSettings } from '../../db/guild-settings';
import type { Logger } from '../../logger';
import { isValidTimeZone } from '../periods';
import { PERIOD_TYPES, type PeriodType } from '../types';
import { consumeDirtyHours } from './dirty-days';
import { carryDirtyDays } from './incremental';
import { moodsCurrent, readMoodMapping, rebuildMoods } from './moods';
import type { GuildWork } from './pace';
import { rebuildGuild } from './rebuild';

export interface AggregateOptions {
  /** One guild; all guilds when absent. */
  guildId?: string;
  /**
   * The period type to report on. The period types of a guild are carried forward together, so the others are
   * brought up to date too; progress and the summary count this one.
   */
  period?: PeriodType;
  /** Rebuild every bucket from the raw tables instead of only the dirty days. */
  full?: boolean;
}

export interface AggregateDeps {
  clock: Clock;
  logger?: Logger;
  /** Called after each (guild, period type) unit with units done and the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface AggregateSummary {
  guilds: number;
  /** (guild, period type) pairs looked at. */
  units: number;
  /** Of those, rebuilt from scratch (asked for, first run, or timezone changed). */
  rebuilt: number;
  /** Period buckets recomputed. */
  buckets: number;
  /** Dirty hours consumed. */
  dirty_hours: number;
  ms: number;
}

/** Brings the summaries of the given guild(s) up to date. */
export async function aggregateAnalytics(db: Db, options: AggregateOptions, deps: AggregateDeps): Promise<AggregateSummary> {
  const started = deps.clock.now();
  const types: readonly PeriodType[] = options.period ? [options.period] : PERIOD_TYPES;
  const guilds = options.guildId ? [options.guildId] : await listGuildsToAggregate(db, options.full ?? false);
  const summary: AggregateSummary = { guilds: guilds.length, units: 0, rebuilt: 0, buckets: 0, dirty_hours: 0, ms: 0 };
  const total = guilds.length * types.length;
  deps.onProgress?.(0, total);
  for (const guildId of guilds) {
    let timezone = (await getGuildSettings(db, guildId)).timezone;
    if (!isValidTimeZone(timezone)) {
      deps.logger?.warn({ guildId, timezone }, 'guild timezone is not a valid IANA name; aggregating in UTC');
      timezone = 'UTC';
    }
    const tz = timezone;
    const work = await withGuildAggregationLock(db, guildId, () =>
      aggregateGuild(db, guildId, tz, options.full ?? false, deps.clock.now()),
    );
    summary.dirty_hours += work.dirtyHours;
    for (const type of types) {
      summary.units += 1;
      summary.buckets += work.buckets[type];
      if (work.full) summary.rebuilt += 1;
      deps.onProgress?.(summary.units, total);
    }
  }
  if (summary.rebuilt > 0) await analyzeSummaries(db);
  summary.ms = deps.clock.now() - started;
  deps.logger?.debug({ ...summary }, 'analytics aggregated');
  return summary;
}

/** Every period type of every guild (or one guild). */
export function aggregateAll(db: Db, deps: AggregateDeps, options: Omit<AggregateOptions, 'period'> = {}): Promise<AggregateSummary> {
  return aggregateAnalytics(db, options, deps);
}

export function formatAggregateSummary(summary: AggregateSummary): string {
  if (summary.buckets === 0 && summary.rebuilt === 0) {
    return `0 buckets recomputed (nothing changed since the last run) in ${(summary.ms / 1000).toFixed(2)}s`;
  }
  const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
  return `${count(summary.buckets, 'bucket')} recomputed (${summary.rebuilt} of ${count(summary.units, 'guild period')} rebuilt in full, ${count(summary.dirty_hours, 'dirty hour')}) for ${count(summary.guilds, 'guild')} in ${(summary.ms / 1000).toFixed(2)}s`;
}

/**
 * Rebuilds the guild in full when asked, or when its summaries are missing, in another timezone or layout. Its mood
 * rows are rebuilt with it, or on their own when the guild's mood mapping changed (an override set or reset).
 */
async function aggregateGuild(db: Db, guildId: string, timezone: string, forceFull: boolean, now: number): Promise<GuildWork> {
  const mapping = await readMoodMapping(db, guildId);
  if (forceFull || (await countCurrentPeriodTypes(db, guildId, timezone)) !== PERIOD_TYPES.length) {
    const dirtyHours = await consumeDirtyHours(db, guildId, timezone);
    const work = await rebuildGuild(db, guildId, timezone, now);
    await rebuildMoods(db, guildId, timezone, mapping, now);
    return { ...work, dirtyHours };
  }
  const current = await moodsCurrent(db, guildId, timezone, mapping);
  const work = await carryDirtyDays(db, guildId, timezone, now, current ? mapping : null);
  if (!current) await rebuildMoods(db, guildId, timezone, mapping, now);
  return work;
}
