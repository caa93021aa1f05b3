import { ForecastError } from './errors';

/**
 * Prediction intervals.
 *
 * Split-conformal intervals (Vovk et al.; Lei et al. 2018, "Distribution-free predictive inference for regression"),
 * calibrated separately for every forecast step h and target column k: with the absolute errors
 * s_i = |y_i − ŷ_i| of the n calibration (validation) windows at that step, the half-width of the level-a interval
 * is the ⌈(n + 1)·a⌉-th smallest s_i, and the interval is ŷ ± that half-width. For exchangeable errors it covers the
 * actual with probability at least a (and below a + 1/(n + 1)). Each step gets its own width, so a naive forecast
 * whose error grows with h gets wider bands further out.
 */

/** Half-widths of the conformal intervals, in the data's own units. */
export interface ConformalIntervals {
  /** Interval levels in percent, ascending (e.g. `[80, 95]`). */
  levels: number[];
  /** Per level, row-major `[horizon, targets]` half-widths. */
  halfWidths: number[][];
  /** Calibration windows (validation windows, stride 1). */
  windows: number;
}

/** One interval of a forecast: `lower`/`upper` row-major `[horizon, targets]`, original units. */
export interface ForecastInterval {
  level: number;
  lower: Float64Array;
  upper: Float64Array;
}

/** Parses `80,95` into ascending distinct levels in (0, 100). */
export function parseIntervals(text: string | number[], what = '--interval'): number[] {
  const parts = typeof text === 'string' ? text.split(',').map((s) => Number(s.trim())) : [...text];
  if (parts.length === 0 || parts.some((p) => !Number.isFinite(p) || p <= 0 || p >= 100)) {
    throw new ForecastError(
      'BAD_ARGUMENT',
      `${what}: '${String(text)}' must be interval levels in percent strictly between 0 and 100, e.g. 80,95.`,
    );
  }
  const sorted = [...parts].sort((a, b) => a - b);
  if (sorted.some((p, i) => i > 0 && p === sorted[i - 1])) {
    throw new ForecastError(
      'BAD_ARGUMENT',
      `${what}: '${String(text)}' repeats a level; give each level once, e.g. 80,95.`,
    );
  }
  return sorted;
}

/** Parses `0.1,0.5,0.9` into quantile levels strictly inside (0, 1), strictly increasing. */
export function parseQuantiles(text: string | number[], what = '--quantiles'): number[] {
  const parts = typeof text === 'string' ? text.split(',').map((s) => Number(s.trim())) : [...text];
  if (parts.length === 0 || parts.some((q) => !Number.isFinite(q) || q <= 0 || q >= 1)) {
    throw new ForecastError(
      'BAD_ARGUMENT',
      `${what}: '${String(text)}' must be quantile levels strictly between 0 and 1, e.g. 0.1,0.5,0.9.`,
    );
  }
  if (parts.some((q, i) => i > 0 && q <= parts[i - 1])) {
    throw new ForecastError(
      'BAD_ARGUMENT',
      `${what}: '${String(text)}' must be in increasing order without repeats, e.g. 0.1,0.5,0.9.`,
    );
  }
  return parts;
}

/**
 * The conformal half-width of level `level` (percent) from calibration scores: the ⌈(n + 1)·level/100⌉-th smallest.
 * Throws when n is too small for the level (the rank would pass n, i.e. an infinite interval).
 */
export function conformalQuantile(scores: ArrayLike<number>, level: number): number {
  const n = scores.length;
  const rank = Math.ceil(((n + 1) * level) / 100 - 1e-9);
  if (rank > n) {
    const need = Math.ceil(100 / (100 - level)) - 1;
    throw new ForecastError(
      'TOO_FEW_ROWS',
      `--interval ${level}: ${n} validation window(s) cannot calibrate a ${level} % interval (it needs at least ${need}); use a lower level or a longer validation part.`,
    );
  }
  const sorted = Float64Array.from(scores).sort();
  return sorted[Math.max(rank, 1) - 1];
}

/**
 * Calibrates intervals from absolute errors `scores`, row-major `[windows, horizon·targets]` (original units).
 */
