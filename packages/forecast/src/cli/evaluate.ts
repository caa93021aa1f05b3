import { Command } from 'commander';
import { list } from '@gatewave/core/cli';
import { ForecastError } from '../errors';
import { SplitPart } from '../data/split';
import { backtestCsv, evaluateCsv, predictCsv } from '../commands';
import {
  backtestPanelCsv,
  describePanelEvaluation,
  evaluatePanelCsv,
  isPanelModel,
  predictPanelCsv,
} from '../panel-commands';
import { backend, csvRules, int, log, num, withCsvOptions } from './shared';
import { panelJson, printScores } from './report';

/** The gatewave-forecast commands that use a saved model: `eval`, `predict` and `backtest`. */

const PLOT_SERIES = 'panel model: the series ids to plot (comma-separated; default: the first 4 series)';

/** The plot flags of a panel run; `--plot-series` is for panel models only. */
function panelPlot(o: Record<string, unknown>): { plot?: string; plotSeries?: string[] } {
  return { plot: o.plot as string | undefined, plotSeries: list(o.plotSeries as string | undefined) };
}

type Flags = Record<string, unknown>;

/** Refuses, for a model that is not a panel model, `--plot-series` and then the command's other panel-only flags. */
function refusePanelFlags(o: Flags, panelOnly: ('metrics' | 'plot')[]): void {
  for (const flag of ['plot-series', ...panelOnly]) {
    if (!o[flag === 'plot-series' ? 'plotSeries' : flag]) continue;
    const hint = flag === 'plot' ? ' (backtest --plot plots a wide model)' : '';
    throw new ForecastError(
      'BAD_ARGUMENT',
      `--${flag}: ${o.model as string} was not trained on a long-format panel (--id-col); leave out --${flag}${hint}.`,
    );
  }
}

/**
 * The action of a command over a saved model: starts the backend, then runs `panel` for a panel model (trained with
 * --id-col), else refuses the panel-only flags and runs `wide`.
 */
function modelAction(
  panel: (o: Flags) => Promise<void>,
  wide: (o: Flags) => Promise<void>,
  panelOnly = [] as ('metrics' | 'plot')[],
) {
  return async (o: Flags): Promise<void> => {
    await backend('infer');
    if (isPanelModel(o.model as string)) return panel(o);
    refusePanelFlags(o, panelOnly);
    return wide(o);
  };
}

/** The flags that every panel command reads the same way: reading the CSV and plots. */
function panelReadFlags(o: Flags) {
  return {
    strict: o.strict as boolean | undefined,
    delimiter: o.delimiter as string | undefined,
    naValues: list(o.naValues as string | undefined),
    ...panelPlot(o),
    log,
  };
}

/** The flags that `eval` and `backtest` of a panel model read the same way: per-series errors, reading, plots. */
function panelScoreFlags(o: Flags) {
  return { metrics: o.metrics as string | undefined, ...panelReadFlags(o) };
}

async function evaluatePanel(o: Flags): Promise<void> {
  const { model, result, files } = await evaluatePanelCsv(o.model as string, o.csv as string, {
    part: o.part as SplitPart,
    ...panelScoreFlags(o),
  });
  if (files.length) log(`wrote ${files.join(', ')}`);
  console.log(o.json ? panelJson(model.kind, result) : describePanelEvaluation(result).join('\n'));
}

async function evaluateWide(o: Flags): Promise<void> {
  const { model, result } = await evaluateCsv(o.model as string, o.csv as string, o.part as SplitPart, csvRules(o));
  const head = { model: model.kind, part: result.part, windows: result.windows };
  printScores(o.json, head, `${model.describe()}\n${result.part} windows: ${result.windows}`, result);
}

export function registerEvalCommand(program: Command): void {
  withCsvOptions(program.command('eval'))
    .description('errors of a saved model on one part of the split of a CSV')
    .requiredOption('--model <dir>', 'model directory written by train')
    .requiredOption('--csv <file>', 'CSV with the columns the model was trained on')
    .option('--part <part>', 'train, val or test', 'test')
    .option('--json', 'print one JSON object (mse, mae, ... on scaled values; original: {...})')
    .option('--metrics <file>', 'panel model (trained with --id-col): write the errors per series to this CSV')
    .option(
      '--plot <file>',
      'panel model: plot a few series (.png and .svg): history, forecasts every horizon steps over the part, actuals, bands',
    )
    .option('--plot-series <ids>', PLOT_SERIES)
    .option(
      '--strict',
      'panel model: a series shorter than lookback + horizon is an error (default: skipped with a count)',
    )
    .action(modelAction(evaluatePanel, evaluateWide, ['metrics', 'plot']));
}

