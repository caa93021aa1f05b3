/**
 * What the Forecast tab shows, computed the same way in the page (browser build of @gatewave/forecast) and in the
 * server (Node build, when the user asks for server-side processing): the quick models' fit settings, and the reply
 * (history before the forecast, forecast with its first interval, the CLI's forecast CSV). Imports nothing from Node:
 * the app bundle includes it.
 */
import {
  createForecaster,
  defaultPeriod,
  forecastCsv,
  type Forecast,
  type Forecaster,
  type ModelKind,
  type TimeSeries,
} from '@gatewave/forecast';

/** Models the tab fits on the chosen CSV (a saved model is the other choice). */
export const QUICK_MODELS: readonly ModelKind[] = ['seasonal-naive', 'naive', 'tpgn'];

export interface ForecastReply {
  timeColumn: string;
  target: string;
  model: string;
  /** The last rows before the forecast (at most 4 look-backs). */
  history: { times: number[]; values: number[] };
  forecast: { times: number[]; values: number[]; lower: number[] | null; upper: number[] | null; level: number | null };
  csv: string;
}

export interface QuickSettings {
  kind: ModelKind;
  target: string;
  lookback: number;
  horizon: number;
}

/**
 * Fits a quick model on the series (70/20/10 split, 80 % conformal intervals, TPGN for 3 epochs, seed 1) and
 * forecasts the steps after its last row.
 */
export async function quickForecast(series: TimeSeries, s: QuickSettings): Promise<ForecastReply> {
  const model = createForecaster(s.kind, { lookback: s.lookback, horizon: s.horizon, period: defaultPeriod(series) });
  try {
    await model.fit(series, {
      target: s.target,
      features: 'S',
      split: [0.7, 0.2, 0.1],
      intervals: [80],
      epochs: 3,
      quiet: true,
      seed: 1,
    });
    return forecastReply(model, series, model.predict(series));
  } finally {
    model.dispose();
  }
}

/** The reply for forecast `f` of `model` after the last row of `series` (its first target column). */
export function forecastReply(model: Forecaster, series: TimeSeries, f: Forecast): ForecastReply {
  const target = f.columns[0];
  const c = series.columns.indexOf(target);
  const C = series.columns.length;
  const K = f.columns.length;
  const from = Math.max(0, series.length - 4 * model.lookback);
  const history = { times: [] as number[], values: [] as number[] };
  for (let r = from; r < series.length; r++) {
    history.times.push(series.times[r]);
    history.values.push(series.values[r * C + c]);
  }
  const column = (v: ArrayLike<number>): number[] => f.times.map((_, h) => v[h * K]);
  const iv = f.intervals?.[0];
  return {
    timeColumn: series.timeColumn,
    target,
    model: model.describe(),
    history,
    forecast: {
      times: f.times,
      values: column(f.values),
      lower: iv ? column(iv.lower) : null,
      upper: iv ? column(iv.upper) : null,
      level: iv?.level ?? null,
    },
    csv: forecastCsv(series.timeColumn, [f], false),
  };
}
