import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index';
import { startTwitchHarness, type TwitchHarness } from '../helpers/twitch';

let h: TwitchHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const GUILD = '123456789012345678';

async function cli(harness: TwitchHarness, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += String(c)));
  stderr.on('data', (c) => (err += String(c)));
  const code = await runCli(args, {
    stdout,
    stderr,
    env: {
      DATABASE_PATH: harness.temp.path,
      TWITCH_CLIENT_ID: harness.helix.clientId,
      TWITCH_CLIENT_SECRET: harness.helix.clientSecret,
      TWURPLE_MOCK_API_PORT: String(harness.helix.port),
      LOG_LEVEL: 'silent',
      ...env,
    },
  });
  return { code, stdout: out, stderr: err };
}

function slug(i: number): string {
  return `CliClip${String(i).padStart(4, '0')}-q`;
}


describe('clipscope enrich', () => {
  it('drains all pending clips with progress and exits 0', async () => {
    h = await startTwitchHarness();
    h.helix.addGame('509658', 'Just Chatting');
    const slugs = Array.from({ length: 250 }, (_, i) => slug(i));
    for (const s of slugs.slice(0, 240)) h.helix.addClip({ id: s });
    for (let i = 0; i < 250; i += 25) h.share(GUILD, `m${i}`, slugs.slice(i, i + 25));

    const result = await cli(h, ['enrich']);

    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Enriching: 250\/250 clips/);
    expect(result.stderr).toMatch(/Enriched 240 clips, 10 not found on Twitch\./);
    // Three calls for 250 ids, and one second look at the 10 that Twitch left out before calling them gone.
    const calls = h.helix.served('clips').map((c) => c.query.getAll('id'));
    expect(calls.slice(0, 3).map((ids) => ids.length).sort((a, b) => b - a)).toEqual([100, 100, 50]);
    expect(calls[3]).toHaveLength(10);
    expect(calls[3]!.sort()).toEqual(slugs.slice(240).sort());
    const states = h.temp.db.$client.prepare('SELECT enrichment_state AS s, count(*) AS n FROM clips GROUP BY s ORDER BY s').all();
    expect(states).toEqual([
      { s: 'done', n: 240 },
      { s: 'not_found', n: 10 },
    ]);
  });

  it('says there is nothing to do on an empty queue', async () => {
    h = await startTwitchHarness();
    const result = await cli(h, ['enrich']);
    expect(result).toMatchObject({ code: 0, stdout: 'Nothing to enrich: no pending clips.\n' });
  });

  it('fails with one line naming the variables, and not the secret, when Twitch refuses the credentials', async () => {
    h = await startTwitchHarness();
    h.share(GUILD, 'm1', ['Pending-p1']);
    const result = await cli(h, ['enrich'], { TWITCH_CLIENT_SECRET: 'wrong-secret-31415926' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n').filter((l) => !/Enriching/.test(l))).toHaveLength(1);
    expect(result.stderr).toMatch(/clipscope enrich: Twitch refused the app credentials .*check TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET/);
    expect(result.stderr).not.toContain('wrong-secret-31415926');
  });

  it('fails with one line naming the variables when Twitch credentials are missing', async () => {
    h = await startTwitchHarness();
    h.share(GUILD, 'm1', ['Pending-p1']);
    const result = await cli(h, ['enrich'], { TWITCH_CLIENT_ID: '', TWITCH_CLIENT_SECRET: '' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET/);
  });

  it('fails with the reason when Twitch refuses the credentials, leaving the clips pending', async () => {
    h = await startTwitchHarness();
    h.share(GUILD, 'm1', ['Pending-p1']);
    const result = await cli(h, ['enrich'], { TWITCH_CLIENT_SECRET: 'not-the-secret' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Twitch refused the app credentials \(HTTP 403 \(invalid client secret\)\)/);
    expect(result.stderr).not.toContain('not-the-secret');
    expect(h.temp.db.$client.prepare('SELECT enrichment_state, enrichment_attempts FROM clips').get()).toEqual({
      enrichment_state: 'pending',
      enrichment_attempts: 0,
    });
  });

  it('exits non-zero with the last error when clips are still backing off after Twitch errors', async () => {
    h = await startTwitchHarness();
    h.share(GUILD, 'm1', ['Refused-r1']);
    h.helix.inject({ kind: 'status', status: 400, body: { error: 'Bad Request', status: 400, message: 'odd request' } }, 1, 'clips');
    const result = await cli(h, ['enrich', '--max-wait', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/1 clips still pending after Twitch errors \(last: Get Clips \(1 ids\): Twitch answered HTTP 400 \(odd request\)\)/);
    expect(h.temp.db.$client.prepare('SELECT enrichment_state, enrichment_attempts FROM clips').get()).toEqual({
      enrichment_state: 'pending',
      enrichment_attempts: 1,
    });
  });

  it('puts failed clips back in the queue with --retry-failed', async () => {
    h = await startTwitchHarness();
    h.helix.addGame('509658', 'Just Chatting');
    h.helix.addClip({ id: 'GaveUp-g1' });
    h.share(GUILD, 'm1', ['GaveUp-g1']);
    h.temp.db.$client.prepare("UPDATE clips SET enrichment_state = 'failed', enrichment_attempts = 8, enrichment_error = 'HTTP 500'").run();

    const plain = await cli(h, ['enrich']);
    expect(plain.stdout).toMatch(/1 clips are marked failed \(clipscope enrich --retry-failed/);

    const retried = await cli(h, ['enrich', '--retry-failed']);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toMatch(/Put 1 failed clip row back in the queue/);
    expect(h.temp.db.$client.prepare('SELECT enrichment_state FROM clips').get()).toEqual({ enrichment_state: 'done' });
  });
});

describe('clipscope sync-twitch and twitch-channels', () => {
  function seed(harness: TwitchHarness): void {
    harness.helix.addUser({ id: '777', login: 'bigstreamer', display_name: 'BigStreamer' });
    harness.helix.addGame('509658', 'Just Chatting');
    for (let i = 0; i < 120; i++) {
      harness.helix.addClip({ id: `Synced${i}-s`, broadcaster_id: '777', created_at: new Date(Date.UTC(2023, 0, 1) + i * 86_400_000).toISOString() });
    }
  }

  it('registers a channel and imports all of its clips with progress', async () => {
    h = await startTwitchHarness();
    seed(h);
    const result = await cli(h, ['sync-twitch', '--guild', GUILD, '--channel', 'BigStreamer']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Syncing bigstreamer: /);
    expect(result.stderr).toMatch(/BigStreamer: 120 clips read, 120 new, in \d+ Twitch calls/);
    expect(result.stdout).toBe(`Synced 1 channel for server ${GUILD}: 120 new clips.\n`);
    expect(h.temp.db.$client.prepare('SELECT count(*) AS n FROM clips WHERE guild_id = ? AND discord_shares = 0').get(GUILD)).toEqual({ n: 120 });

    // A second run without --channel syncs the registered channel incrementally.
    const again = await cli(h, ['sync-twitch', '--guild', GUILD]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`Synced 1 channel for server ${GUILD}: 0 new clips.\n`);
  });

  it('refuses to sync a server with no registered channel, saying how to add one', async () => {
    h = await startTwitchHarness();
    const result = await cli(h, ['sync-twitch', '--guild', GUILD]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no Twitch channels registered for server .*: pass --channel LOGIN/);
    const bad = await cli(h, ['sync-twitch', '--guild', 'not-a-server']);
    expect(bad.code).toBe(2);
  });

  it('adds, lists and removes channels', async () => {
    h = await startTwitchHarness();
    seed(h);
    expect((await cli(h, ['twitch-channels', 'add', '--guild', GUILD, 'bigstreamer'])).stdout).toMatch(/Registered bigstreamer \(BigStreamer, id 777\)/);
    const unknown = await cli(h, ['twitch-channels', 'add', '--guild', GUILD, 'ghost_channel']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Twitch knows no channel "ghost_channel"/);
    expect((await cli(h, ['twitch-channels', 'list', '--guild', GUILD])).stdout).toMatch(/^bigstreamer \(BigStreamer, id 777\): never synced\n$/);
    expect((await cli(h, ['twitch-channels', 'remove', '--guild', GUILD, 'bigstreamer'])).code).toBe(0);
    expect((await cli(h, ['twitch-channels', 'list', '--guild', GUILD])).stdout).toBe(`No Twitch channels registered for server ${GUILD}.\n`);
  });
});
