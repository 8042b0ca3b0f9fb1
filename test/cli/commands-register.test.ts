// `npm run commands:register` goes through the CLI and sends the command definitions with @discordjs/rest.
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index';
import { commandDefinitions } from '../../src/discord/commands/index';
import { snowflake, startFakeDiscord, type FakeDiscord } from '../fakes/discord';

function io(env: NodeJS.ProcessEnv) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return { io: { stdout, stderr, env }, out: () => out, err: () => err };
}

describe('clipscope commands:register', () => {
  let discord: FakeDiscord;
  beforeEach(async () => {
    discord = await startFakeDiscord();
  });
  afterEach(async () => {
    await discord.stop();
  });

  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    DISCORD_TOKEN: discord.token,
    DISCORD_API_BASE_URL: discord.apiBaseUrl,
    DISCORD_APPLICATION_ID: discord.applicationId,
    ...extra,
  });

  it('registers every command globally by default', async () => {
    const run = io(env());
    expect(await runCli(['commands:register'], run.io)).toBe(0);
    const [put] = discord.requestsTo('PUT', '/applications/:applicationId/commands');
    expect(put?.path).toBe(`/applications/${discord.applicationId}/commands`);
    expect(put?.headers.authorization).toBe(`Bot ${discord.token}`);
    expect(put?.body).toEqual(JSON.parse(JSON.stringify(commandDefinitions())));
    expect((put?.body as { name: string }[]).map((c) => c.name)).toEqual([
      'topcreators',
      'topgames',
      'viral',
      'clipstats',
      'halloffame',
      'clipscope-admin',
    ]);
    expect(run.out()).toContain('Registered 6 commands globally');
  });

  it('registers to the development guild for instant updates', async () => {
    const guildId = snowflake();
    const run = io(env({ DISCORD_DEV_GUILD_ID: guildId }));
    expect(await runCli(['commands:register'], run.io)).toBe(0);
    expect(discord.requestsTo('PUT', '/applications/:applicationId/guilds/:guildId/commands')[0]?.path).toBe(
      `/applications/${discord.applicationId}/guilds/${guildId}/commands`,
    );
    expect(run.out()).toContain(`to guild ${guildId}`);
  });

  it('looks the application id up with the token when it is not configured', async () => {
    discord.route('GET', '/applications/@me', () => ({ body: { id: discord.applicationId, name: 'Clipscope' } }));
    const { DISCORD_APPLICATION_ID: _omit, ...rest } = env();
    expect(await runCli(['commands:register', '--global'], io(rest).io)).toBe(0);
    expect(discord.requestsTo('PUT', '/applications/:applicationId/commands')).toHaveLength(1);
  });

  it('gives the admin permission by default only to Manage Server, and limits options as documented', () => {
    const byName = Object.fromEntries(commandDefinitions().map((c) => [c.name, c]));
    expect(byName['clipscope-admin']?.default_member_permissions).toBe(String(1 << 5));
    const limit = byName.topcreators?.options?.find((o) => o.name === 'limit') as { min_value?: number; max_value?: number };
    expect([limit.min_value, limit.max_value]).toEqual([1, 25]);
    const period = byName.topgames?.options?.find((o) => o.name === 'period') as { choices?: { value: string }[] };
    expect(period.choices?.map((c) => c.value)).toEqual(['day', 'week', 'month', 'all_time']);
  });

  it('fails with one clear line without a token or with a rejected one', async () => {
    const missing = io({ DISCORD_API_BASE_URL: discord.apiBaseUrl });
    expect(await runCli(['commands:register'], missing.io)).toBe(1);
    expect(missing.err()).toBe('clipscope commands:register: DISCORD_TOKEN is not set: the bot token is needed to register commands\n');
    const rejected = io(env({ DISCORD_TOKEN: 'wrong-token' }));
    expect(await runCli(['commands:register'], rejected.io)).toBe(1);
    expect(rejected.err()).toBe('clipscope commands:register: Discord rejected DISCORD_TOKEN (401 Unauthorized): check the bot token\n');
  });

  it('prints the definitions without sending anything', async () => {
    const run = io({});
    expect(await runCli(['commands:register', '--print'], run.io)).toBe(0);
    expect(JSON.parse(run.out())).toHaveLength(6);
    expect(discord.requests).toHaveLength(0);
  });
});
