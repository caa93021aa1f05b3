#!/usr/bin/env node
import * as path from 'path';
import { Command } from 'commander';
import { initBackend } from '@gatewave/core';
import {
  addFlag,
  COMMON_FLAGS,
  list,
  runCli,
  nonNegativeInt,
  oneOf,
  packageVersion,
  positiveInt,
  positiveNumber,
} from '@gatewave/core/cli';
import { ForecastError } from './errors';
import { MetricValues } from './metrics';
import { ProbabilisticValues } from './intervals';
import { FeatureMode, SplitPart } from './data/split';
import { FillRule } from './data/series';
import { CsvReadRules, ModelKind } from './models/forecaster';
import { DUPLICATE_RULES, DuplicateRule } from './data/checks';
import { DEFAULT_NA_VALUES } from './data/table';
import { backtestCsv, evaluateCsv, predictCsv, trainFromCsv } from './commands';
import {
  describePanelEvaluation,
  evaluatePanelCsv,
  isPanelModel,
  predictPanelCsv,
  trainPanelFromCsv,
} from './panel-commands';

/** `gatewave-forecast`: a thin shell over the library functions in commands.ts. */

const log = (line: string): void => void process.stderr.write(`${line}\n`);

const int =
  (name: string) =>
  (value: string): number =>
    positiveInt(value, name);
const num =
  (name: string) =>
  (value: string): number =>
    positiveNumber(value, name);

function metricTable(scaled: MetricValues, original: MetricValues): string {
  const rows: [string, keyof MetricValues][] = [
    ['MSE', 'mse'],
    ['MAE', 'mae'],
    ['RMSE', 'rmse'],
    ['MAPE %', 'mape'],
    ['sMAPE %', 'smape'],
    ['MASE', 'mase'],
  ];
  const fmt = (v: number): string =>
    Number.isFinite(v) ? (Math.abs(v) >= 1e5 ? v.toExponential(3) : v.toFixed(4)) : 'n/a';
  return [
    `${'metric'.padEnd(8)} ${'scaled'.padStart(12)} ${'original'.padStart(12)}`,
    ...rows.map(
      ([label, key]) => `${label.padEnd(8)} ${fmt(scaled[key]).padStart(12)} ${fmt(original[key]).padStart(12)}`,
    ),
  ].join('\n');
}

function metricJson(
  extra: Record<string, unknown>,
  scaled: MetricValues,
  original: MetricValues,
  probabilistic?: ProbabilisticValues,
): string {
  const { points, ...s } = scaled;
  return JSON.stringify({
    ...extra,
    ...s,
    points,
    original: { ...original, points: undefined },
    ...(probabilistic ? { probabilistic } : {}),
  });
}

/** Lines of interval coverage and width, pinball loss and CRPS (original units); empty without intervals. */
function intervalTable(p?: ProbabilisticValues): string {
  if (!p) return '';
  const rows = p.intervals.map(
    (iv) =>
      `${`${iv.level} % interval`.padEnd(14)} coverage ${iv.coverage.toFixed(1).padStart(5)} %  mean width ${iv.width.toPrecision(4)}`,
  );
  return `\n${rows.join('\n')}\npinball loss ${p.pinball.toPrecision(4)}, CRPS ${p.crps.toPrecision(4)} (quantiles ${p.quantiles.join(', ')}; original units)`;
}

function delimiterArg(value: string): string {
  const d = value === '\\t' || value.toLowerCase() === 'tab' ? '\t' : value;
  if (d.length !== 1 || d === '"')
    throw new ForecastError('BAD_ARGUMENT', `--delimiter must be one character (, ; | or tab), got "${value}".`);
  return d;
}

