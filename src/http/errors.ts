// The errors a client is meant to read: a status, a stable machine code and a sentence that says what to do.
// Anything else that escapes a handler is logged and answered with a generic 500, never with its message.
import { ClipscopeError } from '../errors';

export class HttpError extends ClipscopeError {
  constructor(
    readonly statusCode: number,
    code: string,
    message: string,
    /** Extra fields merged into the JSON body (e.g. the parameter at fault). */
    readonly details: Record<string, unknown> = {},
    /** Extra response headers (e.g. WWW-Authenticate). */
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message, { userFacing: true, detail: details });
  }

  toJSON(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...this.details };
  }
}

/** One problem with one query parameter: which parameter, and the rule it broke. */
export interface ParameterIssue {
  parameter: string;
  rule: string;
}

export function invalidParameters(issues: ParameterIssue[]): HttpError {
  const first = issues[0] ?? { parameter: '(query)', rule: 'a valid query string' };
  const message = issues.map((i) => `${i.parameter}: expected ${i.rule}`).join('; ');
  return new HttpError(400, 'invalid_parameter', message, { parameter: first.parameter, rule: first.rule, issues });
}
