import { afterEach, describe, expect, it } from 'vitest';
import { BudgetWaitError, HelixPacer, type PacingOptions } from '../../src/twitch/pacing';
import { startTwitchHarness, type TwitchHarness } from '../helpers/twitch';

/** A clock that only moves when the pacer sleeps, and Twitch's bucket as the fake models it, side by side. */
function virtualTwitch(options: Partial<PacingOptions> & { bucketStartsAt?: number } = {}) {
  const points = options.points ?? 800;
  const windowMs = options.windowMs ?? 60_000;
  let t = 0;
  let bucket = options.bucketStartsAt ?? 0;
  let bucketAt = 0;
  const sleeps: number[] = [];
  const pacer = new HelixPacer(options, {
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  });
  /** Twitch's side of a call made now: the point it takes and the Ratelimit-Remaining it answers. */
  const serve = (): number => {
    bucket = Math.min(points, bucket + ((t - bucketAt) * points) / windowMs);
    bucketAt = t;
    if (bucket < 1) throw new Error(`429 at ${t} ms: the pacer let a call meet an empty bucket`);
    bucket -= 1;
    return Math.floor(bucket);
  };
  return { pacer, serve, sleeps, now: () => t, drain: () => void (bucket = 0) };
}

describe('HelixPacer (virtual clock)', () => {
  it('from an empty bucket, lets calls go as points refill and leaves the reserve in the bucket', async () => {
    const v = virtualTwitch({ reserve: 2, initialPoints: 0 });
    const answered: number[] = [];
    for (let i = 0; i < 200; i++) {
      await v.pacer.take();
      answered.push(v.serve());
    }
    // Twurple's limiter would stall until Ratelimit-Reset (a full minute) on the first 0; it never sees one.
    expect(Math.min(...answered)).toBeGreaterThanOrEqual(2);
    // The budget is spent as it refills: 200 calls + the 3 points held back take 203 refills of 75 ms, no more.
    expect(v.now()).toBeLessThanOrEqual(203 * 75 + 1);
    expect(v.now()).toBeGreaterThanOrEqual(202 * 75);
  });

  it('spends what the bucket holds at once, then paces', async () => {
    const v = virtualTwitch({ reserve: 2, initialPoints: 800, bucketStartsAt: 800 });
    for (let i = 0; i < 798; i++) {
      await v.pacer.take();
      v.serve();
    }
    expect(v.sleeps).toEqual([]);
    await v.pacer.take();
    v.serve();
    expect(v.sleeps.length).toBeGreaterThan(0);
    expect(v.now()).toBeLessThanOrEqual(75 + 1);
  });

  it('takes Twitch’s word for the bucket, up and down, and its Ratelimit-Limit as the size', async () => {
    const v = virtualTwitch({ reserve: 2, initialPoints: 0 });
    v.pacer.observe({ limit: 800, remaining: 500 });
    for (let i = 0; i < 498; i++) await v.pacer.take();
    expect(v.sleeps).toEqual([]);

    v.pacer.observe({ limit: 800, remaining: 0 });
    expect(v.pacer.points).toBe(0);
    await v.pacer.take();
    expect(v.now()).toBeGreaterThanOrEqual(3 * 75);

    // A smaller bucket refills more slowly: 100 points a minute is one every 600 ms.
    v.pacer.observe({ limit: 100, remaining: 0 });
    const before = v.now();
    await v.pacer.take();
    expect(v.now() - before).toBeGreaterThanOrEqual(3 * 600);
    expect(v.pacer.points).toBeLessThanOrEqual(100);
  });

  it('treats a 429 as an empty bucket', async () => {
    const v = virtualTwitch({ reserve: 1, initialPoints: 800 });
    v.pacer.emptied();
    expect(v.pacer.points).toBe(0);
    await v.pacer.take();
    expect(v.now()).toBeGreaterThanOrEqual(2 * 75);
  });

  it('serves waiting calls first come, first served', async () => {
    const v = virtualTwitch({ reserve: 0, initialPoints: 0 });
    const order: number[] = [];
    await Promise.all(Array.from({ length: 10 }, (_, i) => v.pacer.take().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(v.pacer.queued).toBe(0);
  });
});

let h: TwitchHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A bucket 60 times smaller and faster than Twitch's, so a test sees several of its minutes in a few seconds. */
const SMALL_BUCKET = { points: 20, windowMs: 1000, startEmpty: true, fractionalReset: true };

async function lookUpOneByOne(harness: TwitchHarness, count: number, workers: number): Promise<string[]> {
  for (let i = 0; i < count; i++) harness.helix.addClip({ id: `Paced${i}-x` });
  const found: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < count) {
        const id = `Paced${next++}-x`;
        const { clips } = await harness.twitch.getClipsByIds([id]);
        found.push(...clips.map((c) => c.id));
      }
    }),
  );
  return found.sort();
}

