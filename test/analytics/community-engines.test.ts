// The generated community (community-model.ts) aggregated on PostgreSQL: its raw data, written by SQLite's capture
// functions, is copied into PostgreSQL after each phase (raw-copy.ts), and PostgreSQL's summaries, built by a first
// full run and then an incremental one, must equal SQLite's row for row, equal a full rebuild, and give the
// independent model's answers (totals, distinct counts, creators and their names) per month, DST week and all time,
// in New York, Berlin and Kolkata. The read functions are checked against the model in community.test.ts.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { aggregateAll } from '../../src/analytics/aggregate';
import { ManualClock } from '../../src/clock';
import { inBulkTransaction } from '../../src/db/bulk';
import { queries } from '../../src/db/sql';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { Community, Naive, naiveStartOf, type GuildSpec, type ModelClip, type ModelMessage, type NaivePeriod } from './community-model';
import { copyRawTables, summaryRows, type SummaryDump } from './raw-copy';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const NOW = Date.parse('2026-04-20T15:00:00Z');
const FROM = Date.parse('2025-10-05T00:00:00Z');
const DAY = 86_400_000;
const GUILDS: GuildSpec[] = [
  { id: 'g-east', timezone: 'America/New_York', clips: 160, creators: [0, 17] },
  { id: 'g-berlin', timezone: 'Europe/Berlin', clips: 100, creators: [12, 27] },
  { id: 'g-mumbai', timezone: 'Asia/Kolkata', clips: 40, creators: [25, 29] },
];
/** Mondays of weeks with a DST change in New York or Berlin. */
const DST_MONDAYS = ['2025-10-20', '2025-10-27', '2026-03-02', '2026-03-23'];
const clock = new ManualClock(NOW);

