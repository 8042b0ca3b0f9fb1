// Clipper roles on PostgreSQL: the twin of src/db/schema/roles.ts.
import { index, integer, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import type { RoleChangeAction, RoleRuleKind, RoleRulePeriod, RoleRuleState } from '../schema/roles';
import { millis, text } from './types';

export const roleRules = pgTable(
  'role_rules',
  {
    guildId: text('guild_id').notNull(),
    roleId: text('role_id').notNull(),
    kind: text('kind').$type<RoleRuleKind>().notNull(),
    period: text('period').$type<RoleRulePeriod>().notNull(),
    top: integer('top'),
    min: integer('min'),
    state: text('state').$type<RoleRuleState>().notNull(),
    previewedAt: millis('previewed_at'),
    createdBy: text('created_by').notNull(),
    createdAt: millis('created_at').notNull(),
    updatedAt: millis('updated_at').notNull(),
  },
  (t) => [primaryKey({ name: 'role_rules_pkey', columns: [t.guildId, t.roleId] }), index('role_rules_state_idx').on(t.state, t.guildId)],
);

export const roleGrants = pgTable(
  'role_grants',
  {
    guildId: text('guild_id').notNull(),
    roleId: text('role_id').notNull(),
    userId: text('user_id').notNull(),
    grantedAt: millis('granted_at').notNull(),
  },
  (t) => [primaryKey({ name: 'role_grants_pkey', columns: [t.guildId, t.roleId, t.userId] })],
);

export const roleChanges = pgTable(
  'role_changes',
  {
    guildId: text('guild_id').notNull(),
    changeId: text('change_id').notNull(),
    roleId: text('role_id').notNull(),
    userId: text('user_id').notNull(),
    action: text('action').$type<RoleChangeAction>().notNull(),
    reason: text('reason').notNull(),
    changedAt: millis('changed_at').notNull(),
  },
  (t) => [
    primaryKey({ name: 'role_changes_pkey', columns: [t.guildId, t.changeId] }),
    index('role_changes_guild_time_idx').on(t.guildId, t.changedAt),
  ],
);