export function calibrateIntervals(scores: Float64Array, windows: number, levels: number[]): ConformalIntervals {
  const column = new Float64Array(windows);
  for (const level of levels) conformalQuantile(column, level); // checks that n suffices for every level
  const cells = scores.length / windows;
  const halfWidths = levels.map((level) => {
    const out: number[] = [];
    for (let c = 0; c < cells; c++) {
      for (let i = 0; i < windows; i++) column[i] = scores[i * cells + c];
      out.push(conformalQuantile(column, level));
    }
    return out;
  });
  return { levels: [...levels], halfWidths, windows };
}

/**
 * The intervals around point forecasts `values`: one forecast (row-major `[horizon, targets]`) or several after one
 * another (`[forecasts, horizon, targets]`); original units.
 */
export function intervalsAround(values: ArrayLike<number>, c: ConformalIntervals): ForecastInterval[] {
  return c.levels.map((level, j) => {
    const w = c.halfWidths[j];
    const cells = w.length;
    const lower = new Float64Array(values.length);
    const upper = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      lower[i] = values[i] - w[i % cells];
      upper[i] = values[i] + w[i % cells];
    }
    return { level, lower, upper };
  });
}

/**
 * The quantile levels and values implied by a point forecast and its intervals: the point forecast as the median,
 * the level-a interval's ends as the (1 − a)/2 and (1 + a)/2 quantiles. Levels ascending; values `[levels][points]`.
 */
export function quantilesFromIntervals(
  values: ArrayLike<number>,
  intervals: ForecastInterval[],
): { levels: number[]; values: ArrayLike<number>[] } {
  const lows = [...intervals].sort((a, b) => b.level - a.level);
  const highs = [...intervals].sort((a, b) => a.level - b.level);
  return {
    levels: [...lows.map((i) => (100 - i.level) / 200), 0.5, ...highs.map((i) => (100 + i.level) / 200)],
    values: [...lows.map((i) => i.lower), values, ...highs.map((i) => i.upper)],
  };
}

/** Coverage and mean width of one interval level. */
export interface IntervalFigures {
  level: number;
  /** Share of actuals inside [lower, upper], in percent. */
  coverage: number;
  /** Mean of upper − lower, in the data's units. */
  width: number;
}

/** Probabilistic error figures over many forecasts; see `IntervalMetrics`. */
export interface ProbabilisticValues {
  intervals: IntervalFigures[];
  /** Quantile levels the pinball loss and CRPS were computed from. */
  quantiles: number[];
  /** Mean pinball loss over the quantile levels and points. */
  pinball: number;
  /** CRPS approximated from the quantiles: 2 × the mean pinball loss over the levels. */
  crps: number;
}

/**
 * Accumulates interval coverage and width, and quantile scores, over any number of forecasts.
 * - coverage_a = 100 · (1/n) Σ [lower ≤ y ≤ upper]; width_a = (1/n) Σ (upper − lower)
 * - pinball loss at level τ: ρ_τ(y, q) = max(τ(y − q), (τ − 1)(y − q)), averaged over points and levels
 * - CRPS ≈ 2 · mean_τ mean_points ρ_τ(y, q_τ) (the quantile decomposition of the CRPS, Gneiting & Raftery 2007,
 *   on the levels at hand; exact in the limit of many evenly spread levels)
 */
export class IntervalMetrics {
  private n = 0;
  private readonly inside: Float64Array;
  private readonly widthSum: Float64Array;
  private readonly pinballSum: Float64Array;

  constructor(
    readonly levels: number[],
    readonly quantiles: number[],
  ) {
    this.inside = new Float64Array(levels.length);
    this.widthSum = new Float64Array(levels.length);
    this.pinballSum = new Float64Array(quantiles.length);
  }

  /** Adds intervals (in `levels` order) and quantile forecasts (in `quantiles` order) against `actual`. */
  update(
    actual: ArrayLike<number>,
    intervals: { lower: ArrayLike<number>; upper: ArrayLike<number> }[],
    quantileValues: ArrayLike<number>[],
  ): this {
    const n = actual.length;
    intervals.forEach((iv, j) => {
      for (let i = 0; i < n; i++) {
        if (iv.lower[i] <= actual[i] && actual[i] <= iv.upper[i]) this.inside[j]++;
        this.widthSum[j] += iv.upper[i] - iv.lower[i];
      }
    });
    quantileValues.forEach((q, j) => {
      const tau = this.quantiles[j];
      for (let i = 0; i < n; i++) {
        const e = actual[i] - q[i];
        this.pinballSum[j] += e >= 0 ? tau * e : (tau - 1) * e;
      }
    });
    this.n += n;
    return this;
  }

