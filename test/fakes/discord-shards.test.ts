// The fake gateway checks shards as Discord does: IDENTIFY's [id, count] against the required count, the identify
// rate limit per max_concurrency key, and each guild's events only on its shard. Driven with a bare WebSocket.
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { shardOfGuild, snowflake, startFakeDiscord, type FakeDiscord } from './discord';

interface Frame {
  op: number;
  t?: string;
  d?: any;
}

/** A bare gateway connection that keeps every frame and its close code. */
function connect(discord: FakeDiscord) {
  const frames: Frame[] = [];
  const socket = new WebSocket(discord.gatewayUrl);
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  socket.on('message', (raw) => frames.push(JSON.parse(String(raw)) as Frame));
  const opened = new Promise<void>((resolve) => socket.on('open', () => resolve()));
  return {
    frames,
    closed,
    async identify(shard?: [number, number]) {
      await opened;
      socket.send(JSON.stringify({ op: 2, d: { token: discord.token, intents: 0, properties: {}, ...(shard ? { shard } : {}) } }));
    },
    close: () => socket.close(1000),
    /** The connection dropped without a close frame, as when the client's process is killed. */
    kill: () => socket.terminate(),
    /** Drops the connection without a close frame, as a process killed with -9 does. */
    drop: () => socket.terminate(),
  };
}

