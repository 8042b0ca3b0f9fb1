// A bot's capture stream in a child process, for the kill and connection-cut tests: a deterministic stream of
// Discord events (shares, reactions, edits, deletions of a generated guild) written through the capture service,
// from event `--from` on, `--chunk` events at a time; after each chunk is committed (flush resolved) it prints
// "committed N" (events 0..N-1 are stored). Usage: node --import tsx capture-stream-child.ts DATABASE FROM CHUNK
import fs from 'node:fs';
import { createCaptureService } from '../../src/capture/service';
import { systemClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { closeDb, databaseTarget, openDb } from '../../src/db/open';
import { createLogger } from '../../src/logger';
import { captureStream, applyEvent } from './capture-stream';

const [location, fromText, chunkText] = process.argv.slice(2);
if (!location || !fromText || !chunkText) throw new Error('usage: capture-stream-child.ts DATABASE FROM CHUNK');
const from = Number(fromText);
const chunk = Number(chunkText);
// Log lines (a lost connection, a retried batch) go to stderr, where the test keeps them.
const logger = createLogger({ level: 'info', destination: { write: (line: string) => process.stderr.write(line) } });
const db = await openDb(databaseTarget(loadConfig({}), location), { poolSize: 2, applicationName: 'clipscope-capture-test' });
const service = createCaptureService(db, { logger, clock: systemClock, batchMax: 25 });
const events = captureStream();
for (let start = from; start < events.length; start += chunk) {
  const end = Math.min(start + chunk, events.length);
  for (const event of events.slice(start, end)) service.write(event.kind, (writer) => applyEvent(writer, event));
  await service.flush();
  fs.writeSync(1, `committed ${end}\n`);
}
await service.stop();
await closeDb(db);
fs.writeSync(1, 'done\n');
