// The view readings of a synthetic clip: when Clipscope's view refresh would have looked the clip up again, and how
// many views Twitch would have answered, so that view velocity, "views per hour" and taking-off alerts have a real
// history in a generated community. Pure; drawn from a stream of its own, so the rest of the model is unchanged.
import { Rng } from './random';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** The refresh job runs every 5 minutes (REFRESH_CRON): a reading falls on the first run after the clip is due. */
const CRON_MS = 5 * MINUTE_MS;
/** Readings this close to the end are all kept: the last day's velocity and the last week's detail charts read them. */
export const KEEP_ALL_MS = 8 * DAY_MS;
/** First-day readings of clips made this close to the end are kept: taking-off alerts compare with 90 days of them. */
export const KEEP_FIRST_DAY_MS = 121 * DAY_MS;
/** A clip gains most of its views in its first hours: half of them by this age (median; viral clips four times sooner). */
const MEDIAN_HALF_LIFE_MS = 5 * HOUR_MS;

/** Per-clip draws, in clip order for one guild. */
export interface ClipViewShape {
  /** Age at which the clip has half the views it will settle at. */
  halfMs: number;
  /** Seeds the few seconds each refresh run takes to reach the clip. */
  jitterSeed: number;
}

/** The view shapes of a guild's clips (index = clip index), deterministic for the seed and the guild. */
export function viewShapes(seed: number, guildIndex: number, clips: ReadonlyArray<{ viral: boolean }>): ClipViewShape[] {
  const rng = new Rng(seed, 0x51e0_0000 + guildIndex);
  return clips.map((clip) => ({
    halfMs: Math.max(10 * MINUTE_MS, rng.logNormal(MEDIAN_HALF_LIFE_MS, 1.1) * (clip.viral ? 0.25 : 1)),
    jitterSeed: rng.nextUint32(),
  }));
}

/** A few seconds (0–20 s), fixed for the clip and the reading. */
function jitterMs(seed: number, n: number): number {
  let h = Math.imul(seed ^ Math.imul(n + 1, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % 20_000;
}

/**
 * The times of a clip's readings: the first lookup at `seenAt`, then what the view refresh would have done by its
 * default schedule (hourly under 7 days, daily under 30, weekly after), all before `endAt`. Bounded by thinning the
 * old history the demo has no use for: every reading of the last 8 days is kept, the first day's hourly readings of
 * clips made in the last 121 days, and otherwise only the first reading past 1, 7 and 30 days and the latest one.
 */
export function readingTimes(createdAt: number, seenAt: number, endAt: number, jitterSeed: number): number[] {
  const times = [seenAt];
  const keepAllFrom = endAt - KEEP_ALL_MS;
  const keepFirstDay = createdAt >= endAt - KEEP_FIRST_DAY_MS;
  const milestones = [DAY_MS, WEEK_MS, 30 * DAY_MS];
  let t = seenAt;
  let n = 0;
  for (;;) {
    const age = t - createdAt;
    let interval = age < WEEK_MS ? HOUR_MS : age < 30 * DAY_MS ? DAY_MS : WEEK_MS;
    // Weekly readings before the kept span: jump to the last one before it (nothing between is kept).
    if (interval === WEEK_MS && t + 2 * WEEK_MS < keepAllFrom) interval = Math.floor((keepAllFrom - t) / WEEK_MS - 1) * WEEK_MS;
    const next = Math.ceil((t + interval) / CRON_MS) * CRON_MS + jitterMs(jitterSeed, n++);
    if (next >= endAt) break;
    const nextAge = next - createdAt;
    const milestone = milestones.length > 0 && nextAge >= (milestones[0] as number);
    while (milestones.length > 0 && nextAge >= (milestones[0] as number)) milestones.shift();
    if (next >= keepAllFrom || (keepFirstDay && nextAge < DAY_MS) || milestone) times.push(next);
    t = next;
  }
  // The latest reading is what the clip's row shows (views_refreshed_at); keep it whatever the thinning dropped.
  if (t !== times[times.length - 1]) times.push(t);
  return times;
}

/**
 * The views at each reading: a saturating curve (half its views at `halfMs`) scaled so that the latest reading has
 * exactly `finalViews`, the count the clip's row holds. Never decreasing, as Twitch's counts.
 */
export function viewsAt(times: readonly number[], createdAt: number, halfMs: number, finalViews: number): number[] {
  const curve = (t: number) => {
    const age = Math.max(0, t - createdAt);
    return age / (age + halfMs);
  };
  const last = curve(times[times.length - 1] as number);
  return times.map((t, i) => (i === times.length - 1 || last <= 0 ? finalViews : Math.round((finalViews * curve(t)) / last)));
}
