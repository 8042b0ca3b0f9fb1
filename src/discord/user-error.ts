// The error a command throws when the user can fix the problem: its message is shown as is (short,
// actionable, ephemeral). Anything else that goes wrong is logged and shown as one generic line.

export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
