// The bot's view (BotView) across the thread boundary: the HTTP worker asks, the main thread, which runs the bot,
// answers. Plain messages over the worker's port; a call not answered in time counts as the bot being unavailable,
// so access is refused rather than guessed.
import { BotUnavailableError, type BotView } from '../auth/guild-access';
import type { GatewayStatus } from '../discord/shard-plan';

const METHODS = ['signInAccess', 'memberAccess', 'channels', 'roles', 'presentIn', 'gatewayStatus'] as const;
type Method = (typeof METHODS)[number];

export interface BotCallMessage {
  type: 'bot-call';
  id: number;
  method: Method;
  args: unknown[];
}

export interface BotResultMessage {
  type: 'bot-result';
  id: number;
  ok: boolean;
  value?: unknown;
  /** Why the call failed, for the worker's log (never shown to users as is). */
  reason?: string;
}

/** The gateway's shards as /healthz shows them; null when no bot runs in this process. */
export interface GatewayView {
  gatewayStatus(): Promise<GatewayStatus | null>;
}

/** What the main thread answers for: the sign-in checks and, when the bot runs, its gateway status. */
export type BridgedBot = BotView & Partial<GatewayView>;

/** /healthz must answer quickly: a gateway status not given within this counts as unknown. */
const GATEWAY_STATUS_TIMEOUT_MS = 2_000;

interface Port {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

const isCall = (message: unknown): message is BotCallMessage =>
  typeof message === 'object' &&
  message !== null &&
  (message as { type?: unknown }).type === 'bot-call' &&
  METHODS.includes((message as { method?: unknown }).method as Method);

/** Main thread: answers the worker's calls with `view` (or as unavailable when the bot is not running). */
export function answerBotCalls(message: unknown, view: BridgedBot | null, reply: (message: BotResultMessage) => void): boolean {
  if (!isCall(message)) return false;
  const { id, method, args } = message;
  // No bot, no shards: a plain answer, so /healthz can tell "not running here" from "not answering".
  if (method === 'gatewayStatus' && !view?.gatewayStatus) {
    reply({ type: 'bot-result', id, ok: true, value: null });
    return true;
  }
  if (!view) {
    reply({ type: 'bot-result', id, ok: false, reason: 'the bot is not running in this process' });
    return true;
  }
  (view[method] as (...a: unknown[]) => Promise<unknown>)(...args).then(
    (value) => reply({ type: 'bot-result', id, ok: true, value }),
    (error: unknown) => reply({ type: 'bot-result', id, ok: false, reason: error instanceof Error ? error.message : String(error) }),
  );
  return true;
}

/** Worker thread: a BotView whose calls go to the main thread. */
export function remoteBotView(port: Port, options: { timeoutMs?: number } = {}): BotView & GatewayView {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let next = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  port.on('message', (message) => {
    const result = message as Partial<BotResultMessage>;
    if (result?.type !== 'bot-result' || typeof result.id !== 'number') return;
    const waiting = pending.get(result.id);
    if (!waiting) return;
    pending.delete(result.id);
    clearTimeout(waiting.timer);
    if (result.ok) waiting.resolve(result.value);
    else waiting.reject(new BotUnavailableError(result.reason ?? 'unknown'));
  });
  const call = (method: Method, args: unknown[], limitMs = timeoutMs): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = ++next;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new BotUnavailableError(`no answer from the bot within ${limitMs} ms`));
      }, limitMs);
      timer.unref();
      pending.set(id, { resolve, reject, timer });
      port.postMessage({ type: 'bot-call', id, method, args } satisfies BotCallMessage);
    });
  return {
    signInAccess: (userId, guilds) => call('signInAccess', [userId, guilds]) as ReturnType<BotView['signInAccess']>,
    memberAccess: (guildId, userId) => call('memberAccess', [guildId, userId]) as ReturnType<BotView['memberAccess']>,
    channels: (guildId) => call('channels', [guildId]) as ReturnType<BotView['channels']>,
    roles: (guildId) => call('roles', [guildId]) as ReturnType<BotView['roles']>,
    presentIn: (guildIds) => call('presentIn', [guildIds]) as ReturnType<BotView['presentIn']>,
    gatewayStatus: () =>
      call('gatewayStatus', [], Math.min(timeoutMs, GATEWAY_STATUS_TIMEOUT_MS)) as ReturnType<GatewayView['gatewayStatus']>,
  };
}
