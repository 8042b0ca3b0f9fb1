// CSRF protection for every state-changing request of a session: the request must come from the dashboard's own
// origin (Origin and Sec-Fetch-Site, when the browser sends them) and carry the session's CSRF token in
// X-CSRF-Token, which a page on another site cannot read. The session cookie is also SameSite=Lax.
import type { FastifyRequest } from 'fastify';
import type { Session, SessionService } from '../../auth/sessions';
import { HttpError } from '../errors';

export const CSRF_HEADER = 'x-csrf-token';

export function csrfFailure(request: FastifyRequest, session: Session, sessions: SessionService, publicOrigin: string): HttpError | null {
  const origin = request.headers.origin;
  const site = request.headers['sec-fetch-site'];
  if ((typeof origin === 'string' && origin !== publicOrigin) || site === 'cross-site' || site === 'same-site') {
    return new HttpError(
      403,
      'cross_site_request',
      'This request came from another site; the dashboard only takes changes from its own pages.',
    );
  }
  const presented = request.headers[CSRF_HEADER];
  if (!sessions.checkCsrf(session, typeof presented === 'string' ? presented : undefined)) {
    return new HttpError(
      403,
      'csrf_token_invalid',
      'This request lacks the dashboard’s CSRF token (X-CSRF-Token). Reload the dashboard and try again.',
    );
  }
  return null;
}
