import * as path from 'path';
import { ForecastError } from '../errors';
import { DataProblems } from './problems';
import { fillColumn } from './series';
import { ReadColumnsOptions } from './table';
import { readCsvColumns, readHeader } from './csv-file';
import { checkCovariates } from '../models/covariates';
import { formatTimestamp, frequencyOf, inferStep } from './time';

/**
 * Long-format panels: one CSV holding many series as rows `id, time, value` (the `unique_id, ds, y` layout of
 * NeuralForecast and StatsForecast). Each series is held as two typed arrays (times and values), never as per-row
 * objects.
 */

/** The step shared by every series: a fixed number of milliseconds, or calendar months (dates on the 1st). */
export type PanelStep = { unit: 'ms'; size: number } | { unit: 'month'; size: number };

export interface PanelSeries {
  id: string;
  /** Timestamps (ms since 1970, naive), regular at the panel's step; gap rows were added and filled. */
  times: Float64Array;
  values: Float64Array;
  /**
   * The covariate columns (`Panel.pastColumns`, then `Panel.futureColumns`), row-major `[rows, C]`, on the same grid
   * as `values`; absent when the panel has no covariates.
   */
  covariates?: Float64Array;
  /** Rows added to fill gaps in the time index, and empty target cells filled (by carrying the last value forward). */
  filled: number;
}

export interface Panel {
  source: string;
  idColumn: string;
  timeColumn: string;
  target: string;
  step: PanelStep;
  /** Covariates observed up to the forecast origin, and covariates known ahead; each series holds both (none: absent). */
  pastColumns?: string[];
  futureColumns?: string[];
  series: PanelSeries[];
  /** Series left out because they are shorter than `minLength` (only without `strict`). */
  skipped: { id: string; rows: number }[];
}

export interface ReadPanelOptions extends Pick<ReadColumnsOptions, 'delimiter' | 'naValues' | 'timeColumn'> {
  idColumn: string;
  target: string;
  /** Covariate columns to read with the target (numeric; empty cells are filled forward per series). */
  pastColumns?: string[];
  futureColumns?: string[];
  /** Series with fewer rows are skipped (counted in `skipped`), or an error with `strict`. Default 2. */
  minLength?: number;
  strict?: boolean;
}

const DAY = 86400000;

function isMonthStart(t: number): boolean {
  const d = new Date(t);
  return d.getUTCDate() === 1 && t % DAY === 0;
}

/** Integer position of a timestamp on the step's grid (months since 1970, or ms / step). */
function positionOf(t: number, step: PanelStep): number {
  if (step.unit === 'ms') return t / step.size;
  const d = new Date(t);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/** The timestamp `k` steps after `t` (calendar months stay on the 1st). */
export function stepAfter(t: number, step: PanelStep, k: number): number {
  if (step.unit === 'ms') return t + k * step.size;
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k * step.size, 1);
}

export function describeStep(step: PanelStep): string {
  if (step.unit === 'month') return step.size === 1 ? 'monthly' : `${step.size}-month`;
  return frequencyOf(step.size).label;
}

/** Row indices grouped by series code (counting sort), each group sorted by time. */
export function groupRows(
  codes: Int32Array,
  levels: number,
  times: Float64Array,
): { order: Int32Array; starts: Int32Array } {
  const starts = new Int32Array(levels + 1);
  for (const c of codes) starts[c + 1]++;
  for (let k = 0; k < levels; k++) starts[k + 1] += starts[k];
  const next = starts.slice(0, levels);
  const order = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) order[next[codes[i]]++] = i;
  for (let k = 0; k < levels; k++) order.subarray(starts[k], starts[k + 1]).sort((a, b) => times[a] - times[b]);
  return { order, starts };
}

/**
 * Reads a long CSV of many series. Errors (each a ForecastError, nothing returned): the id, time or target column
 * missing; a repeated (id, time) pair; series at different frequencies; timestamps off a series' step; a series
 * shorter than `minLength` with `strict` (without it the series is skipped and counted).
 */
