// `clipscope generate`: builds a synthetic community database (for demos, benchmarks and trying Clipscope out).
import fs from 'node:fs';
import os from 'node:os';
import type { Writable } from 'node:stream';
import { closeDatabase, openDatabase } from '../../db/client';
import { hashDatabaseContent } from '../../demo/content-hash';
import { generateCommunity, resolveSize, type GenerateSummary } from '../../demo/generator';
import { buildCommunityInParallel } from '../../demo/parallel-build';
import { CliError, type CliCommand } from '../command';
import { createProgress, formatDuration } from '../progress';

export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'Build a synthetic community database (S 10k, M 100k, L 1M clips)',
  help: `Usage: clipscope generate --size S|M|L|<clips> --out PATH [--seed N] [--end ISO-DATE] [--jobs N] [--force]

Writes a deterministic synthetic community (guilds, clips, Discord shares, reactions, edits, deletions)
through Clipscope's own capture code into a new SQLite database. The same seed and end date always give
the same content (the content hash printed at the end).

Options:
  --size S|M|L|N   S = 10,000 clips (3 guilds), M = 100,000 (8 guilds), L = 1,000,000 (20 guilds,
                   the largest 200,000), or a whole number of clips
  --out PATH       The database file to create
  --seed N         Random seed (default 1)
  --end DATE       End of the two-year window, ISO 8601 (default: today 00:00 UTC)
  --jobs N         Worker processes, each building some guilds, merged at the end (default: 1 below
                   50,000 clips, else the number of cores up to 4); the content is the same either way
  --force          Replace PATH if it already exists`,
  options: {
    size: { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string' },
    end: { type: 'string' },
    jobs: { type: 'string' },
    force: { type: 'boolean' },
  },
  async run({ values }, io) {
    if (typeof values.size !== 'string') throw new CliError('--size is required: S, M, L or a number of clips', 2);
    if (typeof values.out !== 'string' || values.out.trim() === '') throw new CliError('--out PATH is required', 2);
    let clips: number;
    try {
      clips = resolveSize(values.size);
    } catch (error) {
      throw new CliError((error as Error).message, 2);
    }
    const seedText = typeof values.seed === 'string' ? values.seed : '1';
    const seed = Number(seedText);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new CliError(`--seed must be a whole number from 0 to 4294967295 (got "${seedText}")`, 2);
    }
    let endAt: number;
    if (typeof values.end === 'string') {
      endAt = Date.parse(values.end);
      if (!Number.isFinite(endAt)) throw new CliError(`--end must be an ISO 8601 date such as 2026-11-01 (got "${values.end}")`, 2);
    } else {
      const now = new Date();
      endAt = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    }
    let jobs = clips < 50_000 ? 1 : Math.min(4, os.availableParallelism());
    if (typeof values.jobs === 'string') {
      jobs = Number(values.jobs);
      if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64)
        throw new CliError(`--jobs must be a whole number from 1 to 64 (got "${values.jobs}")`, 2);
    }
    const out = values.out;
    if (fs.existsSync(out)) {
      if (values.force !== true) throw new CliError(`${out} already exists; pass --force to replace it`);
      for (const file of [out, `${out}-wal`, `${out}-shm`]) fs.rmSync(file, { force: true });
    }

    // CliIo's stderr is a process stream in practice; createProgress only writes to it and reads isTTY/columns.
    const progress = createProgress({ label: 'Generating', total: clips, unit: 'clips', stream: io.stderr as Writable });
    const onProgress = (done: number, total: number): void => progress.update(done, total);
    let summary: GenerateSummary;
    if (jobs > 1) {
      summary = await buildCommunityInParallel({ path: out, clips, seed, endAt, jobs, onProgress });
    } else {
      const db = openDatabase({ path: out });
      try {
        summary = generateCommunity(db, { clips, seed, endAt, bulk: true, onProgress });
      } finally {
        closeDatabase(db);
      }
    }
    progress.finish();
    const db = openDatabase({ path: out });
    let hash: string;
    try {
      hash = hashDatabaseContent(db);
    } finally {
      closeDatabase(db);
    }
    io.stdout.write(
      [
        `Wrote ${out} in ${formatDuration(summary.durationMs / 1000)}${jobs > 1 ? ` (${jobs} worker processes)` : ''}:`,
        `  ${summary.guilds} guilds, ${summary.clips.toLocaleString('en-US')} clips (${summary.sharedClips.toLocaleString('en-US')} shared in Discord)`,
        `  ${summary.messages.toLocaleString('en-US')} messages, ${summary.shares.toLocaleString('en-US')} shares, ${summary.reactions.toLocaleString('en-US')} reactions, ${summary.edits} edits, ${summary.deletions} deletions`,
        `  seed ${seed}, window ends ${new Date(endAt).toISOString()}, content hash ${hash.slice(0, 16)}`,
        '',
      ].join('\n'),
    );
    return 0;
  },
};
