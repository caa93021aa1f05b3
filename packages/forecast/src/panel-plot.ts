import * as path from 'path';
import { checkOutputFile } from '@gatewave/core';
import { ForecastError } from './errors';
import { Panel } from './data/panel';
import { PanelForecastRow } from './models/panel-model';
import { BandPoint, PlotPoint, SeriesPlot, plotPanelForecast } from './plot';

/**
 * Plots of panel forecasts (`--plot` with `--id-col` models): a few series, one chart each, with their recent
 * history, the forecasts, the actuals (eval, backtest) and the interval bands when the model has them.
 */

/** How many series a panel plot shows when `--plot-series` is not given. */
export const DEFAULT_PLOT_SERIES = 4;

/** Checks `--plot-series` ids against the panel's series before any work: an unknown id is an error naming it. */
export function checkPlotSeries(panel: Panel, ids: string[] | undefined): void {
  if (!ids) return;
  if (ids.length === 0) throw new ForecastError('BAD_ARGUMENT', '--plot-series: give one or more series ids (a,b).');
  const known = new Set(panel.series.map((s) => s.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) {
    const some = panel.series.slice(0, 8).map((s) => s.id);
    throw new ForecastError(
      'BAD_ARGUMENT',
      `--plot-series: ${unknown.map((id) => `'${id}'`).join(', ')} ${unknown.length === 1 ? 'is not a series' : 'are not series'} of ${path.basename(panel.source)} long enough to forecast (its series: ${some.join(', ')}${panel.series.length > some.length ? `, ... ${panel.series.length} in all` : ''}); check the ids.`,
    );
  }
}

/** The series to plot: `ids`, or the first `DEFAULT_PLOT_SERIES` that have forecasts; an id without any is an error. */
function plotIds(rows: PanelForecastRow[], ids: string[] | undefined): string[] {
  const forecast = [...new Set(rows.map((r) => r.id))];
  if (!ids) return forecast.slice(0, DEFAULT_PLOT_SERIES);
  const none = ids.filter((id) => !forecast.includes(id));
  if (none.length)
    throw new ForecastError(
      'BAD_ARGUMENT',
      `--plot-series: ${none.map((id) => `'${id}'`).join(', ')} got no forecast in this run (too short, skipped); pick other series.`,
    );
  return ids;
}

/** One series' chart: the `history` steps before its first forecast, its forecasts (one line per origin), actuals and bands. */
function seriesPlot(panel: Panel, id: string, rows: PanelForecastRow[], history: number): SeriesPlot {
  const s = panel.series.find((x) => x.id === id) as Panel['series'][number];
  const mine = rows.filter((r) => r.id === id);
  const first = Math.min(...mine.map((r) => r.origin ?? r.time));
  const last = Math.max(...mine.map((r) => r.time));
  const withActual = mine[0]?.actual !== undefined;
  const points: PlotPoint[] = [];
  const end = s.times.findIndex((t) => t >= first);
  const histEnd = end < 0 ? s.times.length : end;
  for (let r = Math.max(0, histEnd - history); r < histEnd; r++)
    points.push({ time: s.times[r], value: s.values[r], kind: 'history' });
  if (withActual)
    for (let r = histEnd; r < s.times.length && s.times[r] <= last; r++)
      points.push({ time: s.times[r], value: s.values[r], kind: 'actual' });
  const origins = [...new Set(mine.map((r) => r.origin ?? first))];
  const bands: BandPoint[] = [];
  for (const r of mine) {
    const segment = origins.indexOf(r.origin ?? first);
    points.push({ time: r.time, value: r.forecast, kind: 'forecast', segment });
    for (const iv of r.intervals ?? [])
      bands.push({ time: r.time, lower: iv.lower, upper: iv.upper, level: iv.level, segment });
  }
  return { id, points, bands };
}

/**
 * The charts of some series' forecasts: `ids`, default the first 4 forecast; `history` steps before each series'
 * first forecast are shown. Made before any file is written, as an id without forecasts is an error.
 */
export function panelPlotCharts(
  panel: Panel,
  rows: PanelForecastRow[],
  o: { ids?: string[]; history: number },
): SeriesPlot[] {
  return plotIds(rows, o.ids).map((id) => seriesPlot(panel, id, rows, o.history));
}

/** Writes charts made by `panelPlotCharts` to `file` (.png or .svg; both are written); returns the files. */
export async function writePanelPlot(
  file: string,
  charts: SeriesPlot[],
  title: string,
  yTitle: string,
): Promise<string[]> {
  const r = await plotPanelForecast(file, charts, { title, yTitle });
  return [r.png, r.svg];
}

/** Checks a `--plot` file before any work: .png or .svg, and both it and its sibling can be written. */
export function checkPlotOut(file: string | undefined, inputs: string[]): void {
  if (!file) return;
  const ext = path.extname(file).toLowerCase();
  if (ext !== '.png' && ext !== '.svg')
    throw new ForecastError('BAD_ARGUMENT', `--plot ${file}: must end in .png or .svg.`);
  const base = file.slice(0, -ext.length);
  for (const e of ['.png', '.svg']) checkOutputFile(base + e, { inputs, flag: '--plot' });
}
