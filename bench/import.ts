// Import benchmark: generates a DiscordChatExporter export of 1M messages (one in ten with a clip link), imports
// it into a fresh database in a child process and reports messages/s and the child's peak RSS (its own maxRSS,
// so nothing of the generator or the parent is counted). Targets: ≥ 20,000 messages/s, peak RSS ≤ 200 MB.
// Alone: `node --import tsx bench/import.ts [--messages N] [--keep]`; or call benchImport() from the harness.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { systemClock } from '../src/clock';
import { closeDatabase, openDatabase } from '../src/db/client';
import { importExportFile } from '../src/importers/dce/import-file';
import { generateExport } from '../test/helpers/dce-export';
import { summarise, type Samples } from './measure';
import type { BenchSection } from './types';

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '..');

export const IMPORT_TARGETS = { messagesPerSecond: 20_000, peakRssMb: 200 };

/** The harness's figure shape (bench/types.ts). */
export interface ImportFigure {
  name: string;
  value: number;
  unit: string;
  min: number;
  max: number;
  runs: number;
  better?: 'higher' | 'lower';
  note?: string;
}

export interface ImportBenchResult {
  messages: number;
  clipMessages: number;
  fileMb: number;
  importSeconds: number;
  messagesPerSecond: number;
  /** Messages per CPU-second of the importing process (wall-clock rate with a machine of its own). */
  messagesPerCpuSecond: number;
  loadAverage: number[];
  mbPerSecond: number;
  peakRssMb: number;
  sharesRecorded: number;
  meetsTargets: boolean;
  figures: ImportFigure[];
}

interface ChildReport {
  messagesRead: number;
  seconds: number;
  /** User + system CPU time of the import: the honest cost when other work shares the machine. */
  cpuSeconds: number;
  peakRssMb: number;
  shares: number;
}

