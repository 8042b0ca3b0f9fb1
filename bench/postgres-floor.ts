// The PostgreSQL floors of issue #16, on the same server and a fresh copy of the dataset, done with bare `pg`
// statements: capture's rows written as batched upserts (and, for scale, one prepared statement per row), the
// leaderboard's top-10 read on its index, and the aggregation's GROUP BY rebuild. The product's figures on PostgreSQL
// are set against these (bench/README.md).
import pg from 'pg';
import { freshEvents, floorEvents, type FloorEvent } from './capture-storage';
import { figure, summarise } from './measure';
import type { BenchContext, BenchSection, Figure } from './types';

const BATCH = 1000;
const CLIPS_PER_RUN = 6_000;
const TOP10_CALLS = 2_000;

/** One batch's rows as column arrays, written with one unnest() upsert per table. */
export async function applyBatched(client: pg.Client, events: FloorEvent[]): Promise<void> {
  const clips: unknown[][] = [[], [], [], [], [], []];
  const shares: unknown[][] = [[], [], [], [], [], [], [], [], []];
  const reactions: unknown[][] = [[], [], [], [], [], []];
  const deletes: unknown[][] = [[], [], []];
  const push = (columns: unknown[][], values: unknown[]): void => {
    for (let i = 0; i < values.length; i++) columns[i]!.push(values[i]);
  };
  for (const e of events) {
    if (e.kind === 'message') {
      const s = e.snapshot;
      for (const link of e.links) {
        push(clips, [s.guildId, link.clipId, link.url, e.now, s.postedAt, e.now]);
        push(shares, [
          s.guildId,
          s.channelId,
          s.threadId ?? null,
          s.messageId,
          link.clipId,
          s.authorId,
          s.authorName,
          s.authorIsBot,
          s.postedAt,
        ]);
      }
    } else if (e.kind === 'reaction') {
      const r = e.event;
      push(reactions, [r.guildId, r.channelId, r.messageId, r.emojiKey, r.userId, r.at]);
    } else {
      push(deletes, [e.guildId, e.messageId, e.now]);
    }
  }
  await client.query('BEGIN');
  await client.query({
    name: 'floor_clips',
    text: `INSERT INTO clips (guild_id, clip_id, url, first_seen_at, first_shared_at, last_updated_at, source)
      SELECT g, c, u, f, s, l, 'discord' FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[]) AS t(g, c, u, f, s, l)
      ON CONFLICT (guild_id, clip_id) DO NOTHING`,
    values: clips,
  });
  await client.query({
    name: 'floor_shares',
    text: `INSERT INTO shares (guild_id, channel_id, thread_id, message_id, clip_id, author_id, author_name, author_is_bot, posted_at, source)
      SELECT *, 'discord' FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::bigint[])
      ON CONFLICT (guild_id, message_id, clip_id) DO NOTHING`,
    values: shares,
  });
  await client.query({
    name: 'floor_reactions',
    text: `INSERT INTO reactions (guild_id, channel_id, message_id, emoji_key, user_id, reacted_at)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
      ON CONFLICT (guild_id, message_id, emoji_key, user_id) DO NOTHING`,
    values: reactions,
  });
  await client.query({
    name: 'floor_deletes',
    text: `UPDATE shares SET deleted_at = d.at FROM unnest($1::text[], $2::text[], $3::bigint[]) AS d(guild_id, message_id, at)
      WHERE shares.guild_id = d.guild_id AND shares.message_id = d.message_id AND shares.deleted_at IS NULL`,
    values: deletes,
  });
  await client.query('COMMIT');
}

