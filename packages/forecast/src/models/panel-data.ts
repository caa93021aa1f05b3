import { ForecastError } from '../errors';
import { seasonalNaiveScale } from '../metrics';
import { Panel, PanelSeries, PanelStep } from '../data/panel';
import { PanelFuture, futureValuesOf } from '../data/panel-future';
import { StandardScaler } from '../data/scaler';
import { SplitPart, SplitRanges, splitRanges } from '../data/split';
import { TimeFeatureKind, formatTimestamp, frequencyOf, timeFeatures } from '../data/time';
import { WindowSet } from '../data/windows';

/**
 * The data side of a panel model: each series split by time and scaled by its own training part, and the windows of
 * many series laid end to end in one typed array so that one network sees them in shared batches.
 */

/** Per-series scaling saved with a panel model: for each id, its training mean and std and seasonal-naive MAE. */
export interface PanelScalers {
  ids: string[];
  mean: number[];
  std: number[];
  /** Seasonal-naive in-sample MAE of the training part (original units), the MASE denominator. */
  maseScale: number[];
  /** With covariates: each id's covariate means and stds (past, then future columns) on its training part. */
  covariateMean?: number[][];
  covariateStd?: number[][];
}

/** One series, ready for windows: scaled values and time features. */
export interface PreparedSeries {
  series: PanelSeries;
  /** The series' split by time; null when it was not needed (a saved scaler and no split asked for). */
  ranges: SplitRanges | null;
  scaler: StandardScaler;
  /** The covariates' scaler (fitted on the same training part); null without covariates. */
  covariateScaler: StandardScaler | null;
  maseScale: number;
  /** Scaled target and covariates, row-major `[rows, 1 + covariates]` (the target first). */
  data: Float32Array;
  /** Time features `[rows, T]`. */
  marks: Float32Array;
  /** The scaler was fitted now on the series' training part: the series has no saved scaler. */
  refitted: boolean;
}

export interface PrepareOptions {
  lookback: number;
  horizon: number;
  period: number;
  split: [number, number, number];
  /** Every series needs windows in each part of the split (fit, eval); else `minRows` rows suffice for known series. */
  needSplit: boolean;
  minRows: number;
  /** A series too short is an error instead of being skipped. */
  strict: boolean;
  /** Scalers saved at fit time; series without one are scaled by their own training part. */
  saved: PanelScalers | null;
}

export function featureKind(step: PanelStep): TimeFeatureKind {
  return step.unit === 'month' ? 'd' : frequencyOf(step.size).kind;
}

/** The scalers of prepared series, to save with the model. */
export function scalersOf(prepared: PreparedSeries[]): PanelScalers {
  const cov = prepared[0]?.covariateScaler
    ? {
        covariateMean: prepared.map((p) => (p.covariateScaler as StandardScaler).mean),
        covariateStd: prepared.map((p) => (p.covariateScaler as StandardScaler).std),
      }
    : {};
  return {
    ids: prepared.map((p) => p.series.id),
    mean: prepared.map((p) => p.scaler.mean[0]),
    std: prepared.map((p) => p.scaler.std[0]),
    maseScale: prepared.map((p) => p.maseScale),
    ...cov,
  };
}

/** The target and covariates of a series side by side, scaled: `[rows, 1 + C]`; a value not finite once scaled is an error. */
function scaledRows(
  s: PanelSeries,
  scaler: StandardScaler,
  cov: StandardScaler | null,
  columns: string[],
): Float32Array {
  const target = scaler.transform(s.values);
  if (!cov || !s.covariates) return target;
  const C = cov.mean.length;
  const covs = cov.transform(s.covariates);
  const data = new Float32Array(target.length * (1 + C));
  for (let r = 0; r < target.length; r++) {
    data[r * (1 + C)] = target[r];
    data.set(covs.subarray(r * C, (r + 1) * C), r * (1 + C) + 1);
  }
  const bad = covs.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0)
    throw new ForecastError(
      'BAD_SCALE',
      `series '${s.id}', covariate '${columns[bad % C]}', row ${Math.floor(bad / C) + 1}: ${s.covariates[bad]} is not finite once scaled (mean ${cov.mean[bad % C]}, std ${cov.std[bad % C]}); rescale the column.`,
    );
  return data;
}

