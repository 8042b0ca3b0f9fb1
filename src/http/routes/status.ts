// GET /analytics/api/status: what the dashboard needs to tell the truth about its own numbers. Clips shared in
// Discord count in the numbers only once Twitch has described them, so the guild's clips still waiting for (or failed
// at) Twitch enrichment are shown, and whether this server looks them up at all (and which variables turn it on); and
// which Discord server the numbers are of.
import type { FastifyInstance } from 'fastify';
import { jsonAnswerHandler } from '../answer';
import { discordCdnUrl } from '../discord-cdn';
import { emptyQuery } from '../query-params';
import type { RouteContext } from '../route-context';

/** The settings that turn Twitch enrichment on (src/config.ts). */
export const TWITCH_ENRICHMENT_VARIABLES = ['TWITCH_CLIENT_ID', 'TWITCH_CLIENT_SECRET'] as const;

export interface StatusAnswer {
  /**
   * The server the token opens: its id, name and icon on Discord's CDN (null when the bot has never seen them, e.g.
   * imported data only, or a server without an icon).
   */
  guild: { id: string; name: string | null; icon_url: string | null };
  enrichment: {
    /** Clips shared in Discord that Twitch has not described yet: they count as shares, not yet as clips. */
    pending: number;
    /** Clips whose lookup failed after retries (an admin can retry them). */
    failed: number;
    /** Clips Twitch no longer has (deleted or private). */
    not_found: number;
  };
  twitch_enrichment: { configured: boolean; enable_with: readonly string[] };
}

export function registerStatusRoute(app: FastifyInstance, ctx: RouteContext): void {
  const configured = ctx.options.twitchEnrichment;
  app.get(
    '/analytics/api/status',
    { preHandler: ctx.guard },
    jsonAnswerHandler(ctx, 'status', emptyQuery, async (analytics, analysis): Promise<StatusAnswer> => {
      const states = (await analytics.guildStatus(analysis.guildId)).enrichmentStates;
      const identity = await analytics.guildIdentity(analysis.guildId);
      return {
        guild: { id: analysis.guildId, name: identity.name, icon_url: discordCdnUrl('icons', analysis.guildId, identity.icon) },
        enrichment: { pending: states.pending ?? 0, failed: states.failed ?? 0, not_found: states.not_found ?? 0 },
        twitch_enrichment: { configured, enable_with: TWITCH_ENRICHMENT_VARIABLES },
      };
    }),
  );
}
