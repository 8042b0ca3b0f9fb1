// What a bot child process (DISCORD_PROCESSES > 1) and its parent say to each other over the IPC channel, checked
// with zod on arrival, and the child's side of it (docs/adr/0032-bot-processes-per-host.md).
import { z } from 'zod';
import type { GatewayStatus } from './shard-plan';

/** A child's exit status after Discord closed one of its shards for good (fatal-close.ts): the parent does not restart it. */
export const FATAL_CLOSE_EXIT_CODE = 3;
/** The argument that makes `src/main.ts` a bot child: `--bot-process=<index>`. */
export const BOT_PROCESS_ARG = '--bot-process=';

const shardStatusSchema = z.object({
  id: z.number().int().min(0),
  status: z.string().max(40),
  pingMs: z.number().int().nullable(),
  guilds: z.number().int().min(0),
});

/** Child → parent. */
export const childMessageSchema = z.discriminatedUnion('type', [
  /** It loaded the app and opened the database, and waits for its turn to identify. */
  z.object({ type: z.literal('loaded') }),
  /** Its bot logged in: every shard of its share has identified. */
  z.object({ type: z.literal('ready'), shards: z.array(shardStatusSchema).max(16_384) }),
  z.object({
    type: z.literal('status'),
    requestId: z.number().int(),
    gateway: z.object({ shardCount: z.number().int().min(1), shards: z.array(shardStatusSchema).max(16_384) }).nullable(),
  }),
]);
export type ChildMessage = z.infer<typeof childMessageSchema>;

/** Parent → child. */
export const parentMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status?'), requestId: z.number().int() }),
  /** Its turn: log in now. */
  z.object({ type: z.literal('identify') }),
]);
export type ParentMessage = z.infer<typeof parentMessageSchema>;

/** The child's index from its arguments, or null when this process is not a bot child. */
export function botProcessIndex(argv: readonly string[]): number | null {
  const arg = argv.find((a) => a.startsWith(BOT_PROCESS_ARG));
  if (arg === undefined) return null;
  const index = Number(arg.slice(BOT_PROCESS_ARG.length));
  return Number.isInteger(index) && index >= 0 ? index : null;
}

interface ChildChannel {
  send?: (message: unknown) => boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

/**
 * Child side: waits for the parent's word before identifying (`turn`, called by the bot just before it logs in), tells
 * it when the bot is ready, and answers its status questions from `status`.
 */
export function serveParent(channel: ChildChannel, status: () => GatewayStatus | null): { turn(): Promise<void>; ready(): void } {
  const send = (message: ChildMessage): void => {
    channel.send?.(message);
  };
  let go: (() => void) | null = null;
  const allowed = new Promise<void>((resolve) => {
    go = resolve;
  });
  channel.on('message', (raw) => {
    const parsed = parentMessageSchema.safeParse(raw);
    if (!parsed.success) return;
    if (parsed.data.type === 'identify') go?.();
    else send({ type: 'status', requestId: parsed.data.requestId, gateway: status() });
  });
  return {
    turn: () => {
      send({ type: 'loaded' });
      return allowed;
    },
    ready: () => send({ type: 'ready', shards: status()?.shards ?? [] }),
  };
}
