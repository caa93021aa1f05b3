import * as path from 'path';
import { ForecastError } from '../errors';
import { readCsvColumns, readHeader } from './csv-file';
import { PanelStep, groupRows, stepAfter } from './panel';
import { ReadColumnsOptions } from './table';
import { formatTimestamp } from './time';

/**
 * The future rows of a panel's future covariates, for `predict`: a long CSV `id, time, <future columns>` holding, for
 * every series, the values known ahead for the `horizon` steps after its last row (the `futr_df` of NeuralForecast).
 */
export interface PanelFuture {
  source: string;
  columns: string[];
  /** Per series id: its rows' times and values `[rows, columns]`, keyed by time. */
  series: Map<string, Map<number, Float64Array>>;
}

export interface ReadPanelFutureOptions extends Pick<ReadColumnsOptions, 'delimiter' | 'naValues' | 'timeColumn'> {
  idColumn: string;
  /** The model's future covariate columns. */
  columns: string[];
}

/** Reads the future covariate rows; an error names the columns the file lacks and repeated (id, time) pairs. */
export function readPanelFutureCsv(file: string, options: ReadPanelFutureOptions): PanelFuture {
  const where = path.basename(file);
  const { header } = readHeader(file, where, options.delimiter);
  const lacks = [options.idColumn, ...options.columns].filter((c) => !header.includes(c));
  if (lacks.length)
    throw new ForecastError(
      'MISSING_FUTURE_COVARIATES',
      `${where}: lacks the column(s) ${lacks.join(', ')}; the future covariates file needs ${[options.idColumn, options.timeColumn ?? 'time', ...options.columns].join(', ')}, one row per series and future step.`,
    );
  const table = readCsvColumns(file, { ...options, columns: options.columns, categorical: [options.idColumn] });
  const ids = table.categorical[0];
  const cols = options.columns.map((name) => table.columns.find((c) => c.name === name)?.values as Float64Array);
  const { order, starts } = groupRows(ids.codes, ids.levels.length, table.times);
  const series = new Map<string, Map<number, Float64Array>>();
  for (let k = 0; k < ids.levels.length; k++) {
    const rows = new Map<number, Float64Array>();
    for (const i of order.subarray(starts[k], starts[k + 1])) {
      const t = table.times[i];
      if (rows.has(t))
        throw new ForecastError(
          'DUPLICATE_TIMESTAMP',
          `${where}: line ${table.lines[i]}: series '${ids.levels[k]}' has two rows at ${formatTimestamp(t)}; keep one.`,
        );
      rows.set(
        t,
        Float64Array.from(cols, (c) => c[i]),
      );
    }
    series.set(ids.levels[k], rows);
  }
  return { source: file, columns: options.columns, series };
}

/**
 * The future covariates of one series over the `horizon` steps after `last` (its last time): `[horizon, columns]`,
 * how many of those steps have no row or an empty cell (`missing`; their values are NaN), and the first such step.
 */
export function futureValuesOf(
  future: PanelFuture,
  id: string,
  last: number,
  step: PanelStep,
  horizon: number,
): { values: Float64Array; missing: number; firstMissing: number } {
  const C = future.columns.length;
  const rows = future.series.get(id);
  const values = new Float64Array(horizon * C).fill(NaN);
  let missing = 0;
  let firstMissing = NaN;
  for (let h = 0; h < horizon; h++) {
    const t = stepAfter(last, step, h + 1);
    const row = rows?.get(t);
    if (row && row.every((v) => !Number.isNaN(v))) values.set(row, h * C);
    else if (missing++ === 0) firstMissing = t;
  }
  return { values, missing, firstMissing };
}
