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
import { importExportFile } from '../src/importers/discord-chat-exporter';
import { generateExport } from '../test/helpers/dce-export';

const SELF = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SELF), '..');

export const IMPORT_TARGETS = { messagesPerSecond: 20_000, peakRssMb: 200 };

/** The harness's figure shape (bench/types.ts on the bench branch). */
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

export async function benchImport(options: { messages?: number; workDir?: string; log?: (line: string) => void; keep?: boolean } = {}): Promise<ImportBenchResult> {
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
    log('importing in a child process …');
    const output = execFileSync(process.execPath, ['--import', 'tsx', SELF, '--child', file, database], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const report = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as ChildReport;
    if (report.messagesRead !== generated.messages) throw new Error(`imported ${report.messagesRead} of ${generated.messages} messages`);
    const loadAverage = os.loadavg();
    const rate = report.messagesRead / report.seconds;
    const cpuRate = report.messagesRead / report.cpuSeconds;
    const fileMb = generated.bytes / 1_048_576;
    const note = `${messages.toLocaleString('en-US')} messages, ${fileMb.toFixed(0)} MB, 1 in 10 with a clip link; fresh database`;
    const figures: ImportFigure[] = [
      { name: 'import.messages_per_s', value: rate, min: rate, max: rate, runs: 1, unit: 'msg/s', better: 'higher', note: `${note}; target ≥ ${IMPORT_TARGETS.messagesPerSecond.toLocaleString('en-US')}` },
      { name: 'import.messages_per_cpu_s', value: cpuRate, min: cpuRate, max: cpuRate, runs: 1, unit: 'msg/CPU-s', better: 'higher', note: `${note}; user+system CPU of the import, independent of other load (load average ${loadAverage[0]?.toFixed(1)})` },
      { name: 'import.mb_per_s', value: fileMb / report.seconds, min: fileMb / report.seconds, max: fileMb / report.seconds, runs: 1, unit: 'MB/s', better: 'higher', note },
      { name: 'import.peak_rss_mb', value: report.peakRssMb, min: report.peakRssMb, max: report.peakRssMb, runs: 1, unit: 'MiB', better: 'lower', note: `maxRSS of the importing process (tsx loader included); target ≤ ${IMPORT_TARGETS.peakRssMb}` },
    ];
    return {
      messages: report.messagesRead,
      clipMessages: generated.clipMessages,
      fileMb,
      importSeconds: report.seconds,
      messagesPerSecond: rate,
      messagesPerCpuSecond: cpuRate,
      loadAverage,
      mbPerSecond: fileMb / report.seconds,
      peakRssMb: report.peakRssMb,
      sharesRecorded: report.shares,
      meetsTargets: rate >= IMPORT_TARGETS.messagesPerSecond && report.peakRssMb <= IMPORT_TARGETS.peakRssMb,
      figures,
    };
  } finally {
    if (!options.keep) {
      for (const f of [file, database, `${database}-wal`, `${database}-shm`]) fs.rmSync(f, { force: true });
      if (!options.workDir) fs.rmSync(workDir, { recursive: true, force: true });
    }
  }
}

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
  const report: ChildReport = { messagesRead: result.messagesRead, seconds, cpuSeconds, peakRssMb: process.resourceUsage().maxRSS / 1024, shares };
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
  const machine = { node: process.version, cpu: os.cpus()[0]?.model.trim() ?? 'unknown', cores: os.cpus().length, date: new Date().toISOString() };
  fs.writeFileSync(path.join(resultsDir, 'import.json'), `${JSON.stringify({ ...summary, machine, figures }, null, 2)}\n`);
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench/import: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