export function readPanelCsv(file: string, options: ReadPanelOptions): Panel {
  const where = path.basename(file);
  if (!options.idColumn) throw new ForecastError('BAD_ARGUMENT', 'readPanelCsv: name the series id column (--id-col).');
  const past = options.pastColumns ?? [];
  const future = options.futureColumns ?? [];
  if (past.length + future.length) checkPanelCovariates(file, options, past, future);
  const table = readCsvColumns(file, {
    ...options,
    columns: [options.target, ...past, ...future],
    categorical: [options.idColumn],
  });
  const ids = table.categorical[0];
  // The table keeps the file's column order: put the target first, then the covariates as listed.
  const named = [options.target, ...past, ...future].map(
    (name) => table.columns.find((c) => c.name === name) as (typeof table.columns)[number],
  );
  const columns = named.map((c) => c.values);
  const { order, starts } = groupRows(ids.codes, ids.levels.length, table.times);
  const problems = new DataProblems(where);
  for (let k = 0; k < ids.levels.length; k++) {
    for (let j = starts[k] + 1; j < starts[k + 1]; j++) {
      if (table.times[order[j]] === table.times[order[j - 1]]) {
        problems.add(
          'DUPLICATE_TIMESTAMP',
          `rows repeating an (${options.idColumn}, ${table.timeColumn}) pair`,
          'remove or aggregate the duplicate rows.',
          table.lines[order[j]],
          `${ids.levels[k]} ${formatTimestamp(table.times[order[j]])}`,
        );
      }
    }
  }
  problems.throwIfAny();
  const monthly = table.times.every(isMonthStart) && inferStep(table.times.slice().sort()) >= 28 * DAY;
  const seriesTimes = (k: number): Float64Array =>
    Float64Array.from(order.subarray(starts[k], starts[k + 1]), (i) => table.times[i]);
  const step = panelStep(where, ids.levels, starts, seriesTimes, monthly);
  const minLength = Math.max(2, options.minLength ?? 2);
  const series: PanelSeries[] = [];
  const skipped: Panel['skipped'] = [];
  for (let k = 0; k < ids.levels.length; k++) {
    const count = starts[k + 1] - starts[k];
    const id = ids.levels[k];
    if (count < minLength) {
      if (options.strict) {
        throw new ForecastError(
          'TOO_FEW_ROWS',
          `${where}: series '${id}' has ${count} rows, fewer than the ${minLength} needed (lookback + horizon); drop it, or leave out --strict to skip short series.`,
        );
      }
      skipped.push({ id, rows: count });
      continue;
    }
    const rows = order.subarray(starts[k], starts[k + 1]);
    series.push(regularSeries(where, id, seriesTimes(k), rows, columns, named, table.lines, step));
  }
  if (series.length === 0) {
    throw new ForecastError(
      'TOO_FEW_ROWS',
      `${where}: no series has ${minLength}+ rows (${skipped.length} skipped); use longer series or a smaller --lookback / --horizon.`,
    );
  }
  return {
    source: file,
    idColumn: options.idColumn,
    timeColumn: table.timeColumn,
    target: options.target,
    step,
    pastColumns: past,
    futureColumns: future,
    series,
    skipped,
  };
}

/** The one step of all series; an error naming two series whose steps differ. */
function panelStep(
  where: string,
  levels: string[],
  starts: Int32Array,
  timesOf: (k: number) => Float64Array,
  monthly: boolean,
): PanelStep {
  let found: { step: PanelStep; id: string } | null = null;
  for (let k = 0; k < levels.length; k++) {
    if (starts[k + 1] - starts[k] < 2) continue;
    const t = timesOf(k);
    const size = monthly ? inferStep(Array.from(t, (v) => positionOf(v, { unit: 'month', size: 1 }))) : inferStep(t);
    const step: PanelStep = monthly ? { unit: 'month', size } : { unit: 'ms', size };
    if (!found) found = { step, id: levels[k] };
    else if (found.step.size !== size) {
      throw new ForecastError(
        'IRREGULAR_TIMESTAMPS',
        `${where}: series '${found.id}' is ${describeStep(found.step)} but series '${levels[k]}' is ${describeStep(step)}; every series of a panel needs the same frequency (resample them, or split the file).`,
      );
    }
  }
  if (!found)
    throw new ForecastError(
      'TOO_FEW_ROWS',
      `${where}: no series has 2 or more rows; a panel needs series with a time step.`,
    );
  return found.step;
}

