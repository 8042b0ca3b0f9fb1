// DATABASE_PATH pointing at another application's SQLite file (issue #24, finding 5): Clipscope refuses it with one
// line naming the file, before writing anything to it (no WAL switch, no migration table, none of its tables).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/db/client';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-foreign-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Another application's database: a table of its own, or one whose name clashes with Clipscope's. */
function foreignDatabase(file: string, table: string): string {
  const other = new Database(file);
  other.exec(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO ${table} (body) VALUES ('keep me'), ('and me');`);
  other.close();
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

const filesIn = (folder: string) => fs.readdirSync(folder).sort();

describe('a database that is not Clipscope’s', () => {
  it.each(['notes', 'clips'])('is refused before anything is written to it (a table named %s)', (table) => {
    const file = path.join(dir, 'other-app.db');
    const before = foreignDatabase(file, table);
    expect(() => openDatabase({ path: file })).toThrow(`${file} is not a Clipscope database (it holds other tables: ${table})`);
    expect(createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe(before);
    expect(filesIn(dir)).toEqual(['other-app.db']);
    const other = new Database(file, { readonly: true });
    expect(other.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(other.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual([table]);
    other.close();
  });

  it('stops `npm start` with one line naming the file', async () => {
    const file = path.join(dir, 'other-app.db');
    foreignDatabase(file, 'notes');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: dir, DATABASE_PATH: file, HTTP_ENABLED: 'false', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Old code started serving on the file instead of exiting: stop it so no process outlives the test.
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(guard);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      `clipscope: failed to start: ${file} is not a Clipscope database (it holds other tables: notes); set DATABASE_PATH to a new file or to Clipscope's own database`,
    ]);
  });

  it('still opens a new file, an empty one, and Clipscope’s own database', () => {
    const fresh = path.join(dir, 'fresh.db');
    closeDatabase(openDatabase({ path: fresh }));
    closeDatabase(openDatabase({ path: fresh }));
    const empty = path.join(dir, 'empty.db');
    fs.writeFileSync(empty, '');
    closeDatabase(openDatabase({ path: empty }));
  });
});
