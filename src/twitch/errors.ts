// The errors of the Twitch boundary: one TwitchApiError per failed Helix call, and the classification of whatever
// Twurple or fetch threw into one, with a one-line message that never carries the client secret.
import { ClipscopeError } from '../errors';

export type TwitchErrorKind =
  /** 429 that outlived the retries. */
  | 'rate_limited'
  /** 5xx that outlived Twurple's and our retries. */
  | 'server'
  /** Connection refused/reset, DNS, timeouts. */
  | 'network'
  /** A response that is not the documented JSON. */
  | 'malformed'
  /** Twitch refused the request itself (4xx other than 401/429): retrying the same request will not help. */
  | 'rejected'
  /** The client id/secret were refused, or the token kept being refused after renewal: nothing works until fixed. */
  | 'auth';

/** One Helix call that failed for good; the message is one line and never contains the client secret. */
export class TwitchApiError extends ClipscopeError {
  // `reported` (from ClipscopeError) is set when the client has already told the operator (refused credentials are
  // logged once, at error level), so a job failing every minute does not flood the log.
  constructor(
    readonly kind: TwitchErrorKind,
    message: string,
    readonly status: number | null = null,
  ) {
    super(`twitch_${kind}`, message, { detail: { status } });
  }

  /** Whether the same request may succeed later (everything but a refused request or refused credentials). */
  get retryable(): boolean {
    return this.kind !== 'rejected' && this.kind !== 'auth';
  }
}

/** Thrown when a caller asks for more than Helix allows in one call: a bug in the caller, not a Twitch fault. */
export class TooManyIdsError extends Error {}

/** Removes the client secret and token from anything we log or store. */
export function redactSecrets(text: string): string {
  return text
    .replace(/(client_secret=)[^&\s]+/gi, '$1[redacted]')
    .replace(/(access_token=)[^&\s]+/gi, '$1[redacted]')
    .replace(/(Bearer\s+)\S+/gi, '$1[redacted]');
}

/** Turns whatever Twurple or fetch threw into a TwitchApiError with a one-line, secret-free message. */
export function classifyTwitchError(error: unknown, what: string): TwitchApiError {
  if (error instanceof TwitchApiError) return error;
  if (isHttpStatusCodeError(error)) {
    const status = error.statusCode;
    const isTokenCall = /^\/?token\b/.test(error.url);
    const detail = `${what}: Twitch answered HTTP ${status}${twitchMessage(error.body)}`;
    if (isTokenCall) {
      if (status >= 500 || status === 429) return new TwitchApiError(status === 429 ? 'rate_limited' : 'server', detail, status);
      return new TwitchApiError(
        'auth',
        `Twitch refused the app credentials (HTTP ${status}${twitchMessage(error.body)}): check TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET`,
        status,
      );
    }
    if (status === 429) return new TwitchApiError('rate_limited', detail, status);
    if (status >= 500) return new TwitchApiError('server', detail, status);
    if (status === 401) {
      return new TwitchApiError('auth', `${detail} even with a renewed app token: check TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET`, status);
    }
    return new TwitchApiError('rejected', detail, status);
  }
  if (error instanceof SyntaxError) return new TwitchApiError('malformed', `${what}: Twitch sent a response that is not JSON`);
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? ` (${cause.message})` : '';
    const name = error.name === 'TimeoutError' || error.name === 'AbortError' ? 'request timed out' : error.message;
    return new TwitchApiError('network', redactSecrets(`${what}: ${name}${causeText}`).split('\n')[0] ?? what);
  }
  return new TwitchApiError('network', `${what}: ${redactSecrets(String(error))}`);
}

/** Twurple's HttpStatusCodeError (from @twurple/api-call, which is not re-exported), recognised by its shape. */
function isHttpStatusCodeError(error: unknown): error is Error & { statusCode: number; url: string; body: string } {
  return (
    error instanceof Error &&
    typeof (error as { statusCode?: unknown }).statusCode === 'number' &&
    typeof (error as { url?: unknown }).url === 'string' &&
    typeof (error as { body?: unknown }).body === 'string'
  );
}

function twitchMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string' && parsed.message !== '') return ` (${redactSecrets(parsed.message).slice(0, 200)})`;
  } catch {
    // Not JSON: say nothing rather than echo an HTML error page.
  }
  return '';
}