async function predictPanel(o: Flags): Promise<void> {
  const out = o.out as string;
  const { rows, files } = await predictPanelCsv(o.model as string, o.csv as string, out, {
    futureCsv: o.futureCsv as string | undefined,
    ...panelReadFlags(o),
  });
  log(
    `forecast of ${new Set(rows.map((r) => r.id)).size} series, ${rows.length} rows (${rows[0]?.intervals || rows[0]?.quantiles ? 'with bands' : 'id, time, forecast'}); wrote ${files.join(', ')}`,
  );
}

async function predictWide(o: Flags): Promise<void> {
  const { forecast, files } = await predictCsv(
    o.model as string,
    o.csv as string,
    o.out as string,
    o.plot as string | undefined,
    csvRules(o),
    o.futureCsv as string | undefined,
  );
  log(`forecast of ${forecast.columns.join(', ')}: ${forecast.times.length} steps; wrote ${files.join(', ')}`);
}

export function registerPredictCommand(program: Command): void {
  withCsvOptions(program.command('predict'))
    .description('forecast the next horizon steps after the last row of a CSV')
    .requiredOption('--model <dir>', 'model directory written by train')
    .requiredOption('--csv <file>', 'CSV whose last lookback rows are the history')
    .requiredOption('--out <file>', 'forecast CSV to write')
    .option('--plot <file>', 'also write a plot (.png and .svg)')
    .option('--plot-series <ids>', PLOT_SERIES)
    .option(
      '--future-csv <file>',
      'for a model with --future-cols: their values for the horizon steps after the last row of --csv (panel model: a long CSV with the id and time columns, for every series)',
    )
    .option(
      '--strict',
      'panel model (trained with --id-col): a series shorter than lookback + horizon is an error (default: skipped)',
    )
    .action(modelAction(predictPanel, predictWide));
}

/** Where `backtest` forecasts (from --start, every --stride steps) and the CSV it writes them to (--out). */
function backtestFlags(o: Flags): { start: number; stride?: number; out?: string } {
  return { start: o.start as number, stride: o.stride as number | undefined, out: o.out as string | undefined };
}

async function backtestPanel(o: Flags): Promise<void> {
  const { model, result, files } = await backtestPanelCsv(o.model as string, o.csv as string, {
    ...backtestFlags(o),
    ...panelScoreFlags(o),
  });
  if (files.length) log(`wrote ${files.join(', ')}`);
  const forecasts = result.series.reduce((a, s) => a + s.windows, 0);
  console.log(o.json ? panelJson(model.kind, result, { forecasts }) : describePanelEvaluation(result).join('\n'));
}

async function backtestWide(o: Flags): Promise<void> {
  const { model, result, files } = await backtestCsv(o.model as string, o.csv as string, {
    ...backtestFlags(o),
    plot: o.plot as string | undefined,
    ...csvRules(o),
  });
  if (files.length) log(`wrote ${files.join(', ')}`);
  const forecasts = result.forecasts.length;
  printScores(o.json, { model: model.kind, forecasts }, `${model.describe()}\nforecasts: ${forecasts}`, result);
}

export function registerBacktestCommand(program: Command): void {
  withCsvOptions(program.command('backtest'))
    .description('rolling-origin forecasts over the end of a CSV and their errors')
    .requiredOption('--model <dir>', 'model directory written by train')
    .requiredOption('--csv <file>', 'CSV with the columns the model was trained on')
    .option(
      '--start <x>',
      'first forecast step: fraction of the rows (0.8) or a row index (panels: of each series)',
      num('--start'),
      0.8,
    )
    .option('--stride <n>', 'steps between forecasts (default: the horizon)', int('--stride'))
    .option('--out <file>', 'write every forecast to a CSV')
    .option('--plot <file>', 'plot history, actuals and forecasts (.png and .svg)')
    .option('--plot-series <ids>', PLOT_SERIES)
    .option('--json', 'print one JSON object')
    .option('--metrics <file>', 'panel model (trained with --id-col): write the errors per series to this CSV')
    .option('--strict', 'panel model: a series shorter than lookback + horizon is an error (default: skipped)')
    .action(modelAction(backtestPanel, backtestWide, ['metrics']));
}
