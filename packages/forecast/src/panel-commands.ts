import * as path from 'path';
import { atomicWriteFile, checkOutputDir, checkOutputFile } from '@gatewave/core';
import { ForecastError } from './errors';
import { Panel, ReadPanelOptions, describeStep, readPanelCsv } from './data/panel';
import { PanelFuture, readPanelFutureCsv } from './data/panel-future';
import { parseColumns } from './models/covariates';
import { parseSplit } from './data/split';
import { formatTimestamp } from './data/time';
import { CsvReadRules } from './models/types';
import { loadForecaster, readModelDoc } from './models/model-file';
import { PanelBacktestOptions, PanelEvaluation, PanelForecastRow, PanelModel } from './models/panel-model';
import type { CommonTrainSettings } from './commands';
import { headQuantiles, parseIntervals } from './intervals';
import { checkPlotOut, checkPlotSeries, panelPlotCharts, writePanelPlot } from './panel-plot';

/**
 * The long-format panel steps behind `--id-col` in the CLI (train, eval, predict), as plain functions. Every output
 * is checked before any work and written atomically.
 */

export interface PanelTrainSettings extends CommonTrainSettings, Pick<CsvReadRules, 'delimiter' | 'naValues'> {
  idColumn: string;
  target: string;
  lookback: number;
  horizon: number;
  period: number;
  split?: string;
  /** A series too short is an error instead of being skipped. */
  strict?: boolean;
  /** Per-series test errors as CSV. */
  metrics?: string;
}

/** Reads a long CSV; series shorter than lookback + horizon are skipped (logged with a count) or, with strict, an error. */
export function readPanelForModel(
  csv: string,
  o: Omit<ReadPanelOptions, 'minLength'> & { lookback: number; horizon: number },
  log: (line: string) => void,
): Panel {
  const panel = readPanelCsv(csv, { ...o, minLength: o.lookback + o.horizon });
  const rows = panel.series.reduce((a, s) => a + s.values.length, 0);
  const filled = panel.series.reduce((a, s) => a + s.filled, 0);
  const { pastColumns = [], futureColumns = [] } = panel;
  const covariates = [
    ...(pastColumns.length ? [`past covariates ${pastColumns.join(', ')}`] : []),
    ...(futureColumns.length ? [`future covariates ${futureColumns.join(', ')}`] : []),
  ];
  log(
    `${path.basename(csv)}: ${panel.series.length} series (${rows} rows, ${describeStep(panel.step)}) by '${panel.idColumn}', target '${panel.target}'${covariates.length ? `, ${covariates.join(', ')}` : ''}${filled ? `; ${filled} gap rows or empty cells filled forward` : ''}`,
  );
  if (panel.skipped.length)
    log(
      `skipped ${panel.skipped.length} series shorter than ${o.horizon ? `lookback + horizon = ${o.lookback + o.horizon}` : `the lookback of ${o.lookback}`} rows (${panel.skipped
        .slice(0, 5)
        .map((s) => `${s.id}: ${s.rows}`)
        .join(', ')}${panel.skipped.length > 5 ? ', ...' : ''}); --strict makes this an error`,
    );
  return panel;
}

function checkCsvOut(file: string | undefined, flag: string, inputs: string[]): void {
  if (!file) return;
  if (path.extname(file).toLowerCase() !== '.csv')
    throw new ForecastError('BAD_ARGUMENT', `${flag} ${file}: must end in .csv.`);
  checkOutputFile(file, { inputs, flag });
}

