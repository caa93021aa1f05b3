import { ForecastError } from '../errors';

/**
 * Timestamps are naive (no zone): a wall-clock time is stored as milliseconds since 1970-01-01 00:00 read as UTC, so
 * calendar fields come back with the `getUTC*` methods and no daylight-saving shift can creep in.
 */
const TIMESTAMP =
  /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** `Jan 1 2000`, `January 1, 2000`: an English month name, the day and the year (vega-datasets' stocks.csv). */
const MONTH_NAME_DATE = /^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** `Jan 1 2000` as `2000-1-1`, or the text unchanged. */
function monthNameDate(text: string): string {
  const m = MONTH_NAME_DATE.exec(text);
  if (!m) return text;
  const month = MONTHS.indexOf(m[1].slice(0, 3).toLowerCase());
  const full = [
    'january',
    'february',
    'march',
    'april',
    'may',
    'june',
    'july',
    'august',
    'september',
    'october',
    'november',
    'december',
  ][month];
  if (month < 0 || !(m[1].length === 3 || m[1].toLowerCase() === full || m[1].toLowerCase() === 'sept')) return text;
  return `${m[3]}-${month + 1}-${m[2]}`;
}

/**
 * Parses one timestamp (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]`, ISO 8601 with `T`, or a date with an English
 * month name such as `Jan 1 2000`); NaN when it is not one.
 */
export function parseTimestamp(text: unknown): number {
  if (typeof text !== 'string') return NaN;
  const m = TIMESTAMP.exec(monthNameDate(text.trim()));
  if (!m) return NaN;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const millis = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return NaN;
  let t = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Reject days that roll over (2021-02-30).
  if (new Date(t).getUTCDate() !== day) return NaN;
  if (m[8] && m[8] !== 'Z') {
    const sign = m[8][0] === '-' ? -1 : 1;
    const digits = m[8].slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60000;
  }
  return t;
}

/** Formats a naive timestamp as `YYYY-MM-DD HH:MM:SS` (the ETT style), or `YYYY-MM-DD` for whole days when `dateOnly`. */
export function formatTimestamp(t: number, dateOnly = false): string {
  const iso = new Date(t).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  return dateOnly ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/**
 * The time-feature set of the paper's code (Informer's `timefeatures.py`, `timeenc = 1`), chosen by the step:
 * `s` secondly, `t` minutely (also 15-minute), `h` hourly, `d` daily and coarser.
 */
export type TimeFeatureKind = 's' | 't' | 'h' | 'd';

/** A regular sampling step and how it is described to the user. */
export interface Frequency {
  /** The step between rows, in milliseconds. */
  stepMs: number;
  /** Human description, e.g. `hourly`, `15-minute`, `daily`. */
  label: string;
  /** Which time features the step gets. */
  kind: TimeFeatureKind;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function describeStep(stepMs: number): string {
  const units: [number, string, string][] = [
    [7 * DAY, 'weekly', 'week'],
    [DAY, 'daily', 'day'],
    [HOUR, 'hourly', 'hour'],
    [MINUTE, 'minutely', 'minute'],
    [SECOND, 'secondly', 'second'],
  ];
  for (const [size, one, unit] of units) {
    if (stepMs % size === 0) {
      const n = stepMs / size;
      return n === 1 ? one : `${n}-${unit}`;
    }
  }
  return `${stepMs}-millisecond`;
}

/** The frequency for a step in milliseconds. */
export function frequencyOf(stepMs: number): Frequency {
  const kind: TimeFeatureKind = stepMs < MINUTE ? 's' : stepMs < HOUR ? 't' : stepMs < DAY ? 'h' : 'd';
  return { stepMs, label: describeStep(stepMs), kind };
}

/**
 * Infers the step of a sorted series of timestamps: the most common difference between neighbours (ties go to the
 * smaller one). Gaps (larger differences that are whole multiples of the step) are allowed; the caller reports them.
 */
export function inferStep(times: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < times.length; i++) {
    const d = times[i] - times[i - 1];
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = -1;
  for (const [d, c] of counts) {
    if (d > 0 && (c > bestCount || (c === bestCount && d < best))) {
      best = d;
      bestCount = c;
    }
  }
  return best;
}

/** The number of time features for a kind: 6 (s), 5 (t), 4 (h), 3 (d). */
export function timeFeatureCount(kind: TimeFeatureKind): number {
  return { s: 6, t: 5, h: 4, d: 3 }[kind];
}

/** Names of the time features of a kind, in the order `timeFeatures` writes them. */
export function timeFeatureNames(kind: TimeFeatureKind): string[] {
  const day = ['dayOfWeek', 'dayOfMonth', 'dayOfYear'];
  return {
    s: ['secondOfMinute', 'minuteOfHour', 'hourOfDay', ...day],
    t: ['minuteOfHour', 'hourOfDay', ...day],
    h: ['hourOfDay', ...day],
    d: day,
  }[kind];
}

/**
 * Time features as in the paper's code, each in [-0.5, 0.5]:
 * secondOfMinute = s/59 − 0.5, minuteOfHour = min/59 − 0.5, hourOfDay = h/23 − 0.5, dayOfWeek = wd/6 − 0.5 (Monday
 * = 0), dayOfMonth = (day − 1)/30 − 0.5, dayOfYear = (doy − 1)/365 − 0.5. Returns `[times.length, count]` row-major.
 */
export function timeFeatures(times: ArrayLike<number>, kind: TimeFeatureKind): Float32Array {
  const k = timeFeatureCount(kind);
  const out = new Float32Array(times.length * k);
  for (let i = 0; i < times.length; i++) {
    const d = new Date(times[i]);
    const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
    const dayOfYear = Math.floor((times[i] - yearStart) / DAY) + 1;
    const weekday = (d.getUTCDay() + 6) % 7;
    const dayFeatures = [weekday / 6 - 0.5, (d.getUTCDate() - 1) / 30 - 0.5, (dayOfYear - 1) / 365 - 0.5];
    const hour = d.getUTCHours() / 23 - 0.5;
    const minute = d.getUTCMinutes() / 59 - 0.5;
    const second = d.getUTCSeconds() / 59 - 0.5;
    const row =
      kind === 's'
        ? [second, minute, hour, ...dayFeatures]
        : kind === 't'
          ? [minute, hour, ...dayFeatures]
          : kind === 'h'
            ? [hour, ...dayFeatures]
            : dayFeatures;
    out.set(row, i * k);
  }
  return out;
}

/** The `n` timestamps after `last`, one step apart. */
export function continueTimestamps(last: number, stepMs: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => last + (i + 1) * stepMs);
}

/** Throws a ForecastError if the timestamps are not strictly increasing; `lineOf(i)` names the file line of row i. */
export function checkSorted(times: ArrayLike<number>, where: string, lineOf: (row: number) => number): void {
  for (let i = 1; i < times.length; i++) {
    const d = times[i] - times[i - 1];
    if (d === 0) {
      throw new ForecastError(
        'DUPLICATE_TIMESTAMP',
        `${where}: line ${lineOf(i)} repeats the timestamp ${formatTimestamp(times[i])} of line ${lineOf(i - 1)}; ` +
          'remove or aggregate the duplicate rows.',
      );
    }
    if (d < 0) {
      throw new ForecastError(
        'UNSORTED_TIMESTAMPS',
        `${where}: timestamps are not sorted: line ${lineOf(i)} (${formatTimestamp(times[i])}) comes before line ` +
          `${lineOf(i - 1)} (${formatTimestamp(times[i - 1])}); sort the file by time.`,
      );
    }
  }
}
