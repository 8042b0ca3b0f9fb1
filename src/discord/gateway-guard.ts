// Checks the gateway dispatches capture relies on before discord.js handles them. discord.js trusts the
// gateway: a payload missing a field it iterates (e.g. MESSAGE_DELETE_BULK without ids) throws inside its
// packet handler and becomes an unhandled rejection that would end the process. Such a payload is dropped
// with one log line instead; everything else passes through untouched.
import type { Client } from 'discord.js';
import { z } from 'zod';

const snowflake = z.string().regex(/^\d{1,20}$/, 'a snowflake');
const emoji = z
  .object({ id: snowflake.nullable().optional(), name: z.string().nullable().optional() })
  .refine((e) => Boolean(e.id) || Boolean(e.name), 'an emoji with an id or a name');

const reactionTarget = { channel_id: snowflake, message_id: snowflake, guild_id: snowflake.optional() };

/** The fields each dispatch must carry for discord.js and capture to handle it (extra fields are fine). */
export const DISPATCH_SCHEMAS: Record<string, z.ZodType> = {
  GUILD_CREATE: z.object({ id: snowflake }),
  MESSAGE_CREATE: z.object({
    id: snowflake,
    channel_id: snowflake,
    guild_id: snowflake.optional(),
    author: z.object({ id: snowflake }),
    content: z.string(),
  }),
  MESSAGE_UPDATE: z.object({ id: snowflake, channel_id: snowflake, guild_id: snowflake.optional() }),
  MESSAGE_DELETE: z.object({ id: snowflake, channel_id: snowflake, guild_id: snowflake.optional() }),
  MESSAGE_DELETE_BULK: z.object({ ids: z.array(snowflake), channel_id: snowflake, guild_id: snowflake.optional() }),
  MESSAGE_REACTION_ADD: z.object({ ...reactionTarget, user_id: snowflake, emoji }),
  MESSAGE_REACTION_REMOVE: z.object({ ...reactionTarget, user_id: snowflake, emoji }),
  MESSAGE_REACTION_REMOVE_ALL: z.object(reactionTarget),
  MESSAGE_REACTION_REMOVE_EMOJI: z.object({ ...reactionTarget, emoji }),
};

/** What is wrong with a dispatch, or null when capture can handle it. */
export function dispatchProblem(packet: unknown): { event: string; problem: string } | null {
  if (typeof packet !== 'object' || packet === null) return null;
  const { t, d } = packet as { t?: unknown; d?: unknown };
  if (typeof t !== 'string') return null;
  const schema = DISPATCH_SCHEMAS[t];
  if (!schema) return null;
  const parsed = schema.safeParse(d);
  if (parsed.success) return null;
  return { event: t, problem: parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ') };
}

type PacketHandler = (this: unknown, packet?: unknown, shard?: unknown) => boolean;

/**
 * Wraps discord.js's (internal, but stable across v14) packet handler: malformed capture dispatches are
 * dropped and any error discord.js throws while handling a packet is reported instead of crashing.
 * Returns false when this discord.js has no such handler (the client then runs unguarded).
 */
export function guardGatewayPackets(client: Client, report: (event: string, problem: string) => void): boolean {
  const ws = client.ws as unknown as { handlePacket?: PacketHandler };
  const original = ws.handlePacket;
  if (typeof original !== 'function') return false;
  ws.handlePacket = function guardedHandlePacket(packet?: unknown, shard?: unknown): boolean {
    const bad = packet === undefined ? null : dispatchProblem(packet);
    if (bad) {
      report(bad.event, bad.problem);
      return true;
    }
    try {
      return original.call(this, packet, shard);
    } catch (error) {
      report(String((packet as { t?: unknown } | undefined)?.t ?? 'packet'), error instanceof Error ? error.message : String(error));
      return true;
    }
  };
  return true;
}
