// role_grants and role_changes: whom Clipscope gave each rule's role to, and every change it made. A grant or a
// revoke is recorded after Discord accepted it, by a write that changes a row for exactly one caller, so two runs
// racing (two processes) record it once; Discord's role PUT and DELETE are idempotent themselves.
import { randomUUID } from 'node:crypto';
import type { RoleChangeAction } from '../../schema/roles';
import type { Db } from '../../database';
import { queries } from '../../sql';

export interface RoleChange {
  guildId: string;
  changeId: string;
  roleId: string;
  userId: string;
  action: RoleChangeAction;
  reason: string;
  changedAt: number;
}

export interface RoleChangeInput {
  guildId: string;
  roleId: string;
  userId: string;
  reason: string;
  now: number;
}

/** The members Clipscope holds the role for, by user id (bounded). */
export async function listRoleGrants(db: Db, guildId: string, roleId: string, limit: number): Promise<string[]> {
  const rows = await queries(db).all<{ user_id: string }>(
    'SELECT user_id FROM role_grants WHERE guild_id = ? AND role_id = ? ORDER BY user_id LIMIT ?',
    [guildId, roleId, limit],
  );
  return rows.map((r) => r.user_id);
}

/** Changes made in one millisecond keep their order in the history: the id sorts by this process's sequence. */
let sequence = 0;

function insertChange(db: Db, change: RoleChangeInput, action: RoleChangeAction) {
  sequence = (sequence + 1) % 1e12;
  const changeId = `${String(sequence).padStart(12, '0')}-${randomUUID().slice(0, 8)}`;
  return queries(db).run(
    `INSERT INTO role_changes (guild_id, change_id, role_id, user_id, action, reason, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [change.guildId, changeId, change.roleId, change.userId, action, change.reason, change.now],
  );
}

/** The member got the role: held from now on, and recorded once. Resolves with whether this call recorded it. */
export function recordRoleGranted(db: Db, change: RoleChangeInput): Promise<boolean> {
  return db.transaction(async (tx) => {
    const inserted = await queries(tx).run(
      'INSERT INTO role_grants (guild_id, role_id, user_id, granted_at) VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, role_id, user_id) DO NOTHING',
      [change.guildId, change.roleId, change.userId, change.now],
    );
    if (inserted.changes === 0) return false;
    await insertChange(tx, change, 'added');
    return true;
  });
}

/** The role was taken back ('removed') or the member had left ('left'): no longer held, recorded once. */
export function recordRoleRevoked(db: Db, change: RoleChangeInput, action: 'removed' | 'left'): Promise<boolean> {
  return db.transaction(async (tx) => {
    const deleted = await queries(tx).run('DELETE FROM role_grants WHERE guild_id = ? AND role_id = ? AND user_id = ?', [
      change.guildId,
      change.roleId,
      change.userId,
    ]);
    if (deleted.changes === 0) return false;
    await insertChange(tx, change, action);
    return true;
  });
}

/** Where a page of changes ends: the last change shown; the next page starts after it. */
export interface RoleChangeCursor {
  changedAt: number;
  changeId: string;
}

/** The guild's changes, newest first, after the cursor (keyset pages for the dashboard; bounded). */
export async function listRoleChangesPage(
  db: Db,
  guildId: string,
  options: { after: RoleChangeCursor | null; limit: number },
): Promise<RoleChange[]> {
  const rows = await queries(db).all<ChangeRow>(
    options.after
      ? `SELECT * FROM role_changes WHERE guild_id = ? AND (changed_at < ? OR (changed_at = ? AND change_id < ?))
         ORDER BY changed_at DESC, change_id DESC LIMIT ?`
      : 'SELECT * FROM role_changes WHERE guild_id = ? ORDER BY changed_at DESC, change_id DESC LIMIT ?',
    options.after
      ? [guildId, options.after.changedAt, options.after.changedAt, options.after.changeId, options.limit]
      : [guildId, options.limit],
  );
  return rows.map(toChange);
}

/** The guild's changes since an instant, by action (`/clipscope-admin status`). */
export async function countRoleChangesSince(db: Db, guildId: string, since: number): Promise<Record<RoleChangeAction, number>> {
  const rows = await queries(db).all<{ action: RoleChangeAction; n: number }>(
    'SELECT action, count(*) AS n FROM role_changes WHERE guild_id = ? AND changed_at >= ? GROUP BY action',
    [guildId, since],
  );
  const counts: Record<RoleChangeAction, number> = { added: 0, removed: 0, left: 0 };
  for (const r of rows) counts[r.action] = Number(r.n);
  return counts;
}

interface ChangeRow {
  guild_id: string;
  change_id: string;
  role_id: string;
  user_id: string;
  action: RoleChangeAction;
  reason: string;
  changed_at: number;
}

const toChange = (r: ChangeRow): RoleChange => ({
  guildId: r.guild_id,
  changeId: r.change_id,
  roleId: r.role_id,
  userId: r.user_id,
  action: r.action,
  reason: r.reason,
  changedAt: Number(r.changed_at),
});

/** The guild's changes, newest first, of one role or all (bounded). */
export async function listRoleChanges(db: Db, guildId: string, options: { roleId?: string | null; limit: number }): Promise<RoleChange[]> {
  const rows = await queries(db).all<ChangeRow>(
    options.roleId
      ? 'SELECT * FROM role_changes WHERE guild_id = ? AND role_id = ? ORDER BY changed_at DESC, change_id DESC LIMIT ?'
      : 'SELECT * FROM role_changes WHERE guild_id = ? ORDER BY changed_at DESC, change_id DESC LIMIT ?',
    options.roleId ? [guildId, options.roleId, options.limit] : [guildId, options.limit],
  );
  return rows.map(toChange);
}
