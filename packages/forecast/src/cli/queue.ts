import type { Command } from 'commander';
import { initBackend } from '@gatewave/core';
import { list, oneOf } from '@gatewave/core/cli';
import { addQueueFlags, followBatch, registerJobsCommands, registerWorkerCommand } from '@gatewave/jobs/cli';
import { ForecastError } from '../errors';
import { parseSplit } from '../data/split';
import { headQuantiles, parseIntervals } from '../intervals';
import { FORECAST_QUEUE, forecastWorkerSpec, MergeResult, PartTraining, submitForecastBatch } from '../jobs';
import { addTrainingFlags, int, trainingFlagValues } from './shared';

/**
 * The queue side of `gatewave-forecast`: `batch` splits a long CSV by series into jobs on the "forecast" queue and
 * follows them (or prints the batch id with --detach); `worker` runs forecast jobs; `jobs status` shows batches.
 * A thin shell over `../jobs`.
 */

const NAME = 'gatewave-forecast';
const MODEL_KINDS = ['tpgn', 'naive', 'seasonal-naive', 'dlinear', 'gru'] as const;

function partTraining(o: Record<string, unknown>): PartTraining | undefined {
  if (!o.train) {
    const flag = ['interval', 'quantiles', 'saveModels'].find((k) => o[k] !== undefined);
    if (flag && o.model)
      throw new ForecastError(
        'BAD_ARGUMENT',
        `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} goes with --train; with --model the saved model's own intervals or quantiles are written.`,
      );
    return undefined;
  }
  if (o.lookback === undefined || o.horizon === undefined || o.period === undefined)
    throw new ForecastError(
      'BAD_ARGUMENT',
      '--train needs --lookback, --horizon and --period (steps; e.g. 24, 12 and 12 for monthly series).',
    );
  const split = parseSplit(o.split as string);
  if (split === 'ett')
    throw new ForecastError('BAD_ARGUMENT', '--split ett: panels split each series by ratios; use e.g. 0.6,0.2,0.2.');
  return {
    kind: o.train as string,
    lookback: o.lookback as number,
    horizon: o.horizon as number,
    period: o.period as number,
    split,
    ...trainingFlagValues(o),
    dModel: o.dModel as number,
    norm: o.norm as boolean,
    hidden: o.hidden as number,
    intervals: o.interval === undefined ? undefined : parseIntervals(o.interval as string),
    quantiles: o.quantiles === undefined ? undefined : headQuantiles(o.quantiles as string),
  };
}

function describeMerge(m: MergeResult | undefined): string {
  if (!m) return 'the merge step did not run';
  if (m.parts === 0) return `wrote nothing: no part was done; the parts' rows are kept in ${m.kept.join(', ')}`;
  const what = `${m.series} series, ${m.rows} rows from ${m.parts} part(s)${m.skipped ? `; ${m.skipped} series too short, left out` : ''}`;
  const kept = m.kept.length ? `; the failed parts' rows are kept in ${m.kept.join(', ')}` : '';
  const models = m.models ? `; each part's model is in ${m.models}/part-NNNNN` : '';
  return `${m.landed ? 'wrote' : 'left as it was (already there)'} ${m.out}: ${what}${kept}${models}`;
}

