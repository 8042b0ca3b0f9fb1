// What a clipper role rule means in words (docs/roles.md): checked when an admin adds it, and named in the audit log
// of every change it makes, in the preview and in the history.
import { ROLE_RULE_KINDS, ROLE_RULE_PERIODS, type RoleRuleKind, type RoleRulePeriod } from '../db/schema/roles';
import { ClipscopeError } from '../errors';
import { isTopRule } from './plan';

export { ROLE_RULE_KINDS, ROLE_RULE_PERIODS, type RoleRuleKind, type RoleRulePeriod };

/** Top-N rules hold the role for at most this many members: a role for everyone is not a reward. */
export const MAX_TOP = 25;
/** Milestone thresholds up to this (views of one clip reach millions). */
export const MAX_MIN = 1_000_000_000;
/** Rules a guild may have. */
export const MAX_RULES_PER_GUILD = 25;

export interface RuleShape {
  kind: RoleRuleKind;
  period: RoleRulePeriod;
  top: number | null;
  min: number | null;
}

/** A rule an admin asked for that cannot work; its message names the option. */
export class InvalidRoleRuleError extends ClipscopeError {
  constructor(message: string) {
    super('invalid_role_rule', message, { userFacing: true });
  }
}

/** Fills defaults and refuses what does not fit the kind: top-N rules take `period` and `top`, milestones `min`. */
export function normaliseRule(input: {
  kind: RoleRuleKind;
  period?: RoleRulePeriod | null;
  top?: number | null;
  min?: number | null;
}): RuleShape {
  if (isTopRule(input.kind)) {
    if (input.min !== undefined && input.min !== null)
      throw new InvalidRoleRuleError('`min` is for milestone rules; a top rule takes `top` (and `period`).');
    const top = input.top ?? 1;
    if (!Number.isInteger(top) || top < 1 || top > MAX_TOP)
      throw new InvalidRoleRuleError(`\`top\` must be a whole number from 1 to ${MAX_TOP}.`);
    return { kind: input.kind, period: input.period ?? 'month', top, min: null };
  }
  if (input.top !== undefined && input.top !== null) throw new InvalidRoleRuleError('`top` is for top rules; a milestone takes `min`.');
  if (input.period !== undefined && input.period !== null && input.period !== 'all_time')
    throw new InvalidRoleRuleError('A milestone counts all time; leave `period` out.');
  const min = input.min;
  if (min === undefined || min === null)
    throw new InvalidRoleRuleError('A milestone needs `min`: the clips, or the views of one clip, to reach.');
  if (!Number.isInteger(min) || min < 1 || min > MAX_MIN)
    throw new InvalidRoleRuleError(`\`min\` must be a whole number from 1 to ${MAX_MIN}.`);
  return { kind: input.kind, period: 'all_time', top: null, min };
}

const PERIOD_WORDS: Record<RoleRulePeriod, string> = { month: 'of the month', week: 'of the week', all_time: 'of all time' };

/** "top 3 Twitch clippers of the month by views", "at least 100 clips made all time". */
export function describeRule(rule: RuleShape): string {
  const n = rule.top ?? 1;
  const plural = (one: string, many: string) => (n === 1 ? one : `${n} ${many}`);
  const period = PERIOD_WORDS[rule.period];
  const count = (rule.min ?? 0).toLocaleString('en-US');
  switch (rule.kind) {
    case 'top_clippers_by_clips':
      return `top ${plural('Twitch clipper', 'Twitch clippers')} ${period} by clips`;
    case 'top_clippers_by_views':
      return `top ${plural('Twitch clipper', 'Twitch clippers')} ${period} by views`;
    case 'top_sharers_by_shares':
      return `top ${plural('sharer', 'sharers')} ${period} by clips shared`;
    case 'top_sharers_by_reactions':
      return `top ${plural('sharer', 'sharers')} ${period} by reactions received`;
    case 'clips_milestone':
      return `at least ${count} Twitch clips made, all time`;
    case 'views_milestone':
      return `a Twitch clip with at least ${count} views`;
  }
}

/** The audit-log reason of a change (Discord keeps up to 512 characters). */
export function auditReason(rule: RuleShape): string {
  return `Clipscope clipper role rule: ${describeRule(rule)}`.slice(0, 512);
}