describe('fake Discord gateway shards', () => {
  let discord: FakeDiscord;
  afterEach(async () => {
    await discord.stop();
  });

  /** One guild per shard of 4. */
  const guildIds = (): string[] => {
    const byShard = new Map<number, string>();
    for (let at = Date.now() - 1_000_000; byShard.size < 4; at += 4_099) {
      const id = snowflake(at);
      if (!byShard.has(shardOfGuild(id, 4))) byShard.set(shardOfGuild(id, 4), id);
    }
    return [0, 1, 2, 3].map((s) => byShard.get(s)!);
  };

  it('closes with 4011 for fewer shards than it requires and 4010 for a shard outside the count', async () => {
    discord = await startFakeDiscord({ shards: 4 });
    const tooFew = connect(discord);
    await tooFew.identify([0, 2]);
    expect(await tooFew.closed).toBe(4011);
    const unsharded = connect(discord);
    await unsharded.identify();
    expect(await unsharded.closed).toBe(4011);
    const outside = connect(discord);
    await outside.identify([4, 4]);
    expect(await outside.closed).toBe(4010);
    expect(discord.connectedSessions).toBe(0);
  });

  it('sends READY and GUILD_CREATE for the shard’s guilds only, and each guild’s events on its shard', async () => {
    const ids = guildIds();
    discord = await startFakeDiscord({ shards: 4, guilds: ids.map((id) => ({ id, name: id })) });
    const one = connect(discord);
    const three = connect(discord);
    await one.identify([1, 4]);
    await three.identify([3, 4]);
    await discord.waitFor(() => discord.connectedShards.join() === '1,3');
    // Frames arriving at a client do not wake the fake's waitFor: poll them.
    await vi.waitFor(() =>
      expect(one.frames.some((f) => f.t === 'GUILD_CREATE') && three.frames.some((f) => f.t === 'GUILD_CREATE')).toBe(true),
    );
    expect(one.frames.find((f) => f.t === 'READY')?.d).toMatchObject({ shard: [1, 4], guilds: [{ id: ids[1] }] });
    expect(one.frames.filter((f) => f.t === 'GUILD_CREATE').map((f) => f.d.id)).toEqual([ids[1]]);

    for (const id of ids) await discord.dispatch('MESSAGE_CREATE', { id: snowflake(), channel_id: '1', guild_id: id, content: id });
    await discord.dispatch('MESSAGE_CREATE', { id: snowflake(), channel_id: '1', content: 'a DM' });
    const got = (c: ReturnType<typeof connect>) => c.frames.filter((f) => f.t === 'MESSAGE_CREATE').map((f) => f.d.content);
    await vi.waitFor(() => expect(got(one).length + got(three).length).toBe(2));
    expect(got(one)).toEqual([ids[1]]);
    expect(got(three)).toEqual([ids[3]]);
    one.close();
    three.close();
  });

  it('holds a shard’s events while it has no connection and gives them, once, to the shard’s next session', async () => {
    const ids = guildIds();
    discord = await startFakeDiscord({ shards: 4, guilds: ids.map((id) => ({ id, name: id })) });
    const before = connect(discord);
    await before.identify([2, 4]);
    await discord.waitFor(() => discord.connectedShards.join() === '2');
    await discord.dispatch('MESSAGE_CREATE', { id: snowflake(), channel_id: '1', guild_id: ids[2], content: 'seen' });
    await vi.waitFor(() => expect(before.frames.some((f) => f.t === 'MESSAGE_CREATE')).toBe(true));
    before.drop();
    await discord.waitFor(() => discord.connectedShards.length === 0);
    await discord.dispatch('MESSAGE_CREATE', { id: snowflake(), channel_id: '1', guild_id: ids[2], content: 'held' });

    const after = connect(discord);
    await after.identify([2, 4]);
    await discord.dispatch('MESSAGE_CREATE', { id: snowflake(), channel_id: '1', guild_id: ids[2], content: 'live' });
    const got = () => after.frames.filter((f) => f.t === 'MESSAGE_CREATE').map((f) => f.d.content);
    await vi.waitFor(() => expect(got()).toHaveLength(2));
    // The held event follows the GUILD_CREATE; what the first session received is not sent again.
    expect(got().sort()).toEqual(['held', 'live']);
    const kinds = after.frames.filter((f) => f.t).map((f) => f.t);
    expect(kinds.indexOf('GUILD_CREATE')).toBeLessThan(kinds.indexOf('MESSAGE_CREATE'));
    after.close();
  });

  it('answers an IDENTIFY sooner than 5 s after another of its rate-limit key with an invalid session, when max_concurrency is set', async () => {
    discord = await startFakeDiscord({ shards: 4, maxConcurrency: 2 });
    const first = connect(discord);
    const otherKey = connect(discord);
    const sameKey = connect(discord);
    await first.identify([0, 4]);
    await otherKey.identify([1, 4]);
    await discord.waitFor(() => discord.connectedSessions === 2);
    await sameKey.identify([2, 4]);
    await vi.waitFor(() => expect(sameKey.frames.some((f) => f.op === 9)).toBe(true));
    expect(discord.identifyThrottleViolations).toBe(1);
    expect(discord.connectedShards).toEqual([0, 1]);
    for (const c of [first, otherKey, sameKey]) c.close();
  });

  it("holds the events of a shard whose connection died for that shard's next session, after its GUILD_CREATEs", async () => {
    const ids = guildIds();
    discord = await startFakeDiscord({ shards: 4, guilds: ids.map((id) => ({ id, name: id })) });
    const before = connect(discord);
    await before.identify([2, 4]);
    await discord.waitFor(() => discord.connectedShards.join() === '2');
    before.kill();
    await discord.waitFor(() => discord.connectedShards.length === 0);
    await discord.dispatch('MESSAGE_CREATE', { id: snowflake(), channel_id: '1', guild_id: ids[2], content: 'while down' });
    await discord.dispatch('MESSAGE_CREATE', { id: snowflake(), channel_id: '1', guild_id: ids[1], content: 'another shard' });

    const after = connect(discord);
    await after.identify([2, 4]);
    await vi.waitFor(() => expect(after.frames.some((f) => f.t === 'MESSAGE_CREATE')).toBe(true));
    expect(after.frames.filter((f) => f.op === 0).map((f) => f.t)).toEqual(['READY', 'GUILD_CREATE', 'MESSAGE_CREATE']);
    expect(after.frames.find((f) => f.t === 'MESSAGE_CREATE')?.d.content).toBe('while down');
    // Handed over once: the old session is over, and a third session of the shard gets nothing more.
    after.kill();
    await discord.waitFor(() => discord.connectedShards.length === 0);
    const third = connect(discord);
    await third.identify([2, 4]);
    await vi.waitFor(() => expect(third.frames.some((f) => f.t === 'GUILD_CREATE')).toBe(true));
    expect(third.frames.filter((f) => f.t === 'MESSAGE_CREATE')).toEqual([]);
    third.close();
  });
});
