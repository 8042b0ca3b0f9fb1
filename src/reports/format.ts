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

/** A length of time as the report shows it: "1 h 05 min", "12 min", "40 s". */
export function durationText(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min`;
}

/** "4.5/h", or "—" over no time. */
export const rateText = (perHour: number | null): string => (perHour === null ? '—' : `${perHour.toLocaleString('en-US')}/h`);

/** "40%" of a whole, "0%" of nothing. */
export const shareText = (part: number, whole: number): string => `${whole > 0 ? Math.round((100 * part) / whole) : 0}%`;
