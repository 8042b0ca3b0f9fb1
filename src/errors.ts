// The one family of errors Clipscope raises on purpose: a stable code, a message written for whoever asked, and a
// detail for the operator's log. Handlers decide what a user sees from these fields, never from class names.

export interface ClipscopeErrorOptions {
  /** Whether `message` is written for the person or client that made the request (shown as is). */
  userFacing?: boolean;
  /** Context for the operator's log that the message leaves out (never shown to users). */
  detail?: Record<string, unknown>;
  cause?: unknown;
}

export class ClipscopeError extends Error {
  /** Whether the message is for the requester (a Discord user, an API client, a CLI user): short and actionable. */
  readonly userFacing: boolean;
  /** For the operator's log only. */
  readonly detail: Record<string, unknown>;
  /**
   * Set once whoever raised the error has told the operator at the level it deserves, so that catchers further up
   * log it at debug instead of repeating it (a job failing every minute must not flood the log).
   */
  reported = false;

  constructor(
    /** A stable machine-readable identifier, e.g. 'invalid_period' or 'twitch_auth'. */
    readonly code: string,
    message: string,
    options: ClipscopeErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.userFacing = options.userFacing ?? false;
    this.detail = options.detail ?? {};
  }
}

/** Whether `error`'s message may be shown to the requester as it is. */
export function isUserFacing(error: unknown): error is ClipscopeError {
  return error instanceof ClipscopeError && error.userFacing;
}

/** Whether the operator has already been told about `error` by whoever raised it. */
export function wasReported(error: unknown): boolean {
  return error instanceof ClipscopeError && error.reported;
}
