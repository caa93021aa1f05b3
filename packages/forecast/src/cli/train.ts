import { Command } from 'commander';
import { list } from '@gatewave/core/cli';
import { ForecastError } from '../errors';
import { FeatureMode } from '../data/split';
import { FillRule } from '../data/series';
import { ModelKind } from '../models/types';
import { trainFromCsv } from '../commands';
import { describePanelEvaluation, trainPanelFromCsv } from '../panel-commands';
import { addTrainingFlags, backend, csvRules, int, log, trainingFlagValues, withCsvOptions } from './shared';
import { panelJson, printScores } from './report';

/** `gatewave-forecast train`: one model on a wide CSV, or one panel model on a long CSV (`--id-col`). */

/**
 * Runs `work` with Ctrl-C / SIGTERM asking it to stop after the current batch (a second Ctrl-C quits at once);
 * `work` reads the request through its argument.
 */
async function stoppable<T>(work: (shouldStop: () => boolean) => Promise<T>): Promise<{ result: T; stopped: boolean }> {
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) process.exit(130);
    stopping = true;
    log('\ninterrupted: stopping after this batch and keeping the best checkpoint (Ctrl-C again to quit now)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return { result: await work(() => stopping), stopped: stopping };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The flags that wide and panel training read the same way: data, window, split, model and training settings. */
function trainingFlags(o: Record<string, unknown>, shouldStop: () => boolean) {
  return {
    csv: o.csv as string,
    out: o.out as string,
    model: o.model as ModelKind,
    target: o.target as string,
    timeColumn: o.timeCol as string | undefined,
    pastColumns: o.pastCols as string | undefined,
    futureColumns: o.futureCols as string | undefined,
    lookback: o.lookback as number,
    horizon: o.horizon as number,
    split: o.split as string,
    ...trainingFlagValues(o),
    dModel: o.dModel as number,
    norm: (o.norm as boolean | undefined) ?? true,
    hidden: o.hidden as number,
    overwrite: o.overwrite as boolean | undefined,
    intervals: o.interval as string | undefined,
    quantiles: o.quantiles as string | undefined,
    quiet: o.quiet as boolean | undefined,
    shouldStop,
    log,
  };
}

/** `train --id-col`: one panel model over a long CSV; prints the aggregate test errors. */
async function trainPanel(o: Record<string, unknown>, shouldStop: () => boolean): Promise<void> {
  for (const flag of ['columns', 'duplicates', 'maxGap'] as const) {
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
    ...trainingFlags(o, shouldStop),
    idColumn: o.idCol as string,
    delimiter: o.delimiter as string | undefined,
    naValues: list(o.naValues as string | undefined),
    period: o.period as number,
    strict: o.strict as boolean | undefined,
    metrics: o.metrics as string | undefined,
  });
  const t = r.model.training;
  if (t)
    log(
      `trained ${t.epochs} epoch(s), best epoch ${t.bestEpoch} (val MSE ${t.bestValLoss.toFixed(4)}), ${t.secondsPerEpoch.toFixed(2)} s/epoch`,
    );
  log(`saved ${o.out}${o.metrics ? `; per-series errors in ${o.metrics}` : ''}`);
  console.log(o.json ? panelJson(r.model.kind, r.test) : describePanelEvaluation(r.test).join('\n'));
}

/** `train` on a wide CSV: one model; prints its test errors. Returns whether training was interrupted. */
async function trainWide(o: Record<string, unknown>, shouldStop: () => boolean): Promise<boolean> {
  const r = await trainFromCsv({
    ...trainingFlags(o, shouldStop),
    features: String(o.features).toUpperCase() as FeatureMode,
    columns: list(o.columns as string | undefined),
    fill: o.fill as FillRule,
    ...csvRules(o),
    period: o.period as number | undefined,
  });
  const t = r.fit.training;
  if (t)
    log(
      `trained ${t.epochs} epoch(s), best epoch ${t.bestEpoch} (val ${r.model.quantiles.length ? 'pinball loss' : 'MSE'} ${t.bestValLoss.toFixed(4)}), ${t.secondsPerEpoch.toFixed(2)} s/epoch, ${Math.round(t.windowsPerSecond)} windows/s`,
    );
  log(`saved ${o.out}`);
  const head = { model: r.model.kind, part: 'test', windows: r.test.windows, interrupted: r.interrupted };
  printScores(o.json, head, `test windows: ${r.test.windows}`, r.test);
  return r.interrupted;
}

export function registerTrainCommand(program: Command): void {
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
    .option(
      '--future-cols <list>',
      'tpgn/dlinear/gru: covariate columns known ahead; predict then needs --future-csv (with --id-col: per series)',
    )
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
  addTrainingFlags(train);
  train.action(async (o) => {
    await backend('train');
    const { result: interrupted, stopped } = await stoppable((shouldStop) =>
      o.idCol ? trainPanel(o, shouldStop).then(() => false) : trainWide(o, shouldStop),
    );
    if (o.idCol ? stopped : interrupted) process.exitCode = 130;
  });
}
