import { ForecastMetrics, MetricValues } from '../metrics';
import {
  ConformalIntervals,
  ProbabilisticValues,
  addProbabilistic,
  probabilisticForecast,
  ProbabilisticForecast,
} from '../intervals';
import { SplitPart } from '../data/split';
import { StandardScaler } from '../data/scaler';

/** Errors of a panel model per series, and their aggregates over the series. */

/** Errors of one series (original units; MASE against its own seasonal-naive in-sample error). */
export interface SeriesMetrics extends MetricValues {
  id: string;
  windows: number;
  /** Interval coverage and width, pinball loss and CRPS (original units); only for a model with intervals or quantiles. */
  probabilistic?: ProbabilisticValues;
}

export interface PanelEvaluation {
  /** The part of each series' split, or `backtest` for rolling-origin forecasts. */
  part: SplitPart | 'backtest';
  series: SeriesMetrics[];
  /** Each figure averaged over the series (every series counts once; NaN figures such as an undefined MAPE left out). */
  mean: Record<'mse' | 'mae' | 'rmse' | 'mape' | 'smape' | 'mase', number>;
  /** MASE averaged over the series weighted by their forecast points: Σ points·MASE / Σ points. */
  maseWeighted: number;
  /**
   * Over all forecast points of all series: interval coverage (percent), and mean width, pinball loss and CRPS in
   * units of each series' training std (series of different scales can then be pooled).
   */
  probabilistic?: ProbabilisticValues;
}

/**
 * The probabilistic side of one series' forecasts `values` (original units, `[forecasts, H]`): conformal
 * half-widths (calibrated in scaled units) times the series' std, or its quantile heads unscaled.
 */
export function seriesProbabilistic(
  values: Float64Array,
  scaler: StandardScaler,
  conformal: ConformalIntervals | undefined,
  heads: { levels: number[]; values: Float32Array[] } | null,
): ProbabilisticForecast | null {
  const std = scaler.std[0];
  const c = conformal && { ...conformal, halfWidths: conformal.halfWidths.map((w) => w.map((v) => v * std)) };
  const q = heads ? { levels: heads.levels, values: heads.values.map((v) => scaler.inverse(v)) } : undefined;
  return probabilisticForecast(values, c, q);
}

/** Errors of one series' forecasts against its actuals (original units). */
export function seriesMetrics(
  id: string,
  windows: number,
  maseScale: number,
  predicted: Float64Array,
  actual: Float64Array,
  pf: ProbabilisticForecast | null,
): SeriesMetrics {
  const m: SeriesMetrics = {
    id,
    windows,
    ...new ForecastMetrics(1, [maseScale]).update(predicted, actual).results(),
  };
  if (pf) m.probabilistic = addProbabilistic(null, actual, pf).results();
  return m;
}

/** Means over series, MASE weighted by points, and the pooled probabilistic figures (in units of each series' std). */
export function aggregate(
  series: SeriesMetrics[],
  stds: number[],
): Pick<PanelEvaluation, 'mean' | 'maseWeighted' | 'probabilistic'> {
  const keys = ['mse', 'mae', 'rmse', 'mape', 'smape', 'mase'] as const;
  const mean = {} as PanelEvaluation['mean'];
  for (const k of keys) {
    const ok = series.filter((s) => Number.isFinite(s[k]));
    mean[k] = ok.length ? ok.reduce((a, s) => a + s[k], 0) / ok.length : NaN;
  }
  let num = 0;
  let den = 0;
  for (const s of series) {
    if (!Number.isFinite(s.mase)) continue;
    num += s.points * s.mase;
    den += s.points;
  }
  return { mean, maseWeighted: den ? num / den : NaN, ...pooledProbabilistic(series, stds) };
}

/** Coverage pooled over all points; width, pinball and CRPS divided by each series' std, then pooled. */
function pooledProbabilistic(series: SeriesMetrics[], stds: number[]): { probabilistic?: ProbabilisticValues } {
  const first = series[0]?.probabilistic;
  if (!first) return {};
  const points = series.reduce((a, s) => a + s.points, 0);
  const pooled = (f: (p: ProbabilisticValues, std: number) => number): number =>
    series.reduce((a, s, i) => a + s.points * f(s.probabilistic as ProbabilisticValues, stds[i]), 0) / points;
  const pinball = pooled((p, std) => p.pinball / std);
  return {
    probabilistic: {
      intervals: first.intervals.map((iv, j) => ({
        level: iv.level,
        coverage: pooled((p) => p.intervals[j].coverage),
        width: pooled((p, std) => p.intervals[j].width / std),
      })),
      quantiles: first.quantiles,
      pinball,
      crps: 2 * pinball,
    },
  };
}
