// role_rules: which role each rule drives. A rule is added pending and applied only once an admin has previewed it
// and enabled it (docs/roles.md); changing a rule makes it pending again.
import type { RoleRuleKind, RoleRulePeriod, RoleRuleState } from '../../schema/roles';
import type { Db } from '../../database';
import { queries } from '../../sql';

export interface RoleRule {
  guildId: string;
  roleId: string;
  kind: RoleRuleKind;
  period: RoleRulePeriod;
  /** Top-N kinds: how many members hold the role. */
  top: number | null;
  /** Milestones: the threshold. */
  min: number | null;
  state: RoleRuleState;
  previewedAt: number | null;
  createdBy: string;
  createdAt: number;
  updatedAt: number;
}

export type RoleRuleDefinition = Pick<RoleRule, 'guildId' | 'roleId' | 'kind' | 'period' | 'top' | 'min' | 'createdBy'>;

interface RuleRow {
  guild_id: string;
  role_id: string;
  kind: RoleRuleKind;
  period: RoleRulePeriod;
  top: number | null;
  min: number | null;
  state: RoleRuleState;
  previewed_at: number | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

const toRule = (r: RuleRow): RoleRule => ({
  guildId: r.guild_id,
  roleId: r.role_id,
  kind: r.kind,
  period: r.period,
  top: r.top === null ? null : Number(r.top),
  min: r.min === null ? null : Number(r.min),
  state: r.state,
  previewedAt: r.previewed_at === null ? null : Number(r.previewed_at),
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

/** Adds the role's rule, or replaces it; either way it is pending until previewed and enabled. */
export async function putRoleRule(db: Db, rule: RoleRuleDefinition, now: number): Promise<RoleRule> {
  await queries(db).run(
    `INSERT INTO role_rules (guild_id, role_id, kind, period, top, min, state, previewed_at, created_by, created_at, updated_at)
     VALUES (@guild, @role, @kind, @period, @top, @min, 'pending', NULL, @by, @now, @now)
     ON CONFLICT (guild_id, role_id) DO UPDATE SET kind = excluded.kind, period = excluded.period, top = excluded.top,
       min = excluded.min, state = 'pending', previewed_at = NULL, created_by = excluded.created_by, updated_at = excluded.updated_at`,
    { guild: rule.guildId, role: rule.roleId, kind: rule.kind, period: rule.period, top: rule.top, min: rule.min, by: rule.createdBy, now },
  );
  return (await getRoleRule(db, rule.guildId, rule.roleId)) as RoleRule;
}

export async function getRoleRule(db: Db, guildId: string, roleId: string): Promise<RoleRule | null> {
  const row = await queries(db).get<RuleRow>('SELECT * FROM role_rules WHERE guild_id = ? AND role_id = ?', [guildId, roleId]);
  return row ? toRule(row) : null;
}

/** The guild's rules, by role (bounded: a guild has at most a few dozen). */
export async function listRoleRules(db: Db, guildId: string, limit = 100): Promise<RoleRule[]> {
  const rows = await queries(db).all<RuleRow>('SELECT * FROM role_rules WHERE guild_id = ? ORDER BY role_id LIMIT ?', [guildId, limit]);
  return rows.map(toRule);
}

/** How many rules the guild has, to bound them. */
export async function countRoleRules(db: Db, guildId: string): Promise<number> {
  const row = await queries(db).get<{ n: number }>('SELECT count(*) AS n FROM role_rules WHERE guild_id = ?', [guildId]);
  return Number(row?.n ?? 0);
}

/** Notes that an admin saw what the rule would change now. */
export async function markRoleRulePreviewed(db: Db, guildId: string, roleId: string, now: number): Promise<void> {
  await queries(db).run('UPDATE role_rules SET previewed_at = ? WHERE guild_id = ? AND role_id = ?', [now, guildId, roleId]);
}

/** Enables a previewed rule; false when there is no such rule or it was never previewed. */
export async function enableRoleRule(db: Db, guildId: string, roleId: string, now: number): Promise<boolean> {
  const r = await queries(db).run(
    `UPDATE role_rules SET state = 'enabled', updated_at = ? WHERE guild_id = ? AND role_id = ? AND previewed_at IS NOT NULL`,
    [now, guildId, roleId],
  );
  return r.changes > 0;
}

/**
 * Removes the rule and Clipscope's record of whom it gave the role to (members keep the role; Clipscope no longer
 * manages it). False when there was no rule.
 */
export function deleteRoleRule(db: Db, guildId: string, roleId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const q = queries(tx);
    await q.run('DELETE FROM role_grants WHERE guild_id = ? AND role_id = ?', [guildId, roleId]);
    return (await q.run('DELETE FROM role_rules WHERE guild_id = ? AND role_id = ?', [guildId, roleId])).changes > 0;
  });
}

/** Enabled rules of every guild after (guildId, roleId), in that order: keyset pages for the runner. */
export async function listEnabledRoleRules(db: Db, after: { guildId: string; roleId: string }, limit: number): Promise<RoleRule[]> {
  const rows = await queries(db).all<RuleRow>(
    `SELECT * FROM role_rules WHERE state = 'enabled' AND (guild_id > @guild OR (guild_id = @guild AND role_id > @role))
     ORDER BY guild_id, role_id LIMIT @limit`,
    { guild: after.guildId, role: after.roleId, limit },
  );
  return rows.map(toRule);
}
