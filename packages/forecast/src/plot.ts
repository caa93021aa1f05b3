import * as fs from 'fs';
import * as path from 'path';
import { atomicWriteFile } from '@gatewave/core';
import { ForecastError } from './errors';

/** One point of a plot: a timestamp (ms, naive), a value and which line it belongs to. */
export interface PlotPoint {
  time: number;
  value: number;
  /** `history`, `forecast` or `actual`. */
  kind: 'history' | 'forecast' | 'actual';
  /** Separates lines of the same kind (e.g. one per backtest forecast). */
  segment?: number;
}

/** One time step of a prediction-interval band: drawn as a shaded area from `lower` to `upper`. */
export interface BandPoint {
  time: number;
  lower: number;
  upper: number;
  /** Interval level in percent. */
  level: number;
  segment?: number;
}

export interface PlotOptions {
  title?: string;
  /** Label of the y axis (the column). */
  yTitle?: string;
  width?: number;
  height?: number;
  /** A TrueType/OpenType font file for the text; default: DejaVu Sans or Liberation Sans when found, else system fonts. */
  fontFile?: string;
}

const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf',
  'C:\\Windows\\Fonts\\arial.ttf',
];

// vega and vega-lite are ESM-only with top-level await: load them with a real dynamic import (not require).
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The vega-lite spec of a forecast plot: history, forecasts and actuals as lines over a UTC time axis, and
 * prediction-interval bands (widest first, lighter) shaded under them.
 */
export function forecastSpec(
  points: PlotPoint[],
  options: PlotOptions = {},
  font?: string,
  bands: BandPoint[] = [],
): Record<string, unknown> {
  const colours: Record<PlotPoint['kind'], string> = { history: '#4c78a8', actual: '#54a24b', forecast: '#e45756' };
  const kinds = (['history', 'actual', 'forecast'] as const).filter((k) => points.some((p) => p.kind === k));
  const x = {
    field: 'time',
    type: 'temporal',
    scale: { type: 'utc' },
    axis: { format: '%Y-%m-%d %H:%M', labelAngle: -30 },
    title: 'time',
  };
  const levels = [...new Set(bands.map((b) => b.level))].sort((a, b) => b - a);
  const bandLayer = {
    data: { values: bands.map((b) => ({ ...b, band: `${b.level} % interval`, area: `${b.level}-${b.segment ?? 0}` })) },
    mark: { type: 'area', color: colours.forecast },
    encoding: {
      x,
      y: { field: 'lower', type: 'quantitative', scale: { zero: false }, title: options.yTitle ?? 'value' },
      y2: { field: 'upper' },
      opacity: {
        field: 'band',
        type: 'ordinal',
        scale: {
          domain: levels.map((l) => `${l} % interval`),
          range: levels.map((_, i) => 0.15 + (0.2 * (i + 1)) / levels.length),
        },
        title: null,
      },
      detail: { field: 'area', type: 'nominal' },
    },
  };
  const lineLayer = {
    data: { values: points.map((p) => ({ ...p, line: `${p.kind}-${p.segment ?? 0}` })) },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x,
      y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: options.yTitle ?? 'value' },
      color: {
        field: 'kind',
        type: 'nominal',
        scale: { domain: kinds, range: kinds.map((k) => colours[k]) },
        title: null,
      },
      detail: { field: 'line', type: 'nominal' },
    },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: options.width ?? 800,
    height: options.height ?? 300,
    title: options.title ?? 'forecast',
    background: 'white',
    layer: bands.length ? [bandLayer, lineLayer] : [lineLayer],
    config: font ? { font } : {},
  };
}

/** One series' chart in a panel plot: its id (the chart's title), lines and bands. */
export interface SeriesPlot {
  id: string;
  points: PlotPoint[];
  bands: BandPoint[];
}

/**
 * The vega-lite spec of a panel plot: one forecast chart per series (`forecastSpec` each, titled by its id), stacked
 * vertically, each with its own y scale.
 */
export function panelPlotSpec(series: SeriesPlot[], options: PlotOptions = {}, font?: string): Record<string, unknown> {
  const charts = series.map((s) => {
    const { layer, width, height } = forecastSpec(
      s.points,
      { ...options, height: options.height ?? 220, title: s.id },
      font,
      s.bands,
    );
    return { title: s.id, width, height, layer };
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: options.title ?? 'forecast',
    background: 'white',
    vconcat: charts,
    resolve: { scale: { y: 'independent' } },
    config: font ? { font } : {},
  };
}

/**
 * Renders a forecast plot without a browser or canvas: vega-lite → vega View (renderer `none`) → SVG → PNG with
 * resvg. `file` names the PNG (`.png`) or the SVG (`.svg`); both are written, side by side, atomically. Returns
 * both paths.
 */
export async function plotForecast(
  file: string,
  points: PlotPoint[],
  options: PlotOptions = {},
  bands: BandPoint[] = [],
): Promise<{ png: string; svg: string }> {
  if (points.length === 0) throw new ForecastError('BAD_ARGUMENT', `plot ${file}: nothing to plot.`);
  return renderPlot(file, options, (family) => forecastSpec(points, options, family, bands));
}

/** Plots a few series of a panel, one chart each, stacked (see `plotForecast` for the files written). */
export async function plotPanelForecast(
  file: string,
  series: SeriesPlot[],
  options: PlotOptions = {},
): Promise<{ png: string; svg: string }> {
  if (!series.some((s) => s.points.length)) throw new ForecastError('BAD_ARGUMENT', `plot ${file}: nothing to plot.`);
  return renderPlot(file, options, (family) => panelPlotSpec(series, options, family));
}

/** Renders the vega-lite spec made by `specOf(font family)` to `file`'s .svg and .png. */
async function renderPlot(
  file: string,
  options: PlotOptions,
  specOf: (family: string | undefined) => Record<string, unknown>,
): Promise<{ png: string; svg: string }> {
  const ext = path.extname(file).toLowerCase();
  if (ext !== '.png' && ext !== '.svg') {
    throw new ForecastError('BAD_ARGUMENT', `--plot ${file}: the plot file must end in .png or .svg.`);
  }
  const base = file.slice(0, -ext.length);
  const fontFile = options.fontFile ?? FONT_CANDIDATES.find((f) => fs.existsSync(f));
  const family = fontFile
    ? /dejavu/i.test(fontFile)
      ? 'DejaVu Sans'
      : /liberation/i.test(fontFile)
        ? 'Liberation Sans'
        : 'Arial'
    : undefined;
  const vl = await importEsm('vega-lite');
  const vega = await importEsm('vega');
  const spec = vl.compile(specOf(family)).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  const svg: string = await view.toSVG();
  view.finalize();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a native module loaded only when a plot is written
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
    font: fontFile
      ? { fontFiles: [fontFile], loadSystemFonts: false, defaultFontFamily: family }
      : { loadSystemFonts: true },
  });
  const png = resvg.render().asPng();
  const out = { png: `${base}.png`, svg: `${base}.svg` };
  atomicWriteFile(out.svg, svg);
  atomicWriteFile(out.png, png);
  return out;
}
