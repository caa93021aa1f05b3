import { ForecastError } from '../errors';
import { DUPLICATE_RULES, Deduplicated, DuplicateRule, Sentinel, deduplicate, findSentinel } from './checks';
import { DataProblems } from './problems';
import { CsvColumns, ReadColumnsOptions, readColumns } from './table';
import { CsvSource, baseName } from './csv-text';
import { Frequency, checkSorted, formatTimestamp, frequencyOf, inferStep } from './time';

/** How missing values and missing rows (gaps in the time index) are filled. */
export type FillRule = 'ffill' | 'linear' | 'none';

/** What was found and done while reading a series. */
export interface DataReport {
  /** Rows in the file (data lines, header excluded). */
  fileRows: number;
  /** Empty cells per kept column (cells holding an NA token count as empty). */
  missing: Record<string, number>;
  /** Runs of missing timestamps: the row before the gap and how many steps are missing. */
  gaps: { after: string; missingRows: number }[];
  /** Columns of the file that were not kept, with the reason. */
  skippedColumns: { name: string; reason: string }[];
  /** The rule used to fill missing values and gap rows. */
  fill: FillRule;
  /** The field delimiter found in (or given for) the file. */
  delimiter?: string;
  /** Rows dropped because they repeated an earlier row exactly. */
  identicalDuplicates?: number;
  /** Rows with a repeated timestamp merged by the --duplicates rule. */
  mergedDuplicates?: number;
  /** Timestamps with a UTC offset (converted to UTC): how many rows and which offsets. */
  utcOffsets?: { rows: number; offsets: string[] };
  /** Warnings: values that look like codes for "missing" (see `findSentinel`). */
  sentinels?: Sentinel[];
}

/**
 * A regular multivariate time series: `length` rows at a fixed step, `columns` numeric columns, values row-major
 * (`values[row * columns.length + col]`). Timestamps are naive (see `parseTimestamp`), or UTC when the file gave
 * offsets.
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

export interface ReadCsvOptions extends ReadColumnsOptions {
  /** How to fill empty cells and gap rows; default `ffill`. `none` makes them an error. */
  fill?: FillRule;
  /** Rows repeating a timestamp with other values: an error (default), or keep the first, the last or their mean. */
  duplicates?: DuplicateRule;
  /** The longest gap (missing steps in a row) that is filled; a longer one is an error. Default: 5 % of the rows, at least 24. */
  maxGap?: number;
}

export const FILL_RULES: readonly FillRule[] = ['ffill', 'linear', 'none'];

function checkOptions(o: ReadCsvOptions): void {
  if (o.fill !== undefined && !FILL_RULES.includes(o.fill)) {
    throw new ForecastError('BAD_ARGUMENT', `--fill: unknown rule '${o.fill}'; use ffill, linear or none.`);
  }
  if (o.duplicates !== undefined && !DUPLICATE_RULES.includes(o.duplicates)) {
    throw new ForecastError(
      'BAD_ARGUMENT',
      `--duplicates: unknown rule '${o.duplicates}'; use error, first, last or mean.`,
    );
  }
  if (o.maxGap !== undefined && !(Number.isInteger(o.maxGap) && o.maxGap >= 0)) {
    throw new ForecastError(
      'BAD_ARGUMENT',
      `--max-gap: must be a whole number of steps >= 0, got ${String(o.maxGap)}.`,
    );
  }
  if (o.delimiter !== undefined && (o.delimiter.length !== 1 || o.delimiter === '"' || o.delimiter === '\n')) {
    throw new ForecastError(
      'BAD_ARGUMENT',
      `--delimiter: must be one character such as , ; or a tab, got '${o.delimiter}'.`,
    );
  }
}

/**
 * Reads a CSV into a regular TimeSeries in one streaming pass (memory about 8 bytes per number): sniffs the
 * delimiter, parses timestamps (offsets are converted to UTC), reads NA tokens as missing, drops identical duplicate
 * rows, handles conflicting ones by `duplicates`, infers the step, fills missing values and gaps up to `maxGap`.
 * Every problem of the file is reported at once, in one ForecastError, with counts and first line numbers.
 */
export async function readCsvSource(input: CsvSource, options: ReadCsvOptions = {}): Promise<TimeSeries> {
  checkOptions(options);
  const problems = new DataProblems(baseName(input.name));
  const table = readColumns(input, options, problems);
  return seriesFromColumns(table, options, problems);
}

