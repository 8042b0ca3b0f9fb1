import { describe, expect, it } from 'vitest';
import { createExclusive } from '../../src/scheduler/exclusive';

/** A unit of work that logs its start, waits for the test to release it, then logs its end. */
function gatedWork(log: string[], name: string) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const startedSignal = new Promise<void>((resolve) => (started = resolve));
  const work = async () => {
    log.push(`${name} start`);
    started();
    await gate;
    log.push(`${name} end`);
    return name;
  };
  return { work, release, started: startedSignal };
}

describe('createExclusive', () => {
  it('runs work started from different places one after another, in order', async () => {
    const exclusive = createExclusive();
    const log: string[] = [];
    const full = gatedWork(log, 'full');
    const incremental = gatedWork(log, 'incremental');
    const fromFull = exclusive.run(full.work);
    const fromIncremental = exclusive.run(incremental.work);
    await full.started;
    // The second run must not start while the first is still in progress.
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['full start']);
    expect(exclusive.busy).toBe(true);
    full.release();
    await incremental.started;
    incremental.release();
    expect(await Promise.all([fromFull, fromIncremental])).toEqual(['full', 'incremental']);
    expect(log).toEqual(['full start', 'full end', 'incremental start', 'incremental end']);
    expect(exclusive.busy).toBe(false);
  });

  it('lets the next run go ahead after one fails, and hands the failure to its own caller only', async () => {
    const exclusive = createExclusive();
    const failing = exclusive.run(async () => {
      throw new Error('disk I/O error');
    });
    const next = exclusive.run(async () => 'done');
    await expect(failing).rejects.toThrow('disk I/O error');
    await expect(next).resolves.toBe('done');
    expect(exclusive.busy).toBe(false);
  });
});
