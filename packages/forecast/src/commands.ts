import * as fs from 'fs';
import * as path from 'path';
import { atomicWriteFile, checkOutputDir, checkOutputFile } from '@gatewave/core';
import { ForecastError } from './errors';
import { FillRule, TimeSeries, describeSeries } from './data/series';
import { fileSource, readCsv, readHeader } from './data/csv-file';
import { FeatureMode, SplitPart, SplitSpec, parseSplit } from './data/split';
import { Forecaster } from './models/forecaster';
import { BacktestResult, CsvReadRules, EvalResult, FitResult, Forecast, ModelKind } from './models/types';
import { createForecaster, defaultPeriod } from './models/registry';
import { loadForecaster } from './models/model-file';
import { plotForecast } from './plot';
import { forecastCsv, plotBands, plotPoints } from './output';
import { readSourceForModel } from './model-input';
import { TrainOptions } from './train';
import { headQuantiles, parseIntervals } from './intervals';
import { checkCovariates, parseColumns } from './models/covariates';

/**
 * The steps behind each CLI command, as plain functions: the CLI only parses flags, calls these and prints.
 * Everything is validated before anything is written, and every file is written atomically.
 */

/** What wide (`trainFromCsv`) and panel (`trainPanelFromCsv`) training read alike: files, model, settings. */
export interface CommonTrainSettings extends Omit<TrainOptions, 'quantiles' | 'futureIdx'> {
  csv: string;
  out: string;
  model?: ModelKind;
  timeColumn?: string;
  dModel?: number;
  norm?: boolean;
  hidden?: number;
  seed?: number;
  /** Replace gatewave's files in an `out` folder that also holds other files (those are never touched). */
  overwrite?: boolean;
  /** Conformal interval levels in percent (`[80, 95]` or `'80,95'`), calibrated on the validation part. */
  intervals?: number[] | string;
  /** Quantile heads for tpgn, dlinear, gru (`[0.1, 0.5, 0.9]` or `'0.1,0.5,0.9'`), trained with the pinball loss. */
  quantiles?: number[] | string;
  /** Past covariates: columns observed up to the forecast origin (`['a', 'b']` or `'a,b'`). */
  pastColumns?: string[] | string;
  /** Future covariates: columns known ahead; `predict` then needs their next rows (`--future-csv`, per series). */
  futureColumns?: string[] | string;
  /** Lines about the data go here (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface TrainSettings extends CommonTrainSettings, Pick<TrainOptions, 'futureIdx'>, CsvReadRules {
  target?: string;
  features?: FeatureMode;
  columns?: string[];
  fill?: FillRule;
  lookback?: number;
  horizon?: number;
  /** Default: one day of steps (24 for hourly data). */
  period?: number;
  split?: SplitSpec | string;
}

export interface TrainOutcome {
  model: Forecaster;
  series: TimeSeries;
  fit: FitResult;
  test: EvalResult;
  /** True when training was interrupted; the best weights so far were saved. */
  interrupted: boolean;
}

/** Reads the CSV, fits the model, evaluates it on the test part and saves it to `out`. */
export async function trainFromCsv(s: TrainSettings): Promise<TrainOutcome> {
  const log = s.log ?? (() => undefined);
  const features = s.features ?? 'S';
  const target = s.target ?? 'OT';
  const split = typeof s.split === 'string' ? parseSplit(s.split) : (s.split ?? [0.6, 0.2, 0.2]);
  const intervals = s.intervals === undefined ? undefined : parseIntervals(s.intervals);
  const quantiles = s.quantiles === undefined ? undefined : headQuantiles(s.quantiles);
  const pastColumns = parseColumns(s.pastColumns);
  const futureColumns = parseColumns(s.futureColumns);
  const covariates = [...pastColumns, ...futureColumns];
  const columns =
    features === 'S'
      ? [target, ...covariates]
      : s.columns
        ? [...new Set([...s.columns, ...covariates, target])]
        : undefined;
  // Before any work: the model folder must be writable and must not destroy anything (an input, a user's files).
  checkOutputDir(s.out, { inputs: [s.csv], overwrite: s.overwrite, flag: '--out' });
  const rules: CsvReadRules = {
    delimiter: s.delimiter,
    naValues: s.naValues,
    duplicates: s.duplicates,
    maxGap: s.maxGap,
  };
  if (covariates.length) {
    // Name the covariate flag when a column is missing (the reader would blame --target / --columns).
    checkCovariates(
      readHeader(s.csv, path.basename(s.csv), s.delimiter).header,
      [target],
      pastColumns,
      futureColumns,
      path.basename(s.csv),
    );
  }
  const series = await readCsv(s.csv, { ...rules, timeColumn: s.timeColumn, fill: s.fill, columns });
  for (const line of describeSeries(series)) log(line);
  const period = s.period ?? defaultPeriod(series);
  const model = createForecaster(s.model ?? 'tpgn', {
    lookback: s.lookback ?? 168,
    horizon: s.horizon ?? 168,
    period,
    dModel: s.dModel,
    norm: s.norm,
    hidden: s.hidden,
    quantiles,
  });
  log(`model: ${model.describe()} features=${features} target=${target}`);
  const fit = await model.fit(series, {
    ...s,
    target,
    features,
    columns: s.columns,
    split,
    intervals,
    pastColumns,
    futureColumns,
  });
  log(`windows: train ${fit.windows.train}, val ${fit.windows.val}, test ${fit.windows.test}`);
  const interrupted = fit.training?.interrupted ?? false;
  if (interrupted && fit.training?.bestEpoch === 0) {
    throw new ForecastError(
      'INTERRUPTED',
      `training was interrupted before the first epoch ended; nothing was saved to ${s.out}.`,
    );
  }
  const test = model.evaluate(series, 'test');
  if (model.pipeline) model.pipeline.read = rules;
  await model.save(s.out, { overwrite: s.overwrite });
  return { model, series, fit, test, interrupted };
}

