import { ForecastError } from '../errors';
import { seasonalNaiveScale } from '../metrics';
import { Panel, PanelSeries, PanelStep } from '../data/panel';
import { StandardScaler } from '../data/scaler';
import { SplitPart, SplitRanges, splitRanges } from '../data/split';
import { TimeFeatureKind, frequencyOf, timeFeatures } from '../data/time';
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
}

/** One series, ready for windows: scaled values and time features. */
export interface PreparedSeries {
  series: PanelSeries;
  /** The series' split by time; null when it was not needed (a saved scaler and no split asked for). */
  ranges: SplitRanges | null;
  scaler: StandardScaler;
  maseScale: number;
  /** Scaled values `[rows]`. */
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
  return {
    ids: prepared.map((p) => p.series.id),
    mean: prepared.map((p) => p.scaler.mean[0]),
    std: prepared.map((p) => p.scaler.std[0]),
    maseScale: prepared.map((p) => p.maseScale),
  };
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
  const prepared: PreparedSeries[] = [];
  const skipped: { id: string; rows: number }[] = [];
  for (const s of panel.series) {
    const n = s.values.length;
    const k = saved.get(s.id);
    const ranges = o.needSplit || k === undefined ? rangesOrSkip(s, o) : null;
    if ((ranges === null && (o.needSplit || k === undefined)) || n < o.minRows) {
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
    const data = scaler.transform(s.values);
    prepared.push({
      series: s,
      ranges,
      scaler,
      maseScale,
      data,
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
  data: Float32Array;
  marks: Float32Array;
  offsets: number[];
  timeFeatures: number;
}

export function poolSeries(prepared: PreparedSeries[], timeFeatures: number, pad = 0): Pool {
  const rows = prepared.reduce((a, p) => a + p.data.length + pad, 0);
  const data = new Float32Array(rows);
  const marks = new Float32Array(rows * timeFeatures);
  const offsets: number[] = [];
  let at = 0;
  for (const p of prepared) {
    offsets.push(at);
    data.set(p.data, at);
    marks.set(p.marks, at * timeFeatures);
    at += p.data.length + pad;
  }
  return { data, marks, offsets, timeFeatures };
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
    1,
    pool.timeFeatures,
    0,
    pool.data.length,
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
