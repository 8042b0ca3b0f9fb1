// Number and date formatting for the dashboard, in the reader's locale.

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

export function formatInteger(value) {
  return typeof value === 'number' && Number.isFinite(value) ? integer.format(value) : '—';
}

export function formatCompact(value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  return Math.abs(value) < 10_000 ? integer.format(value) : compact.format(value);
}

export function formatDecimal(value) {
  return typeof value === 'number' && Number.isFinite(value) ? decimal.format(value) : '—';
}

/** "+12.5% · was 120": the change and, beside it, the previous value it is measured against. */
export function formatChange(change) {
  if (!change) return '';
  const was = `was ${formatCompact(change.previous)}`;
  if (change.change_pct === null)
    return change.change === 0 ? `no change · ${was}` : `${change.change > 0 ? '+' : ''}${integer.format(change.change)} (new) · ${was}`;
  const sign = change.change_pct > 0 ? '+' : '';
  return `${sign}${decimal.format(change.change_pct)}% · ${was}`;
}

export function formatDate(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '—' : date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Only http(s) links are followed; anything else (javascript:, data:) is dropped. */
export function safeUrl(value) {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

/** "1 clip", "2 clips", "1,204 reactions": a count with its noun in the right number. */
export function countOf(n, one, many = `${one}s`) {
  return `${formatInteger(n)} ${n === 1 ? one : many}`;
}