/** Trains one panel model (global network, or per-series rule), reports its test errors per series and saves it. */
export async function trainPanelFromCsv(s: PanelTrainSettings): Promise<{ model: PanelModel; test: PanelEvaluation }> {
  const log = s.log ?? (() => undefined);
  const split = parseSplit(s.split ?? '0.6,0.2,0.2');
  const intervals = s.intervals === undefined ? undefined : parseIntervals(s.intervals);
  const quantiles = s.quantiles === undefined ? undefined : headQuantiles(s.quantiles);
  if (split === 'ett')
    throw new ForecastError('BAD_ARGUMENT', '--split ett: panels split each series by ratios; use e.g. 0.6,0.2,0.2.');
  checkOutputDir(s.out, { inputs: [s.csv], overwrite: s.overwrite, flag: '--out' });
  checkCsvOut(s.metrics, '--metrics', [s.csv, s.out]);
  const pastColumns = parseColumns(s.pastColumns);
  const futureColumns = parseColumns(s.futureColumns);
  const panel = readPanelForModel(s.csv, { ...s, pastColumns, futureColumns }, log);
  const model = new PanelModel(s.model ?? 'tpgn', {
    lookback: s.lookback,
    horizon: s.horizon,
    period: s.period,
    dModel: s.dModel,
    norm: s.norm,
    hidden: s.hidden,
    quantiles,
  });
  const fit = await model.fit(panel, { ...s, split, intervals });
  if (fit.skipped)
    log(`skipped ${fit.skipped} series too short for lookback + horizon in each part of the split ${split.join(',')}`);
  log(`global ${model.kind} over ${fit.series} series: windows train ${fit.windows.train}, val ${fit.windows.val}`);
  if (model.training?.interrupted && model.training.bestEpoch === 0)
    throw new ForecastError(
      'INTERRUPTED',
      `training was interrupted before the first epoch ended; nothing was saved to ${s.out}.`,
    );
  const test = model.evaluate(panel, 'test');
  if (model.forecaster.pipeline) model.forecaster.pipeline.read = { delimiter: s.delimiter, naValues: s.naValues };
  await model.forecaster.save(s.out, { overwrite: s.overwrite });
  if (s.metrics) atomicWriteFile(s.metrics, seriesMetricsCsv(panel.idColumn, test));
  return { model, test };
}

/** What eval, predict and backtest of a panel model take besides the model and CSV. */
export type PanelUseOptions = {
  strict?: boolean;
  log?: (line: string) => void;
  /** A plot (.png or .svg; both are written) of a few series: `plotSeries`, default the first 4. */
  plot?: string;
  plotSeries?: string[];
} & Pick<CsvReadRules, 'delimiter' | 'naValues'>;

/** The plot's charts (checked before any file is written), or null without `--plot`. */
function plotCharts(model: PanelModel, panel: Panel, rows: PanelForecastRow[], o: PanelUseOptions) {
  if (!o.plot) return null;
  return panelPlotCharts(panel, rows, { ids: o.plotSeries, history: Math.max(model.lookback, 3 * model.horizon) });
}

/** Writes the plot of `plotCharts`, titled by the run, and returns its files (none without `--plot`). */
async function writePlot(
  charts: ReturnType<typeof plotCharts>,
  model: PanelModel,
  panel: Panel,
  o: PanelUseOptions,
  what: string,
): Promise<string[]> {
  if (!charts || !o.plot) return [];
  const title = `${model.kind} ${what} of ${panel.target} (${path.basename(panel.source)}, ${charts.length} series)`;
  return writePanelPlot(o.plot, charts, title, panel.target);
}

/**
 * Checks the outputs (before any work), loads a model saved by `trainPanelFromCsv` and reads a long CSV with its id,
 * time and target columns.
 */
async function loadPanel(
  modelDir: string,
  csv: string,
  options: PanelUseOptions,
  outputs: [string | undefined, string][],
  historyOnly = false,
): Promise<{ model: PanelModel; panel: Panel }> {
  for (const [file, flag] of outputs) checkCsvOut(file, flag, [csv, modelDir]);
  if (options.plotSeries && !options.plot)
    throw new ForecastError('BAD_ARGUMENT', '--plot-series: give --plot FILE too (the series to plot).');
  checkPlotOut(options.plot, [csv, modelDir, ...outputs.flatMap(([f]) => (f ? [f] : []))]);
  const model = new PanelModel(await loadForecaster(modelDir));
  const p = model.forecaster.pipeline as NonNullable<PanelModel['forecaster']['pipeline']>;
  const rules = { delimiter: options.delimiter, naValues: options.naValues };
  const defined = Object.fromEntries(Object.entries(rules).filter(([, v]) => v !== undefined));
  const log = options.log ?? (() => undefined);
  const panel = readPanelForModel(
    csv,
    {
      ...p.read,
      ...defined,
      idColumn: (p.panel as { idColumn: string }).idColumn,
      timeColumn: p.timeColumn,
      target: p.target,
      pastColumns: p.pastColumns ?? [],
      futureColumns: p.futureColumns ?? [],
      strict: options.strict ?? false,
      lookback: model.lookback,
      // predict needs only the lookback rows of a series; eval and backtest also the horizon after them.
      horizon: historyOnly ? 0 : model.horizon,
    },
    log,
  );
  checkPlotSeries(panel, options.plotSeries);
  return { model, panel };
}

/** Logs the series a run skipped and those scaled by their own training part (not in the training file). */
function logCoverage(model: PanelModel, log: (line: string) => void = () => undefined): void {
  if (model.skipped.length)
    log(
      `skipped ${model.skipped.length} series too short for this run (${model.skipped
        .slice(0, 5)
        .map((s) => `${s.id}: ${s.rows}`)
        .join(', ')})`,
    );
  if (model.refitted)
    log(
      `${model.refitted} series had no saved scaler (not in the training file): each scaled by its own training part`,
    );
}

