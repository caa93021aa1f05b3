import { TimeSeries } from './data/series';
import { formatTimestamp } from './data/time';
import { Forecaster } from './models/forecaster';
import { Forecast } from './models/types';
import type { BandPoint, PlotPoint } from './plot';

/**
 * What a forecast becomes for people: the CSV the CLI writes and the points and bands of a plot. Shared by Node and
 * the browser entry (no file access here: `commands.ts` writes the files, a page offers a download).
 */

/** Points for a plot of target column `column`: the last `historySteps` rows, the forecasts and (for backtests) actuals. */
export function plotPoints(
  model: Forecaster,
  series: TimeSeries,
  forecasts: Forecast[],
  withActuals: boolean,
  column = 0,
): PlotPoint[] {
  const p = model.pipeline as NonNullable<Forecaster['pipeline']>;
  const c = series.columns.indexOf(p.targetColumns[column]);
  const C = series.columns.length;
  const K = p.targetColumns.length;
  const points: PlotPoint[] = [];
  const firstOrigin = Math.min(...forecasts.map((f) => f.origin));
  const histEnd = Math.min(series.length, firstOrigin);
  const histStart = Math.max(0, histEnd - Math.max(model.lookback, 3 * model.horizon));
  for (let r = histStart; r < histEnd; r++)
    points.push({ time: series.times[r], value: series.values[r * C + c], kind: 'history' });
  if (withActuals) {
    const lastEnd = Math.max(...forecasts.map((f) => f.origin + model.horizon));
    for (let r = histEnd; r < Math.min(series.length, lastEnd); r++)
      points.push({ time: series.times[r], value: series.values[r * C + c], kind: 'actual' });
  }
  forecasts.forEach((f, i) => {
    f.times.forEach((t, h) => points.push({ time: t, value: f.values[h * K + column], kind: 'forecast', segment: i }));
  });
  return points;
}

/** The interval bands of target column `column` of some forecasts, for `plotForecast`. */
export function plotBands(forecasts: Forecast[], column = 0): BandPoint[] {
  const bands: BandPoint[] = [];
  forecasts.forEach((f, i) => {
    const K = f.columns.length;
    for (const iv of f.intervals ?? []) {
      f.times.forEach((t, h) =>
        bands.push({
          time: t,
          lower: iv.lower[h * K + column],
          upper: iv.upper[h * K + column],
          level: iv.level,
          segment: i,
        }),
      );
    }
  });
  return bands;
}

/**
 * CSV text of forecasts: the time column, the origin (for backtests), one column per target and, when the
 * forecasts have intervals, `<column>_lo<level>` and `<column>_hi<level>` per target and level, and with quantile
 * heads `<column>_q<level>` per target and quantile level.
 */
export function forecastCsv(timeColumn: string, forecasts: Forecast[], withOrigin: boolean): string {
  const cols = forecasts[0]?.columns ?? [];
  const levels = (forecasts[0]?.intervals ?? []).map((iv) => iv.level);
  const qLevels = (forecasts[0]?.quantiles ?? []).map((q) => q.level);
  const bounds = cols.flatMap((c) => [
    ...levels.flatMap((l) => [`${c}_lo${l}`, `${c}_hi${l}`]),
    ...qLevels.map((q) => `${c}_q${q}`),
  ]);
  const lines = [[timeColumn, ...(withOrigin ? ['origin'] : []), ...cols, ...bounds].join(',')];
  const dateOnly = forecasts.every((f) => f.times.every((t) => t % 86400000 === 0));
  const fmt = (v: number): string => String(Number(v.toPrecision(7)));
  for (const f of forecasts) {
    f.times.forEach((t, h) => {
      const i = (k: number): number => h * cols.length + k;
      const vals = cols.map((_, k) => fmt(f.values[i(k)]));
      for (let k = 0; k < cols.length; k++) {
        for (const iv of f.intervals ?? []) vals.push(fmt(iv.lower[i(k)]), fmt(iv.upper[i(k)]));
        for (const q of f.quantiles ?? []) vals.push(fmt(q.values[i(k)]));
      }
      lines.push(
        [formatTimestamp(t, dateOnly), ...(withOrigin ? [formatTimestamp(f.times[0], dateOnly)] : []), ...vals].join(
          ',',
        ),
      );
    });
  }
  return lines.join('\n') + '\n';
}
