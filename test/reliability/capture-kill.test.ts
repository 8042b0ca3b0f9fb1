// A bot killed with SIGKILL while it captures, on each engine, and (PostgreSQL) its connections cut by the server
// mid-stream with pg_terminate_backend (never a server restart: the server is shared). A child process writes a
// deterministic stream of ~1,000 Discord events through the capture service, reporting each committed chunk. After a
// kill, a new process resumes from the last event reported committed (the ones in flight may or may not have been
// stored: they are written again). Either way the database ends exactly as after an uninterrupted run: every event
// present, none counted twice.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingOnPostgres } from '../../src/database-engine';
import type { Engine } from '../../src/db/database';
import { closeDb, databaseTarget, openDb } from '../../src/db/open';
import { loadConfig } from '../../src/config';
import { createPostgresDatabase, testEngines, type TestPostgresDatabase } from '../helpers/engines';
import { spawnNode } from './child-process';
import { capturedState } from './capture-stream';

const CHILD = 'test/reliability/capture-stream-child.ts';
const CHUNK = '40';

// PostgreSQL joins once live capture runs there on main (src/database-engine.ts); until then it says why it does not.
const captureOnPostgres = missingOnPostgres(['capture']).length === 0;
const engines: Engine[] = testEngines().filter((engine) => engine === 'sqlite' || captureOnPostgres);
if (!engines.includes('postgres'))
  console.warn('capture-kill: PostgreSQL left out: live capture is not yet on PostgreSQL (NOT_YET_ON_POSTGRES in src/database-engine.ts)');

function committed(logFile: string): number {
  const found = [...fs.readFileSync(logFile, 'utf8').matchAll(/^committed (\d+)$/gm)].map((m) => Number(m[1]));
  return found.length === 0 ? 0 : Math.max(...found);
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(engines)('a capture stream on %s', (engine) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `clipscope-capture-kill-${engine}-`));
  const created: TestPostgresDatabase[] = [];
  let reference: Record<string, unknown[]>;

  /** A new, empty database on the engine (the child migrates it), as --database takes it. */
  async function newDatabase(label: string): Promise<string> {
    if (engine === 'sqlite') return path.join(dir, `${label}.db`);
    const database = await createPostgresDatabase(`capture_${label}`);
    created.push(database);
    return database.url;
  }

  async function stateOf(location: string): Promise<Record<string, unknown[]>> {
    const db = await openDb(databaseTarget(loadConfig({}), location), { migrate: false, poolSize: 2 });
    try {
      return await capturedState(db);
    } finally {
      await closeDb(db);
    }
  }

  const stream = (location: string, from: number, logFile: string) => spawnNode([CHILD, location, String(from), CHUNK], {}, logFile);

  beforeAll(async () => {
    const location = await newDatabase('reference');
    const logFile = path.join(dir, 'reference.log');
    expect(await stream(location, 0, logFile).exited).toEqual({ code: 0, signal: null });
    reference = await stateOf(location);
    expect(reference.shares!.length).toBeGreaterThan(100);
    expect(reference.reactions!.length).toBeGreaterThan(100);
  }, 120_000);
  afterAll(async () => {
    for (const database of created) await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('SIGKILLed mid-stream and resumed from the last committed event: every event stored exactly once', async () => {
    const location = await newDatabase('killed');
    const logFile = path.join(dir, 'killed.log');
    const first = stream(location, 0, logFile);
    await until(() => committed(logFile) >= 400, 60_000, '400 committed events');
    expect(await first.kill()).toBe(true);
    const resumeAt = committed(logFile);
    expect(resumeAt).toBeGreaterThanOrEqual(400);
    // Part of the stream is stored, not all of it: the kill landed mid-stream.
    const partial = await stateOf(location);
    expect(partial.shares!.length).toBeLessThan(reference.shares!.length);

    const second = stream(location, resumeAt, logFile);
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(await stateOf(location)).toEqual(reference);
  }, 120_000);

  it.runIf(engine === 'postgres')(
    'its connections cut by the server mid-stream: batches kept and retried, the stream completes, every event exactly once',
    async () => {
      const location = await newDatabase('cut');
      const logFile = path.join(dir, 'cut.log');
      const child = stream(location, 0, logFile);
      await until(() => committed(logFile) >= 200, 60_000, '200 committed events');
      const name = new URL(location).pathname.slice(1);
      const admin = new pg.Client({ connectionString: location });
      await admin.connect();
      let cut = 0;
      try {
        for (let i = 0; i < 15 && child.process.exitCode === null; i++) {
          const result = await admin.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'clipscope-capture-test'",
            [name],
          );
          cut += result.rowCount ?? 0;
          await new Promise((r) => setTimeout(r, 30));
        }
      } finally {
        await admin.end();
      }
      expect(cut).toBeGreaterThan(0);
      const exited = await child.exited;
      // On a failure, the child's last log lines say why (the committed-count lines are left out).
      const tail = fs
        .readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((line) => !/^(committed )?\d+$/.test(line))
        .slice(-5)
        .join('\n');
      expect(exited, tail).toEqual({ code: 0, signal: null });
      expect(fs.readFileSync(logFile, 'utf8')).toMatch(/^done$/m);
      expect(await stateOf(location)).toEqual(reference);
    },
    120_000,
  );
});
