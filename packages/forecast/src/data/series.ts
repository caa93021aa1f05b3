import * as fs from 'fs';
import * as path from 'path';
import { ForecastError } from '../errors';
import { Frequency, checkSorted, formatTimestamp, frequencyOf, inferStep, parseTimestamp } from './time';

/** How missing values and missing rows (gaps in the time index) are filled. */
export type FillRule = 'ffill' | 'linear' | 'none';

/** What was found and done while reading a series. */
export interface DataReport {
  /** Rows in the file (data lines, header excluded). */
  fileRows: number;
  /** Empty cells per kept column. */
  missing: Record<string, number>;
  /** Runs of missing timestamps: the row before the gap and how many steps are missing. */
  gaps: { after: string; missingRows: number }[];
  /** Columns of the file that were not kept, with the reason. */
  skippedColumns: { name: string; reason: string }[];
  /** The rule used to fill missing values and gap rows. */
  fill: FillRule;
}

/**
 * A regular multivariate time series: `length` rows at a fixed step, `columns` numeric columns, values row-major
 * (`values[row * columns.length + col]`). Timestamps are naive (see `parseTimestamp`).
 */
export interface TimeSeries {
  /** Where it came from (a file path or `memory`). */
  source: string;
  timeColumn: string;
  times: Float64Array;
  columns: string[];
  values: Float64Array;
  length: number;
  frequency: Frequency;
  report: DataReport;
}

export interface ReadCsvOptions {
  /** The column holding timestamps; detected when absent (a column named date/time/timestamp/datetime/ds, else the first column whose values parse as timestamps). */
  timeColumn?: string;
  /** Keep only these columns (checked to exist and to be numeric); default: every numeric column. */
  columns?: string[];
  /** How to fill empty cells and gap rows; default `ffill`. `none` makes them an error. */
  fill?: FillRule;
}

const TIME_NAMES = ['date', 'time', 'timestamp', 'datetime', 'ds'];
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Line number in the file of data row `row` (the header is line 1). */
const lineOf = (row: number): number => row + 2;

type Cell = string | number | boolean | null | undefined;

function cellToNumber(cell: Cell): number | 'missing' | 'nonfinite' | 'text' {
  if (cell === null || cell === undefined) return 'missing';
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : 'nonfinite';
  if (typeof cell === 'boolean') return 'text';
  const s = cell.trim();
  if (s === '' || /^(na|null|none)$/i.test(s)) return 'missing';
  if (NON_FINITE.test(s)) return 'nonfinite';
  if (NUMBER.test(s)) return Number(s);
  return 'text';
}

/** Reads the raw table with danfojs-node, after checking the two cases danfo cannot tell apart. */
async function readTable(file: string): Promise<{ columns: string[]; rows: Cell[][] }> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new ForecastError('FILE_NOT_FOUND', `${file}: no such file; check the --csv path.`);
  }
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) {
    throw new ForecastError('EMPTY_FILE', `${file}: the file is empty; pass a CSV with a header line and data rows.`);
  }
  if (lines.length === 1) {
    throw new ForecastError(
      'HEADER_ONLY',
      `${file}: the file has a header line (${lines[0].slice(0, 80)}) but no data rows; add data rows.`,
    );
  }
  // danfojs-node (ESM-friendly CommonJS build); loaded lazily because it is heavy.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const dfd = require('danfojs-node') as typeof import('danfojs-node');
  const df = await dfd.readCSV(file, { skipEmptyLines: true } as never);
  return { columns: df.columns.map(String), rows: df.values as Cell[][] };
}

function detectTimeColumn(file: string, columns: string[], rows: Cell[][]): string {
  const byName = columns.find((c) => TIME_NAMES.includes(c.trim().toLowerCase()));
  if (byName !== undefined) return byName;
  const sample = rows.slice(0, 20);
  for (let c = 0; c < columns.length; c++) {
    if (sample.every((r) => typeof r[c] === 'string' && Number.isFinite(parseTimestamp(r[c])))) return columns[c];
  }
  throw new ForecastError(
    'NO_TIME_COLUMN',
    `${file}: no time column found among ${columns.join(', ')}; name it with --time-col (values like 2016-07-01 00:00:00).`,
  );
}

