// Gateway close codes after which Discord will not take the shard back: retrying cannot help, the operator must
// change something. The bot ends the process on them (exit status 1) with one line saying what to change.

/** Each fatal close code and what to do about it. */
export const FATAL_CLOSE_CODES: ReadonlyMap<number, string> = new Map([
  [
    4004,
    'Discord rejected DISCORD_TOKEN: copy the bot token again from the Discord Developer Portal → your application → Bot → Reset Token',
  ],
  [
    4010,
    'invalid shard: DISCORD_SHARD_IDS must lie between 0 and DISCORD_SHARD_COUNT - 1, and DISCORD_SHARD_COUNT must be the same on every host',
  ],
  [
    4011,
    'sharding required: the bot is in more servers than its shards may serve (2,500 each); set DISCORD_SHARD_COUNT=auto, or raise it on every host',
  ],
  [4012, 'invalid API version: upgrade Clipscope'],
  [4013, 'invalid intents: upgrade Clipscope (it asked Discord for intents Discord does not know)'],
  [
    4014,
    'Discord refused the privileged Message Content intent: enable it in the Discord Developer Portal → your application → Bot → Privileged Gateway Intents, then restart',
  ],
]);

export interface FatalClose {
  code: number;
  shardId: number;
  /** One line for the log and the operator: the code, the shard and what to change. */
  message: string;
}

/** The fatal close, or null when discord.js will reconnect or resume by itself. */
export function fatalClose(code: number, shardId: number): FatalClose | null {
  const advice = FATAL_CLOSE_CODES.get(code);
  if (advice === undefined) return null;
  return { code, shardId, message: `gateway shard ${shardId} closed by Discord with code ${code}: ${advice}` };
}

/** The bot's start failed because Discord closed a shard for good during login; `close` says which and why. */
export class FatalCloseError extends Error {
  constructor(
    readonly close: FatalClose,
    options?: { cause?: unknown },
  ) {
    super(close.message, options);
    this.name = 'FatalCloseError';
  }
}
