// Small formatting pieces shared by every Clipscope embed: numbers, ranks, changes, ages, sparklines.

/** Clipscope's embed colour (Twitch purple), and the ones for warnings and errors. */
export const COLORS = {
  brand: 0x9146ff,
  good: 0x2ecc71,
  warn: 0xf1c40f,
  bad: 0xe74c3c,
} as const;

const MEDALS = ['🥇', '🥈', '🥉'] as const;

/** 🥇 🥈 🥉 for the first three ranks (1-based), then "4." and so on. */
export function rankLabel(rank: number): string {
  return MEDALS[rank - 1] ?? `${rank}.`;
}

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimalFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** 12,345 — whole numbers with thousands separators. */
export function formatCount(n: number): string {
  return integerFormat.format(Math.round(n));
}

/** 1,234.5 — averages, one decimal at most. */
export function formatAverage(n: number): string {
  return decimalFormat.format(n);
}

/** 1.2k, 3.4M — compact, for tight spots such as sparkline captions. */
export function formatCompact(n: number): string {
  return new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

/** "1 clip", "2 clips". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** "▲ 12%", "▼ 3%", "± 0%", or "new" when there was nothing before. */
export function formatChange(current: number, previous: number): string {
  if (previous === 0) return current === 0 ? '± 0%' : 'new';
  const pct = ((current - previous) / previous) * 100;
  const rounded = Math.round(pct);
  if (rounded === 0) return '± 0%';
  return `${rounded > 0 ? '▲' : '▼'} ${Math.abs(rounded)}%`;
}

/** A change given as change_pct (null when the previous value was 0). */
export function formatChangePct(pct: number | null, current: number): string {
  if (pct === null) return current === 0 ? '± 0%' : 'new';
  const rounded = Math.round(pct);
  if (rounded === 0) return '± 0%';
  return `${rounded > 0 ? '▲' : '▼'} ${Math.abs(rounded)}%`;
}

/** "3 h", "5 d", "2 mo", "1 y": how long ago an ISO instant was, relative to now. */
export function formatAge(iso: string | null, now: number): string {
  if (!iso) return 'unknown age';
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return 'unknown age';
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  const days = Math.floor(hours / 24);
  if (days < 60) return `${days} d`;
  const months = Math.floor(days / 30.44);
  if (months < 24) return `${months} mo`;
  return `${Math.floor(days / 365.25)} y`;
}

/** Discord's own timestamp markup: every reader sees it in their own timezone. */
export function discordTimestamp(ms: number, style: 'f' | 'F' | 'd' | 'D' | 'R' | 't' = 'f'): string {
  return `<t:${Math.floor(ms / 1000)}:${style}>`;
}

const SPARK = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/** A one-line chart of the values, one block per value, scaled to the largest. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  if (max === 0) return SPARK[0].repeat(values.length);
  return values.map((v) => SPARK[Math.min(SPARK.length - 1, Math.round((v / max) * (SPARK.length - 1)))]).join('');
}

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** ISO weekday 1–7 → "Monday". */
export function weekdayName(isoWeekday: number): string {
  return WEEKDAYS[isoWeekday - 1] ?? `day ${isoWeekday}`;
}

/** 0–23 → "18:00–19:00". */
export function hourRange(hour: number): string {
  const pad = (h: number): string => String(h % 24).padStart(2, '0');
  return `${pad(hour)}:00–${pad(hour + 1)}:00`;
}