export async function benchImport(
  options: { messages?: number; runs?: number; workDir?: string; log?: (line: string) => void; keep?: boolean } = {},
): Promise<ImportBenchResult> {
  const messages = options.messages ?? 1_000_000;
  const log = options.log ?? (() => undefined);
  const workDir = options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-bench-import-'));
  fs.mkdirSync(workDir, { recursive: true });
  const file = path.join(workDir, 'channel-export.json');
  const database = path.join(workDir, 'import.db');
  try {
    log(`generating a ${messages.toLocaleString('en-US')}-message export …`);
    const generated = generateExport(file, { messages, clipEvery: 10 });
    log(`  ${(generated.bytes / 1_048_576).toFixed(0)} MB, ${generated.clipMessages.toLocaleString('en-US')} messages with a clip link`);
    // One warm-up import, then `runs` measured imports, each into a fresh database in a fresh process.
    const runs = options.runs ?? 1;
    const reports: ChildReport[] = [];
    for (let run = runs > 1 ? -1 : 0; run < runs; run++) {
      for (const f of [database, `${database}-wal`, `${database}-shm`]) fs.rmSync(f, { force: true });
      log(`importing in a child process${run < 0 ? ' (warm-up)' : ` (run ${run + 1} of ${runs})`} …`);
      const output = execFileSync(process.execPath, ['--import', 'tsx', SELF, '--child', file, database], {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 1 << 20,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const one = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as ChildReport;
      if (one.messagesRead !== generated.messages) throw new Error(`imported ${one.messagesRead} of ${generated.messages} messages`);
      if (run >= 0) reports.push(one);
    }
    const rates = summarise(reports.map((r) => r.messagesRead / r.seconds));
    const cpuRates = summarise(reports.map((r) => r.messagesRead / r.cpuSeconds));
    const rss = summarise(reports.map((r) => r.peakRssMb));
    const report = reports.find((r) => r.messagesRead / r.seconds === rates.median) ?? (reports[0] as ChildReport);
    const loadAverage = os.loadavg();
    const rate = rates.median;
    const cpuRate = cpuRates.median;
    const fileMb = generated.bytes / 1_048_576;
    const mbPerSecond = summarise(reports.map((r) => fileMb / r.seconds));
    const note = `${messages.toLocaleString('en-US')} messages, ${fileMb.toFixed(0)} MB, 1 in 10 with a clip link; fresh database and process per run`;
    const fig = (name: string, samples: Samples, unit: string, better: 'higher' | 'lower', text: string): ImportFigure => ({
      name,
      value: samples.median,
      min: samples.min,
      max: samples.max,
      runs: samples.values.length,
      unit,
      better,
      note: text,
    });
    const figures: ImportFigure[] = [
      fig(
        'import.messages_per_s',
        rates,
        'msg/s',
        'higher',
        `${note}; target ≥ ${IMPORT_TARGETS.messagesPerSecond.toLocaleString('en-US')}`,
      ),
      fig(
        'import.messages_per_cpu_s',
        cpuRates,
        'msg/CPU-s',
        'higher',
        `${note}; user+system CPU of the import, independent of other load (load average ${loadAverage[0]?.toFixed(1)})`,
      ),
      fig('import.mb_per_s', mbPerSecond, 'MB/s', 'higher', note),
      fig(
        'import.importer_peak_rss_mb',
        rss,
        'MiB',
        'lower',
        `maxRSS of the importing process (tsx loader included), ${note}; target ≤ ${IMPORT_TARGETS.peakRssMb}`,
      ),
    ];
    return {
      messages: report.messagesRead,
      clipMessages: generated.clipMessages,
      fileMb,
      importSeconds: report.seconds,
      messagesPerSecond: rate,
      messagesPerCpuSecond: cpuRate,
      loadAverage,
      mbPerSecond: mbPerSecond.median,
      peakRssMb: rss.median,
      sharesRecorded: report.shares,
      meetsTargets: rate >= IMPORT_TARGETS.messagesPerSecond && rss.median <= IMPORT_TARGETS.peakRssMb,
      figures,
    };
  } finally {
    if (!options.keep) {
      for (const f of [file, database, `${database}-wal`, `${database}-shm`]) fs.rmSync(f, { force: true });
      if (!options.workDir) fs.rmSync(workDir, { recursive: true, force: true });
    }
  }
}

/** Messages in the generated export, by dataset size: the import is its own workload, scaled with the community. */
const IMPORT_MESSAGES: Record<string, number> = { S: 100_000, M: 300_000, L: 1_000_000 };

/** The harness section: a DiscordChatExporter export imported into a fresh database (the dataset is not used). */
export const importSection: BenchSection = {
  name: 'import',
  title: 'Import of a DiscordChatExporter export: messages/s and peak RSS of the importing process',
  async run(ctx) {
    const messages = IMPORT_MESSAGES[ctx.size] ?? 1_000_000;
    const result = await benchImport({ messages, runs: ctx.runs, workDir: ctx.workDir, log: (line) => ctx.log(line) });
    return result.figures;
  },
};

/** The measured side: import one file into a new database, print timings and this process's peak RSS. */
async function runChild(file: string, database: string): Promise<void> {
  const db = openDatabase({ path: database });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const result = await importExportFile({ db, clock: systemClock }, file);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const shares = (db.$client.prepare('SELECT count(*) AS n FROM shares').get() as { n: number }).n;
  closeDatabase(db);
  // maxRSS is in kilobytes on Linux and macOS.
  const report: ChildReport = {
    messagesRead: result.messagesRead,
    seconds,
    cpuSeconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    shares,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { child: { type: 'boolean' }, messages: { type: 'string' }, keep: { type: 'boolean' }, dir: { type: 'string' } },
    allowPositionals: true,
  });
  if (values.child) {
    const [file, database] = positionals;
    if (!file || !database) throw new Error('--child FILE DATABASE');
    await runChild(file, database);
    return;
  }
  const messages = values.messages ? Number(values.messages) : undefined;
  const result = await benchImport({ messages, workDir: values.dir, keep: values.keep, log: (line) => process.stderr.write(`${line}\n`) });
  const { figures, ...summary } = result;
  process.stdout.write(
    `import: ${Math.round(result.messagesPerSecond).toLocaleString('en-US')} messages/s (${result.mbPerSecond.toFixed(1)} MB/s), ` +
      `${Math.round(result.messagesPerCpuSecond).toLocaleString('en-US')} messages per CPU-second (load average ${result.loadAverage[0]?.toFixed(1)}), ` +
      `${result.importSeconds.toFixed(1)} s for ${result.messages.toLocaleString('en-US')} messages, peak RSS ${result.peakRssMb.toFixed(0)} MiB ` +
      `→ ${result.meetsTargets ? 'meets' : 'MISSES'} the targets (≥ ${IMPORT_TARGETS.messagesPerSecond.toLocaleString('en-US')} msg/s, ≤ ${IMPORT_TARGETS.peakRssMb} MB)\n`,
  );
  const resultsDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const machine = {
    node: process.version,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    date: new Date().toISOString(),
  };
  fs.writeFileSync(path.join(resultsDir, 'import.json'), `${JSON.stringify({ ...summary, machine, figures }, null, 2)}\n`);
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench/import: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