/** The CSV reading flags, shared by every command that reads a CSV. */
function withCsvOptions(cmd: Command): Command {
  return cmd
    .option('--delimiter <char>', 'field delimiter: , ; | or tab (default: detected)', delimiterArg)
    .option(
      '--na-values <list>',
      `comma-separated cell values that mean "missing" (default: ${DEFAULT_NA_VALUES.slice(0, 6).join(' ')} ...; empty cells always)`,
    )
    .option(
      '--duplicates <rule>',
      'rows repeating a timestamp with other values: error, first, last or mean (identical rows are dropped)',
      (v: string) => oneOf(DUPLICATE_RULES)(v, '--duplicates'),
    )
    .option(
      '--max-gap <steps>',
      'longest gap (missing steps) to fill; a longer one is an error (default: 5% of the rows, at least 24)',
      (v: string) => nonNegativeInt(v, '--max-gap'),
    );
}

function csvRules(o: Record<string, unknown>): CsvReadRules {
  return {
    delimiter: o.delimiter as string | undefined,
    naValues: list(o.naValues as string | undefined),
    duplicates: o.duplicates as DuplicateRule | undefined,
    maxGap: o.maxGap as number | undefined,
  };
}

async function backend(purpose: 'train' | 'infer'): Promise<void> {
  await initBackend(undefined, { purpose, convolutional: false });
}

/** `train --id-col`: one panel model over a long CSV; prints the aggregate test errors. */
async function trainPanel(o: Record<string, unknown>, shouldStop: () => boolean): Promise<void> {
  for (const flag of ['interval', 'quantiles', 'pastCols', 'futureCols', 'columns', 'duplicates', 'maxGap'] as const) {
    if (o[flag] !== undefined)
      throw new ForecastError(
        'BAD_ARGUMENT',
        `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} is not supported with --id-col yet; leave it out.`,
      );
  }
  if (String(o.features).toUpperCase() !== 'S')
    throw new ForecastError(
      'BAD_ARGUMENT',
      '--features: panels forecast the target alone (S); leave out --features with --id-col.',
    );
  if (o.period === undefined)
    throw new ForecastError(
      'BAD_ARGUMENT',
      '--period: give the seasonal period in steps with --id-col (e.g. 12 for monthly series).',
    );
  const r = await trainPanelFromCsv({
    csv: o.csv as string,
    out: o.out as string,
    idColumn: o.idCol as string,
    target: o.target as string,
    timeColumn: o.timeCol as string | undefined,
    model: o.model as ModelKind,
    delimiter: o.delimiter as string | undefined,
    naValues: list(o.naValues as string | undefined),
    lookback: o.lookback as number,
    horizon: o.horizon as number,
    period: o.period as number,
    split: o.split as string,
    epochs: o.epochs as number,
    patience: o.patience as number,
    batchSize: o.batchSize as number,
    learningRate: o.learningRate as number,
    dModel: o.dModel as number,
    norm: (o.norm as boolean | undefined) ?? true,
    hidden: o.hidden as number,
    seed: o.seed as number,
    overwrite: o.overwrite as boolean | undefined,
    strict: o.strict as boolean | undefined,
    metrics: o.metrics as string | undefined,
    quiet: o.quiet as boolean | undefined,
    shouldStop,
    log,
  });
  const t = r.model.training;
  if (t)
    log(
      `trained ${t.epochs} epoch(s), best epoch ${t.bestEpoch} (val MSE ${t.bestValLoss.toFixed(4)}), ${t.secondsPerEpoch.toFixed(2)} s/epoch`,
    );
  log(`saved ${o.out}${o.metrics ? `; per-series errors in ${o.metrics}` : ''}`);
  if (o.json)
    console.log(
      JSON.stringify({
        model: r.model.kind,
        part: 'test',
        series: r.test.series.length,
        mean: r.test.mean,
        maseWeighted: r.test.maseWeighted,
      }),
    );
  else console.log(describePanelEvaluation(r.test).join('\n'));
}

