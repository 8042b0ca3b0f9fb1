// The error a command throws when the user can fix the problem: its message is shown as is (short,
// actionable, ephemeral). Anything else that goes wrong is logged and shown as one generic line.
import { ClipscopeError } from '../errors';

export class UserError extends ClipscopeError {
  constructor(message: string) {
    super('user_error', message, { userFacing: true });
  }
}
