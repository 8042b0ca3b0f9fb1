// The pure heart of clipper roles (docs/roles.md): who gains and who loses a rule's role, from who qualifies now and
// who holds it through Clipscope. Preview and the runner both use it, so a preview is what a run would do.
import type { RoleRuleKind } from '../db/schema/roles';

export interface RolePlanInput {
  kind: RoleRuleKind;
  /** Members who qualify now (Discord user ids). */
  qualifying: readonly string[];
  /** Members Clipscope holds the role for now. */
  holders: readonly string[];
}

export interface RolePlan {
  /** Qualify and do not hold it yet: they get it. */
  grant: string[];
  /** Hold it and no longer qualify (top-N rules only; a milestone, once reached, stays): they lose it. */
  revoke: string[];
  /** Hold it and keep it. */
  keep: string[];
}

/** Whether the rule ranks members for a period (its role moves on) rather than rewarding a milestone (it stays). */
export function isTopRule(kind: RoleRuleKind): boolean {
  return kind.startsWith('top_');
}

export function planRoleChanges({ kind, qualifying, holders }: RolePlanInput): RolePlan {
  const qualifies = new Set(qualifying);
  const held = new Set(holders);
  const grant = [...qualifies].filter((id) => !held.has(id)).sort();
  const leaving = [...held].filter((id) => !qualifies.has(id));
  const revoke = isTopRule(kind) ? leaving.sort() : [];
  const keep = [...held].filter((id) => !revoke.includes(id)).sort();
  return { grant, revoke, keep };
}
