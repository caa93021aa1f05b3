import { ForecastError } from '../errors';
import { ForecastMetrics } from '../metrics';
import { IntervalMetrics, addProbabilistic, probabilisticForecast } from '../intervals';
import { BacktestOptions, BacktestResult, Forecast, Pipeline } from './types';

/** The rolling-origin side of `Forecaster`: where backtest forecasts start, and their errors against the actuals. */

/**
 * First forecast rows of a backtest over a series of `length` rows: at `start` (a fraction of the rows in (0, 1), or a
 * row index; default 0.8), then every `stride` rows (default the horizon) while `horizon` actuals remain.
 */
export function backtestOrigins(length: number, lookback: number, horizon: number, options: BacktestOptions): number[] {
  const start = options.start ?? 0.8;
  const stride = options.stride ?? horizon;
  if (!(Number.isInteger(stride) && stride > 0))
    throw new ForecastError('BAD_ARGUMENT', `--stride: must be a positive integer, got ${stride}.`);
  const first = start > 0 && start < 1 ? Math.floor(length * start) : start;
  if (!Number.isInteger(first) || first < lookback || first + horizon > length) {
    throw new ForecastError(
      'BAD_ARGUMENT',
      `--start ${start}: the first forecast must start at a row in [lookback, rows − horizon] = [${lookback}, ${length - horizon}] ` +
        `(a fraction of the series or a row index); this series has ${length} rows.`,
    );
  }
  const origins: number[] = [];
  for (let o = first; o + horizon <= length; o += stride) origins.push(o);
  return origins;
}

/**
 * Errors of forecasts against the series they came from: `raw` and `data` are its model columns, original and scaled,
 * row-major `[rows, inputColumns]`; scaled and original metrics, and the probabilistic ones when the model has them.
 */
export function scoreForecasts(
  p: Pipeline,
  horizon: number,
  forecasts: Forecast[],
  raw: Float64Array,
  data: Float32Array,
): Omit<BacktestResult, 'forecasts'> {
  const V = p.inputColumns.length;
  const K = p.targetIdx.length;
  const scaled = new ForecastMetrics(K, p.maseScale.scaled);
  const original = new ForecastMetrics(K, p.maseScale.original);
  let probabilistic: IntervalMetrics | null = null;
  for (const f of forecasts) {
    const actualScaled = new Float32Array(horizon * K);
    const actual = new Float64Array(horizon * K);
    for (let h = 0; h < horizon; h++) {
      for (let k = 0; k < K; k++) {
        actualScaled[h * K + k] = data[(f.origin + h) * V + p.targetIdx[k]];
        actual[h * K + k] = raw[(f.origin + h) * V + p.targetIdx[k]];
      }
    }
    scaled.update(f.scaled, actualScaled);
    original.update(f.values, actual);
    const heads = f.quantiles && { levels: f.quantiles.map((q) => q.level), values: f.quantiles.map((q) => q.values) };
    const pf = probabilisticForecast(f.values, p.intervals, heads);
    if (pf) probabilistic = addProbabilistic(probabilistic, actual, pf);
  }
  return {
    scaled: scaled.results(),
    original: original.results(),
    ...(probabilistic ? { probabilistic: probabilistic.results() } : {}),
  };
}
