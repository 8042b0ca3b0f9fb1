// `node --import tsx bench/profile-incremental.ts [--size S] [--runs 3] [--template DB] [--keep-template] [--aggregated]
// [--top 30]`:
// PostgreSQL's incremental aggregation after 1,000 events (the benchmark's run), each statement timed by its text as
// the client sees it (round trip included), so the slow part of a run shows without server logging. Uses the
// benchmark's cached dataset of that size (run `npm run bench -- --size S` first) copied into a template database,
// or an existing template (`--template`, e.g. one kept by an earlier run; `--aggregated` when it already holds the
// summaries, e.g. after `clipscope aggregate --full` on it, to skip the full run).
import { parseArgs } from 'node:util';
import pg from 'pg';
import { z } from 'zod';
import { aggregateAll } from '../src/analytics/aggregate';
import { ManualClock } from '../src/clock';
import { closeDb, openDb } from '../src/db/open';
import { queries } from '../src/db/sql';
import { BENCH_END_AT, cachedDataset } from './dataset';
import {
  DEFAULT_BENCH_POSTGRES_URL,
  freshPostgresDatabase,
  keptPostgresDataset,
  type PostgresDataset,
  preparePostgresDataset,
} from './postgres';
import { addEvents } from './postgres-sections';

const argsSchema = z.object({
  size: z.string().min(1, '--size must name a dataset size'),
  runs: z.coerce.number().int('--runs must be a whole number').min(1, '--runs must be ≥ 1').max(50, '--runs must be ≤ 50'),
  top: z.coerce.number().int('--top must be a whole number').min(1, '--top must be ≥ 1').max(500, '--top must be ≤ 500'),
  template: z.string().min(1, '--template must name a database').optional(),
  keepTemplate: z.boolean(),
  aggregated: z.boolean(),
});

interface Timed {
  count: number;
  ms: number;
}

/** Times every statement any pg client of this process sends until stop(), by its text (whitespace folded). */
function timeStatements(): { stop(): Map<string, Timed> } {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const byText = new Map<string, Timed>();
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    const text = (typeof first === 'string' ? first : (first.text ?? '')).replace(/\s+/g, ' ').trim();
    const t0 = performance.now();
    const result = original.apply(this, args);
    const done = (): void => {
      const entry = byText.get(text) ?? { count: 0, ms: 0 };
      entry.count += 1;
      entry.ms += performance.now() - t0;
      byText.set(text, entry);
    };
    if (result instanceof Promise) result.then(done, done);
    return result;
  };
  return {
    stop() {
      proto.query = original;
      return byText;
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: 'S' },
      runs: { type: 'string', default: '3' },
      top: { type: 'string', default: '30' },
      template: { type: 'string' },
      'keep-template': { type: 'boolean', default: false },
      aggregated: { type: 'boolean', default: false },
    },
  });
  const parsed = argsSchema.safeParse({ ...values, keepTemplate: values['keep-template'] });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  const args = parsed.data;
  const dataset = cachedDataset(args.size, 1);
  const server = process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_POSTGRES_URL;
  const log = (line: string): void => console.log(line);
  let template: PostgresDataset;
  if (args.template) {
    // Another checkout (its code, this template) has no dataset of its own: the template is then taken as it is.
    if (dataset) template = await keptPostgresDataset(server, args.template, dataset.clips, log);
    else template = { template: args.template, copySeconds: 0, rows: 0, drop: async () => undefined };
  } else {
    if (!dataset) throw new Error(`no dataset of size ${args.size} built by this code: run \`npm run bench -- --size ${args.size}\` first`);
    template = await preparePostgresDataset(server, dataset.path, log);
  }
  if (!args.template && args.keepTemplate) log(`template kept: ${template.template} (pass it as --template next time)`);
  const fresh = await freshPostgresDatabase(server, template.template, 'profile');
  const db = await openDb(
    { engine: 'postgres', url: fresh.url, poolSize: 4, statementTimeoutMs: 0, acquireTimeoutMs: 30_000 },
    { migrate: false, applicationName: 'clipscope-profile' },
  );
  const clock = new ManualClock(BENCH_END_AT);
  try {
    const guilds = (
      await queries(db).all<{ guild_id: string }>('SELECT guild_id FROM clips GROUP BY guild_id ORDER BY count(*) DESC, guild_id')
    ).map((r) => r.guild_id);
    let t0 = performance.now();
    if (args.aggregated && !args.template) throw new Error('--aggregated needs --template (a fresh copy has no summaries)');
    if (!args.aggregated) {
      await aggregateAll(db, { clock }, { full: true });
      log(`full aggregation: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    }
    let last = new Map<string, Timed>();
    for (let run = 0; run < args.runs; run++) {
      await addEvents(db, guilds, 1000 + run, BENCH_END_AT);
      const timing = timeStatements();
      t0 = performance.now();
      try {
        await aggregateAll(db, { clock });
      } finally {
        last = timing.stop();
      }
      const total = performance.now() - t0;
      const entries = [...last.values()];
      const statements = entries.reduce((n, e) => n + e.count, 0);
      const inStatements = entries.reduce((n, e) => n + e.ms, 0);
      log(`incremental run ${run + 1}: ${total.toFixed(0)} ms, ${statements} statements, ${inStatements.toFixed(0)} ms waiting for them`);
    }
    log(`the last run's statements, slowest first (total ms, count, text):`);
    for (const [text, e] of [...last].sort((a, b) => b[1].ms - a[1].ms).slice(0, args.top)) {
      log(`${e.ms.toFixed(1).padStart(9)} ms ${String(e.count).padStart(5)}×  ${text.slice(0, 140)}`);
    }
  } finally {
    await closeDb(db);
    await fresh.drop();
    if (!args.keepTemplate && !args.template) await template.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
