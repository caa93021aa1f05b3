/**
 * A one-line progress bar for long work on a terminal (stderr). On a non-TTY stream it prints one line every
 * `logEvery` steps instead of redrawing, so logs stay readable. Where there is no stderr (a browser) and no stream is
 * given, it prints nothing, so that library code that reports progress (training) also runs in a page.
 */

/** Where a bar is drawn: a Node stream such as `process.stderr`, or anything with `write`. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}
export interface ProgressOptions {
  /** What is being counted, shown before the bar. */
  label?: string;
  /** Stream to write to; stderr by default (none in a browser). */
  stream?: ProgressStream;
  /** Print nothing at all. */
  silent?: boolean;
  /** On a non-TTY stream, print every this many steps (and at the end). */
  logEvery?: number;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--';
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export class ProgressBar {
  private readonly total: number;
  private readonly label: string;
  private readonly stream: ProgressStream;
  private readonly silent: boolean;
  private readonly logEvery: number;
  private readonly start = Date.now();
  private current = 0;
  private lastDraw = 0;

  constructor(total: number, options: ProgressOptions = {}) {
    this.total = Math.max(1, total);
    this.label = options.label ?? '';
    const stderr = typeof process === 'undefined' ? undefined : process.stderr;
    this.stream = options.stream ?? stderr ?? { write: () => undefined };
    this.silent = (options.silent ?? false) || !(options.stream ?? stderr);
    this.logEvery = options.logEvery ?? Math.max(1, Math.ceil(this.total / 10));
  }

  /** Moves to step `value` (absolute) and redraws; `info` is shown after the bar (e.g. `loss 0.12`). */
  update(value: number, info = ''): void {
    this.current = Math.min(value, this.total);
    if (this.silent) return;
    const now = Date.now();
    const done = this.current >= this.total;
    if (this.stream.isTTY) {
      if (!done && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      this.stream.write(`\r${this.render(info)}\x1b[K`);
    } else if (done || this.current % this.logEvery === 0) {
      this.stream.write(`${this.render(info)}\n`);
    }
  }

  /** Advances by `n` steps. */
  tick(n = 1, info = ''): void {
    this.update(this.current + n, info);
  }

  /** Ends the line on a TTY. */
  finish(info = ''): void {
    this.update(this.total, info);
    if (!this.silent && this.stream.isTTY) this.stream.write('\n');
  }

  private render(info: string): string {
    const frac = this.current / this.total;
    const width = 24;
    const filled = Math.round(frac * width);
    const elapsed = (Date.now() - this.start) / 1000;
    const eta = this.current > 0 ? (elapsed / this.current) * (this.total - this.current) : Infinity;
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const head = this.label ? `${this.label} ` : '';
    return `${head}[${bar}] ${this.current}/${this.total} ${formatSeconds(elapsed)}<${formatSeconds(eta)}${info ? ' ' + info : ''}`;
  }
}
