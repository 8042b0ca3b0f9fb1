// What clipper roles ask of Discord, implemented by src/discord/role-sender.ts: the runner decides whom to give and
// take a role from and when; the sender checks the bot may, asks Discord, and says when a member has left.
import { ClipscopeError } from '../errors';

/** 'done': Discord changed the role; 'already': the member was already as wanted; 'left': not a member any more. */
export type RoleChangeOutcome = 'done' | 'already' | 'left';

export class RoleDeliveryError extends ClipscopeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('role_delivery', message, options);
  }
}

export interface RoleSender {
  /** Null when Clipscope may give and take the role (below its highest role, Manage Roles), else why not. */
  checkRole(guildId: string, roleId: string): Promise<string | null>;
  /** Gives the role, with `reason` in the audit log. */
  addRole(guildId: string, userId: string, roleId: string, reason: string): Promise<RoleChangeOutcome>;
  /** Takes the role back, with `reason` in the audit log. */
  removeRole(guildId: string, userId: string, roleId: string, reason: string): Promise<RoleChangeOutcome>;
}