/** The same rows with one prepared statement per row (a round trip each), BATCH events per transaction. */
async function applyPerRow(client: pg.Client, events: FloorEvent[]): Promise<void> {
  await client.query('BEGIN');
  for (const e of events) {
    if (e.kind === 'message') {
      const s = e.snapshot;
      for (const link of e.links) {
        await client.query({
          name: 'row_clip',
          text: `INSERT INTO clips (guild_id, clip_id, url, first_seen_at, first_shared_at, last_updated_at, source)
            VALUES ($1, $2, $3, $4, $5, $6, 'discord') ON CONFLICT (guild_id, clip_id) DO NOTHING`,
          values: [s.guildId, link.clipId, link.url, e.now, s.postedAt, e.now],
        });
        await client.query({
          name: 'row_share',
          text: `INSERT INTO shares (guild_id, channel_id, thread_id, message_id, clip_id, author_id, author_name, author_is_bot, posted_at, source)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'discord') ON CONFLICT (guild_id, message_id, clip_id) DO NOTHING`,
          values: [
            s.guildId,
            s.channelId,
            s.threadId ?? null,
            s.messageId,
            link.clipId,
            s.authorId,
            s.authorName,
            s.authorIsBot,
            s.postedAt,
          ],
        });
      }
    } else if (e.kind === 'reaction') {
      const r = e.event;
      await client.query({
        name: 'row_reaction',
        text: `INSERT INTO reactions (guild_id, channel_id, message_id, emoji_key, user_id, reacted_at)
          VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (guild_id, message_id, emoji_key, user_id) DO NOTHING`,
        values: [r.guildId, r.channelId, r.messageId, r.emojiKey, r.userId, r.at],
      });
    } else {
      await client.query({
        name: 'row_delete',
        text: 'UPDATE shares SET deleted_at = $1 WHERE guild_id = $2 AND message_id = $3 AND deleted_at IS NULL',
        values: [e.now, e.guildId, e.messageId],
      });
    }
  }
  await client.query('COMMIT');
}

