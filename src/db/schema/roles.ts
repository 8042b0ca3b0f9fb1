// Clipper roles (issue #20, docs/roles.md): per guild, which Discord role a rule drives, the members Clipscope gave
// it to, and every change it made (docs/adr/0020-clipper-roles.md).
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const ROLE_RULE_KINDS = [
  'top_clippers_by_clips',
  'top_clippers_by_views',
  'top_sharers_by_shares',
  'top_sharers_by_reactions',
  'clips_milestone',
  'views_milestone',
] as const;
export type RoleRuleKind = (typeof ROLE_RULE_KINDS)[number];

export const ROLE_RULE_PERIODS = ['month', 'week', 'all_time'] as const;
export type RoleRulePeriod = (typeof ROLE_RULE_PERIODS)[number];

/** 'pending': added, not applied until an admin has previewed it and enabled it. */
export const ROLE_RULE_STATES = ['pending', 'enabled'] as const;
export type RoleRuleState = (typeof ROLE_RULE_STATES)[number];

/** One rule per role: two rules driving one role would undo each other. */
export const roleRules = sqliteTable(
  'role_rules',
  {
    guildId: text('guild_id').notNull(),
    roleId: text('role_id').notNull(),
    kind: text('kind', { enum: ROLE_RULE_KINDS }).notNull(),
    period: text('period', { enum: ROLE_RULE_PERIODS }).notNull(),
    /** How many members hold the role (top-N kinds); null for milestones. */
    top: integer('top'),
    /** The milestone's threshold (clips, or views of one clip); null for top-N kinds. */
    min: integer('min'),
    state: text('state', { enum: ROLE_RULE_STATES }).notNull(),
    /** When an admin last previewed the rule; a rule is enabled only after one. */
    previewedAt: integer('previewed_at'),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.roleId] }), index('role_rules_state_idx').on(t.state, t.guildId)],
);

/** The members Clipscope gave a rule's role to, and holds it for: what the next run revokes from. */
export const roleGrants = sqliteTable(
  'role_grants',
  {
    guildId: text('guild_id').notNull(),
    roleId: text('role_id').notNull(),
    userId: text('user_id').notNull(),
    grantedAt: integer('granted_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.roleId, t.userId] })],
);

/** 'added' / 'removed': done on Discord; 'left': the member had left, their grant was dropped. */
export const ROLE_CHANGE_ACTIONS = ['added', 'removed', 'left'] as const;
export type RoleChangeAction = (typeof ROLE_CHANGE_ACTIONS)[number];

/** Every change Clipscope made to a member's roles (`/clipscope-admin roles history`). */
export const roleChanges = sqliteTable(
  'role_changes',
  {
    guildId: text('guild_id').notNull(),
    /** Random, unique within the guild. */
    changeId: text('change_id').notNull(),
    roleId: text('role_id').notNull(),
    userId: text('user_id').notNull(),
    action: text('action', { enum: ROLE_CHANGE_ACTIONS }).notNull(),
    /** The rule, as the audit-log reason named it. */
    reason: text('reason').notNull(),
    changedAt: integer('changed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.changeId] }), index('role_changes_guild_time_idx').on(t.guildId, t.changedAt)],
);