describe('HelixPacer with a shared budget (virtual clock)', () => {
  it('spends its grant point by point and asks for the next only when it is gone', async () => {
    const { pacer } = virtualTwitch({ initialPoints: 800 });
    const asked: number[] = [];
    pacer.shareBudget({
      grantSize: 20,
      retryMs: 75,
      maxWaitMs: 60_000,
      grant: async (want) => {
        asked.push(want);
        return want;
      },
    });
    for (let i = 0; i < 45; i++) await pacer.take();
    expect(asked).toEqual([20, 20, 20]);
    expect(pacer.grantedPoints).toBe(15);
  });

  it('waits for an empty shared bucket in bounded steps, says so, and gives up after maxWaitMs', async () => {
    const { pacer, now } = virtualTwitch({ initialPoints: 800 });
    const waits: number[] = [];
    pacer.shareBudget({ grantSize: 20, retryMs: 75, maxWaitMs: 3000, grant: async () => 0, onWait: (ms) => waits.push(ms) });
    await expect(pacer.take()).rejects.toBeInstanceOf(BudgetWaitError);
    expect(now()).toBe(3000);
    expect(waits.length).toBe(40);
    expect(Math.max(...waits.slice(1).map((w, i) => w - waits[i]!))).toBe(75);
  });
});

describe('paced Twitch client against the fake Helix', () => {
  it('spends the budget as it refills: Twitch never answers an empty bucket, so Twurple never stalls', async () => {
    h = await startTwitchHarness({ helix: { rateLimit: SMALL_BUCKET } });
    const found = await lookUpOneByOne(h, 45, 6);
    expect(found).toHaveLength(45);
    const answers = h.helix.requests.filter((r) => r.kind === 'helix');
    expect(answers.map((r) => r.status).every((s) => s === 200)).toBe(true);
    expect(Math.min(...answers.map((r) => r.remaining ?? -1))).toBeGreaterThanOrEqual(1);
  });

  it('without pacing, Twurple empties the bucket and then holds calls until Ratelimit-Reset (the cause it fixes)', async () => {
    h = await startTwitchHarness({ helix: { rateLimit: SMALL_BUCKET }, pacing: false });
    const found = await lookUpOneByOne(h, 45, 6);
    expect(found).toHaveLength(45);
    const answers = h.helix.requests.filter((r) => r.kind === 'helix');
    expect(answers.some((r) => r.remaining === 0)).toBe(true);
  });

  it('learns the bucket from the first answer instead of pacing from an assumed-empty one', async () => {
    h = await startTwitchHarness({ pacing: { initialPoints: 0 } });
    h.helix.addClip({ id: 'First-x' });
    // Refill alone (13 points a second) cannot reach 790 in the seconds a loaded machine takes to get here.
    expect(h.twitch.pacer!.points).toBeLessThan(100);
    await h.twitch.getClipsByIds(['First-x']);
    // The fake's bucket started full (800): one point spent.
    expect(h.twitch.pacer!.points).toBeGreaterThan(790);
  });

  it('rides out a bucket someone else emptied (429, Twurple waits for Reset) and relearns it, losing nothing', async () => {
    h = await startTwitchHarness({ helix: { rateLimit: { ...SMALL_BUCKET, startEmpty: false } } });
    for (let i = 0; i < 5; i++) h.helix.addClip({ id: `Warm${i}-x` });
    await h.twitch.getClipsByIds(['Warm0-x']);
    // Another process with the same app token spends the whole bucket; our model still thinks it is nearly full.
    h.helix.drainBucket();
    const found = await lookUpOneByOne(h, 30, 4);
    expect(found).toHaveLength(30);
    const statuses = h.helix.requests.filter((r) => r.kind === 'helix').map((r) => r.status);
    expect(statuses).toContain(429);
    expect(statuses.at(-1)).toBe(200);
    // After the stall the model follows Twitch's figures again (Ratelimit-Remaining is whole points).
    const model = h.twitch.pacer!.points;
    const bucket = h.helix.bucketLevel()!;
    expect(model).toBeLessThanOrEqual(bucket + 0.01);
    expect(bucket - model).toBeLessThan(2);
  });
});
