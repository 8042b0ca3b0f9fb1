// The HTTP server's services over one database: the analytics and the token verifier (its entry points build these).
import { createAnalytics, type Analytics } from '../analytics/service';
import type { Db } from '../db/database';
import { createTokenVerifier, type TokenVerifier } from '../auth/tokens';
import { createSessionService, type SessionService } from '../auth/sessions';
import type { SignInSettings } from '../config';

export function httpServices(db: Db): { analytics: Analytics; tokens: TokenVerifier } {
  // A server checks for revocations once per event-loop turn (see TokenVerifierOptions).
  return { analytics: createAnalytics(db), tokens: createTokenVerifier(db, { changeCheck: 'once-per-turn' }) };
}

/** Dashboard sessions over one database, with the lifetimes of the sign-in settings. */
export function sessionService(db: Db, settings: SignInSettings): SessionService {
  return createSessionService(db, { idleMs: settings.sessionIdleMs, maxMs: settings.sessionMaxMs });
}
