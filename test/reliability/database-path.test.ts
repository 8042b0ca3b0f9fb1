// A DATABASE_PATH that cannot be opened stops `npm start` at once with a line naming the path: a folder under /proc
// (where Node's recursive mkdir used to spin forever) and a path that is a folder, not a file.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs the real entry point; resolves with its exit code and output, or kills it after `limitMs` (a hang). */
function start(databasePath: string, limitMs: number): Promise<{ code: number | null; output: string; hung: boolean }> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(DISCORD_|TWITCH_|HTTP_|DATABASE_)/.test(key)));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...inherited, DATABASE_PATH: databasePath, HTTP_ENABLED: 'false', LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolve) => {
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, hung });
    });
  });
}

describe('a DATABASE_PATH that cannot be opened', () => {
  let dir = '';
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  it.skipIf(!fs.existsSync('/proc/self'))(
    'under /proc fails at once, naming the path, instead of hanging',
    async () => {
      const file = '/proc/clipscope-no-such-folder/clipscope.db';
      const result = await start(file, 20_000);
      expect(result.hung).toBe(false);
      expect(result.code).not.toBe(0);
      expect(result.output).toContain(file);
    },
    30_000,
  );

  it('that is a folder fails naming the path', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-dbpath-'));
    const result = await start(dir, 20_000);
    expect(result.hung).toBe(false);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(`cannot open the SQLite database ${dir}`);
  }, 30_000);
});
