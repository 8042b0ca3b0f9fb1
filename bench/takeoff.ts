// The clip feed and its taking-off alerts (issue #19, docs/feed.md) on the generated community, whose clips have a
// view history (src/demo/view-history.ts):
// - poll and decide: one run of the feed job (Get Clips per broadcaster against the fake Helix in this process, the
//   filters, the claims, the taking-off judgement) per followed broadcaster, with a sender that accepts every post at
//   once, so Discord's round trip is not in it;
// - detection: reading the server's history at the six ages and judging 1,000 young clips, per 1,000 clips;
// - precision: of the clips of the last 37 to 7 days that the rule would have alerted on in their first day, the share
//   that ended in the server's top 10 % by views after 7 days, against 10 % for a random pick.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ManualClock } from '../src/clock';
import { closeDatabase, openDatabase, sqliteClient } from '../src/db/client';
import type { Db } from '../src/db/database';
import { createFeed, viewsAtAge, type AgedViews } from '../src/db/stores/feeds';
import { createFeedRunner } from '../src/feed/job';
import type { FeedSender } from '../src/feed/sender';
import {
  AGE_BUCKETS_MS,
  bucketOf,
  historyByClip,
  judgeTakingOff,
  MIN_AGE_MS,
  TAKING_OFF_WINDOW_MS,
  velocitiesNear,
} from '../src/feed/taking-off';
import { silentLogger } from '../src/logger';
import { createTwitchApi } from '../src/twitch/client';
import { FakeHelix, useFakeHelixPort } from '../test/fakes/helix';
import { figure, repeat, single } from './measure';
import type { BenchContext, BenchSection, Figure } from './types';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** The taking-off history: the server's clips of the 90 days before the judged ones (docs/feed.md). */
const HISTORY_MS = 90 * DAY_MS;
/** Broadcasters followed in the poll-and-decide run, and new clips each has per run. */
const BROADCASTERS = 20;
const CLIPS_PER_POLL = 5;

export const takeoffSection: BenchSection = {
  name: 'takeoff',
  title: 'Clip feed: poll and decide per followed broadcaster, taking-off detection per 1k clips and its precision',
  async run(ctx) {
    // The feeds write to the database: work on a copy of the dataset.
    const file = path.join(ctx.workDir, 'community.db');
    fs.copyFileSync(ctx.databasePath, file);
    const db = openDatabase({ path: file });
    try {
      const guildId = largestGuild(db);
      const figures: Figure[] = [];
      figures.push(...(await measureDetection(ctx, db, guildId)));
      figures.push(...(await measurePollAndDecide(ctx, db, guildId)));
      return figures;
    } finally {
      closeDatabase(db);
    }
  },
};

function largestGuild(db: Db): string {
  const row = sqliteClient(db).prepare('SELECT guild_id FROM clips GROUP BY guild_id ORDER BY count(*) DESC, guild_id LIMIT 1').get() as
    | { guild_id: string }
    | undefined;
  if (!row) throw new Error('the dataset has no clips');
  return row.guild_id;
}

interface JudgedClip {
  clipId: string;
  createdAt: number;
  /** Its first-day readings, in time order: [observedAt, views]. */
  firstDay: Array<[number, number]>;
  /** Views at its first reading 7 days old or more. */
  views7d: number;
}

/** The guild's clips made in [from, to) with their first-day readings and their views a week after. */
function clipsWithHistory(db: Db, guildId: string, from: number, to: number): JudgedClip[] {
  const client = sqliteClient(db);
  const clips = client
    .prepare(
      `SELECT c.clip_id, c.clip_created_at AS created,
              (SELECT h.view_count FROM clip_view_history h WHERE h.clip_id = c.clip_id AND h.observed_at >= c.clip_created_at + ${7 * DAY_MS}
                ORDER BY h.observed_at LIMIT 1) AS views7
         FROM clips c WHERE c.guild_id = ? AND c.clip_created_at >= ? AND c.clip_created_at < ? AND c.enrichment_state = 'done'
        ORDER BY c.clip_created_at, c.clip_id`,
    )
    .all(guildId, from, to) as Array<{ clip_id: string; created: number; views7: number | null }>;
  const readings = client.prepare(
    'SELECT observed_at, view_count FROM clip_view_history WHERE clip_id = ? AND observed_at < ? ORDER BY observed_at',
  );
  return clips
    .filter((c) => c.views7 !== null)
    .map((c) => ({
      clipId: c.clip_id,
      createdAt: c.created,
      firstDay: (readings.raw(true).all(c.clip_id, c.created + TAKING_OFF_WINDOW_MS) as Array<[number, number]>).map(([at, v]) => [
        Number(at),
        Number(v),
      ]),
      views7d: c.views7 as number,
    }));
}