/** Errors per series of a saved panel model on one part of each series' split; `metrics` gets them as CSV. */
export async function evaluatePanelCsv(
  modelDir: string,
  csv: string,
  options: { part?: 'train' | 'val' | 'test'; metrics?: string } & PanelUseOptions = {},
): Promise<{ model: PanelModel; result: PanelEvaluation; files: string[] }> {
  const part = options.part ?? 'test';
  if (!['train', 'val', 'test'].includes(part))
    throw new ForecastError('BAD_ARGUMENT', `--part: '${part}' is not train, val or test.`);
  const { model, panel } = await loadPanel(modelDir, csv, options, [[options.metrics, '--metrics']]);
  const result = model.evaluate(panel, part);
  logCoverage(model, options.log);
  const ids = options.plotSeries ?? result.series.slice(0, 4).map((s) => s.id);
  const charts = options.plot ? plotCharts(model, panel, model.partForecasts(panel, part, ids), options) : null;
  const files: string[] = [];
  if (options.metrics) {
    atomicWriteFile(options.metrics, seriesMetricsCsv(panel.idColumn, result));
    files.push(options.metrics);
  }
  files.push(...(await writePlot(charts, model, panel, options, `${part} forecasts`)));
  return { model, result, files };
}

/**
 * The rows of `model`'s future covariates in `file` for the series of `panel`; undefined without a file, or for a
 * model without future covariates (which reads none).
 */
export function readFutureFor(
  model: PanelModel,
  panel: Panel,
  file: string | undefined,
  rules: Pick<CsvReadRules, 'delimiter' | 'naValues'>,
): PanelFuture | undefined {
  const columns = model.forecaster.pipeline?.futureColumns ?? [];
  if (!file || columns.length === 0) return undefined;
  const { delimiter, naValues } = rules;
  return readPanelFutureCsv(file, {
    idColumn: panel.idColumn,
    timeColumn: panel.timeColumn,
    columns,
    delimiter,
    naValues,
  });
}

/**
 * Forecasts the horizon after the end of every series and writes a long CSV (`id, time, forecast[, bands]`). A model
 * with future covariates reads their rows after each series' end from `futureCsv` (id, time and those columns).
 */
export async function predictPanelCsv(
  modelDir: string,
  csv: string,
  out: string,
  options: PanelUseOptions & { futureCsv?: string } = {},
): Promise<{ model: PanelModel; rows: PanelForecastRow[]; files: string[] }> {
  if (options.futureCsv) checkCsvOut(out, '--out', [options.futureCsv]);
  const { model, panel } = await loadPanel(modelDir, csv, options, [[out, '--out']], true);
  const future = readFutureFor(model, panel, options.futureCsv, options);
  const rows = model.predict(panel, { future });
  logCoverage(model, options.log);
  const charts = plotCharts(model, panel, rows, options);
  atomicWriteFile(out, panelForecastCsv(panel.idColumn, panel.timeColumn, rows));
  const files = [out, ...(await writePlot(charts, model, panel, options, 'forecast'))];
  return { model, rows, files };
}

/**
 * Rolling-origin forecasts of every series (see `PanelModel.backtest`), their errors per series and aggregated;
 * `out` gets every forecast with its actual as a long CSV, `metrics` the errors per series.
 */
export async function backtestPanelCsv(
  modelDir: string,
  csv: string,
  options: PanelBacktestOptions & { out?: string; metrics?: string } & PanelUseOptions = {},
): Promise<{ model: PanelModel; result: PanelEvaluation; rows: PanelForecastRow[]; files: string[] }> {
  const { model, panel } = await loadPanel(modelDir, csv, options, [
    [options.out, '--out'],
    [options.metrics, '--metrics'],
  ]);
  const { evaluation, rows } = model.backtest(panel, options);
  logCoverage(model, options.log);
  const charts = plotCharts(model, panel, rows, options);
  const files: string[] = [];
  if (options.out) {
    atomicWriteFile(options.out, panelForecastCsv(panel.idColumn, panel.timeColumn, rows));
    files.push(options.out);
  }
  if (options.metrics) {
    atomicWriteFile(options.metrics, seriesMetricsCsv(panel.idColumn, evaluation));
    files.push(options.metrics);
  }
  files.push(...(await writePlot(charts, model, panel, options, 'backtest')));
  return { model, result: evaluation, rows, files };
}