/** The gatewave-forecast program, ready to parse; `main` runs it (tests build it to read its commands). */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('gatewave-forecast')
    .version(packageVersion(path.resolve(__dirname, '..')), '-V, --version', 'print the version')
    .description('Forecast time series from a CSV with TPGN or a baseline: train, evaluate, predict, backtest.')
    .showHelpAfterError()
    .addHelpText(
      'after',
      '\nExample:\n  gatewave-forecast train --csv ETTh1.csv --target OT --features S --lookback 168 --horizon 168 --out model/\n  gatewave-forecast eval --model model/ --csv ETTh1.csv\n  gatewave-forecast predict --model model/ --csv ETTh1.csv --out forecast.csv --plot forecast.png\n\nBackend: GATEWAVE_BACKEND=cpu|wasm|native|tensorflow forces one.',
    );

  const train = withCsvOptions(program.command('train'))
    .description('train a model on a CSV, report its test errors and save it')
    .requiredOption('--csv <file>', 'input CSV with a time column and numeric columns')
    .requiredOption(
      '--out <dir>',
      'model directory to write (a previous gatewave model there is replaced; other files are an error)',
    )
    .option(
      '--overwrite',
      "write into an --out folder that holds other files too, replacing only gatewave's own files there",
    )
    .option('--target <column>', 'column to forecast', 'OT')
    .option('--features <mode>', 'S (target only), M (all in, all out), MS (all in, target out)', 'S')
    .option('--columns <list>', 'M/MS: comma-separated input columns (default: every numeric column)')
    .option('--time-col <column>', 'time column (default: detected)')
    .option('--fill <rule>', 'fill missing values and gaps: ffill, linear or none (none: they are an error)', 'ffill')
    .option('--model <name>', 'tpgn, naive, seasonal-naive, dlinear or gru', 'tpgn')
    .option('--lookback <n>', 'input steps L', int('--lookback'), 168)
    .option('--horizon <n>', 'forecast steps H', int('--horizon'), 168)
    .option('--period <n>', 'period P in steps (default: one day, e.g. 24 for hourly data)', int('--period'))
    .option('--split <spec>', "'ett' or train,val,test fractions", '0.6,0.2,0.2')
    .option('--d-model <n>', 'TPGN hidden size d', int('--d-model'), 2)
    .option('--norm', 'TPGN per-window normalisation (default on)')
    .option('--no-norm', 'turn per-window normalisation off')
    .option('--hidden <n>', 'GRU units', int('--hidden'), 64)
    .option(
      '--interval <levels>',
      'conformal prediction intervals in percent, calibrated on the validation part (e.g. 80,95)',
    )
    .option(
      '--quantiles <levels>',
      'tpgn/dlinear/gru: quantile heads trained with the pinball loss (e.g. 0.1,0.5,0.9; the median is the forecast)',
    )
    .option(
      '--past-cols <list>',
      'tpgn/dlinear/gru: covariate columns observed up to the forecast origin (comma-separated)',
    )
    .option('--future-cols <list>', 'tpgn/dlinear/gru: covariate columns known ahead; predict then needs --future-csv')
    .option(
      '--id-col <column>',
      'long-format panel: the series id column (with --time-col, --target); one global model over all series',
    )
    .option(
      '--strict',
      'with --id-col: a series shorter than lookback + horizon is an error (default: skipped with a count)',
    )
    .option('--metrics <file>', 'with --id-col: write the test errors per series to this CSV')
    .option('--json', 'print the test errors as one JSON object');
  addFlag(train, COMMON_FLAGS.epochs, { description: 'maximum epochs', default: 25 });
  addFlag(train, COMMON_FLAGS.patience, { description: 'early-stopping patience in epochs', default: 5 });
  addFlag(train, COMMON_FLAGS.batchSize, { description: 'batch size', default: 32 });
  addFlag(train, COMMON_FLAGS.learningRate, { description: 'initial learning rate (×0.9 per epoch)', default: 1e-3 });
  addFlag(train, COMMON_FLAGS.seed, { default: 2023 });
  addFlag(train, COMMON_FLAGS.quiet, { description: 'no progress bar' });
  train.action(async (o) => {
    await backend('train');
    let stopping = false;
    const onSigint = (): void => {
      if (stopping) process.exit(130);
      stopping = true;
      log('\ninterrupted: stopping after this batch and keeping the best checkpoint (Ctrl-C again to quit now)');
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    if (o.idCol) {
      await trainPanel(o, () => stopping);
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
      if (stopping) process.exitCode = 130;
      return;
    }
    const r = await trainFromCsv({
      csv: o.csv,
      out: o.out,
      model: o.model as ModelKind,
      target: o.target,
      features: String(o.features).toUpperCase() as FeatureMode,
      columns: o.columns
        ? String(o.columns)
            .split(',')
            .map((c: string) => c.trim())
        : undefined,
      timeColumn: o.timeCol,
      fill: o.fill as FillRule,
      ...csvRules(o),
      lookback: o.lookback,
      horizon: o.horizon,
      period: o.period,
      split: o.split,
      epochs: o.epochs,
      patience: o.patience,
      batchSize: o.batchSize,
      learningRate: o.learningRate,
      dModel: o.dModel,
      norm: o.norm ?? true,
      hidden: o.hidden,
      seed: o.seed,
      overwrite: o.overwrite,
      intervals: o.interval,
      quantiles: o.quantiles,
      pastColumns: o.pastCols,
      futureColumns: o.futureCols,
      quiet: o.quiet,
      shouldStop: () => stopping,
      log,
    });
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    const t = r.fit.training;
    if (t)
      log(
        `trained ${t.epochs} epoch(s), best epoch ${t.bestEpoch} (val ${r.model.quantiles.length ? 'pinball loss' : 'MSE'} ${t.bestValLoss.toFixed(4)}), ${t.secondsPerEpoch.toFixed(2)} s/epoch, ${Math.round(t.windowsPerSecond)} windows/s`,
      );
    log(`saved ${o.out}`);
    if (o.json) {
      console.log(
        metricJson(
          { model: r.model.kind, part: 'test', windows: r.test.windows, interrupted: r.interrupted },
          r.test.scaled,
          r.test.original,
          r.test.probabilistic,
        ),
      );
    } else {
      console.log(
        `test windows: ${r.test.windows}\n${metricTable(r.test.scaled, r.test.original)}${intervalTable(r.test.probabilistic)}`,
      );
    }
    if (r.interrupted) process.exitCode = 130;
  });

  withCsvOptions(program.command('eval'))
    .description('errors of a saved model on one part of the split of a CSV')
    .requiredOption('--model <dir>', 'model directory written by train')
    .requiredOption('--csv <file>', 'CSV with the columns the model was trained on')
    .option('--part <part>', 'train, val or test', 'test')
    .option('--json', 'print one JSON object (mse, mae, ... on scaled values; original: {...})')
    .option('--metrics <file>', 'panel model (trained with --id-col): write the errors per series to this CSV')
    .option(
      '--strict',
      'panel model: a series shorter than lookback + horizon is an error (default: skipped with a count)',
    )
    .action(async (o) => {
      await backend('infer');
      if (isPanelModel(o.model)) {
        const { model, result } = await evaluatePanelCsv(o.model, o.csv, {
          part: o.part,
          metrics: o.metrics,
          strict: o.strict,
          delimiter: o.delimiter,
          naValues: list(o.naValues),
          log,
        });
        if (o.json)
          console.log(
            JSON.stringify({
              model: model.kind,
              part: result.part,
              series: result.series.length,
              mean: result.mean,
              maseWeighted: result.maseWeighted,
            }),
          );
        else console.log(describePanelEvaluation(result).join('\n'));
        return;
      }
      if (o.metrics)
        throw new ForecastError(
          'BAD_ARGUMENT',
          `--metrics: ${o.model} was not trained on a long-format panel (--id-col); leave out --metrics.`,
        );
      const { model, result } = await evaluateCsv(o.model, o.csv, o.part as SplitPart, csvRules(o));
      if (o.json)
        console.log(
          metricJson(
            { model: model.kind, part: result.part, windows: result.windows },
            result.scaled,
            result.original,
            result.probabilistic,
          ),
        );
      else
        console.log(
          `${model.describe()}\n${result.part} windows: ${result.windows}\n${metricTable(result.scaled, result.original)}${intervalTable(result.probabilistic)}`,
        );
    });

  withCsvOptions(program.command('predict'))
    .description('forecast the next horizon steps after the last row of a CSV')
    .requiredOption('--model <dir>', 'model directory written by train')
    .requiredOption('--csv <file>', 'CSV whose last lookback rows are the history')
    .requiredOption('--out <file>', 'forecast CSV to write')
    .option('--plot <file>', 'also write a plot (.png and .svg)')
    .option(
      '--future-csv <file>',
      'for a model with --future-cols: their values for the horizon steps after the last row of --csv',
    )
    .option(
      '--strict',
      'panel model (trained with --id-col): a series shorter than lookback + horizon is an error (default: skipped)',
    )
    .action(async (o) => {
      await backend('infer');
      if (isPanelModel(o.model)) {
        if (o.plot || o.futureCsv)
          throw new ForecastError(
            'BAD_ARGUMENT',
            `${o.plot ? '--plot' : '--future-csv'} is not supported for panel models yet; leave it out.`,
          );
        const { rows } = await predictPanelCsv(o.model, o.csv, o.out, {
          strict: o.strict,
          delimiter: o.delimiter,
          naValues: list(o.naValues),
          log,
        });
        log(
          `forecast of ${new Set(rows.map((r) => r.id)).size} series, ${rows.length} rows (id, time, forecast); wrote ${o.out}`,
        );
        return;
      }
      const { forecast, files } = await predictCsv(o.model, o.csv, o.out, o.plot, csvRules(o), o.futureCsv);
      log(`forecast of ${forecast.columns.join(', ')}: ${forecast.times.length} steps; wrote ${files.join(', ')}`);
    });

  withCsvOptions(program.command('backtest'))
    .description('rolling-origin forecasts over the end of a CSV and their errors')
    .requiredOption('--model <dir>', 'model directory written by train')
    .requiredOption('--csv <file>', 'CSV with the columns the model was trained on')
    .option('--start <x>', 'first forecast step: fraction of the rows (0.8) or a row index', num('--start'), 0.8)
    .option('--stride <n>', 'steps between forecasts (default: the horizon)', int('--stride'))
    .option('--out <file>', 'write every forecast to a CSV')
    .option('--plot <file>', 'plot history, actuals and forecasts (.png and .svg)')
    .option('--json', 'print one JSON object')
    .action(async (o) => {
      await backend('infer');
      const { model, result, files } = await backtestCsv(o.model, o.csv, {
        start: o.start,
        stride: o.stride,
        out: o.out,
        plot: o.plot,
        ...csvRules(o),
      });
      if (files.length) log(`wrote ${files.join(', ')}`);
      if (o.json)
        console.log(
          metricJson(
            { model: model.kind, forecasts: result.forecasts.length },
            result.scaled,
            result.original,
            result.probabilistic,
          ),
        );
      else
        console.log(
          `${model.describe()}\nforecasts: ${result.forecasts.length}\n${metricTable(result.scaled, result.original)}${intervalTable(result.probabilistic)}`,
        );
    });

  return program;
}

/**
 * Runs gatewave-forecast on `argv` (node, script, args...). Exit codes: 0 ok, 1 runtime failure, 2 bad input or
 * usage, 130 interrupted (see @gatewave/core/cli runCli); a failure exits at once.
 */
export async function main(argv: string[] = process.argv): Promise<void> {
  await runCli(buildProgram(), 'gatewave-forecast', argv);
  if (process.exitCode) process.exit(process.exitCode);
}

if (require.main === module) void main();
