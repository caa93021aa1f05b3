import * as path from 'path';
import { atomicWriteFile, checkOutputDir, checkOutputFile } from '@gatewave/core';
import { ForecastError } from './errors';
import { Panel, ReadPanelOptions, describeStep, readPanelCsv } from './data/panel';
import { parseSplit } from './data/split';
import { formatTimestamp } from './data/time';
import { CsvReadRules, ModelKind } from './models/forecaster';
import { loadForecaster } from './models/models';
import { readModelDoc } from './models/model-file';
import { PanelEvaluation, PanelForecastRow, PanelModel } from './models/panel-model';
import { TrainOptions } from './train';

/**
 * The long-format panel steps behind `--id-col` in the CLI (train, eval, predict), as plain functions. Every output
 * is checked before any work and written atomically.
 */

export interface PanelTrainSettings
  extends Omit<TrainOptions, 'quantiles' | 'futureIdx'>, Pick<CsvReadRules, 'delimiter' | 'naValues'> {
  csv: string;
  out: string;
  idColumn: string;
  target: string;
  timeColumn?: string;
  model?: ModelKind;
  lookback: number;
  horizon: number;
  period: number;
  split?: string;
  dModel?: number;
  norm?: boolean;
  hidden?: number;
  seed?: number;
  overwrite?: boolean;
  /** A series too short is an error instead of being skipped. */
  strict?: boolean;
  /** Per-series test errors as CSV. */
  metrics?: string;
  log?: (line: string) => void;
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
  log(
    `${path.basename(csv)}: ${panel.series.length} series (${rows} rows, ${describeStep(panel.step)}) by '${panel.idColumn}', target '${panel.target}'${filled ? `; ${filled} gap rows or empty cells filled forward` : ''}`,
  );
  if (panel.skipped.length)
    log(
      `skipped ${panel.skipped.length} series shorter than lookback + horizon = ${o.lookback + o.horizon} rows (${panel.skipped
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
  if (split === 'ett')
    throw new ForecastError('BAD_ARGUMENT', '--split ett: panels split each series by ratios; use e.g. 0.6,0.2,0.2.');
  checkOutputDir(s.out, { inputs: [s.csv], overwrite: s.overwrite, flag: '--out' });
  checkCsvOut(s.metrics, '--metrics', [s.csv, s.out]);
  const panel = readPanelForModel(s.csv, s, log);
  const model = new PanelModel(s.model ?? 'tpgn', {
    lookback: s.lookback,
    horizon: s.horizon,
    period: s.period,
    dModel: s.dModel,
    norm: s.norm,
    hidden: s.hidden,
  });
  const fit = await model.fit(panel, { ...s, split });
  if (fit.skipped)
    log(`skipped ${fit.skipped} series too short for lookback + horizon in each part of the split ${split.join(',')}`);
  log(`global ${model.kind} over ${fit.series} series: windows train ${fit.windows.train}, val ${fit.windows.val}`);
  const test = model.evaluate(panel, 'test');
  if (model.forecaster.pipeline) model.forecaster.pipeline.read = { delimiter: s.delimiter, naValues: s.naValues };
  await model.forecaster.save(s.out, { overwrite: s.overwrite });
  if (s.metrics) atomicWriteFile(s.metrics, seriesMetricsCsv(panel.idColumn, test));
  return { model, test };
}

/** Loads a model saved by `trainPanelFromCsv` and reads a long CSV with its id, time and target columns. */
async function loadPanel(
  modelDir: string,
  csv: string,
  rules: Pick<CsvReadRules, 'delimiter' | 'naValues'>,
  strict: boolean,
  log: (line: string) => void,
): Promise<{ model: PanelModel; panel: Panel }> {
  const model = new PanelModel(await loadForecaster(modelDir));
  const p = model.forecaster.pipeline as NonNullable<PanelModel['forecaster']['pipeline']>;
  const defined = Object.fromEntries(Object.entries(rules).filter(([, v]) => v !== undefined));
  const panel = readPanelForModel(
    csv,
    {
      ...p.read,
      ...defined,
      idColumn: (p.panel as { idColumn: string }).idColumn,
      timeColumn: p.timeColumn,
      target: p.target,
      strict,
      lookback: model.lookback,
      horizon: model.horizon,
    },
    log,
  );
  return { model, panel };
}

/** Errors per series of a saved panel model on one part of each series' split; `metrics` gets them as CSV. */
export async function evaluatePanelCsv(
  modelDir: string,
  csv: string,
  options: { part?: 'train' | 'val' | 'test'; metrics?: string; strict?: boolean; log?: (line: string) => void } & Pick<
    CsvReadRules,
    'delimiter' | 'naValues'
  > = {},
): Promise<{ model: PanelModel; result: PanelEvaluation }> {
  const part = options.part ?? 'test';
  if (!['train', 'val', 'test'].includes(part))
    throw new ForecastError('BAD_ARGUMENT', `--part: '${part}' is not train, val or test.`);
  checkCsvOut(options.metrics, '--metrics', [csv, modelDir]);
  const { model, panel } = await loadPanel(
    modelDir,
    csv,
    options,
    options.strict ?? false,
    options.log ?? (() => undefined),
  );
  const result = model.evaluate(panel, part);
  if (options.metrics) atomicWriteFile(options.metrics, seriesMetricsCsv(panel.idColumn, result));
  return { model, result };
}

/** Forecasts the horizon after the end of every series and writes a long CSV (`id, time, forecast`). */
export async function predictPanelCsv(
  modelDir: string,
  csv: string,
  out: string,
  options: { strict?: boolean; log?: (line: string) => void } & Pick<CsvReadRules, 'delimiter' | 'naValues'> = {},
): Promise<{ model: PanelModel; rows: PanelForecastRow[] }> {
  checkCsvOut(out, '--out', [csv, modelDir]);
  const { model, panel } = await loadPanel(
    modelDir,
    csv,
    options,
    options.strict ?? false,
    options.log ?? (() => undefined),
  );
  const rows = model.predict(panel);
  atomicWriteFile(out, panelForecastCsv(panel.idColumn, panel.timeColumn, rows));
  return { model, rows };
}

const fmt = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(7))) : '');

/** CSV text of per-series errors: id, windows, points, mse, mae, rmse, mape, smape, mase (original units). */
export function seriesMetricsCsv(idColumn: string, e: PanelEvaluation): string {
  const keys = ['mse', 'mae', 'rmse', 'mape', 'smape', 'mase'] as const;
  const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [[idColumn, 'windows', 'points', ...keys].join(',')];
  for (const s of e.series) lines.push([quote(s.id), s.windows, s.points, ...keys.map((k) => fmt(s[k]))].join(','));
  return lines.join('\n') + '\n';
}

/** CSV text of panel forecasts in long format: id, time, forecast. */
export function panelForecastCsv(idColumn: string, timeColumn: string, rows: PanelForecastRow[]): string {
  const dateOnly = rows.every((r) => r.time % 86400000 === 0);
  const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return (
    [
      [idColumn, timeColumn, 'forecast'].join(','),
      ...rows.map((r) => [quote(r.id), formatTimestamp(r.time, dateOnly), fmt(r.forecast)].join(',')),
    ].join('\n') + '\n'
  );
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
  ];
}
