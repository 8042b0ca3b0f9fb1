// What /clipscope-admin roles asks of clipper roles (presentation never holds the database): the guild's rules, a
// preview of what a rule would change now (required before it is first enabled), and the record of changes.
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import type { RoleRuleKind, RoleRulePeriod } from '../db/schema/roles';
import {
  countRoleChangesSince,
  countRoleRules,
  deleteRoleRule,
  enableRoleRule,
  getRoleRule,
  listRoleChanges,
  listRoleRules,
  markRoleRulePreviewed,
  putRoleRule,
  type RoleChange,
  type RoleRule,
} from '../db/stores/roles';
import { planRule, type RulePlan } from './qualify';
import { InvalidRoleRuleError, MAX_RULES_PER_GUILD, normaliseRule } from './rules';

export type { RoleChange, RoleRule, RulePlan };

export interface RoleRuleInput {
  roleId: string;
  kind: RoleRuleKind;
  period?: RoleRulePeriod | null;
  top?: number | null;
  min?: number | null;
  createdBy: string;
}

/** What /clipscope-admin status shows of clipper roles. */
export interface RolesStatus {
  rules: number;
  enabled: number;
  pending: number;
  /** Changes recorded since the instant asked about, by action. */
  changes: { added: number; removed: number; left: number };
}

export type EnableOutcome = 'enabled' | 'not_previewed' | 'missing';

export interface RolesAdmin {
  /** Adds (or replaces) the role's rule, pending until previewed and enabled; throws InvalidRoleRuleError. */
  add(guildId: string, input: RoleRuleInput): Promise<RoleRule>;
  list(guildId: string): Promise<RoleRule[]>;
  get(guildId: string, roleId: string): Promise<RoleRule | null>;
  /** What a run would change now (nothing is changed), and the rule marked previewed; null without a rule. */
  preview(guildId: string, roleId: string): Promise<{ rule: RoleRule; plan: RulePlan } | null>;
  enable(guildId: string, roleId: string): Promise<EnableOutcome>;
  remove(guildId: string, roleId: string): Promise<boolean>;
  history(guildId: string, roleId: string | null, limit: number): Promise<RoleChange[]>;
  /** The guild's rules by state and its changes since `since` (ms). */
  status(guildId: string, since: number): Promise<RolesStatus>;
}

export function createRolesAdmin(deps: { db: Db; clock: Clock }): RolesAdmin {
  const { db, clock } = deps;
  return {
    async add(guildId, input) {
      const shape = normaliseRule(input);
      const existing = await getRoleRule(db, guildId, input.roleId);
      if (!existing && (await countRoleRules(db, guildId)) >= MAX_RULES_PER_GUILD)
        throw new InvalidRoleRuleError(`This server has ${MAX_RULES_PER_GUILD} role rules already; remove one first.`);
      return putRoleRule(db, { guildId, roleId: input.roleId, ...shape, createdBy: input.createdBy }, clock.now());
    },
    list: (guildId) => listRoleRules(db, guildId),
    get: (guildId, roleId) => getRoleRule(db, guildId, roleId),
    async preview(guildId, roleId) {
      const rule = await getRoleRule(db, guildId, roleId);
      if (!rule) return null;
      const now = clock.now();
      const plan = await planRule(db, rule, now);
      await markRoleRulePreviewed(db, guildId, roleId, now);
      return { rule: { ...rule, previewedAt: now }, plan };
    },
    async enable(guildId, roleId) {
      if (await enableRoleRule(db, guildId, roleId, clock.now())) return 'enabled';
      return (await getRoleRule(db, guildId, roleId)) ? 'not_previewed' : 'missing';
    },
    remove: (guildId, roleId) => deleteRoleRule(db, guildId, roleId),
    history: (guildId, roleId, limit) => listRoleChanges(db, guildId, { roleId, limit }),
    async status(guildId, since) {
      // A guild has at most MAX_RULES_PER_GUILD rules: counted here rather than by another query.
      const [rules, changes] = await Promise.all([listRoleRules(db, guildId), countRoleChangesSince(db, guildId, since)]);
      const enabled = rules.filter((r) => r.state === 'enabled').length;
      return { rules: rules.length, enabled, pending: rules.length - enabled, changes };
    },
  };
}
