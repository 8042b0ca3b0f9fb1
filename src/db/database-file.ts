// Opening the SQLite file that DATABASE_PATH names: its folder is created one level at a time (bounded by the path's
// depth), and every failure names the file, so an operator never reads "unable to open database file" without a path.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ClipscopeError } from '../errors';

function unopenable(file: string, reason: string): ClipscopeError {
  return new ClipscopeError(
    'database_unopenable',
    `cannot open the SQLite database ${file}: ${reason}; set DATABASE_PATH (or --database) to a file in a folder this process may write`,
    { userFacing: true, detail: { file } },
  );
}

/**
 * Creates the folder of `file` and any missing parents. Not fs.mkdirSync's recursive mode: on Linux a folder under
 * /proc answers ENOENT to mkdir although its parent exists, and Node's recursive mkdir then retries forever.
 */
export function makeDatabaseFolder(file: string): void {
  const resolved = path.resolve(file);
  const missing: string[] = [];
  // Walk up to the first folder that exists: at most one step per path segment.
  for (let dir = path.dirname(resolved); ; dir = path.dirname(dir)) {
    const stat = fs.statSync(dir, { throwIfNoEntry: false });
    if (stat?.isDirectory()) break;
    if (stat) throw unopenable(resolved, `${dir} is not a folder`);
    missing.push(dir);
    if (path.dirname(dir) === dir) break;
  }
  for (const dir of missing.reverse()) {
    try {
      fs.mkdirSync(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
      throw unopenable(resolved, `its folder ${dir} cannot be created (${code ?? (error as Error).message})`);
    }
  }
}

/** better-sqlite3's open, with its failure ("unable to open database file", "SQLITE_CANTOPEN") naming the file. */
export function openSqliteFile(file: string, options: { readonly?: boolean } = {}): Database.Database {
  try {
    return new Database(file, { readonly: options.readonly ?? false });
  } catch (error) {
    throw unopenable(file === ':memory:' ? file : path.resolve(file), error instanceof Error ? error.message : String(error));
  }
}