/** A series' covariate scaler: the saved one (`k`), else fitted on its training rows; null without covariates. */
function covariateScaler(
  s: PanelSeries,
  C: number,
  saved: PanelScalers | null,
  k: number | undefined,
  trainRows: number | undefined,
): StandardScaler | null {
  if (C === 0) return null;
  if (k !== undefined && saved?.covariateMean && saved.covariateStd)
    return new StandardScaler(saved.covariateMean[k], saved.covariateStd[k]);
  return StandardScaler.fit(s.covariates as Float64Array, C, trainRows as number);
}

function savedIndex(saved: PanelScalers | null): Map<string, number> {
  return new Map((saved?.ids ?? []).map((id, i) => [id, i]));
}

/** The split of one series, or null when it is too short (skipped) unless `strict`, which rethrows. */
function rangesOrSkip(s: PanelSeries, o: PrepareOptions): SplitRanges | null {
  try {
    return splitRanges(s.values.length, o.split, o.lookback, o.horizon, 1, `series '${s.id}'`);
  } catch (e) {
    if (o.strict || !(e instanceof ForecastError) || e.code !== 'TOO_FEW_ROWS') throw e;
    return null;
  }
}

/**
 * Splits and scales every series of a panel. A series with a saved scaler uses it; any other is scaled by its own
 * training part. Too short series are skipped (returned with their rows) or, with `strict`, an error.
 */
export function preparePanel(
  panel: Panel,
  o: PrepareOptions,
): { prepared: PreparedSeries[]; skipped: { id: string; rows: number }[] } {
  const saved = savedIndex(o.saved);
  const kind = featureKind(panel.step);
  const covariates = [...(panel.pastColumns ?? []), ...(panel.futureColumns ?? [])];
  const C = covariates.length;
  const prepared: PreparedSeries[] = [];
  const skipped: { id: string; rows: number }[] = [];
  for (const s of panel.series) {
    const n = s.values.length;
    const k = saved.get(s.id);
    const savedCov = k === undefined || C === 0 || Boolean(o.saved?.covariateMean);
    const ranges = o.needSplit || k === undefined || !savedCov ? rangesOrSkip(s, o) : null;
    if ((ranges === null && (o.needSplit || k === undefined || !savedCov)) || n < o.minRows) {
      if (o.strict)
        throw new ForecastError(
          'TOO_FEW_ROWS',
          `series '${s.id}': ${n} rows, fewer than the ${o.minRows} needed; drop it, or leave out --strict to skip short series.`,
        );
      skipped.push({ id: s.id, rows: n });
      continue;
    }
    const scaler =
      k !== undefined
        ? new StandardScaler([(o.saved as PanelScalers).mean[k]], [(o.saved as PanelScalers).std[k]])
        : StandardScaler.fit(s.values, 1, (ranges as SplitRanges).trainRows);
    const maseScale =
      k !== undefined
        ? (o.saved as PanelScalers).maseScale[k]
        : seasonalNaiveScale(s.values, 1, 0, (ranges as SplitRanges).trainRows, o.period);
    const covScaler = covariateScaler(s, C, o.saved, k, ranges?.trainRows);
    prepared.push({
      series: s,
      ranges,
      scaler,
      covariateScaler: covScaler,
      maseScale,
      data: scaledRows(s, scaler, covScaler, covariates),
      marks: timeFeatures(s.times, kind),
      refitted: k === undefined,
    });
  }
  if (prepared.length === 0) {
    throw new ForecastError(
      'TOO_FEW_ROWS',
      `${panel.source}: every series (${skipped.length}) is too short for lookback ${o.lookback} + horizon ${o.horizon}${o.needSplit ? ` in each part of the split ${o.split.join(',')}` : ''}; use longer series or a smaller --lookback / --horizon.`,
    );
  }
  return { prepared, skipped };
}

/** Every series' scaled values and time features end to end, each followed by `pad` empty rows; `offsets[i]` is where series i starts. */
export interface Pool {
  /** `[rows, variables]`: the target, then the covariates. */
  data: Float32Array;
  variables: number;
  marks: Float32Array;
  offsets: number[];
  timeFeatures: number;
}

