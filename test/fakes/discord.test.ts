// The fake Discord answers as Discord does for the REST calls other tests rely on (through @discordjs/rest).
import { REST } from '@discordjs/rest';
import { Routes } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { message, snowflake, startFakeDiscord, user, type FakeDiscord } from './discord';

describe('fake Discord REST', () => {
  let discord: FakeDiscord;
  let rest: REST;
  const channelId = snowflake();

  beforeEach(async () => {
    discord = await startFakeDiscord();
    rest = new REST({ api: discord.apiBaseUrl }).setToken(discord.token);
  });
  afterEach(async () => {
    await discord.stop();
  });

  it('serves gateway information pointing at its own WebSocket', async () => {
    const info = (await rest.get(Routes.gatewayBot())) as { url: string; shards: number; session_start_limit: { remaining: number } };
    expect(info.url).toBe(discord.gatewayUrl);
    expect(info.shards).toBe(1);
    expect(info.session_start_limit.remaining).toBeGreaterThan(0);
  });

  it('pages channel history newest first with before and limit', async () => {
    const author = user();
    const start = Date.UTC(2025, 0, 1);
    const ids = Array.from({ length: 250 }, (_, i) => {
      const msg = message({ id: snowflake(start + i * 60_000), channel_id: channelId, author, content: `m${i}` });
      discord.putMessage(msg);
      return msg.id;
    });
    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const query = new URLSearchParams({ limit: '100', ...(before ? { before } : {}) });
      const page = (await rest.get(Routes.channelMessages(channelId), { query })) as { id: string }[];
      if (page.length === 0) break;
      seen.push(...page.map((m) => m.id));
      before = page.at(-1)!.id;
    }
    expect(seen).toEqual([...ids].reverse());
    expect(discord.requestsTo('GET', '/channels/:id/messages').map((r) => r.query.get('before'))).toHaveLength(4);
  });

  it('answers an unknown message with Discord’s 404 error code', async () => {
    await expect(rest.get(Routes.channelMessage(channelId, snowflake()))).rejects.toMatchObject({ status: 404, code: 10008 });
  });

  it('lists reaction users in id order, paged by after', async () => {
    const messageId = snowflake();
    const users = Array.from({ length: 5 }, () => user());
    discord.reactionUsers.set(`${messageId}:🔥`, users);
    const first = (await rest.get(Routes.channelMessageReaction(channelId, messageId, encodeURIComponent('🔥')), {
      query: new URLSearchParams({ limit: '3' }),
    })) as { id: string }[];
    const rest2 = (await rest.get(Routes.channelMessageReaction(channelId, messageId, encodeURIComponent('🔥')), {
      query: new URLSearchParams({ limit: '3', after: first.at(-1)!.id }),
    })) as { id: string }[];
    expect([...first, ...rest2].map((u) => u.id)).toEqual(users.map((u) => u.id));
  });

  it('answers 429 with rate-limit headers, and the client retries after waiting', async () => {
    discord.rateLimit('GET', '/channels/:id/messages/:mid', { retryAfter: 0.05 });
    const msg = message({ channel_id: channelId, author: user(), content: 'hello' });
    discord.putMessage(msg);
    const fetched = (await rest.get(Routes.channelMessage(channelId, msg.id))) as { content: string };
    expect(fetched.content).toBe('hello');
    expect(discord.requestsTo('GET', '/channels/:id/messages/:mid')).toHaveLength(2);
  });

  it('records interaction callbacks, follow-ups and posted messages with their JSON bodies', async () => {
    const interactionId = snowflake();
    await rest.post(Routes.interactionCallback(interactionId, 'itoken'), { body: { type: 5 }, auth: false });
    await rest.patch(Routes.webhookMessage(discord.applicationId, 'itoken'), { body: { content: 'done' }, auth: false });
    await rest.post(Routes.webhook(discord.applicationId, 'itoken'), { body: { content: 'more' }, auth: false });
    const posted = (await rest.post(Routes.channelMessages(channelId), { body: { content: 'weekly digest' } })) as {
      id: string;
      author: { id: string };
    };
    expect(posted.author.id).toBe(discord.bot.id);
    expect(discord.messages.get(channelId)?.get(posted.id)?.content).toBe('weekly digest');
    expect(discord.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', `/interactions/${interactionId}/itoken/callback`, { type: 5 }],
      ['PATCH', `/webhooks/${discord.applicationId}/itoken/messages/@original`, { content: 'done' }],
      ['POST', `/webhooks/${discord.applicationId}/itoken`, { content: 'more' }],
      ['POST', `/channels/${channelId}/messages`, { content: 'weekly digest' }],
    ]);
  });

  it('takes extra routes, and refuses a wrong bot token', async () => {
    discord.route('GET', '/guilds/:guildId/roles', ({ params }) => ({ body: [{ id: params.guildId, name: '@everyone' }] }));
    const guildId = snowflake();
    expect(await rest.get(Routes.guildRoles(guildId))).toEqual([{ id: guildId, name: '@everyone' }]);
    const stranger = new REST({ api: discord.apiBaseUrl }).setToken('wrong');
    await expect(stranger.get(Routes.guildRoles(guildId))).rejects.toMatchObject({ status: 401 });
  });
});