const fmt = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(7))) : '');

const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * CSV text of per-series errors: id, windows, points, mse, mae, rmse, mape, smape, mase and, for a model with
 * intervals or quantiles, `coverage<level>` (percent), `width<level>`, pinball and crps (all in original units).
 */
export function seriesMetricsCsv(idColumn: string, e: PanelEvaluation): string {
  const keys = ['mse', 'mae', 'rmse', 'mape', 'smape', 'mase'] as const;
  const levels = e.series[0]?.probabilistic?.intervals.map((iv) => iv.level) ?? [];
  const prob = e.series[0]?.probabilistic
    ? [...levels.flatMap((l) => [`coverage${l}`, `width${l}`]), 'pinball', 'crps']
    : [];
  const lines = [[idColumn, 'windows', 'points', ...keys, ...prob].join(',')];
  for (const s of e.series) {
    const p = s.probabilistic;
    const extra = p ? [...p.intervals.flatMap((iv) => [iv.coverage, iv.width]), p.pinball, p.crps] : [];
    lines.push([quote(s.id), s.windows, s.points, ...[...keys.map((k) => s[k]), ...extra].map(fmt)].join(','));
  }
  return lines.join('\n') + '\n';
}

/**
 * CSV text of panel forecasts in long format: id, time, forecast; backtests add `origin` (the forecast's first
 * step) and `actual`; a model with intervals adds `lo<level>`/`hi<level>`, with quantile heads `q<level>`. Times are
 * dates when all fall on midnight (a merge of several parts passes the batch's `dateOnly`).
 */
export function panelForecastCsv(
  idColumn: string,
  timeColumn: string,
  rows: PanelForecastRow[],
  dateOnly = rows.every((r) => r.time % 86400000 === 0),
): string {
  const first = rows[0];
  const backtest = first?.origin !== undefined;
  const header = [
    idColumn,
    timeColumn,
    ...(backtest ? ['origin'] : []),
    'forecast',
    ...(backtest ? ['actual'] : []),
    ...(first?.intervals ?? []).flatMap((iv) => [`lo${iv.level}`, `hi${iv.level}`]),
    ...(first?.quantiles ?? []).map((q) => `q${q.level}`),
  ];
  const line = (r: PanelForecastRow): string =>
    [
      quote(r.id),
      formatTimestamp(r.time, dateOnly),
      ...(backtest ? [formatTimestamp(r.origin as number, dateOnly)] : []),
      fmt(r.forecast),
      ...(backtest ? [fmt(r.actual as number)] : []),
      ...(r.intervals ?? []).flatMap((iv) => [fmt(iv.lower), fmt(iv.upper)]),
      ...(r.quantiles ?? []).map((q) => fmt(q.value)),
    ].join(',');
  return [header.join(','), ...rows.map(line)].join('\n') + '\n';
}

/** Whether a model folder holds a model trained on a long-format panel (`--id-col`). */
export function isPanelModel(modelDir: string): boolean {
  return Boolean(readModelDoc(modelDir).pipeline.panel);
}

/** Text lines of a panel evaluation: the aggregates, then the 5 series with the largest MASE. */
export function describePanelEvaluation(e: PanelEvaluation): string[] {
  const f = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : 'n/a');
  const worst = [...e.series].sort((a, b) => b.mase - a.mase).slice(0, 5);
  return [
    `${e.part}: ${e.series.length} series, ${e.series.reduce((a, s) => a + s.windows, 0)} windows (original units)`,
    `mean over series: MAE ${f(e.mean.mae)}  RMSE ${f(e.mean.rmse)}  sMAPE ${f(e.mean.smape)} %  MASE ${f(e.mean.mase)}`,
    `MASE weighted by forecast points: ${f(e.maseWeighted)}`,
    `largest MASE: ${worst.map((s) => `${s.id} ${f(s.mase)}`).join(', ')}`,
    ...probabilisticLines(e.probabilistic),
  ];
}

/** Lines of pooled interval coverage and width, pinball loss and CRPS (widths in units of each series' std). */
function probabilisticLines(p: PanelEvaluation['probabilistic']): string[] {
  if (!p) return [];
  return [
    ...p.intervals.map(
      (iv) =>
        `${`${iv.level} % interval`.padEnd(14)} coverage ${iv.coverage.toFixed(1).padStart(5)} % of all points  mean width ${iv.width.toPrecision(4)} series std`,
    ),
    `pinball loss ${p.pinball.toPrecision(4)}, CRPS ${p.crps.toPrecision(4)} (quantiles ${p.quantiles.join(', ')}; in series std)`,
  ];
}