/** The six histories (the readings of each age bucket) of clips made in the 90 days before `before`. */
async function histories(db: Db, guildId: string, before: number): Promise<Map<number, AgedViews[][]>> {
  const byBucket = new Map<number, AgedViews[][]>();
  for (const [minAgeMs, maxAgeMs] of AGE_BUCKETS_MS) {
    byBucket.set(
      minAgeMs,
      historyByClip(
        await viewsAtAge(db, guildId, { minAgeMs, maxAgeMs, createdAfter: before - HISTORY_MS, createdBefore: before }, 20_000),
      ),
    );
  }
  return byBucket;
}

/** The rule as the feed applies it to a clip with `views` at age `ageMs`: judged against the history at that age. */
function judge(history: Map<number, AgedViews[][]>, createdAt: number, at: number, views: number): boolean {
  const ageMs = at - createdAt;
  const bucket = bucketOf(ageMs);
  if (!bucket || ageMs < MIN_AGE_MS) return false;
  const velocities = velocitiesNear(history.get(bucket[0]) ?? [], ageMs);
  return judgeTakingOff({ viewCount: views, viewsAt: at, clipCreatedAt: createdAt }, velocities) !== null;
}

/** Whether the rule alerts on the clip at one of its first-day readings (as the feed would, reading by reading). */
function alerts(clip: JudgedClip, history: Map<number, AgedViews[][]>): boolean {
  return clip.firstDay.some(([at, views]) => judge(history, clip.createdAt, at, views));
}

async function measureDetection(ctx: BenchContext, db: Db, guildId: string): Promise<Figure[]> {
  // Clips a week old at least by the end (their 7-day views are known), over 30 days; judged against the 90 days before.
  const judgedFrom = ctx.endAt - 37 * DAY_MS;
  const judged = clipsWithHistory(db, guildId, judgedFrom, ctx.endAt - 7 * DAY_MS);
  if (judged.length < 20) throw new Error(`only ${judged.length} clips of the largest guild have a week of view history`);
  const history = await histories(db, guildId, judgedFrom);

  // Detection cost: the histories read and 1,000 young clips judged at their latest first-day reading (cycling
  // through the judged clips when there are fewer).
  const young = Array.from({ length: 1000 }, (_, i) => judged[i % judged.length] as JudgedClip);
  const detect = await repeat(ctx.runs, async () => {
    const started = performance.now();
    const h = await histories(db, guildId, judgedFrom);
    let alerted = 0;
    for (const clip of young) {
      const last = clip.firstDay.filter(([at]) => at - clip.createdAt >= MIN_AGE_MS).at(-1);
      if (last && judge(h, clip.createdAt, last[0], last[1])) alerted += 1;
    }
    if (alerted < 0) throw new Error('unreachable');
    return performance.now() - started;
  });

  // Precision: alerted clips in the top 10 % by views after 7 days, against the 10 % a random pick gets.
  const ranked = [...judged].sort((a, b) => b.views7d - a.views7d || (a.clipId < b.clipId ? -1 : 1));
  const top = new Set(ranked.slice(0, Math.ceil(judged.length / 10)).map((c) => c.clipId));
  const alerted = judged.filter((c) => alerts(c, history));
  const hits = alerted.filter((c) => top.has(c.clipId)).length;
  const precision = alerted.length === 0 ? 0 : hits / alerted.length;
  const base = top.size / judged.length;
  const historySizes = [...history.values()].map((v) => v.length);
  ctx.log(
    `takeoff: ${alerted.length} of ${judged.length} clips alerted, ${hits} of them in the top 10 % after 7 days; history ${Math.min(...historySizes)}–${Math.max(...historySizes)} clips per age`,
  );
  return [
    figure('takeoff.detect_ms_per_1k_clips', detect, 'ms', {
      better: 'lower',
      note: `the six age histories read (${Math.min(...historySizes)}–${Math.max(...historySizes)} clips each, 90 days) and 1,000 clips judged`,
    }),
    single('takeoff.precision_top10_pct', precision * 100, '%', {
      better: 'higher',
      note: `${hits} of ${alerted.length} alerted clips (of ${judged.length} made 37–7 days before the end) ended in the top 10 % by views after 7 days; a random pick: ${(base * 100).toFixed(1)} %. On generated view curves (src/demo/view-history.ts), not Twitch's`,
    }),
    single('takeoff.precision_lift', base === 0 ? 0 : precision / base, '×', {
      better: 'higher',
      note: 'precision over a random pick’s',
    }),
    single('takeoff.alerted_share_pct', (alerted.length / judged.length) * 100, '%', {
      note: 'share of clips the rule alerts on in their first day (the 95th percentile at some age: about 5 % at each)',
    }),
  ];
}

