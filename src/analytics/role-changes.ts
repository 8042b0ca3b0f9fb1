// Clipper roles on the dashboard (docs/roles.md): the guild's rules and a page of the changes Clipscope made to its
// members' roles, newest first, with when roles were last applied. One plain answer for the API and the panel.
import { readJobRun } from '../db/analytics/status';
import type { Db } from '../db/client';
import type { RoleChangeAction, RoleRuleKind, RoleRulePeriod, RoleRuleState } from '../db/schema/roles';
import { listRoleChangesPage, listRoleRules, type RoleChangeCursor } from '../db/stores/roles';
import { describeRule } from '../roles/rules';

/** Roles are applied right after each incremental aggregation (src/app.ts), so that job's last run is theirs. */
export const ROLES_JOB = 'aggregate-incremental';

export interface RoleChangesAnswer {
  rules: {
    role_id: string;
    kind: RoleRuleKind;
    period: RoleRulePeriod;
    top: number | null;
    min: number | null;
    state: RoleRuleState;
    description: string;
    previewed_at: string | null;
    updated_at: string;
  }[];
  changes: {
    change_id: string;
    role_id: string;
    user_id: string;
    action: RoleChangeAction;
    rule: string;
    changed_at: string;
  }[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  next_cursor: string | null;
  /**
   * The last run that applied the rules (every server's), null before the first; whether it failed, not why: the
   * error is about every server's run, and the panel is shown to dashboard viewers, not only admins.
   */
  last_run: { started_at: string | null; finished_at: string | null; failed: boolean } | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());

/** The cursor text of a change: `<changed_at ms>.<change_id>`, parsed back by the HTTP query (query-params.ts). */
export function roleChangeCursor(c: RoleChangeCursor): string {
  return `${c.changedAt}.${c.changeId}`;
}

export async function roleChanges(
  db: Db,
  guildId: string,
  options: { limit: number; after: RoleChangeCursor | null },
): Promise<RoleChangesAnswer> {
  const [rules, page, job] = await Promise.all([
    listRoleRules(db, guildId),
    // One more than asked: whether an older page exists, without a count.
    listRoleChangesPage(db, guildId, { after: options.after, limit: options.limit + 1 }),
    readJobRun(db, ROLES_JOB),
  ]);
  const shown = page.slice(0, options.limit);
  const last = shown.at(-1);
  return {
    rules: rules.map((r) => ({
      role_id: r.roleId,
      kind: r.kind,
      period: r.period,
      top: r.top,
      min: r.min,
      state: r.state,
      description: describeRule(r),
      previewed_at: iso(r.previewedAt),
      updated_at: iso(r.updatedAt) as string,
    })),
    changes: shown.map((c) => ({
      change_id: c.changeId,
      role_id: c.roleId,
      user_id: c.userId,
      action: c.action,
      rule: c.reason,
      changed_at: iso(c.changedAt) as string,
    })),
    next_cursor: page.length > options.limit && last ? roleChangeCursor(last) : null,
    last_run: job
      ? { started_at: iso(job.last_started_at), finished_at: iso(job.last_finished_at), failed: job.last_error !== null }
      : null,
  };
}
