import { afterEach, describe, expect, it } from 'vitest';
import { GAME_NAME_RETRY, nextGameNameTry } from '../../src/twitch/game-name-repair';
import type { Job } from '../../src/scheduler/scheduler';
import { startTwitchHarness, T0, twitchJobsOn, type TwitchHarness } from '../helpers/twitch';

let h: TwitchHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MINUTE = 60_000;

/** The service's scheduled enrichment job on this harness (it runs the game-name repair after enriching). */
function enrichJob(harness: TwitchHarness): Job {
  const jobs = twitchJobsOn(harness);
  return jobs.find((j) => j.name === 'twitch-enrich')!;
}

function gameNames(harness: TwitchHarness): { guild_id: string; clip_id: string; game_id: string; game_name: string | null }[] {
  return harness.temp.db.$client.prepare('SELECT guild_id, clip_id, game_id, game_name FROM clips ORDER BY clip_id, guild_id').all() as {
    guild_id: string;
    clip_id: string;
    game_id: string;
    game_name: string | null;
  }[];
}

/** The Get Games calls that asked about the game. */
function askedAbout(harness: TwitchHarness, gameId: string): unknown[] {
  return harness.helix.served('games').filter((r) => r.query.getAll('id').includes(gameId));
}

function clip(harness: TwitchHarness, id: string, gameId: string): void {
  harness.helix.addClip({ id, game_id: gameId, created_at: new Date(T0 - 3_600_000).toISOString() });
}

describe('game names Twitch left out', () => {
  it('names the clips of a game once Twitch knows it, in every guild, without asking again on every batch', async () => {
    h = await startTwitchHarness();
    const job = enrichJob(h);
    clip(h, 'OldGame-a', '4242');
    h.share('g1', 'm1', ['OldGame-a']);
    h.share('g2', 'm2', ['OldGame-a']);
    await job.run();
    expect(gameNames(h).map((r) => r.game_name)).toEqual([null, null]);
    expect(askedAbout(h, '4242')).toHaveLength(1);

    // More clips of the game and more runs within the back-off: Twitch is not asked again.
    clip(h, 'OldGame-b', '4242');
    h.share('g1', 'm3', ['OldGame-b']);
    h.clock.advance(MINUTE);
    await job.run();
    h.clock.advance(MINUTE);
    await job.run();
    expect(askedAbout(h, '4242')).toHaveLength(1);
    expect(gameNames(h).map((r) => r.game_name)).toEqual([null, null, null]);

    // Twitch knows the game again; its turn comes 10 minutes after the miss.
    h.helix.addGame('4242', 'Retro Racer');
    h.temp.db.$client.prepare('DELETE FROM dirty_hours').run();
    h.clock.advance(GAME_NAME_RETRY.baseMs - 2 * MINUTE);
    const summary = await job.run();
    expect(summary).toBe('nothing pending; game names: 1 of 1 found');
    expect(gameNames(h)).toEqual([
      { guild_id: 'g1', clip_id: 'OldGame-a', game_id: '4242', game_name: 'Retro Racer' },
      { guild_id: 'g2', clip_id: 'OldGame-a', game_id: '4242', game_name: 'Retro Racer' },
      { guild_id: 'g1', clip_id: 'OldGame-b', game_id: '4242', game_name: 'Retro Racer' },
    ]);
    // The summaries of both guilds are recomputed with the name.
    expect(h.temp.db.$client.prepare('SELECT DISTINCT guild_id FROM dirty_hours ORDER BY guild_id').all()).toEqual([
      { guild_id: 'g1' },
      { guild_id: 'g2' },
    ]);
    expect(h.temp.db.$client.prepare('SELECT count(*) AS n FROM game_name_misses').get()).toEqual({ n: 0 });

    // A new clip of the game is named at once, from what the repair learnt, with no further lookup.
    const asked = askedAbout(h, '4242').length;
    clip(h, 'OldGame-c', '4242');
    h.share('g2', 'm4', ['OldGame-c']);
    await job.run();
    expect(gameNames(h).find((r) => r.clip_id === 'OldGame-c')?.game_name).toBe('Retro Racer');
    expect(askedAbout(h, '4242')).toHaveLength(asked);
  });

  it('asks again about a game Twitch never names after 10, 20, 40, 80 minutes…, at most once a week', async () => {
    h = await startTwitchHarness();
    const job = enrichJob(h);
    clip(h, 'Gone-g', '9999');
    h.share('g1', 'm1', ['Gone-g']);
    // The service's enrichment runs every 5 minutes for 3 hours; the minutes at which Twitch was asked:
    const askedAt: number[] = [];
    for (let i = 0; i <= 36; i++) {
      const before = askedAbout(h, '9999').length;
      await job.run();
      if (askedAbout(h, '9999').length > before) askedAt.push((h.clock.now() - T0) / MINUTE);
      h.clock.advance(5 * MINUTE);
    }
    expect(askedAt).toEqual([0, 10, 30, 70, 150]);
    expect(h.temp.db.$client.prepare('SELECT misses, first_missed_at, next_try_at FROM game_name_misses').get()).toEqual({
      misses: 5,
      first_missed_at: T0,
      next_try_at: T0 + 310 * MINUTE,
    });
    expect(gameNames(h)[0]!.game_name).toBeNull();
    // The wait doubles up to a week and stays there.
    expect(nextGameNameTry(11, 0)).toBe(7 * 24 * 60 * MINUTE);
    expect(nextGameNameTry(40, 0)).toBe(7 * 24 * 60 * MINUTE);
  });

  it('names the game a short Get Games answer left out on the next try', async () => {
    h = await startTwitchHarness();
    const job = enrichJob(h);
    h.helix.addGame('1001', 'First Game');
    h.helix.addGame('1002', 'Second Game');
    clip(h, 'First-1', '1001');
    clip(h, 'Second-2', '1002');
    h.share('g1', 'm1', ['First-1', 'Second-2']);
    // The answer leaves out every other game.
    h.helix.inject({ kind: 'partial' }, 1, 'games');
    await job.run();
    expect(gameNames(h).filter((r) => r.game_name === null)).toHaveLength(1);

    h.clock.advance(GAME_NAME_RETRY.baseMs);
    expect(await job.run()).toBe('nothing pending; game names: 1 of 1 found');
    expect(gameNames(h).map((r) => r.game_name)).toEqual(['First Game', 'Second Game']);
  });

  it('keeps the names unknown, and the job running, when Get Games fails', async () => {
    h = await startTwitchHarness({ retries: 0 });
    const job = enrichJob(h);
    clip(h, 'Later-l', '5555');
    h.share('g1', 'm1', ['Later-l']);
    await job.run();
    h.helix.addGame('5555', 'Later Game');
    h.clock.advance(GAME_NAME_RETRY.baseMs);
    h.helix.inject({ kind: 'status', status: 400 }, 1, 'games');
    expect(await job.run()).toBe('nothing pending');
    expect(gameNames(h)[0]!.game_name).toBeNull();
    expect(await job.run()).toBe('nothing pending; game names: 1 of 1 found');
    expect(gameNames(h)[0]!.game_name).toBe('Later Game');
  });
});