/** Reads a CSV into a regular TimeSeries: parses and checks timestamps, infers the step, fills missing values. */
export async function readCsv(file: string, options: ReadCsvOptions = {}): Promise<TimeSeries> {
  const where = path.basename(file);
  const fill = options.fill ?? 'ffill';
  if (!['ffill', 'linear', 'none'].includes(fill)) {
    throw new ForecastError('BAD_ARGUMENT', `--fill: unknown rule '${fill}'; use ffill, linear or none.`);
  }
  const { columns, rows } = await readTable(file);
  const timeColumn = options.timeColumn ?? detectTimeColumn(where, columns, rows);
  const tIdx = columns.indexOf(timeColumn);
  if (tIdx < 0) {
    throw new ForecastError(
      'UNKNOWN_COLUMN',
      `${where}: time column '${timeColumn}' is not in the header (${columns.join(', ')}); fix --time-col.`,
    );
  }
  const n = rows.length;
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = parseTimestamp(rows[i][tIdx]);
    if (!Number.isFinite(t)) {
      throw new ForecastError(
        'BAD_TIMESTAMP',
        `${where}: line ${lineOf(i)}, column '${timeColumn}': cannot parse '${String(rows[i][tIdx])}' as a timestamp; ` +
          'use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.',
      );
    }
    times[i] = t;
  }
  checkSorted(times, where, lineOf);

  // Classify the other columns; keep the numeric ones (or exactly the requested ones).
  const skippedColumns: DataReport['skippedColumns'] = [];
  const wanted = options.columns;
  for (const name of wanted ?? []) {
    if (!columns.includes(name)) {
      throw new ForecastError(
        'UNKNOWN_COLUMN',
        `${where}: column '${name}' is not in the header (${columns.join(', ')}); check --target / --columns.`,
      );
    }
  }
  const kept: { name: string; data: Float64Array; missing: number }[] = [];
  for (let c = 0; c < columns.length; c++) {
    const name = columns[c];
    if (c === tIdx || (wanted && !wanted.includes(name))) continue;
    const data = new Float64Array(n);
    let missing = 0;
    let problem: string | null = null;
    for (let i = 0; i < n && problem === null; i++) {
      const v = cellToNumber(rows[i][c]);
      if (v === 'missing') {
        data[i] = NaN;
        missing++;
      } else if (v === 'nonfinite') {
        throw new ForecastError(
          'NON_FINITE_VALUE',
          `${where}: line ${lineOf(i)}, column '${name}': value '${String(rows[i][c])}' is not finite; ` +
            'replace it with a number, or leave the cell empty so that --fill can fill it.',
        );
      } else if (v === 'text') {
        problem = `line ${lineOf(i)} holds '${String(rows[i][c]).slice(0, 40)}', not a number`;
      } else {
        data[i] = v;
      }
    }
    if (problem !== null) {
      if (wanted) {
        throw new ForecastError('NON_NUMERIC_VALUE', `${where}: column '${name}': ${problem}; fix the value or choose another column.`);
      }
      skippedColumns.push({ name, reason: problem });
      continue;
    }
    if (missing === n) {
      if (wanted) {
        throw new ForecastError('MISSING_VALUES', `${where}: column '${name}' has no values at all; choose another column.`);
      }
      skippedColumns.push({ name, reason: 'every cell is empty' });
      continue;
    }
    kept.push({ name, data, missing });
  }
  if (kept.length === 0) {
    throw new ForecastError(
      'NO_NUMERIC_COLUMN',
      `${where}: no numeric column besides the time column '${timeColumn}'` +
        (skippedColumns.length ? ` (${skippedColumns.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : '') +
        '; a forecast needs at least one column of numbers.',
    );
  }
  if (n < 2) {
    throw new ForecastError('TOO_FEW_ROWS', `${where}: only ${n} data row; a series needs at least 2 rows to have a step.`);
  }

  // The step, gaps and the regular index.
  const step = inferStep(times);
  const gaps: DataReport['gaps'] = [];
  let length = 1;
  for (let i = 1; i < n; i++) {
    const d = times[i] - times[i - 1];
    if (d % step !== 0) {
      throw new ForecastError(
        'IRREGULAR_TIMESTAMPS',
        `${where}: line ${lineOf(i)} (${formatTimestamp(times[i])}) is ${d / 1000} s after the line before, not a ` +
          `multiple of the inferred step (${step / 1000} s); resample the series to a regular step first.`,
      );
    }
    if (d > step) gaps.push({ after: formatTimestamp(times[i - 1]), missingRows: d / step - 1 });
    length += d / step;
  }
  const missing: Record<string, number> = {};
  for (const k of kept) missing[k.name] = k.missing;
  const totalMissing = kept.reduce((s, k) => s + k.missing, 0);
  if (fill === 'none' && (gaps.length > 0 || totalMissing > 0)) {
    const parts = [];
    if (gaps.length) parts.push(`${gaps.length} gap(s) in the time index (first after ${gaps[0].after}, ${gaps[0].missingRows} missing row(s))`);
    if (totalMissing) parts.push(`${totalMissing} empty cell(s) (${kept.filter((k) => k.missing).map((k) => `${k.name}: ${k.missing}`).join(', ')})`);
    throw new ForecastError('MISSING_VALUES', `${where}: ${parts.join(' and ')} with --fill none; use --fill ffill or --fill linear.`);
  }

  const regularTimes = new Float64Array(length);
  const C = kept.length;
  const values = new Float64Array(length * C).fill(NaN);
  for (let r = 0; r < length; r++) regularTimes[r] = times[0] + r * step;
  for (let i = 0; i < n; i++) {
    const r = (times[i] - times[0]) / step;
    for (let c = 0; c < C; c++) values[r * C + c] = kept[c].data[i];
  }
  for (let c = 0; c < C; c++) fillColumn(values, length, C, c, fill);

  return {
    source: file,
    timeColumn,
    times: regularTimes,
    columns: kept.map((k) => k.name),
    values,
    length,
    frequency: frequencyOf(step),
    report: { fileRows: n, missing, gaps, skippedColumns, fill },
  };
}

/**
 * Fills NaN cells of column `c` in place. `ffill` carries the last value forward; `linear` interpolates between the
 * nearest values on both sides. Both fill leading NaNs with the first value (and `linear` trailing ones with the last).
 */
export function fillColumn(values: Float64Array, length: number, C: number, c: number, rule: FillRule): void {
  if (rule === 'none') return;
  let prev = -1;
  for (let r = 0; r < length; r++) {
    if (Number.isNaN(values[r * C + c])) continue;
    const v = values[r * C + c];
    const from = prev < 0 ? 0 : prev + 1;
    for (let k = from; k < r; k++) {
      if (prev < 0 || rule === 'ffill') values[k * C + c] = prev < 0 ? v : values[prev * C + c];
      else {
        const a = values[prev * C + c];
        values[k * C + c] = a + ((v - a) * (k - prev)) / (r - prev);
      }
    }
    prev = r;
  }
  for (let k = prev + 1; k < length; k++) values[k * C + c] = values[prev * C + c];
}

/** Builds a TimeSeries from arrays (timestamps in ms, naive; values row-major `[times.length, columns.length]`). */
export function timeSeriesFromArrays(input: {
  times: ArrayLike<number>;
  columns: string[];
  values: ArrayLike<number>;
  timeColumn?: string;
}): TimeSeries {
  const n = input.times.length;
  const C = input.columns.length;
  if (input.values.length !== n * C) {
    throw new ForecastError('BAD_ARGUMENT', `timeSeriesFromArrays: values has ${input.values.length} numbers, expected ${n} rows × ${C} columns.`);
  }
  if (n < 2) throw new ForecastError('TOO_FEW_ROWS', `timeSeriesFromArrays: need at least 2 rows, got ${n}.`);
  const times = Float64Array.from(input.times);
  checkSorted(times, 'timeSeriesFromArrays', (r) => r);
  const step = inferStep(times);
  for (let i = 1; i < n; i++) {
    if (times[i] - times[i - 1] !== step) {
      throw new ForecastError('IRREGULAR_TIMESTAMPS', `timeSeriesFromArrays: row ${i} breaks the regular step of ${step} ms; pass a regular series.`);
    }
  }
  const values = Float64Array.from(input.values);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new ForecastError('NON_FINITE_VALUE', `timeSeriesFromArrays: row ${Math.floor(i / C)}, column '${input.columns[i % C]}' is ${values[i]}; pass finite numbers.`);
    }
  }
  const missing: Record<string, number> = {};
  for (const c of input.columns) missing[c] = 0;
  return {
    source: 'memory',
    timeColumn: input.timeColumn ?? 'date',
    times,
    columns: [...input.columns],
    values,
    length: n,
    frequency: frequencyOf(step),
    report: { fileRows: n, missing, gaps: [], skippedColumns: [], fill: 'none' },
  };
}

/** One line per finding, for the CLI to print: rows, frequency, columns, missing values, gaps and the fill rule. */
export function describeSeries(s: TimeSeries): string[] {
  const lines = [
    `${path.basename(s.source)}: ${s.length} rows, ${s.frequency.label} (step ${s.frequency.stepMs / 1000} s), ` +
      `${formatTimestamp(s.times[0])} .. ${formatTimestamp(s.times[s.length - 1])}, time column '${s.timeColumn}'`,
    `columns: ${s.columns.join(', ')}`,
  ];
  const miss = Object.entries(s.report.missing).filter(([, m]) => m > 0);
  const gapRows = s.report.gaps.reduce((a, g) => a + g.missingRows, 0);
  lines.push(
    miss.length || gapRows
      ? `missing: ${miss.map(([c, m]) => `${c} ${m}`).join(', ') || 'no empty cells'}; gaps: ${s.report.gaps.length} (${gapRows} rows); filled by ${s.report.fill}`
      : 'missing values: none; gaps: none',
  );
  for (const sk of s.report.skippedColumns) lines.push(`skipped column '${sk.name}': ${sk.reason}`);
  return lines;
}
