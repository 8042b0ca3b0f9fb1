// The bot's view crosses from the main thread to the HTTP worker as plain messages: answers come back to the call
// that asked, a failure or a silent bot is "unavailable" (access refused, never guessed).
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { BotUnavailableError, type BotView } from '../../src/auth/guild-access';
import { answerBotCalls, remoteBotView, type BridgedBot, type GatewayView } from '../../src/http/bot-bridge';

describe('bot bridge', () => {
  const channels: MessageChannel[] = [];
  afterEach(() => {
    for (const c of channels.splice(0)) {
      c.port1.close();
      c.port2.close();
    }
  });

  function bridge(view: BridgedBot | null, timeoutMs = 1000): BotView & GatewayView {
    const channel = new MessageChannel();
    channels.push(channel);
    // port1 is the worker's side, port2 the main thread's.
    channel.port2.on('message', (message) => answerBotCalls(message, view, (result) => channel.port2.postMessage(result)));
    return remoteBotView(channel.port1, { timeoutMs });
  }

  const view: BotView = {
    signInAccess: async (_user, guilds) =>
      guilds.filter((g) => g.manages).map((g) => ({ id: g.id, name: `G${g.id}`, icon: null, access: 'manage' })),
    memberAccess: async (guildId) => (guildId === '1' ? 'manage' : guildId === '2' ? null : Promise.reject(new Error('gateway down'))),
    channels: async () => [],
    roles: async () => null,
    presentIn: async (ids) => ids.filter((id) => id !== '9'),
  };

  it('answers each call with its own result', async () => {
    const remote = bridge(view);
    const [a, b, c] = await Promise.all([
      remote.memberAccess('1', 'u'),
      remote.memberAccess('2', 'u'),
      remote.signInAccess('u', [
        { id: '5', manages: true },
        { id: '6', manages: false },
      ]),
    ]);
    expect(a).toBe('manage');
    expect(b).toBeNull();
    expect(c).toEqual([{ id: '5', name: 'G5', icon: null, access: 'manage' }]);
    expect(await remote.roles('1')).toBeNull();
    expect(await remote.presentIn(['8', '9'])).toEqual(['8']);
  });

  it('turns a failure, a missing bot and a silent bot into BotUnavailableError', async () => {
    await expect(bridge(view).memberAccess('3', 'u')).rejects.toBeInstanceOf(BotUnavailableError);
    await expect(bridge(null).memberAccess('1', 'u')).rejects.toBeInstanceOf(BotUnavailableError);
    const silent = new MessageChannel();
    channels.push(silent);
    await expect(remoteBotView(silent.port1, { timeoutMs: 50 }).memberAccess('1', 'u')).rejects.toMatchObject({
      code: 'bot_unavailable',
      detail: { reason: 'no answer from the bot within 50 ms' },
    });
  });

  it('carries the gateway status for /healthz: the shards when the bot runs, null when it does not, unknown when silent', async () => {
    const status = { shardCount: 4, shards: [{ id: 2, status: 'ready', pingMs: 40, guilds: 7 }] };
    expect(await bridge({ ...view, gatewayStatus: async () => status }).gatewayStatus()).toEqual(status);
    expect(await bridge(view).gatewayStatus()).toBeNull();
    expect(await bridge(null).gatewayStatus()).toBeNull();
    const silent = new MessageChannel();
    channels.push(silent);
    // /healthz waits 2 s at most for it, whatever the sign-in checks' timeout.
    const started = Date.now();
    await expect(remoteBotView(silent.port1, { timeoutMs: 60_000 }).gatewayStatus()).rejects.toMatchObject({
      detail: { reason: 'no answer from the bot within 2000 ms' },
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
