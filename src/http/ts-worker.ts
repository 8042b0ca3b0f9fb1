// Starts a worker thread on a TypeScript entry file. Node 20 does not apply `--import tsx` (in execArgv or inherited)
// to worker threads, so the thread starts tsx's loader itself and imports the entry through it, as `npm start` runs
// the main thread.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

function bootstrapCode(entry: string): string {
  const tsxRoot = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(path.join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  const quoted = JSON.stringify(entry);
  return `import(${JSON.stringify(tsxApi)}).then(({ tsImport }) => tsImport(${quoted}, ${quoted}));`;
}

/** A worker thread running `entry` (a file URL of a .ts module); `options` as for node's Worker (not `eval`). */
export function startTsWorker(entry: string, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  return new Worker(bootstrapCode(entry), { ...options, eval: true });
}