/** Checks the covariate names against the file's header before reading it: which flag names a column it lacks. */
function checkPanelCovariates(file: string, options: ReadPanelOptions, past: string[], future: string[]): void {
  const { header } = readHeader(file, path.basename(file), options.delimiter);
  const keys = [options.idColumn, options.timeColumn];
  for (const [flag, list] of [
    ['--past-cols', past],
    ['--future-cols', future],
  ] as const) {
    const clash = list.find((c) => keys.includes(c));
    if (clash)
      throw new ForecastError(
        'BAD_ARGUMENT',
        `${flag}: '${clash}' is the id or time column; a covariate is a numeric column of its own.`,
      );
  }
  const columns = header.filter((c) => !keys.includes(c));
  checkCovariates(columns, [options.target], past, future, path.basename(file));
}

/**
 * Puts one series on its regular grid: gap rows added, gaps and empty cells filled forward. `columns[0]` is the
 * target, the rest are covariates (`PanelSeries.covariates`).
 */
function regularSeries(
  where: string,
  id: string,
  t: Float64Array,
  rows: Int32Array,
  columns: Float64Array[],
  named: { name: string }[],
  lines: Uint32Array,
  step: PanelStep,
): PanelSeries {
  const month: PanelStep = { unit: 'month', size: 1 };
  const rel = (v: number): number =>
    step.unit === 'month' ? positionOf(v, month) - positionOf(t[0], month) : (v - t[0]) / step.size;
  const last = rel(t[t.length - 1]);
  for (let j = 1; j < t.length; j++) {
    const d = rel(t[j]) - rel(t[j - 1]);
    if (!Number.isInteger(d) || d % (step.unit === 'month' ? step.size : 1) !== 0) {
      throw new ForecastError(
        'IRREGULAR_TIMESTAMPS',
        `${where}: line ${lines[rows[j]]}: series '${id}' at ${formatTimestamp(t[j])} is off its ${describeStep(step)} step; resample the series to a regular step.`,
      );
    }
  }
  const per = step.unit === 'month' ? step.size : 1;
  const length = last / per + 1;
  const times = new Float64Array(length);
  for (let r = 0; r < length; r++) times[r] = stepAfter(t[0], step, r);
  const slots = Int32Array.from(t, (v) => rel(v) / per);
  const C = columns.length;
  const grid = new Float64Array(length * C).fill(NaN);
  for (let j = 0; j < t.length; j++) for (let c = 0; c < C; c++) grid[slots[j] * C + c] = columns[c][rows[j]];
  let filled = 0;
  for (let c = 0; c < C; c++) {
    let empty = 0;
    for (let r = 0; r < length; r++) if (Number.isNaN(grid[r * C + c])) empty++;
    if (empty === length)
      throw new ForecastError(
        'MISSING_VALUES',
        `${where}: series '${id}' has no values ${c === 0 ? 'at all' : `of covariate '${named[c].name}'`}; drop it or fill it.`,
      );
    if (c === 0) filled = empty;
    fillColumn(grid, length, C, c, 'ffill');
  }
  if (C === 1) return { id, times, values: grid, filled };
  const values = new Float64Array(length);
  const covariates = new Float64Array(length * (C - 1));
  for (let r = 0; r < length; r++) {
    values[r] = grid[r * C];
    covariates.set(grid.subarray(r * C + 1, (r + 1) * C), r * (C - 1));
  }
  return { id, times, values, covariates, filled };
}