  results(): ProbabilisticValues {
    const n = this.n;
    let pinball = 0;
    for (const s of this.pinballSum) pinball += s / n;
    pinball /= Math.max(1, this.quantiles.length);
    return {
      intervals: this.levels.map((level, j) => ({
        level,
        coverage: (100 * this.inside[j]) / n,
        width: this.widthSum[j] / n,
      })),
      quantiles: [...this.quantiles],
      pinball,
      crps: 2 * pinball,
    };
  }
}

/** Quantile forecasts: levels ascending, values `[levels][points]` (same layout as the point forecast). */
export interface QuantileValues {
  levels: number[];
  values: ArrayLike<number>[];
}

/** Central intervals from symmetric pairs of quantile levels (τ, 1 − τ): 0.1 and 0.9 give the 80 % interval. */
export function intervalsFromQuantiles(q: QuantileValues): ForecastInterval[] {
  const out: ForecastInterval[] = [];
  q.levels.forEach((tau, i) => {
    const j = q.levels.findIndex((t) => Math.abs(t - (1 - tau)) < 1e-9);
    if (tau < 0.5 && j > i) {
      out.push({
        level: Number((100 * (1 - 2 * tau)).toFixed(6)),
        lower: Float64Array.from(q.values[i]),
        upper: Float64Array.from(q.values[j]),
      });
    }
  });
  return out.sort((a, b) => a.level - b.level);
}

/** A forecast's intervals and quantiles, for metrics and output; see `probabilisticForecast`. */
export interface ProbabilisticForecast {
  intervals: ForecastInterval[];
  quantiles: QuantileValues;
}

/**
 * The probabilistic side of point forecasts `values`: intervals from the conformal calibration when there is one,
 * else from symmetric pairs of the quantile heads; quantiles from the heads when there are any, else implied by the
 * conformal intervals. Null when the model has neither.
 */
export function probabilisticForecast(
  values: ArrayLike<number>,
  conformal?: ConformalIntervals,
  heads?: QuantileValues,
): ProbabilisticForecast | null {
  if (!conformal && !heads) return null;
  const intervals = conformal ? intervalsAround(values, conformal) : intervalsFromQuantiles(heads as QuantileValues);
  return { intervals, quantiles: heads ?? quantilesFromIntervals(values, intervals) };
}

/** Adds one batch of probabilistic forecasts against `actual`; creates the accumulator on the first call. */
export function addProbabilistic(
  metrics: IntervalMetrics | null,
  actual: ArrayLike<number>,
  f: ProbabilisticForecast,
): IntervalMetrics {
  const m =
    metrics ??
    new IntervalMetrics(
      f.intervals.map((i) => i.level),
      f.quantiles.levels,
    );
  return m.update(actual, f.intervals, f.quantiles.values);
}

/** Quantile levels for quantile heads: checked, sorted, with the median added when absent (it is the point forecast). */
export function headQuantiles(levels: number[] | string): number[] {
  const q = parseQuantiles(levels);
  return q.some((t) => Math.abs(t - 0.5) < 1e-12) ? q : [...q, 0.5].sort((a, b) => a - b);
}

/**
 * Splits a network's quantile-head output, row-major `[points, Q]` with levels `levels` (ascending, with 0.5), into
 * one array per level and the point forecast (the median). Heads trained separately can cross; sorting each point's
 * Q values (monotone rearrangement, Chernozhukov et al. 2010) gives ordered quantiles and never raises the pinball
 * loss.
 */
export function rearrangeQuantiles(
  data: Float32Array,
  levels: number[],
): { point: Float32Array; quantiles: Float32Array[] } {
  const Q = levels.length;
  const quantiles = levels.map(() => new Float32Array(data.length / Q));
  for (let i = 0; i < data.length / Q; i++) {
    const sorted = data.slice(i * Q, (i + 1) * Q).sort();
    for (let q = 0; q < Q; q++) quantiles[q][i] = sorted[q];
  }
  return { point: quantiles[levels.indexOf(0.5)], quantiles };
}