export function poolSeries(prepared: PreparedSeries[], timeFeatures: number, pad = 0): Pool {
  const V = 1 + (prepared[0]?.covariateScaler?.mean.length ?? 0);
  const rows = prepared.reduce((a, p) => a + p.series.values.length + pad, 0);
  const data = new Float32Array(rows * V);
  const marks = new Float32Array(rows * timeFeatures);
  const offsets: number[] = [];
  let at = 0;
  for (const p of prepared) {
    offsets.push(at);
    data.set(p.data, at * V);
    marks.set(p.marks, at * timeFeatures);
    at += p.series.values.length + pad;
  }
  return { data, variables: V, marks, offsets, timeFeatures };
}

/**
 * The windows whose first input rows (in each series) are `originsOf(series)`, as one set over the pool (no window
 * crosses from one series into the next); `counts[i]` windows come from series i, in order.
 */
export function pooledWindows(
  pool: Pool,
  prepared: PreparedSeries[],
  originsOf: (p: PreparedSeries) => ArrayLike<number>,
  lookback: number,
  horizon: number,
): { set: WindowSet; counts: number[] } {
  const counts: number[] = [];
  const all: number[] = [];
  prepared.forEach((p, i) => {
    const origins = originsOf(p);
    counts.push(origins.length);
    for (let j = 0; j < origins.length; j++) all.push(pool.offsets[i] + origins[j]);
  });
  const set = new WindowSet(
    pool.data,
    pool.marks,
    pool.variables,
    pool.timeFeatures,
    0,
    pool.data.length / pool.variables,
    lookback,
    horizon,
    [0],
    Int32Array.from(all),
  );
  return { set, counts };
}

/** First input rows of every window (stride 1) of one part of a series' split. */
export function partOrigins(ranges: SplitRanges, part: SplitPart, lookback: number, horizon: number): number[] {
  const [s, e] = ranges[part];
  const out: number[] = [];
  for (let o = s; o + lookback + horizon <= e; o++) out.push(o);
  return out;
}

/**
 * Writes every series' future covariates (scaled by its covariate scaler) into the `horizon` empty rows that follow
 * it in a pool built with `pad = horizon`. Every series needs a row for each of those steps; an error names the
 * series that lack some and how many they lack.
 */
export function fillFutureRows(
  pool: Pool,
  prepared: PreparedSeries[],
  future: PanelFuture | undefined,
  o: { columns: string[]; step: PanelStep; horizon: number },
): void {
  const H = o.horizon;
  const need = `their values of ${o.columns.join(', ')} for the ${H} step(s) after each series' last row`;
  if (!future)
    throw new ForecastError(
      'MISSING_FUTURE_COVARIATES',
      `predict: the model uses future covariates (${o.columns.join(', ')}) and needs ${need}; pass them (CLI: --future-csv FILE, a long CSV with the id and time columns and ${o.columns.join(', ')}).`,
    );
  const V = pool.variables;
  const first = V - o.columns.length; // the future covariates are the last variables
  const short: string[] = [];
  prepared.forEach((p, i) => {
    const n = p.series.values.length;
    const f = futureValuesOf(future, p.series.id, p.series.times[n - 1], o.step, H);
    if (f.missing) {
      const dateOnly = p.series.times.every((t) => t % 86400000 === 0);
      short.push(
        `'${p.series.id}' lacks ${f.missing} of ${H} (the first at ${formatTimestamp(f.firstMissing, dateOnly)})`,
      );
      return;
    }
    const cov = p.covariateScaler as StandardScaler;
    const C = cov.mean.length;
    for (let h = 0; h < H; h++)
      for (let j = 0; j < o.columns.length; j++) {
        const c = C - o.columns.length + j;
        pool.data[(pool.offsets[i] + n + h) * V + first + j] =
          (f.values[h * o.columns.length + j] - cov.mean[c]) / cov.std[c];
      }
  });
  if (short.length)
    throw new ForecastError(
      'MISSING_FUTURE_COVARIATES',
      `${future.source}: ${short.length} of ${prepared.length} series lack future covariate rows: ${short.slice(0, 5).join('; ')}${short.length > 5 ? `; ... (${short.length - 5} more)` : ''}. Predict needs ${need} (an empty cell counts as missing); add those rows.`,
    );
}
