// How numbers and changes read in the report (English, grouped thousands), shared by its sections.
import type { Change } from '../analytics/types';

export const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** "+12 (+8.5%)", "−3 (−20.0%)", "+4 (new)" when the previous value was 0. */
export function changeText(c: Change): string {
  const sign = c.change > 0 ? '+' : c.change < 0 ? '−' : '±';
  const pct =
    c.change_pct === null
      ? c.current > 0
        ? 'new'
        : '—'
      : `${c.change_pct > 0 ? '+' : c.change_pct < 0 ? '−' : '±'}${Math.abs(c.change_pct).toFixed(1)}%`;
  return `${sign}${count(Math.abs(c.change))} (${pct})`;
}

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

export const hourLabel = (hour: number): string => `${String(hour).padStart(2, '0')}:00`;