/** Reports a table without a numeric column, and stops on a table that cannot become a series. */
function checkHasData(table: CsvColumns, problems: DataProblems): void {
  if (table.columns.length === 0 && table.rows > 0) {
    problems.addSummary(
      'NO_NUMERIC_COLUMN',
      `no numeric column besides the time column '${table.timeColumn}'` +
        (table.skippedColumns.length
          ? ` (${table.skippedColumns.map((s) => `${s.name}: ${s.reason}`).join('; ')})`
          : ''),
      `a forecast needs at least one column of numbers${table.delimiter === ',' && table.header.length === 1 ? `; the header has one field ('${table.header[0]}'): is the delimiter another one? (--delimiter)` : ''}.`,
    );
  }
  if (problems.has('BAD_TIMESTAMP') || problems.has('BAD_CSV') || table.columns.length === 0) {
    problems.throwIfAny();
    throw new ForecastError(
      'HEADER_ONLY',
      `${problems.where}: the file has a header line but no data rows; add data rows.`,
    );
  }
}

/**
 * Walks the sorted, deduplicated timestamps at `step`: the gaps (and the ones longer than `maxGap`, reported), rows
 * off the step grid (reported), and the length of the regular series from the first to the last row.
 */
function gridGaps(
  d: Deduplicated,
  step: number,
  maxGap: number,
  problems: DataProblems,
): { gaps: DataReport['gaps']; length: number } {
  const gaps: DataReport['gaps'] = [];
  const long: [number, number][] = []; // [line after the gap, missing steps]
  let length = 1;
  for (let i = 1; i < d.times.length; i++) {
    const dt = d.times[i] - d.times[i - 1];
    if (dt % step !== 0) {
      problems.add(
        'IRREGULAR_TIMESTAMPS',
        `rows whose distance to the row before is not a multiple of the step (${step / 1000} s)`,
        'resample the series to a regular step first.',
        d.lines[i],
        formatTimestamp(d.times[i]),
      );
      continue;
    }
    const missingRows = dt / step - 1;
    if (missingRows > 0) gaps.push({ after: formatTimestamp(d.times[i - 1]), missingRows });
    if (missingRows > maxGap) long.push([d.lines[i], missingRows]);
    length += dt / step;
  }
  if (long.length) {
    problems.addSummary(
      'GAP_TOO_LONG',
      `gap(s) longer than --max-gap ${maxGap} steps (the longest: ${Math.max(...long.map((g) => g[1]))} missing steps)`,
      'filling them would invent that much data: use the part of the series after the gap, or pass a larger --max-gap to fill them.',
      long.length,
      long.map((g) => g[0]),
    );
  }
  return { gaps, length };
}

/** Empty cells per column; reports them (and gaps) under `--fill none`, and a column without any value. */
function checkMissing(
  names: string[],
  d: Deduplicated,
  gaps: DataReport['gaps'],
  fill: FillRule,
  problems: DataProblems,
): Record<string, number> {
  const missing: Record<string, number> = {};
  names.forEach((name, c) => (missing[name] = countNaN(d.columns[c])));
  const totalMissing = Object.values(missing).reduce((a, b) => a + b, 0);
  if (fill === 'none' && (gaps.length > 0 || totalMissing > 0)) {
    const parts = [];
    if (gaps.length)
      parts.push(
        `${gaps.length} gap(s) in the time index (first after ${gaps[0].after}, ${gaps[0].missingRows} missing row(s))`,
      );
    if (totalMissing)
      parts.push(
        `${totalMissing} empty cell(s) (${Object.entries(missing)
          .filter(([, m]) => m)
          .map(([k, m]) => `${k}: ${m}`)
          .join(', ')})`,
      );
    problems.addSummary(
      'MISSING_VALUES',
      `${parts.join(' and ')} with --fill none`,
      'use --fill ffill or --fill linear.',
    );
  }
  for (const name of names) {
    if (missing[name] === d.times.length)
      problems.addSummary('MISSING_VALUES', `column '${name}' has no values at all`, 'choose another column.');
  }
  return missing;
}

