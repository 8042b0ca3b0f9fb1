// The database refusing writes (disk full through SQLite's max_page_count, busy through a second connection's write
// lock) while the view refresh and the channel sync run against the fake Helix: a storage problem is reported as one,
// not as a Twitch failure; no clip is marked not_found, no channel gets a sync error, the run stops instead of spending
// Helix calls it cannot store, and everything completes once the database accepts writes again.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger';
import { createScheduler, type Scheduler } from '../../src/scheduler/scheduler';
import { isTransientDatabaseError } from '../../src/db/storage-errors';
import { registerTwitchChannels, syncGuildChannels } from '../../src/twitch/channel-sync';
import { enrichPending } from '../../src/twitch/enrich';
import { clipsDueForRefresh, refreshScheduleFromMinutes, refreshViews } from '../../src/twitch/refresh';
import { startTwitchHarness, T0, twitchJobsOn, type TwitchHarness } from '../helpers/twitch';

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const schedule = refreshScheduleFromMinutes(60, 1440, 10_080);
/** Long enough that writing it needs new pages: the page limit is then sure to refuse the write. */
const LONG_TITLE = 'a much longer title than before '.repeat(120);

let h: TwitchHarness | undefined;
let logs: LogLine[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  logs = [];
});

function logger() {
  return createLogger({ level: 'info', destination: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) } });
}

/** The scheduled Twitch jobs of the service, on this harness, with a logger whose lines the test reads. */
function scheduler(harness: TwitchHarness): Scheduler {
  const log = logger();
  const s = createScheduler({ db: harness.temp.db, logger: log, clock: harness.clock, timezone: 'UTC' });
  const jobs = twitchJobsOn(harness, log);
  for (const job of jobs) s.add(job);
  return s;
}

function fillDisk(harness: TwitchHarness): void {
  // max_page_count cannot go below the current size, so this is "not one page more": SQLITE_FULL, as on a full disk.
  harness.temp.db.$client.pragma('max_page_count = 1');
}

function freeDisk(harness: TwitchHarness): void {
  harness.temp.db.$client.pragma('max_page_count = 4294967294');
}

function clipRows(harness: TwitchHarness): { clip_id: string; enrichment_state: string; view_count: number }[] {
  return harness.temp.db.$client.prepare('SELECT clip_id, enrichment_state, view_count FROM clips ORDER BY clip_id').all() as {
    clip_id: string;
    enrichment_state: string;
    view_count: number;
  }[];
}

/** 250 young clips shared in one guild and enriched; then their titles grow and their views move on Twitch. */
async function enrichedClips(harness: TwitchHarness): Promise<string[]> {
  harness.helix.addGame('509658', 'Just Chatting');
  const ids = Array.from({ length: 250 }, (_, i) => `Refresh${String(i).padStart(3, '0')}-r`);
  for (const id of ids) harness.helix.addClip({ id, created_at: new Date(T0 - DAY).toISOString(), view_count: 10, game_id: '509658' });
  for (let i = 0; i < ids.length; i += 50) harness.share('g1', `m${i}`, ids.slice(i, i + 50));
  await enrichPending({ db: harness.temp.db, clock: harness.clock, logger: logger(), twitch: harness.twitch, maxAttempts: 3 });
  for (const id of ids) {
    const clip = harness.helix.clips.get(id)!;
    clip.title = LONG_TITLE;
    clip.view_count = 500;
  }
  return ids;
}

function getClipsCalls(harness: TwitchHarness): number {
  return harness.helix.served('clips').length;
}

describe('view refresh while the database refuses writes', () => {
  it('reports a full disk as a storage problem, stops spending Helix calls, and leaves every clip due and found', async () => {
    h = await startTwitchHarness();
    const ids = await enrichedClips(h);
    // Twitch deleted one clip meanwhile: it must not be marked not_found on a run that cannot write.
    h.helix.clips.delete(ids[0]!);
    h.clock.advance(HOUR);
    const before = clipRows(h);
    const callsBefore = getClipsCalls(h);
    const jobs = scheduler(h);

    fillDisk(h);
    expect(await jobs.runNow('twitch-refresh')).toBe(true);

    // Three batches were due; the two in flight (concurrency 2) met the full disk and the run stopped there.
    expect(getClipsCalls(h) - callsBefore).toBeLessThanOrEqual(2);
    expect(clipRows(h)).toEqual(before);
    expect(await clipsDueForRefresh(h.temp.db, h.clock.now(), schedule, 1000)).toHaveLength(250);
    const failure = logs.find((l) => l.msg.startsWith('job failed'));
    expect(failure).toMatchObject({ level: 50, job: 'twitch-refresh', database: h.temp.path });
    expect(failure!.msg).toMatch(/^job failed: disk full: cannot write .*clipscope\.db/);
    expect(logs.some((l) => /view refresh batch failed/.test(l.msg))).toBe(false);

    freeDisk(h);
    logs = [];
    expect(await jobs.runNow('twitch-refresh')).toBe(true);
    expect(logs.find((l) => l.msg === 'job finished')).toMatchObject({
      job: 'twitch-refresh',
      summary: 'refreshed 249 of 250 due clips, not found 1',
    });
    const after = clipRows(h);
    expect(after[0]).toMatchObject({ clip_id: ids[0], enrichment_state: 'not_found' });
    expect(after.slice(1).every((r) => r.enrichment_state === 'done' && r.view_count === 500)).toBe(true);
  });

  it('throws the database error itself when another connection holds the write lock', async () => {
    h = await startTwitchHarness();
    await enrichedClips(h);
    h.clock.advance(HOUR);
    h.temp.db.$client.pragma('busy_timeout = 0');
    const other = new Database(h.temp.path);
    try {
      other.prepare('BEGIN IMMEDIATE').run();
      const refresh = refreshViews({ db: h.temp.db, clock: h.clock, logger: logger(), twitch: h.twitch, schedule });
      const error = await refresh.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'SQLITE_BUSY' });
      expect(isTransientDatabaseError(error)).toBe(true);
      other.prepare('ROLLBACK').run();
    } finally {
      other.close();
    }
    expect(await clipsDueForRefresh(h.temp.db, h.clock.now(), schedule, 1000)).toHaveLength(250);
    await expect(refreshViews({ db: h.temp.db, clock: h.clock, logger: logger(), twitch: h.twitch, schedule })).resolves.toMatchObject({
      refreshed: 250,
      lastError: null,
    });
  });
});

