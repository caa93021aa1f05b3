import { DataProblems } from './problems';
import { formatTimestamp } from './time';

/**
 * Checks on a table read from a file, before it becomes a regular series: duplicate timestamps and values that look
 * like a code for "missing" (sentinels such as -9999).
 */

/** What to do with rows that repeat a timestamp with different values. Identical repeats are always dropped. */
export type DuplicateRule = 'error' | 'first' | 'last' | 'mean';

export const DUPLICATE_RULES: readonly DuplicateRule[] = ['error', 'first', 'last', 'mean'];

export interface Deduplicated {
  times: Float64Array;
  lines: Uint32Array;
  /** One array per column, NaN = missing. */
  columns: Float64Array[];
  /** Rows dropped because they repeat an earlier row exactly. */
  identical: number;
  /** Rows merged into an earlier one by the rule `first`, `last` or `mean`. */
  merged: number;
}

const same = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));

/**
 * Collapses runs of rows with the same timestamp (the times must be sorted). Identical rows are dropped and counted;
 * rows that differ are merged by `rule`, or (rule `error`) recorded as problems with their lines.
 */
export function deduplicate(
  times: Float64Array,
  lines: Uint32Array,
  columns: Float64Array[],
  rule: DuplicateRule,
  problems: DataProblems,
): Deduplicated {
  const n = times.length;
  let repeats = false;
  for (let i = 1; i < n && !repeats; i++) repeats = times[i] === times[i - 1];
  if (!repeats) return { times, lines, columns, identical: 0, merged: 0 };
  const keep: number[] = [];
  const outCols = columns.map(() => new Float64Array(n));
  let identical = 0;
  let merged = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && times[j] === times[i]) j++;
    const r = keep.length;
    keep.push(i);
    columns.forEach((col, c) => (outCols[c][r] = col[i]));
    // Rows i+1 .. j-1 repeat the timestamp of row i.
    const distinct: number[] = [i];
    for (let k = i + 1; k < j; k++) {
      if (distinct.some((d) => columns.every((col) => same(col[d], col[k])))) identical++;
      else distinct.push(k);
    }
    if (distinct.length > 1) {
      if (rule === 'error') {
        for (const k of distinct.slice(1)) {
          problems.add(
            'DUPLICATE_TIMESTAMP',
            'rows that repeat a timestamp with different values',
            'remove them, or pick a rule with --duplicates first|last|mean.',
            lines[k],
            formatTimestamp(times[k]),
          );
        }
      } else {
        merged += distinct.length - 1;
        columns.forEach(
          (col, c) =>
            (outCols[c][r] = mergeValues(
              distinct.map((k) => col[k]),
              rule,
            )),
        );
      }
    }
    i = j;
  }
  const idx = Uint32Array.from(keep);
  return {
    times: Float64Array.from(idx, (k) => times[k]),
    lines: Uint32Array.from(idx, (k) => lines[k]),
    columns: outCols.map((c) => c.slice(0, keep.length)),
    identical,
    merged,
  };
}

function mergeValues(values: number[], rule: DuplicateRule): number {
  const present = values.filter((v) => !Number.isNaN(v));
  if (present.length === 0) return NaN;
  if (rule === 'first') return present[0];
  if (rule === 'last') return present[present.length - 1];
  return present.reduce((a, b) => a + b, 0) / present.length;
}

/** A value that looks like a code for "missing": repeated, and far outside every other value of its column. */
export interface Sentinel {
  column: string;
  value: number;
  count: number;
  lines: number[];
  /** The range of the other values (1st to 99th percentile). */
  rest: [number, number];
}

const SAMPLE = 20000;

function percentiles(values: Float64Array, skip: number): [number, number] | null {
  const n = values.length;
  const stride = Math.max(1, Math.floor(n / SAMPLE));
  const sample: number[] = [];
  for (let i = 0; i < n; i += stride) if (!Number.isNaN(values[i]) && values[i] !== skip) sample.push(values[i]);
  if (sample.length < 10) return null;
  sample.sort((a, b) => a - b);
  return [sample[Math.floor(0.01 * (sample.length - 1))], sample[Math.ceil(0.99 * (sample.length - 1))]];
}

/**
 * Finds a sentinel in a column: its smallest or largest value, present at least 3 times (and in at least 0.1 % of
 * the rows), and more than 10 times the spread of the other values (1st to 99th percentile) beyond them.
 */
export function findSentinel(column: string, values: Float64Array, lines: Uint32Array): Sentinel | null {
  let min = Infinity;
  let max = -Infinity;
  let present = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    present++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (present < 20) return null;
  for (const v of [min, max]) {
    const at: number[] = [];
    let count = 0;
    for (let i = 0; i < values.length; i++) {
      if (values[i] === v) {
        count++;
        if (at.length < 3) at.push(lines[i]);
      }
    }
    if (count < 3 || count < 0.001 * present) continue;
    const rest = percentiles(values, v);
    if (!rest) continue;
    const spread = Math.max(rest[1] - rest[0], 1e-12 * Math.max(Math.abs(rest[0]), Math.abs(rest[1])));
    const far = v < rest[0] ? rest[0] - v : v - rest[1];
    if (far > 10 * spread && far > 0) return { column, value: v, count, lines: at, rest };
  }
  return null;
}