/** Turns typed columns (from `readCsvColumns`) into a regular TimeSeries; see `readCsv`. */
export function seriesFromColumns(
  table: CsvColumns,
  options: ReadCsvOptions = {},
  problems = new DataProblems(baseName(table.source)),
): TimeSeries {
  checkOptions(options);
  const fill = options.fill ?? 'ffill';
  const kept = table.columns;
  checkHasData(table, problems);
  const sentinels = kept
    .map((c) => findSentinel(c.name, c.values, table.lines))
    .filter((x): x is Sentinel => x !== null);
  checkOrder(table.times, table.lines, problems);
  if (problems.has('UNSORTED_TIMESTAMPS')) problems.throwIfAny();
  const d = deduplicate(
    table.times,
    table.lines,
    kept.map((c) => c.values),
    options.duplicates ?? 'error',
    problems,
  );
  const n = d.times.length;
  if (n < 2) {
    problems.addSummary(
      'TOO_FEW_ROWS',
      `only ${n} distinct timestamp(s)`,
      'a series needs at least 2 rows to have a step.',
    );
    problems.throwIfAny();
  }
  const step = inferStep(d.times);
  const maxGap = options.maxGap ?? Math.max(24, Math.floor(0.05 * n));
  const { gaps, length } = gridGaps(d, step, maxGap, problems);
  const missing = checkMissing(
    kept.map((k) => k.name),
    d,
    gaps,
    fill,
    problems,
  );
  problems.throwIfAny();

  const C = kept.length;
  const times = new Float64Array(length);
  const values = new Float64Array(length * C).fill(NaN);
  for (let r = 0; r < length; r++) times[r] = d.times[0] + r * step;
  for (let i = 0; i < n; i++) {
    const r = (d.times[i] - d.times[0]) / step;
    for (let c = 0; c < C; c++) values[r * C + c] = d.columns[c][i];
  }
  for (let c = 0; c < C; c++) fillColumn(values, length, C, c, fill);
  return {
    source: table.source,
    timeColumn: table.timeColumn,
    times,
    columns: kept.map((k) => k.name),
    values,
    length,
    frequency: frequencyOf(step),
    report: {
      fileRows: table.rows,
      missing,
      gaps,
      skippedColumns: table.skippedColumns,
      fill,
      delimiter: table.delimiter,
      identicalDuplicates: d.identical,
      mergedDuplicates: d.merged,
      utcOffsets: table.utcOffsets,
      sentinels,
    },
  };
}

function countNaN(values: Float64Array): number {
  let n = 0;
  for (const v of values) if (Number.isNaN(v)) n++;
  return n;
}

/** Records rows whose timestamp comes before the one of the row above (the file must be sorted by time). */
function checkOrder(times: Float64Array, lines: Uint32Array, problems: DataProblems): void {
  for (let i = 1; i < times.length; i++) {
    if (times[i] < times[i - 1]) {
      problems.add(
        'UNSORTED_TIMESTAMPS',
        'rows whose timestamp comes before the one of the row above (timestamps are not sorted)',
        'sort the file by time.',
        lines[i],
        formatTimestamp(times[i]),
      );
    }
  }
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
    throw new ForecastError(
      'BAD_ARGUMENT',
      `timeSeriesFromArrays: values has ${input.values.length} numbers, expected ${n} rows × ${C} columns.`,
    );
  }
  if (n < 2) throw new ForecastError('TOO_FEW_ROWS', `timeSeriesFromArrays: need at least 2 rows, got ${n}.`);
  const times = Float64Array.from(input.times);
  checkSorted(times, 'timeSeriesFromArrays', (r) => r);
  const step = inferStep(times);
  for (let i = 1; i < n; i++) {
    if (times[i] - times[i - 1] !== step) {
      throw new ForecastError(
        'IRREGULAR_TIMESTAMPS',
        `timeSeriesFromArrays: row ${i} breaks the regular step of ${step} ms; pass a regular series.`,
      );
    }
  }
  const values = Float64Array.from(input.values);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new ForecastError(
        'NON_FINITE_VALUE',
        `timeSeriesFromArrays: row ${Math.floor(i / C)}, column '${input.columns[i % C]}' is ${values[i]}; pass finite numbers.`,
      );
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
    `${baseName(s.source)}: ${s.length} rows, ${s.frequency.label} (step ${s.frequency.stepMs / 1000} s), ` +
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
  const r = s.report;
  if (r.delimiter && r.delimiter !== ',') lines.push(`delimiter: ${r.delimiter === '\t' ? 'tab' : `'${r.delimiter}'`}`);
  if (r.utcOffsets?.rows)
    lines.push(
      `timestamps: ${r.utcOffsets.rows} had a UTC offset (${r.utcOffsets.offsets.join(', ')}) and were converted to UTC; times are shown in UTC`,
    );
  if (r.identicalDuplicates)
    lines.push(`duplicates: dropped ${r.identicalDuplicates} row(s) that repeated an earlier row exactly`);
  if (r.mergedDuplicates)
    lines.push(
      `duplicates: merged ${r.mergedDuplicates} row(s) that repeated a timestamp with other values (--duplicates)`,
    );
  for (const w of r.sentinels ?? []) {
    lines.push(
      `warning: column '${w.column}': the value ${w.value} appears ${w.count} times (first at lines ${w.lines.join(', ')}), far outside ` +
        `the other values (${w.rest[0]} .. ${w.rest[1]}); if it is a code for "missing", pass --na-values ${w.value}`,
    );
  }
  return lines;
}