describe('channel sync while the database refuses writes', () => {
  async function twoChannels(harness: TwitchHarness): Promise<void> {
    harness.helix.addUser({ id: '777', login: 'bigstreamer', display_name: 'BigStreamer' });
    harness.helix.addUser({ id: '888', login: 'smallstreamer', display_name: 'SmallStreamer' });
    for (let i = 0; i < 60; i++) {
      for (const broadcaster of ['777', '888']) {
        harness.helix.addClip({
          id: `Sync${broadcaster}x${i}-s`,
          broadcaster_id: broadcaster,
          title: LONG_TITLE,
          created_at: new Date(T0 - (i + 1) * DAY).toISOString(),
        });
      }
    }
    await registerTwitchChannels({ db: harness.temp.db, clock: harness.clock, twitch: harness.twitch }, 'g1', [
      'bigstreamer',
      'smallstreamer',
    ]);
  }

  function channels(harness: TwitchHarness): unknown[] {
    return harness.temp.db.$client
      .prepare('SELECT broadcaster_login, synced_through, last_sync_at, last_sync_error FROM twitch_channels ORDER BY broadcaster_login')
      .all();
  }

  it('records no sync error on the channels, stops at the first, and names the full disk', async () => {
    h = await startTwitchHarness();
    await twoChannels(h);
    const jobs = scheduler(h);

    fillDisk(h);
    expect(await jobs.runNow('twitch-channel-sync')).toBe(true);

    expect(channels(h)).toEqual([
      { broadcaster_login: 'bigstreamer', synced_through: null, last_sync_at: null, last_sync_error: null },
      { broadcaster_login: 'smallstreamer', synced_through: null, last_sync_at: null, last_sync_error: null },
    ]);
    // The second channel was not even asked for: it would have met the same full disk.
    expect(h.helix.served('clips').filter((r) => r.query.get('broadcaster_id') === '888')).toEqual([]);
    const failure = logs.find((l) => l.msg.startsWith('job failed'));
    expect(failure).toMatchObject({ level: 50, job: 'twitch-channel-sync', database: h.temp.path });
    expect(failure!.msg).toMatch(/^job failed: disk full: cannot write/);

    freeDisk(h);
    logs = [];
    expect(await jobs.runNow('twitch-channel-sync')).toBe(true);
    expect(logs.find((l) => l.msg === 'job finished')).toMatchObject({ summary: '2 channels synced, 120 new clips' });
    expect(channels(h)).toEqual([
      { broadcaster_login: 'bigstreamer', synced_through: T0 - DAY, last_sync_at: T0, last_sync_error: null },
      { broadcaster_login: 'smallstreamer', synced_through: T0 - DAY, last_sync_at: T0, last_sync_error: null },
    ]);
  });

  it('stops a guild sync (the admin command and the CLI path) with the storage error, not as channel failures', async () => {
    h = await startTwitchHarness();
    await twoChannels(h);
    fillDisk(h);
    const error = await syncGuildChannels({ db: h.temp.db, clock: h.clock, twitch: h.twitch, logger: logger() }, 'g1').then(
      () => null,
      (e: unknown) => e,
    );
    expect(isTransientDatabaseError(error)).toBe(true);
    expect(logs.filter((l) => l.msg === 'channel sync failed')).toEqual([]);
    expect(channels(h)).toEqual([
      { broadcaster_login: 'bigstreamer', synced_through: null, last_sync_at: null, last_sync_error: null },
      { broadcaster_login: 'smallstreamer', synced_through: null, last_sync_at: null, last_sync_error: null },
    ]);
  });
});