function registerBatch(program: Command): void {
  const cmd = program
    .command('batch')
    .description(
      'forecast every series of a long CSV as jobs on workers: split by series id, one job per part, one merged CSV',
    )
    .requiredOption('--csv <file>', 'long-format CSV (id, time, value rows) on storage every worker sees')
    .requiredOption('--out <file>', 'the merged long forecast CSV (id, time, forecast) to write; must not exist')
    .option('--model <dir>', 'a saved panel model (train --id-col) that predicts every part')
    .option(
      '--future-csv <file>',
      'with --model, for a model with --future-cols: their values for the horizon steps after the last row of every series (a long CSV with the id and time columns), as for predict',
    )
    .option(
      '--train <kind>',
      `train a model on each part and predict with it: ${MODEL_KINDS.join(', ')}`,
      (v: string) => oneOf(MODEL_KINDS)(v, '--train'),
    )
    .option('--id-col <column>', 'the series id column (default with --model: the model\u2019s)')
    .option('--time-col <column>', 'time column (default: the model\u2019s, or detected)')
    .option('--target <column>', 'column to forecast (default with --model: the model\u2019s)')
    .option('--series-per-job <n>', 'distinct series per job', int('--series-per-job'), 100)
    .option('--lookback <n>', 'with --train: input steps L', int('--lookback'))
    .option('--horizon <n>', 'with --train: forecast steps H', int('--horizon'))
    .option('--period <n>', 'with --train: seasonal period in steps', int('--period'))
    .option('--split <spec>', 'with --train: train,val,test fractions of each series', '0.6,0.2,0.2')
    .option('--d-model <n>', 'with --train tpgn: hidden size d', int('--d-model'), 2)
    .option('--no-norm', 'with --train tpgn: turn per-window normalisation off')
    .option('--hidden <n>', 'with --train gru: units', int('--hidden'), 64)
    .option(
      '--interval <levels>',
      'with --train: conformal prediction intervals in percent, calibrated on each part\u2019s validation windows (e.g. 80,95)',
    )
    .option(
      '--quantiles <levels>',
      'with --train tpgn/dlinear/gru: quantile heads trained with the pinball loss (e.g. 0.1,0.5,0.9; the median is the forecast)',
    )
    .option(
      '--save-models <dir>',
      'with --train: save each part\u2019s trained model as DIR/part-NNNNN (the part numbers of the job list; written once, atomically); DIR must be new or empty',
    )
    .option('--strict', 'a series shorter than lookback + horizon fails its job (default: skipped with a count)')
    .option('--delimiter <char>', 'field delimiter (default: detected)')
    .option('--na-values <list>', 'comma-separated cell values that mean "missing"');
  addTrainingFlags(cmd, 'with --train: ');
  addQueueFlags(cmd, ['queue', 'detach', 'attempts'], { queue: null, attempts: 3 });
  cmd.action(async (o: Record<string, unknown>) => {
    const r = await submitForecastBatch(o.queue as string, {
      csv: o.csv as string,
      out: o.out as string,
      model: o.model as string | undefined,
      futureCsv: o.futureCsv as string | undefined,
      train: partTraining(o),
      idColumn: o.idCol as string | undefined,
      timeColumn: o.timeCol as string | undefined,
      target: o.target as string | undefined,
      delimiter: o.delimiter as string | undefined,
      naValues: list(o.naValues as string | undefined),
      strict: o.strict as boolean | undefined,
      seriesPerJob: o.seriesPerJob as number,
      saveModels: o.saveModels as string | undefined,
      attempts: o.attempts as number,
    });
    process.stderr.write(
      `${NAME}: ${r.series} series (${r.rows} rows) in ${r.parts} job(s); parts in ${r.work} until the merge\n`,
    );
    const s = await followBatch(
      NAME,
      r.conn,
      FORECAST_QUEUE,
      { batchId: r.batchId, total: r.parts },
      { detach: o.detach as boolean | undefined, quiet: o.quiet as boolean | undefined },
    );
    if (s && (s.state === 'done' || s.state === 'failed'))
      process.stderr.write(`${NAME}: ${describeMerge(s.summary?.merged as MergeResult | undefined)}\n`);
  });
}

/** Registers `batch`, `worker` and `jobs status` on the gatewave-forecast program. */
export function registerQueueCommands(program: Command): void {
  registerBatch(program);
  registerWorkerCommand(
    program,
    NAME,
    'Run forecast jobs from the "forecast" queue until stopped (SIGTERM/Ctrl-C finish the job in hand first).',
    async () => {
      await initBackend(undefined, { purpose: 'train', convolutional: false, quiet: true });
      return forecastWorkerSpec();
    },
  );
  registerJobsCommands(program, FORECAST_QUEUE);
}
