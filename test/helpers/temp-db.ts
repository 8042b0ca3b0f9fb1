// A fresh, migrated SQLite database in a temporary folder for each test, removed afterwards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeDatabase, openDatabase, type SqliteDb } from '../../src/db/client';

export interface TempDb {
  db: SqliteDb;
  path: string;
  dir: string;
  cleanup(): void;
}

export function createTempDb(options: { migrate?: boolean } = {}): TempDb {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-test-'));
  const file = path.join(dir, 'clipscope.db');
  const db = openDatabase({ path: file, migrate: options.migrate ?? true });
  return {
    db,
    path: file,
    dir,
    cleanup() {
      closeDatabase(db);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