/**
 * Reads a CSV file for a saved model: checks that it has the model's columns, then reads them with the model's rules
 * (fill, delimiter, NA tokens, duplicates, longest gap), each of which `rules` can override.
 */
export async function readCsvForModel(
  model: Forecaster,
  file: string,
  rules: CsvReadRules & { fill?: FillRule } = {},
): Promise<TimeSeries> {
  return readSourceForModel(model, fileSource(file), rules);
}

export async function evaluateCsv(
  modelDir: string,
  csv: string,
  part: SplitPart = 'test',
  rules: CsvReadRules = {},
): Promise<{ model: Forecaster; result: EvalResult }> {
  if (!['train', 'val', 'test'].includes(part))
    throw new ForecastError('BAD_ARGUMENT', `--part: '${part}' is not train, val or test.`);
  const model = await loadForecaster(modelDir);
  const series = await readCsvForModel(model, csv, rules);
  return { model, result: model.evaluate(series, part) };
}

/** Checks an output file before any work: its extension, that it is no input of the run, and that it can be written. */
function checkOutputPath(file: string, what: string, exts: string[], inputs: string[]): void {
  if (!exts.includes(path.extname(file).toLowerCase())) {
    throw new ForecastError('BAD_ARGUMENT', `${what} ${file}: must end in ${exts.join(' or ')}.`);
  }
  checkOutputFile(file, { inputs, flag: what });
  if (what === '--plot') {
    // plotForecast writes both a .png and an .svg beside each other.
    const base = file.slice(0, -path.extname(file).length);
    for (const ext of ['.png', '.svg']) checkOutputFile(base + ext, { inputs, flag: what });
  }
}

/** The files a run reads: the CSV and the model folder's own files (an output must be none of them). */
function inputsOf(modelDir: string, csv: string): string[] {
  const files = [csv, modelDir];
  try {
    for (const name of fs.readdirSync(modelDir)) files.push(path.join(modelDir, name));
  } catch {
    // no model folder: loadForecaster says so
  }
  return files;
}

/**
 * Forecasts the next horizon steps after the last row of `csv` and writes them to `out` (and a plot). A model with
 * future covariates reads their next rows from `futureCsv` (time column and the future columns).
 */
export async function predictCsv(
  modelDir: string,
  csv: string,
  out: string,
  plot?: string,
  rules: CsvReadRules = {},
  futureCsv?: string,
): Promise<{ model: Forecaster; forecast: Forecast; files: string[] }> {
  checkOutputPath(out, '--out', ['.csv'], inputsOf(modelDir, csv));
  if (plot) checkOutputPath(plot, '--plot', ['.png', '.svg'], [...inputsOf(modelDir, csv), out]);
  const model = await loadForecaster(modelDir);
  const series = await readCsvForModel(model, csv, rules);
  const futureColumns = model.pipeline?.futureColumns ?? [];
  const future =
    futureCsv && futureColumns.length
      ? await readCsv(futureCsv, { ...rules, timeColumn: series.timeColumn, columns: futureColumns })
      : undefined;
  const forecast = model.predict(series, { future });
  const files = [out];
  atomicWriteFile(out, forecastCsv(series.timeColumn, [forecast], false));
  if (plot) {
    const r = await plotForecast(
      plot,
      plotPoints(model, series, [forecast], false),
      {
        title: `${model.kind} forecast of ${forecast.columns[0]} (${path.basename(csv)})`,
        yTitle: forecast.columns[0],
      },
      plotBands([forecast]),
    );
    files.push(r.png, r.svg);
  }
  return { model, forecast, files };
}

export async function backtestCsv(
  modelDir: string,
  csv: string,
  options: { start?: number; stride?: number; out?: string; plot?: string } & CsvReadRules,
): Promise<{ model: Forecaster; result: BacktestResult; files: string[] }> {
  if (options.out) checkOutputPath(options.out, '--out', ['.csv'], inputsOf(modelDir, csv));
  if (options.plot)
    checkOutputPath(
      options.plot,
      '--plot',
      ['.png', '.svg'],
      [...inputsOf(modelDir, csv), ...(options.out ? [options.out] : [])],
    );
  const model = await loadForecaster(modelDir);
  const { delimiter, naValues, duplicates, maxGap } = options;
  const series = await readCsvForModel(model, csv, { delimiter, naValues, duplicates, maxGap });
  const result = model.backtest(series, { start: options.start, stride: options.stride });
  const files: string[] = [];
  if (options.out) {
    atomicWriteFile(options.out, forecastCsv(series.timeColumn, result.forecasts, true));
    files.push(options.out);
  }
  if (options.plot) {
    const r = await plotForecast(
      options.plot,
      plotPoints(model, series, result.forecasts, true),
      {
        title: `${model.kind} backtest of ${result.forecasts[0].columns[0]} (${path.basename(csv)}, ${result.forecasts.length} forecasts)`,
        yTitle: result.forecasts[0].columns[0],
      },
      plotBands(result.forecasts),
    );
    files.push(r.png, r.svg);
  }
  return { model, result, files };
}
