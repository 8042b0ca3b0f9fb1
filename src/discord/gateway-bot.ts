// GET /gateway/bot before login: Discord's recommended shard count and session start limit, parsed at the edge, so
// the shard plan (shard-plan.ts) is decided before any shard connects.
import { Routes, type REST } from 'discord.js';
import { z } from 'zod';
import type { GatewayBotInfo } from './shard-plan';

const gatewayBotSchema = z.object({
  url: z.string(),
  shards: z.number().int().min(1),
  session_start_limit: z.object({
    total: z.number().int().min(0),
    remaining: z.number().int().min(0),
    reset_after: z.number().min(0),
    max_concurrency: z.number().int().min(1).max(1024),
  }),
});

/** Discord's answer to GET /gateway/bot through the bot's REST client (DISCORD_API_BASE_URL, a proxy or a test fake). */
export async function fetchGatewayBot(rest: REST): Promise<GatewayBotInfo> {
  const parsed = gatewayBotSchema.safeParse(await rest.get(Routes.gatewayBot()));
  if (!parsed.success) {
    throw new Error(
      `GET /gateway/bot answered an unexpected shape: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const { shards, session_start_limit: limit } = parsed.data;
  return {
    shards,
    sessionStartLimit: {
      total: limit.total,
      remaining: limit.remaining,
      resetAfterMs: limit.reset_after,
      maxConcurrency: limit.max_concurrency,
    },
  };
}
