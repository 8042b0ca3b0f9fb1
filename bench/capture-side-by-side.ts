// Capture through the storage layer of two checkouts in one process, taking turns with the SQLite floor in every run,
// so a before/after is measured under the same load: `node --import tsx bench/capture-side-by-side.ts --base DIR
// --data FILE [--runs N] [--clips N]` (DIR: another checkout with its node_modules, e.g. a worktree of main; FILE: a
// generated community, e.g. bench/.data/community-S-seed1.db). Each side writes into its own copy of FILE, through
// capture batches of 1,000 events (the bot's queue) and, as the demo generator writes, plain transactions of 1,000
// events with each write's upkeep done at once. It also counts the statements each side's capture batches run (a
// wrapper of better-sqlite3's Statement in this process only), per batch of 1,000 events.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { Db } from '../src/db/client';
import { applyFloor, floorEvents, freshEvents } from './capture-storage';
import { BENCH_END_AT } from './dataset';
import type { BenchContext } from './types';

interface Side {
  name: string;
  root: string;
}

type Mode = 'batch' | 'bulk' | 'floor';

// Statements run while `counting` names a side (a wrapper of this process's better-sqlite3, not of the product's code).
let counting: string | null = null;
const statements = new Map<string, number>();
{
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, (...args: unknown[]) => unknown>;
  probe.close();
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const original = proto[method] as (...args: unknown[]) => unknown;
    proto[method] = function (this: unknown, ...args: unknown[]) {
      if (counting) statements.set(counting, (statements.get(counting) ?? 0) + 1);
      return original.apply(this, args);
    };
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' },
      data: { type: 'string' },
      runs: { type: 'string', default: '5' },
      clips: { type: 'string', default: '6000' },
    },
    strict: true,
  });
  if (!values.base || !values.data) throw new Error('--base DIR and --data FILE are required');
  const runs = Number(values.runs);
  const clips = Number(values.clips);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number ≥ 1');
  if (!Number.isInteger(clips) || clips < 10) throw new Error('--clips must be a whole number ≥ 10');
  const here = path.resolve(import.meta.dirname, '..');
  const sides: Side[] = [
    { name: 'before', root: path.resolve(values.base) },
    { name: 'after', root: here },
  ];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'capture-side-'));
  const results = new Map<string, { wall: number[]; cpu: number[] }>();
  const record = (key: string, events: number, seconds: number, cpuSeconds: number): void => {
    const r = results.get(key) ?? { wall: [], cpu: [] };
    r.wall.push(events / seconds);
    r.cpu.push(events / cpuSeconds);
    results.set(key, r);
  };
  try {
    // Each side's own modules (its client and capture functions), on its own copies of the data; the events and the
    // floor are this checkout's.
    const loaded = [];
    for (const side of sides) {
      const client = await import(path.join(side.root, 'src/db/client.ts'));
      const now = await import(path.join(side.root, 'src/capture/record-now.ts'));
      const batch = await import(path.join(side.root, 'src/capture/capture-batch.ts'));
      const share = await import(path.join(side.root, 'src/capture/record-share.ts'));
      const reaction = await import(path.join(side.root, 'src/capture/record-reaction.ts'));
      const bulk = await import(path.join(side.root, 'src/db/bulk.ts'));
      const dbs = new Map<Mode, unknown>();
      for (const mode of ['batch', 'bulk', 'floor'] as const) {
        const copy = path.join(work, `${side.name}-${mode}.db`);
        fs.copyFileSync(values.data, copy);
        dbs.set(mode, client.openDatabase({ path: copy }));
      }
      loaded.push({ side, client, now, batch, share, reaction, bulk, dbs });
    }
    const first = loaded[0]?.dbs.get('batch') as { $client: { prepare(sql: string): { get(): unknown } } };
    const largest = first.$client.prepare('SELECT guild_id, count(*) AS n FROM clips GROUP BY guild_id ORDER BY n DESC LIMIT 1').get() as {
      guild_id: string;
    };
    const ctx = { endAt: BENCH_END_AT } as BenchContext;
    let eventsPerRun = 0;
    let batchesCounted = 0;
    for (let run = -1; run < runs; run++) {
      for (const mode of ['batch', 'bulk', 'floor'] as const) {
        for (const l of loaded) {
          // The floor is the same statements on either side: measured once per run, on the "after" side's copy.
          if (mode === 'floor' && l.side.name === 'before') continue;
          const events = freshEvents(ctx, largest.guild_id, 1_000_003 * (run + 2) + 7, clips);
          eventsPerRun = events.length;
          const db = l.dbs.get(mode);
          const cpu0 = process.cpuUsage();
          const t0 = performance.now();
          if (mode === 'batch') {
            // As the bot's queue commits them (and applyThroughStorageLayer), with this side's functions.
            counting = run >= 0 ? l.side.name : null;
            if (run >= 0 && l.side.name === 'after') batchesCounted += Math.ceil(events.length / 1000);
            for (let start = 0; start < events.length; start += 1000) {
              const slice = events.slice(start, start + 1000);
              await l.batch.inCaptureBatch(db, async (tx: unknown) => {
                for (const e of slice) {
                  if (e.kind === 'message') await l.share.recordMessage(tx, e.snapshot, e.now);
                  else if (e.kind === 'reaction') await l.reaction.recordReactionAdded(tx, e.event, e.now);
                  else await l.share.recordMessagesDeleted(tx, e.guildId, [e.messageId], e.now);
                }
              });
            }
          } else if (mode === 'floor') applyFloor(db as Db, floorEvents(events), 1000);
          else {
            for (let start = 0; start < events.length; start += 1000) {
              const slice = events.slice(start, start + 1000);
              l.bulk.inBulkTransaction(db, () => {
                for (const e of slice) {
                  if (e.kind === 'message') l.now.recordMessageNow(db, e.snapshot, e.now);
                  else if (e.kind === 'reaction') l.now.recordReactionAddedNow(db, e.event, e.now);
                  else l.now.recordMessagesDeletedNow(db, e.guildId, [e.messageId], e.now);
                }
              });
            }
          }
          const seconds = (performance.now() - t0) / 1000;
          counting = null;
          const used = process.cpuUsage(cpu0);
          if (run >= 0)
            record(mode === 'floor' ? 'floor' : `${mode} ${l.side.name}`, events.length, seconds, (used.user + used.system) / 1e6);
        }
      }
    }
    const median = (xs: number[]): number => {
      const s = [...xs].sort((a, b) => a - b);
      const mid = Math.floor(s.length / 2);
      return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
    };
    const floor = results.get('floor') as { wall: number[]; cpu: number[] };
    console.log(
      `${eventsPerRun.toLocaleString('en-US')} events per run, ${runs} runs, load average ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    );
    console.log('| path | events/s (median, min–max) | ÷ floor | events/CPU-s | ÷ floor by CPU |');
    console.log('|:--|--:|--:|--:|--:|');
    for (const [key, r] of results) {
      const w = median(r.wall);
      const c = median(r.cpu);
      console.log(
        `| ${key} | ${Math.round(w).toLocaleString('en-US')} (${Math.round(Math.min(...r.wall)).toLocaleString('en-US')}–${Math.round(Math.max(...r.wall)).toLocaleString('en-US')}) | ${(w / median(floor.wall)).toFixed(2)}× | ${Math.round(c).toLocaleString('en-US')} | ${(c / median(floor.cpu)).toFixed(2)}× |`,
      );
    }
    for (const [side, n] of statements)
      console.log(`capture batches, ${side}: ${(n / Math.max(1, batchesCounted)).toFixed(1)} statements per batch of 1,000 events`);
    for (const l of loaded) for (const db of l.dbs.values()) l.client.closeDatabase(db);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
