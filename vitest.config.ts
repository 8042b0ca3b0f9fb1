import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Fails a file whose code made pg queue a statement behind another on one client (ADR 0043).
    setupFiles: ['test/helpers/fail-on-queued-statements.ts'],
    // A poll waits for a page or a process to reach a state, not for a deadline: a loaded 2-core machine can take
    // seconds where an idle one takes milliseconds, and the tests' own timeout still bounds it.
    expect: { poll: { timeout: 10_000 } },
  },
});