/** A FeedSender that accepts every post at once: Discord's round trip is left out of the decision's cost. */
function acceptingSender(): FeedSender & { sent: number } {
  let next = 1;
  const sender = {
    sent: 0,
    checkChannel: async () => null,
    send: async () => {
      sender.sent += 1;
      return String(next++);
    },
    findPosted: async () => null,
    poster: () => ({ id: '1', name: 'Clipscope' }),
  };
  return sender;
}

async function measurePollAndDecide(ctx: BenchContext, db: Db, guildId: string): Promise<Figure[]> {
  const clock = new ManualClock(ctx.endAt);
  const helix = new FakeHelix({ rateLimit: { points: 1_000_000, windowMs: 60_000 } });
  const restore = useFakeHelixPort(await helix.start());
  try {
    helix.addGame('509658', 'Just Chatting');
    const twitch = createTwitchApi({
      clientId: helix.clientId,
      clientSecret: helix.clientSecret,
      logger: silentLogger(),
      retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 10 },
      requestTimeoutMs: 10_000,
      pacing: false,
    });
    const broadcasters = Array.from({ length: BROADCASTERS }, (_, i) => String(90_000_000 + i));
    for (const [i, broadcasterId] of broadcasters.entries()) {
      await createFeed(
        db,
        {
          guildId,
          channelId: String(800_000_000 + i),
          broadcasterId,
          broadcasterLogin: `bench${i}`,
          broadcasterName: `Bench${i}`,
          minViews: 0,
          games: [],
          excludeGames: [],
          creatorsExclude: [],
          maxPerHour: 10,
          mentionRoleId: null,
          postMemberShared: true,
          takingOff: true,
          alertChannelId: null,
        },
        clock.now(),
      );
    }
    const sender = acceptingSender();
    const runner = createFeedRunner({ db, clock, logger: silentLogger(), twitch, sender, helixCallsPerRun: 10_000, owner: 'bench' });
    let serial = 0;
    const samples = await repeat(ctx.runs, async () => {
      // Every broadcaster due (15 minutes on), each with new clips made in the last minutes, some gathering views fast.
      clock.advance(15 * MINUTE_MS);
      for (const broadcasterId of broadcasters) {
        for (let k = 0; k < CLIPS_PER_POLL; k++) {
          serial += 1;
          helix.addClip({
            id: `BenchClip${serial}`,
            broadcaster_id: broadcasterId,
            created_at: new Date(clock.now() - (k + 1) * 2 * MINUTE_MS).toISOString(),
            view_count: 10 + ((serial * 37) % 400),
          });
        }
      }
      const started = performance.now();
      const summary = await runner.runOnce();
      const elapsed = performance.now() - started;
      if (summary.polled !== BROADCASTERS) throw new Error(`polled ${summary.polled} of ${BROADCASTERS} broadcasters`);
      return elapsed / BROADCASTERS;
    });
    // The floor: the same broadcasters' Get Clips windows alone, through the same client and fake.
    const floor = await repeat(ctx.runs, async () => {
      const started = performance.now();
      for (const broadcasterId of broadcasters)
        await twitch.getClipsByBroadcaster({ broadcasterId, startedAt: clock.now() - 45 * MINUTE_MS, endedAt: clock.now(), first: 100 });
      return (performance.now() - started) / BROADCASTERS;
    });
    return [
      figure('takeoff.poll_decide_ms_per_broadcaster', samples, 'ms', {
        better: 'lower',
        note: `one feed job run over ${BROADCASTERS} followed broadcasters with ${CLIPS_PER_POLL} new clips each (Get Clips against the fake Helix in this process, game names, filters, claims, up to max_per_hour posts, taking-off judgement); Discord's round trip left out`,
      }),
      figure('takeoff.floor_get_clips_ms_per_broadcaster', floor, 'ms', {
        better: 'lower',
        note: 'the floor: one Get Clips window per broadcaster alone, same client and fake',
      }),
    ];
  } finally {
    restore();
    await helix.stop();
  }
}
