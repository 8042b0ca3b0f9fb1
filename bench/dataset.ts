// The benchmark dataset: a generated community database, built once per size, seed and code version and cached
// in bench/.data/ (git-ignored). Rebuilt when the generator, capture code or schema changes.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDatabase, openDatabase } from '../src/db/client';
import { hashDatabaseContent } from '../src/demo/content-hash';
import { generateCommunity, type GenerateSummary } from '../src/demo/generator';
import { buildCommunityInParallel } from '../src/demo/parallel-build';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DATA_DIR = path.join(ROOT, 'bench', '.data');
/** Every dataset ends here, so runs on different days measure the same data. */
export const BENCH_END_AT = Date.UTC(2026, 0, 1);

export interface DatasetInfo {
  path: string;
  size: string;
  clips: number;
  seed: number;
  endAt: number;
  /** Hash of the code that wrote it (generator, capture, schema). */
  codeFingerprint: string;
  contentHash: string;
  generatedAt: string;
  durationMs: number;
  /** Worker processes that built it. */
  jobs: number;
  /** The largest peak RSS of the processes that built it. */
  peakRssMb: number;
  summary: GenerateSummary;
}

/** Hash of the sources whose change would change the generated database. */
export function codeFingerprint(): string {
  const hash = createHash('sha256');
  // drizzle/ holds both engines' migrations (drizzle/sqlite, drizzle/postgres), read recursively.
  for (const dir of ['src/demo', 'src/capture', 'src/db', 'src/twitch', 'drizzle']) {
    const files = fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' }).sort();
    for (const file of files) {
      const full = path.join(ROOT, dir, file);
      if (fs.statSync(full).isFile()) hash.update(`${dir}/${file}\n`).update(fs.readFileSync(full));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

export function datasetPath(size: string, seed: number): string {
  return path.join(DATA_DIR, `community-${size}-seed${seed}.db`);
}

/** The cached dataset's description, if it exists and was built by the current code. */
export function cachedDataset(size: string, seed: number): DatasetInfo | null {
  const file = datasetPath(size, seed);
  try {
    const info = JSON.parse(fs.readFileSync(`${file}.json`, 'utf8')) as DatasetInfo;
    if (info.codeFingerprint !== codeFingerprint() || info.endAt !== BENCH_END_AT || !fs.existsSync(file)) return null;
    return info;
  } catch {
    return null;
  }
}

/** Builds the dataset (in this process, which should be a child so its RSS is its own). */
export async function buildDataset(
  size: string,
  clips: number,
  seed: number,
  onProgress?: (done: number, total: number) => void,
): Promise<DatasetInfo> {
  // Large datasets are built by worker processes (as `clipscope generate` does); the content is the same.
  const jobs = clips < 50_000 ? 1 : Math.min(4, os.availableParallelism());
  const file = datasetPath(size, seed);
  fs.mkdirSync(DATA_DIR, { recursive: true });
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}.json`]) fs.rmSync(f, { force: true });
  const partial = `${file}.partial`;
  for (const f of [partial, `${partial}-wal`, `${partial}-shm`]) fs.rmSync(f, { force: true });
  let summary: GenerateSummary;
  let workerPeakRssMb = 0;
  if (jobs > 1) {
    const parallel = await buildCommunityInParallel({ path: partial, clips, seed, endAt: BENCH_END_AT, jobs, onProgress });
    summary = parallel;
    workerPeakRssMb = parallel.workerPeakRssMb;
  } else {
    const db = openDatabase({ path: partial });
    try {
      summary = generateCommunity(db, { clips, seed, endAt: BENCH_END_AT, bulk: true, onProgress });
    } finally {
      closeDatabase(db);
    }
  }
  const db = openDatabase({ path: partial });
  let contentHash: string;
  try {
    contentHash = hashDatabaseContent(db);
  } finally {
    closeDatabase(db);
  }
  fs.renameSync(partial, file);
  const info: DatasetInfo = {
    path: file,
    size,
    clips,
    seed,
    endAt: BENCH_END_AT,
    codeFingerprint: codeFingerprint(),
    contentHash,
    generatedAt: new Date().toISOString(),
    durationMs: summary.durationMs,
    jobs,
    peakRssMb: Math.max(workerPeakRssMb, process.resourceUsage().maxRSS / 1024),
    summary,
  };
  fs.writeFileSync(`${file}.json`, `${JSON.stringify(info, null, 2)}\n`);
  return info;
}
