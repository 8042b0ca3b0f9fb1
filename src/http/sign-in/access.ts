// A session's access to one server, kept true: the server must be one the session got from Discord at sign-in, and
// the bot confirms it again (the member's current roles) once the last check is older than the re-check interval,
// or at once before a settings change. A failed re-check takes the server away from the session.
import type { GuildAccessLevel, BotView } from '../../auth/guild-access';
import type { Session, SessionService } from '../../auth/sessions';

export interface GuildAccessChecker {
  /**
   * The session's access to `guildId` now, or null when it has none (never had it, or lost it). `fresh` re-checks
   * through the bot whatever the age of the last check. Throws BotUnavailableError when the bot cannot answer.
   */
  check(session: Session, guildId: string, now: number, options?: { fresh?: boolean }): Promise<GuildAccessLevel | null>;
}

export function createGuildAccessChecker(deps: { sessions: SessionService; bot: BotView; recheckMs: number }): GuildAccessChecker {
  /** Re-checks in flight, by session and guild: a dashboard loads seven panels at once and needs one check. */
  const inFlight = new Map<string, Promise<GuildAccessLevel | null>>();
  /**
   * The latest re-check's answer, by session and guild: a request that read its session before that re-check was
   * recorded (on PostgreSQL the panels' requests run side by side) takes it instead of asking the bot again.
   * Bounded by count; the oldest entry goes first.
   */
  const recent = new Map<string, { at: number; access: GuildAccessLevel | null }>();
  const RECENT_MAX = 10_000;

  const recheck = (session: Session, guildId: string, now: number): Promise<GuildAccessLevel | null> => {
    const key = `${session.idHash}:${guildId}`;
    let pending = inFlight.get(key);
    if (!pending) {
      pending = (async () => {
        const access = await deps.bot.memberAccess(guildId, session.user.id);
        await deps.sessions.recordCheck(session, guildId, access, now);
        recent.delete(key);
        recent.set(key, { at: now, access });
        if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value!);
        return access;
      })().finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  };

  return {
    async check(session, guildId, now, options = {}) {
      const granted = session.guilds.get(guildId);
      if (!granted) return null;
      if (!options.fresh && now - granted.checkedAt < deps.recheckMs) return granted.access;
      const latest = recent.get(`${session.idHash}:${guildId}`);
      if (!options.fresh && latest && latest.at > granted.checkedAt && now - latest.at < deps.recheckMs) return latest.access;
      return recheck(session, guildId, now);
    },
  };
}