/** SQLite's bare GROUP BY floor (bench/analytics.ts) in PostgreSQL's words: the same groupings, rows fetched. */
export async function bareGroupBy(client: pg.Client): Promise<void> {
  const bucket: Record<string, (col: string) => string> = {
    day: (c) => `${c} / 86400000`,
    week: (c) => `(${c} / 86400000 + 3) / 7`,
    month: (c) => `to_char(to_timestamp(${c} / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM')`,
    all_time: () => '0',
  };
  for (const b of Object.values(bucket)) {
    await client.query(
      `SELECT guild_id, ${b('clip_created_at')}, coalesce(game_id, ''), creator_id, count(*), sum(view_count), min(clip_created_at), max(clip_created_at)
         FROM clips WHERE clip_created_at IS NOT NULL AND creator_id IS NOT NULL AND enrichment_state <> 'not_found' GROUP BY 1, 2, 3, 4`,
    );
    await client.query(
      `SELECT s.guild_id, ${b('s.posted_at')}, c.game_id, c.creator_id, count(*) FROM shares s
         LEFT JOIN clips c ON c.guild_id = s.guild_id AND c.clip_id = s.clip_id WHERE s.deleted_at IS NULL GROUP BY 1, 2, 3, 4`,
    );
    await client.query(
      `SELECT r.guild_id, ${b('r.reacted_at')}, c.game_id, c.creator_id, count(*) FROM reactions r
         JOIN shares s ON s.guild_id = r.guild_id AND s.message_id = r.message_id AND s.deleted_at IS NULL
         LEFT JOIN clips c ON c.guild_id = s.guild_id AND c.clip_id = s.clip_id GROUP BY 1, 2, 3, 4`,
    );
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** The section; `clipsPerRun` and `top10Calls` smaller only for the harness's own tests. */
export function postgresFloorSection(options: { clipsPerRun?: number; top10Calls?: number } = {}): BenchSection {
  const clipsPerRun = options.clipsPerRun ?? CLIPS_PER_RUN;
  const top10Calls = options.top10Calls ?? TOP10_CALLS;
  return {
    name: 'floor',
    title: 'PostgreSQL floors: bare batched upserts, the top-10 read, the GROUP BY rebuild',
    sqlite: false,
    postgres: { needs: [], run: (ctx) => runFloors(ctx, clipsPerRun, top10Calls) },
    run: async () => [],
  };
}

async function runFloors(ctx: BenchContext, clipsPerRun: number, top10Calls: number): Promise<Figure[]> {
  if (!ctx.postgresUrl) throw new Error('the floor section runs on PostgreSQL only (--engine postgres or both)');
  const client = new pg.Client({ connectionString: ctx.postgresUrl });
  await client.connect();
  try {
    const largest = (
      await client.query<{ guild_id: string; n: string }>(
        'SELECT guild_id, count(*) AS n FROM clips GROUP BY guild_id ORDER BY 2 DESC LIMIT 1',
      )
    ).rows[0];
    if (!largest) throw new Error('the PostgreSQL copy of the dataset has no clips');
    const figures: Figure[] = [];

    // Capture's rows: both variants take turns within each run, on events of their own seed.
    const seedFor = (variant: number, run: number): number => (ctx.seed * 7919 + 2_000_003 * variant + run + 100) >>> 0;
    const rates = { batched: [] as number[], perRow: [] as number[] };
    let eventsPerRun = 0;
    for (let run = -1; run < ctx.runs; run++) {
      for (const [variant, apply] of [
        ['batched', applyBatched],
        ['perRow', applyPerRow],
      ] as const) {
        const events = floorEvents(freshEvents(ctx, largest.guild_id, seedFor(variant === 'batched' ? 1 : 2, run + 1), clipsPerRun));
        eventsPerRun = events.length;
        const t0 = performance.now();
        for (let start = 0; start < events.length; start += BATCH) await apply(client, events.slice(start, start + BATCH));
        const seconds = (performance.now() - t0) / 1000;
        if (run >= 0) rates[variant].push(events.length / seconds);
      }
    }
    const perRun = `${eventsPerRun.toLocaleString('en-US')} events per run into the largest guild, ${BATCH} per transaction`;
    figures.push(
      figure('floor.capture_batched_events_per_s', summarise(rates.batched), 'events/s', {
        better: 'higher',
        note: `bare unnest() upserts, one statement per table per batch; ${perRun}`,
      }),
      figure('floor.capture_per_row_events_per_s', summarise(rates.perRow), 'events/s', {
        better: 'higher',
        note: `bare prepared upserts, one round trip per row; ${perRun}`,
      }),
    );

    // The GROUP BY rebuild.
    const groupBy: number[] = [];
    for (let run = -1; run < ctx.runs; run++) {
      const t0 = performance.now();
      await bareGroupBy(client);
      if (run >= 0) groupBy.push((performance.now() - t0) / 1000);
    }
    figures.push(
      figure('floor.group_by_s', summarise(groupBy), 's', {
        better: 'lower',
        note: 'the aggregation floor: bench/analytics.ts bare GROUP BY statements, day/week/month/all time',
      }),
    );

    // The top-10 read, on creator_analytics' views index; all-time rows built by one GROUP BY when the copy has none.
    await client.query(
      `INSERT INTO creator_analytics (guild_id, creator_id, creator_name, period_type, period_start, clip_count, total_views, avg_views, computed_at)
       SELECT guild_id, creator_id, max(creator_name), 'all_time', 0, count(*), coalesce(sum(view_count), 0), coalesce(avg(view_count), 0), 0
         FROM clips WHERE guild_id = $1 AND creator_id IS NOT NULL GROUP BY guild_id, creator_id
       ON CONFLICT DO NOTHING`,
      [largest.guild_id],
    );
    await client.query('ANALYZE creator_analytics');
    const top10 = {
      name: 'floor_top10',
      text: `SELECT creator_id, creator_name, clip_count, total_views FROM creator_analytics
        WHERE guild_id = $1 AND period_type = 'all_time' AND period_start = $2
        ORDER BY total_views DESC, clip_count DESC, creator_id LIMIT 10`,
      values: [largest.guild_id, 0],
    };
    const p50s: number[] = [];
    const p99s: number[] = [];
    for (let run = -1; run < ctx.runs; run++) {
      const samples: number[] = [];
      for (let i = 0; i < top10Calls; i++) {
        const t0 = performance.now();
        await client.query(top10);
        samples.push(performance.now() - t0);
      }
      if (run < 0) continue;
      samples.sort((a, b) => a - b);
      p50s.push(percentile(samples, 50));
      p99s.push(percentile(samples, 99));
    }
    const readNote = `${top10Calls.toLocaleString('en-US')} calls per run over loopback, one connection, a named prepared statement`;
    figures.push(
      figure('floor.top10_p50_ms', summarise(p50s), 'ms', { better: 'lower', note: readNote }),
      figure('floor.top10_p99_ms', summarise(p99s), 'ms', { better: 'lower', note: `${readNote}; the product's goal is p99 ≤ 2 ms` }),
    );
    ctx.log(
      `batched upserts ${Math.round(summarise(rates.batched).median)} events/s, GROUP BY ${summarise(groupBy).median.toFixed(2)} s, top-10 p99 ${summarise(p99s).median.toFixed(3)} ms`,
    );
    return figures;
  } finally {
    await client.end();
  }
}
