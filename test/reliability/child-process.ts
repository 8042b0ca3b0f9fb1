// Runs the real Clipscope (`node --import tsx src/main.ts` or the CLI) in a child process whose pino output is
// appended to one log file, so crash and secret tests see exactly what an operator would.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Child {
  process: ChildProcess;
  /** Resolves with the exit code (null) and signal once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, then wait for the exit; true when the process was still running (the kill cut it short). */
  kill(): Promise<boolean>;
}

export function spawnNode(args: string[], env: Record<string, string>, logFile: string): Child {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    // Only what the app needs: PATH for tsx, and nothing from the test runner's own environment.
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    process: child,
    exited,
    async kill() {
      const running = child.exitCode === null && child.signalCode === null;
      if (running) child.kill('SIGKILL');
      await exited;
      return running;
    },
  };
}

export function spawnApp(env: Record<string, string>, logFile: string): Child {
  return spawnNode(['src/main.ts'], env, logFile);
}

export function spawnCli(args: string[], env: Record<string, string>, logFile: string): Child {
  return spawnNode(['src/cli/index.ts', ...args], { CLIPSCOPE_CLI: '1', ...env }, logFile);
}

/** The JSON lines (pino's) a child has written to its log file so far; none while the file does not exist yet. */
export function logLines<T = Record<string, unknown>>(logFile: string): T[] {
  if (!fs.existsSync(logFile)) return [];
  return fs
    .readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as T);
}

/** Polls `predicate` every few ms until it holds; throws with `what` after the timeout. */
export async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 20_000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** A small seeded PRNG (mulberry32) so a failing run can be replayed with the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
