import { ForecastError } from '../errors';
import { seasonalNaiveScale } from '../metrics';
import { StandardScaler } from '../data/scaler';
import { TimeSeries } from '../data/series';
import { baseName } from '../data/csv-text';
import { FeatureMode, SplitRanges, selectColumns, splitRanges } from '../data/split';
import { timeFeatures } from '../data/time';
import { checkCovariates } from './covariates';
import { FitOptions, Pipeline, WindowConfig } from './types';

/** Steps of `fit` that choose and check the model's columns and scaling, kept apart from the model class. */

/** The model's columns: inputs (own columns, then past covariates, then future covariates) and targets. */
export function modelColumns(
  series: Pick<TimeSeries, 'columns' | 'source'>,
  features: FeatureMode,
  target: string,
  columns: string[] | undefined,
  past: string[],
  future: string[],
): { inputColumns: string[]; targetColumns: string[] } {
  const sel = selectColumns(series, features, target, columns);
  checkCovariates(series.columns, [target], past, future, series.source);
  const cov = [...past, ...future];
  return {
    inputColumns: [...sel.inputColumns.filter((c) => !cov.includes(c)), ...cov],
    targetColumns: sel.targetColumns.filter((c) => !cov.includes(c)),
  };
}

/**
 * Checks the fitted scaler: every mean and std finite, every std above zero and the scaled training values finite in
 * float32. Otherwise the model would train on NaN or infinities and save a model that forecasts NaN.
 */
export function checkScale(
  scaler: StandardScaler,
  raw: Float64Array,
  V: number,
  rows: number,
  columns: string[],
  source: string,
): void {
  const bad: string[] = [];
  for (let c = 0; c < V; c++) {
    const { mean, std } = { mean: scaler.mean[c], std: scaler.std[c] };
    let ok = Number.isFinite(mean) && Number.isFinite(std) && std > 0;
    let zero = true;
    for (let r = 0; r < rows && ok; r++) {
      const v = raw[r * V + c];
      if (v !== raw[c]) zero = false;
      if (!Number.isFinite(Math.fround((v - mean) / std)) || Math.abs(v) > 3e38) ok = false;
    }
    if (!ok)
      bad.push(
        `'${columns[c]}' (mean ${mean}, std ${std}: values too large to scale; rescale the column, e.g. to other units)`,
      );
    else if (zero && rows > 1)
      bad.push(
        `'${columns[c]}' (the same value ${raw[c]} in every training row: nothing to learn from; drop it with --columns)`,
      );
  }
  if (bad.length) {
    throw new ForecastError(
      'BAD_SCALE',
      `${source}: cannot scale the training rows of column ${bad.join(', column ')}.`,
    );
  }
}

/** The given columns of a series, row-major `[rows, columns.length]`. */
export function columnValues(series: TimeSeries, columns: string[]): Float64Array {
  const V = columns.length;
  const C = series.columns.length;
  const idx = columns.map((c) => series.columns.indexOf(c));
  const raw = new Float64Array(series.length * V);
  for (let r = 0; r < series.length; r++) for (let v = 0; v < V; v++) raw[r * V + v] = series.values[r * C + idx[v]];
  return raw;
}

/** Scales the model columns `raw` with the fitted scaler; a value that is not finite once scaled is an error naming it. */
export function scaleForModel(p: Pipeline, raw: Float64Array, source: string): Float32Array {
  const V = p.inputColumns.length;
  const data = new StandardScaler(p.scaler.mean, p.scaler.std).transform(raw);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const c = i % V;
      throw new ForecastError(
        'BAD_SCALE',
        `${source}: column '${p.inputColumns[c]}', row ${Math.floor(i / V) + 1} of the series: ${raw[i]} becomes ${data[i]} once scaled ` +
          `(training mean ${p.scaler.mean[c]}, std ${p.scaler.std[c]}); the value is far outside what the model was trained on. Fix the value or train on data that covers it.`,
      );
    }
  }
  return data;
}

/**
 * The first step of `fit`: chooses and checks the model's columns, splits the series and fits the scaler (and the
 * MASE scale) on the training rows. Rules (no network) take no covariates.
 */
export function fitPipeline(
  series: TimeSeries,
  options: FitOptions,
  model: WindowConfig & { kind: string; hasNetwork: boolean },
): { pipeline: Pipeline; ranges: SplitRanges } {
  const features = options.features ?? 'S';
  const target = options.target ?? (series.columns.includes('OT') ? 'OT' : series.columns[series.columns.length - 1]);
  const split = options.split ?? [0.6, 0.2, 0.2];
  const pastColumns = options.pastColumns ?? [];
  const futureColumns = options.futureColumns ?? [];
  if (!model.hasNetwork && pastColumns.length + futureColumns.length) {
    throw new ForecastError(
      'BAD_ARGUMENT',
      `--past-cols/--future-cols: ${model.kind} is a rule that reads only the target; covariates need a tpgn, dlinear or gru model.`,
    );
  }
  const cols = modelColumns(series, features, target, options.columns, pastColumns, futureColumns);
  const { inputColumns, targetColumns } = cols;
  const { stepMs } = series.frequency;
  const ranges = splitRanges(series.length, split, model.lookback, model.horizon, stepMs, series.source);
  const V = inputColumns.length;
  const raw = columnValues(series, inputColumns);
  const scaler = StandardScaler.fit(raw, V, ranges.trainRows);
  checkScale(scaler, raw, V, ranges.trainRows, inputColumns, series.source);
  const targetIdx = targetColumns.map((c) => inputColumns.indexOf(c));
  const original = targetIdx.map((t) => seasonalNaiveScale(raw, V, t, ranges.trainRows, model.period));
  const pipeline: Pipeline = {
    features,
    target,
    inputColumns,
    targetColumns,
    targetIdx,
    timeColumn: series.timeColumn,
    frequency: series.frequency,
    fill: series.report.fill,
    split,
    scaler: scaler.toJSON(),
    maseScale: { original, scaled: original.map((s, k) => s / scaler.std[targetIdx[k]]) },
    source: baseName(series.source),
    ...(pastColumns.length ? { pastColumns } : {}),
    ...(futureColumns.length ? { futureColumns } : {}),
  };
  return { pipeline, ranges };
}

/** A series made ready for a fitted model: its input columns, raw and scaled, and its time features. */
export interface PreparedSeries {
  raw: Float64Array; // [n, V]
  data: Float32Array; // scaled [n, V]
  marks: Float32Array; // [n, T]
}

/** Checks that the series has the model's columns and step, then selects, scales and computes its time features. */
export function prepareSeries(p: Pipeline, series: TimeSeries): PreparedSeries {
  const missing = p.inputColumns.filter((c) => !series.columns.includes(c));
  if (missing.length) {
    throw new ForecastError(
      'MODEL_MISMATCH',
      `${series.source}: the model was trained on columns ${p.inputColumns.join(', ')} (features ${p.features}, target ${p.target}) but this data lacks ${missing.join(', ')}; use data with the same columns or train a new model.`,
    );
  }
  if (series.frequency.stepMs !== p.frequency.stepMs) {
    throw new ForecastError(
      'MODEL_MISMATCH',
      `${series.source}: the data is ${series.frequency.label} but the model was trained on ${p.frequency.label} data; resample it or train a new model.`,
    );
  }
  const raw = columnValues(series, p.inputColumns);
  const data = scaleForModel(p, raw, series.source);
  return { raw, data, marks: timeFeatures(series.times, p.frequency.kind) };
}