// Skipped (with the reason printed) only when PostgreSQL is skipped on purpose; CI never skips it.
describe.skipIf(!testEngines().includes('postgres'))('the community aggregated on PostgreSQL', () => {
  const engine = 'postgres' as const;
  let sqlite: TempDb;
  let t: TestDatabase;
  let community: Community;
  let afterIncremental: SummaryDump;

  function pickMessages(guild: string, n: number): ModelMessage[] {
    const all = [...community.messages.values()].filter((m) => m.guild === guild && !m.deleted);
    const out: ModelMessage[] = [];
    for (let i = 0; i < n && all.length > 0; i++) out.push(all.splice(community.rand.int(0, all.length - 1), 1)[0] as ModelMessage);
    return out;
  }

  function enrichSome(clips: ModelClip[]): void {
    for (const clip of clips) {
      const stored = community.clips.get(Community.key(clip.guild, clip.clipId));
      if (!stored || stored.meta) continue;
      const roll = community.rand.next();
      if (roll < 0.85) community.enrich(stored, community.planned(clip));
      else if (roll < 0.92) {
        inBulkTransaction(sqlite.db, () =>
          sqlite.db.$client
            .prepare(`UPDATE clips SET enrichment_state = 'not_found' WHERE guild_id = ? AND clip_id = ?`)
            .run(stored.guild, stored.clipId),
        );
        stored.state = 'not_found';
      }
    }
  }

  /** Copies, aggregates both engines and expects PostgreSQL's summaries equal to SQLite's. */
  async function aggregateBoth(): Promise<SummaryDump> {
    await copyRawTables(sqlite.db, t.db);
    await aggregateAll(sqlite.db, { clock });
    await aggregateAll(t.db, { clock });
    const rows = await summaryRows(t.db);
    expect(rows).toEqual(await summaryRows(sqlite.db));
    return rows;
  }

  beforeAll(async () => {
    sqlite = createTempDb();
    t = await openTestDatabase(engine, 'community-engines');
    community = new Community(sqlite.db, 20261206, GUILDS, FROM, NOW);
    community.setup();
    const later = new Map<string, ModelClip[]>();
    for (const guild of GUILDS) {
      const clips = community.createClips(guild, guild.clips);
      const first = clips.slice(0, Math.round(clips.length * 0.6));
      later.set(guild.id, clips.slice(first.length));
      community.shareClips(guild, first);
      enrichSome(first);
      community.reactAtRandom(guild.id, guild.clips * 2);
      for (const message of pickMessages(guild.id, 8)) {
        community.snapshot(message, '😂', ['user1'], 2 + community.rand.int(1, 6), message.postedAt + 3_600_000);
      }
    }
    await aggregateBoth();
    for (const guild of GUILDS) {
      const clips = later.get(guild.id) as ModelClip[];
      community.shareClips(guild, clips);
      enrichSome(clips);
      for (const message of pickMessages(guild.id, 10)) community.writeMessage(message, message.clips.slice(1));
      for (const message of pickMessages(guild.id, 6)) community.deleteMessage(message);
      const reactions = [...community.reactions.values()].filter((r) => r.guild === guild.id);
      for (let i = 0; i < 20 && reactions.length > 0; i++) {
        const r = reactions.splice(community.rand.int(0, reactions.length - 1), 1)[0]!;
        community.unreact(community.messages.get(r.messageId) as ModelMessage, r.emoji, r.user);
      }
      const enriched = community.clipsOf(guild.id).filter((c) => c.meta && c.state === 'done');
      for (const clip of enriched.slice(0, 2)) community.markNotFound(clip);
      for (const clip of enriched.slice(2, 15)) community.refreshViews(clip, clip.meta!.views + community.rand.int(1, 5000), NOW - DAY);
      community.reactAtRandom(guild.id, 40);
    }
    afterIncremental = await aggregateBoth();
  });

  afterAll(async () => {
    await t?.close();
    sqlite?.cleanup();
  });

  it('leaves PostgreSQL exactly as its own full rebuild would after the incremental run', async () => {
    const summary = await aggregateAll(t.db, { clock }, { full: true });
    expect(summary.rebuilt).toBe(GUILDS.length * 4);
    expect({ ...(await summaryRows(t.db)), state: null }).toEqual({ ...afterIncremental, state: null });
  });

  /** The period_start of a naive calendar period, from the model's own local-date arithmetic. */
  function periodsOf(guild: GuildSpec): Array<{ period: NaivePeriod; type: string; start: number }> {
    const out: Array<{ period: NaivePeriod; type: string; start: number }> = [
      { period: { type: 'all_time', offset: 0 }, type: 'all_time', start: 0 },
    ];
    for (let offset = 0; offset <= 7; offset++) {
      const d = new Date(Date.UTC(2026, 3 - offset, 1));
      out.push({ period: { type: 'month', offset }, type: 'month', start: naiveStartOf(guild.timezone, d.toISOString().slice(0, 10)) });
    }
    const thisMonday = Date.parse('2026-04-20T00:00:00Z');
    for (const monday of DST_MONDAYS) {
      const offset = Math.round((thisMonday - Date.parse(`${monday}T00:00:00Z`)) / (7 * DAY));
      out.push({ period: { type: 'week', offset }, type: 'week', start: naiveStartOf(guild.timezone, monday) });
    }
    return out;
  }

  it.each(GUILDS.map((g) => [g.id, g] as const))('gives the model totals and distinct counts for %s', async (_id, guild) => {
    const naive = new Naive(community, guild.id, guild.timezone, NOW);
    const q = queries(t.db);
    let nonEmpty = 0;
    for (const { period, type, start } of periodsOf(guild)) {
      const f = naive.periodFacts(period);
      const counted = f.clips.map((c) => c.meta!);
      const expected = {
        clip_count: counted.length,
        total_views: counted.reduce((s, m) => s + m.views, 0),
        unique_creators: new Set(counted.map((m) => m.creatorId)).size,
        unique_games: new Set(counted.map((m) => m.gameId ?? '')).size,
        discord_shares: f.shares.length,
        discord_reactions: f.reactions.reduce((s, r) => s + r.n, 0),
      };
      const row = await q.get(
        `SELECT clip_count, total_views, unique_creators, unique_games, discord_shares, discord_reactions FROM guild_period_stats
          WHERE guild_id = ? AND period_type = ? AND period_start = ?`,
        [guild.id, type, start],
      );
      const empty = { clip_count: 0, total_views: 0, unique_creators: 0, unique_games: 0, discord_shares: 0, discord_reactions: 0 };
      expect(row ?? empty, `${guild.id} ${type} ${new Date(start).toISOString()}`).toEqual(expected);
      if (row) nonEmpty += 1;
    }
    expect(nonEmpty).toBeGreaterThan(8);
  });

  it.each(GUILDS.map((g) => [g.id, g] as const))(
    "gives the model's all-time creators with their latest names for %s",
    async (_id, guild) => {
      const naive = new Naive(community, guild.id, guild.timezone, NOW);
      const f = naive.periodFacts({ type: 'all_time', offset: 0 });
      const counts = (c: ModelClip): boolean => c.meta !== null && c.state !== 'not_found';
      const creators = new Map<string, { clip_count: number; total_views: number; discord_shares: number; discord_reactions: number }>();
      const of = (id: string) => {
        let c = creators.get(id);
        if (!c) creators.set(id, (c = { clip_count: 0, total_views: 0, discord_shares: 0, discord_reactions: 0 }));
        return c;
      };
      for (const clip of f.clips) {
        of(clip.meta!.creatorId).clip_count += 1;
        of(clip.meta!.creatorId).total_views += clip.meta!.views;
      }
      for (const s of f.shares) if (counts(s.clip)) of(s.clip.meta!.creatorId).discord_shares += 1;
      for (const r of f.reactions) if (counts(r.clip)) of(r.clip.meta!.creatorId).discord_reactions += r.n;
      const expected = [...creators]
        .filter(([, c]) => c.clip_count > 0 || c.discord_shares > 0 || c.discord_reactions > 0)
        .map(([id, c]) => ({ creator_id: id, creator_name: naive.creatorName(id), ...c }))
        .sort((a, b) => (a.creator_id < b.creator_id ? -1 : 1));
      const rows = await queries(t.db).all(
        `SELECT creator_id, creator_name, clip_count, total_views, discord_shares, discord_reactions FROM creator_analytics
        WHERE guild_id = ? AND period_type = 'all_time' ORDER BY creator_id`,
        [guild.id],
      );
      expect(rows.length).toBeGreaterThan(3);
      expect(rows).toEqual(expected);
    },
  );
});
