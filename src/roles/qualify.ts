// Who qualifies for a rule's role now, and what a run would change (docs/roles.md): the rankings read from the
// guild's clips and shares, in the guild's timezone, turned into a plan by the pure planner. Preview and the runner
// both call planRule, so the preview shows exactly what the next run does.
import { resolvePeriod } from '../analytics/periods';
import type { Db } from '../db/database';
import { getGuildSettings } from '../db/guild-settings';
import {
  clippersWithClips,
  clippersWithViews,
  listRoleGrants,
  topSharersByReactions,
  topSharersByShares,
  topTwitchClippers,
  type RankedClipper,
  type RoleRule,
  type TimeWindow,
} from '../db/stores/roles';
import { planRoleChanges, type RolePlan } from './plan';

/** Members a milestone can hold the role for, and holders read per rule: bounded, documented in docs/roles.md. */
export const MAX_QUALIFYING = 1000;
export const MAX_HOLDERS = 1000;

/** One line of a ranking: a member, or a Twitch clipper nobody here has linked (userId null). */
export interface Standing {
  userId: string | null;
  /** The Twitch name, for clippers. */
  twitchName: string | null;
  value: number;
}

export interface Qualification {
  /** "December 2026", "Week of 2026-11-30", "All time". */
  periodLabel: string;
  /** The ranking as read (top rules: N lines; milestones: everyone past it). */
  standings: Standing[];
  /** Members who qualify: the standings' linked members. */
  qualifying: string[];
  /** Clippers who qualify but have no verified Twitch link here: their place is held for nobody. */
  unmatched: Standing[];
}

export interface RulePlan extends Qualification {
  plan: RolePlan;
  holders: string[];
}

const ALL_TIME: TimeWindow = { start: -8_640_000_000_000_000, end: 8_640_000_000_000_000 };

export async function qualify(db: Db, rule: RoleRule, now: number): Promise<Qualification> {
  const { timezone } = await getGuildSettings(db, rule.guildId);
  const period = resolvePeriod({ type: rule.period }, timezone, now);
  const window: TimeWindow = period.start === null || period.end === null ? ALL_TIME : { start: period.start, end: period.end };
  const top = rule.top ?? 1;
  const fromClippers = (rows: RankedClipper[], value: (r: RankedClipper) => number): Qualification => {
    const standings = rows.map((r) => ({ userId: r.discordUserId, twitchName: r.twitchName, value: value(r) }));
    return {
      periodLabel: period.label,
      standings,
      qualifying: [...new Set(standings.flatMap((s) => (s.userId ? [s.userId] : [])))],
      unmatched: standings.filter((s) => s.userId === null),
    };
  };
  switch (rule.kind) {
    case 'top_clippers_by_clips':
      return fromClippers(await topTwitchClippers(db, rule.guildId, { ...window, by: 'clips', limit: top }), (r) => r.clips);
    case 'top_clippers_by_views':
      return fromClippers(await topTwitchClippers(db, rule.guildId, { ...window, by: 'views', limit: top }), (r) => r.views);
    case 'clips_milestone':
      return fromClippers(await clippersWithClips(db, rule.guildId, { minClips: rule.min ?? 1, limit: MAX_QUALIFYING }), (r) => r.clips);
    case 'views_milestone':
      return fromClippers(
        await clippersWithViews(db, rule.guildId, { minViews: rule.min ?? 1, limit: MAX_QUALIFYING }),
        (r) => r.bestViews,
      );
    case 'top_sharers_by_shares':
    case 'top_sharers_by_reactions': {
      const read = rule.kind === 'top_sharers_by_shares' ? topSharersByShares : topSharersByReactions;
      const rows = await read(db, rule.guildId, { ...window, limit: top });
      return {
        periodLabel: period.label,
        standings: rows.map((r) => ({ userId: r.userId, twitchName: null, value: r.value })),
        qualifying: rows.map((r) => r.userId),
        unmatched: [],
      };
    }
  }
}

/** What a run of the rule would do now. */
export async function planRule(db: Db, rule: RoleRule, now: number): Promise<RulePlan> {
  const qualification = await qualify(db, rule, now);
  const holders = await listRoleGrants(db, rule.guildId, rule.roleId, MAX_HOLDERS);
  return { ...qualification, holders, plan: planRoleChanges({ kind: rule.kind, qualifying: qualification.qualifying, holders }) };
}
