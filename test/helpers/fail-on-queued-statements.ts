// Loaded before every test file (vitest.config.ts setupFiles): fails the file in which pg warned that a statement
// was sent on a client still running others (a transaction's statements started without awaiting; pg 9 will refuse
// them). Node warns once per process, and each test file runs in its own process, so one listener per file suffices.
import { afterAll } from 'vitest';

const QUEUED = 'Calling client.query() when the client is already executing a query';
let queued: Error | null = null;

process.on('warning', (warning) => {
  if (queued === null && warning.message.includes(QUEUED)) queued = warning;
});

afterAll(() => {
  if (queued !== null) {
    throw new Error(
      `a statement was sent on a PostgreSQL client already running another (await each, or run them through a Db handle):\n${queued.stack ?? queued.message}`,
    );
  }
});
