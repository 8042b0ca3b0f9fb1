// Repeated measurement: a warm-up run, then N runs, summarised as median, min and max.
import type { Figure } from './types';

export interface Samples {
  median: number;
  min: number;
  max: number;
  values: number[];
}

export function summarise(values: number[]): Samples {
  if (values.length === 0) throw new Error('no samples to summarise');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, values };
}

/** Runs `once` warmup + runs times and keeps the last `runs` results. */
export async function repeat(runs: number, once: (run: number) => number | Promise<number>, warmup = 1): Promise<Samples> {
  for (let i = 0; i < warmup; i++) await once(-1 - i);
  const values: number[] = [];
  for (let i = 0; i < runs; i++) values.push(await once(i));
  return summarise(values);
}

export function figure(name: string, samples: Samples, unit: string, extra: Pick<Figure, 'better' | 'note'> = {}): Figure {
  return { name, value: samples.median, min: samples.min, max: samples.max, runs: samples.values.length, unit, ...extra };
}

/** A figure measured once (a size, a count): min = max = value. */
export function single(name: string, value: number, unit: string, extra: Pick<Figure, 'better' | 'note'> = {}): Figure {
  return { name, value, min: value, max: value, runs: 1, unit, ...extra };
}

/** A ratio of two figures' medians, with the ratios of the extremes as its bounds. */
export function ratio(name: string, top: Figure, bottom: Figure, note: string): Figure {
  const values = [top.min / bottom.max, top.value / bottom.value, top.max / bottom.min];
  return {
    name,
    value: values[1] as number,
    min: Math.min(...values),
    max: Math.max(...values),
    runs: Math.min(top.runs, bottom.runs),
    unit: '×',
    better: 'higher',
    note,
  };
}
