// Progress reporting for long CLI commands: a redrawn bar on a terminal, plain periodic lines otherwise.

export interface Progress {
  /** Sets the done count (and optionally a new total, and the count of `itemUnit` things handled). */
  update(done: number, total?: number, items?: number): void;
  /** Prints the final line. */
  finish(summary?: string): void;
}

export interface ProgressOptions {
  label: string;
  total?: number;
  unit?: string;
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  now?: () => number;
  /** Minimum time between plain lines when not on a terminal. */
  plainIntervalMs?: number;
  /**
   * When the bar measures one thing (e.g. bytes read, for an honest ETA) but users count another (messages):
   * the name of the other, shown with its own rate. With unit 'bytes', done/total print as MB.
   */
  itemUnit?: string;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => Date.now());
  const unit = options.unit ?? 'items';
  const started = now();
  const tty = Boolean(stream.isTTY);
  const plainInterval = options.plainIntervalMs ?? 2000;
  let total = options.total;
  let done = 0;
  let items = 0;
  let lastDraw = 0;
  const amount = (n: number): string => (unit === 'bytes' ? formatMegabytes(n) : n.toLocaleString('en-US'));

  const describe = (): string => {
    const elapsed = Math.max(1, now() - started) / 1000;
    const rate = done / elapsed;
    const parts = [`${options.label}: ${amount(done)}`];
    if (total !== undefined) parts[0] += `/${amount(total)}`;
    if (options.itemUnit !== undefined) {
      if (unit !== 'bytes') parts.push(unit);
      parts.push(`· ${items.toLocaleString('en-US')} ${options.itemUnit}`, `${formatRate(items / elapsed)} ${options.itemUnit}/s`);
    } else {
      parts.push(`${unit}`, `${formatRate(rate)} ${unit}/s`);
    }
    if (total !== undefined && rate > 0 && done < total) parts.push(`ETA ${formatDuration((total - done) / rate)}`);
    return parts.join(' ');
  };

  const draw = (force: boolean): void => {
    const t = now();
    if (tty) {
      if (!force && t - lastDraw < 100) return;
      lastDraw = t;
      const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - 60));
      const ratio = total ? Math.min(1, done / total) : 0;
      const filled = Math.round(ratio * width);
      const bar = total ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ` : '';
      stream.write(`\r\x1b[2K${bar}${describe()}`);
    } else if (force || t - lastDraw >= plainInterval) {
      lastDraw = t;
      stream.write(`${describe()}\n`);
    }
  };

  return {
    update(value, newTotal, newItems) {
      done = value;
      if (newTotal !== undefined) total = newTotal;
      if (newItems !== undefined) items = newItems;
      draw(false);
    },
    finish(summary) {
      draw(true);
      if (tty) stream.write('\n');
      if (summary) stream.write(`${summary}\n`);
    },
  };
}

function formatRate(rate: number): string {
  return rate >= 100 ? Math.round(rate).toLocaleString('en-US') : rate.toFixed(1);
}

function formatMegabytes(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
