// The short crash campaign inside `npm test`: the real app in a child process, SIGKILLed at random points during
// live capture, then enrichment, aggregation and an import each killed mid-run once. `npm run test:crash` runs ≥ 50.
import { describe, expect, it } from 'vitest';
import { runCrashHarness } from './crash-harness';

describe('crash safety', () => {
  it('loses no committed event, counts none twice, and ends with summaries equal to a full rebuild after SIGKILLs', async () => {
    const figures = await runCrashHarness({ captureKills: 4, jobKills: 1 });
    expect(figures.captureKills).toBe(4);
    expect(figures.lost).toBe(0);
    expect(figures.duplicated).toBe(0);
    expect(figures.secretsInLog).toBe(0);
    expect(figures.eventsDispatched).toBeGreaterThan(0);
    expect(figures.clips).toBeGreaterThan(0);
  }, 600_000);
});
