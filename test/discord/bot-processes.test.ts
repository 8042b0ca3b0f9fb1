// The bot-process supervisor with small real child processes (plain node scripts speaking its IPC) instead of whole
// Clipscope children: the restart bound, a fatal exit, a hung child in the status, the turn to identify, the split.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBotProcesses, splitShards, type BotProcesses } from '../../src/discord/bot-processes';
import { createLogger } from '../../src/logger';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';

/** A child that loads, waits for its turn, reports ready, answers status (unless HANG) and exits with EXIT after DIE ms. */
const CHILD = `
const ids = JSON.parse(process.env.IDS);
process.on('message', (m) => {
  if (m.type === 'identify') {
    process.send({ type: 'ready', shards: [] });
    if (process.env.DIE) setTimeout(() => process.exit(Number(process.env.EXIT)), Number(process.env.DIE));
  } else if (m.type === 'status?' && !process.env.HANG) {
    process.send({ type: 'status', requestId: m.requestId, gateway: { shardCount: 4, shards: ids.map((id) => ({ id, status: 'ready', pingMs: 5, guilds: 1 })) } });
  }
});
process.send({ type: 'loaded' });
setInterval(() => {}, 1 << 30);
`;

describe('the bot-process supervisor', () => {
  const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-bot-child-')), 'child.cjs');
  fs.writeFileSync(script, CHILD);
  let discord: FakeDiscord | null = null;
  let supervisor: BotProcesses | null = null;
  afterEach(async () => {
    await supervisor?.stop();
    supervisor = null;
    await discord?.stop();
    discord = null;
  });

  const setUp = async (perChild: (index: number) => Record<string, string | undefined>) => {
    // max_concurrency 4: the two children's shards have different rate-limit keys; a restarted child still waits 5 s
    // after its own last start, as its shards' keys are the same.
    discord = await startFakeDiscord({ shards: 4, maxConcurrency: 4 });
    const spawned: { index: number; shardIds: number[] }[] = [];
    const failures: string[] = [];
    supervisor = createBotProcesses({
      logger: createLogger({ level: 'silent' }),
      token: discord.token,
      apiBaseUrl: discord.apiBaseUrl,
      shards: { count: 'auto', ids: 'all' },
      processes: 2,
      spawn: ({ index, shardIds }): ChildProcess => {
        spawned.push({ index, shardIds });
        return fork(script, [], {
          execArgv: [],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          env: { PATH: process.env.PATH ?? '', IDS: JSON.stringify(shardIds), ...perChild(index) },
        });
      },
      onFailure: (message) => failures.push(message),
      restarts: { max: 2, windowMs: 60_000, firstDelayMs: 10, maxDelayMs: 40 },
      statusTimeoutMs: 300,
    });
    return { spawned, failures };
  };

  it('splits the host’s shards into contiguous shares, the first ones taking the extra', () => {
    expect(splitShards([0, 1, 2, 3], 2)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(splitShards([4, 5, 6, 7, 8], 3)).toEqual([[4, 5], [6, 7], [8]]);
  });

  it('restarts a child that dies, and after more deaths than the bound gives up once, naming it', async () => {
    const { spawned, failures } = await setUp((index) => (index === 1 ? { DIE: '50', EXIT: '1' } : {}));
    await supervisor!.start();
    await vi.waitFor(() => expect(failures).toHaveLength(1), { timeout: 40_000, interval: 50 });
    expect(failures[0]).toMatch(/^bot process 1 \(shards 2,3\) died 3 times within 1 min \(last: status 1\); not restarting it again/);
    // The first start and two restarts of child 1; child 0 once.
    expect(spawned.map((s) => s.index)).toEqual([0, 1, 1, 1]);
  }, 60_000);

  it('does not restart a child that ended on a fatal close, and reports it once', async () => {
    const { spawned, failures } = await setUp((index) => (index === 0 ? { DIE: '50', EXIT: '3' } : {}));
    await supervisor!.start();
    await vi.waitFor(() => expect(failures).toHaveLength(1), { timeout: 20_000, interval: 50 });
    expect(failures[0]).toMatch(/^bot process 0 \(shards 0,1\) ended: Discord closed one of its shards for good/);
    expect(spawned.map((s) => s.index)).toEqual([0, 1]);
  });

  it('shows a hung child’s shards as not responding, without waiting on it', async () => {
    await setUp((index) => (index === 1 ? { HANG: '1' } : {}));
    await supervisor!.start();
    expect(await supervisor!.gatewayStatus()).toEqual({
      shardCount: 4,
      shards: [
        { id: 0, status: 'ready', pingMs: 5, guilds: 1 },
        { id: 1, status: 'ready', pingMs: 5, guilds: 1 },
        { id: 2, status: 'not_responding', pingMs: null, guilds: 0 },
        { id: 3, status: 'not_responding', pingMs: null, guilds: 0 },
      ],
    });
  });
});
