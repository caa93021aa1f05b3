import { Command } from 'commander';
import { initBackend } from '@gatewave/core';
import { addFlag, COMMON_FLAGS, list, nonNegativeInt, oneOf, positiveInt, positiveNumber } from '@gatewave/core/cli';
import { ForecastError } from '../errors';
import { CsvReadRules } from '../models/types';
import { DUPLICATE_RULES, DuplicateRule } from '../data/checks';
import { DEFAULT_NA_VALUES } from '../data/table';

/** What every gatewave-forecast command shares: the log line, flag parsers, the CSV reading flags, the backend. */

export const log = (line: string): void => void process.stderr.write(`${line}\n`);

export const int =
  (name: string) =>
  (value: string): number =>
    positiveInt(value, name);

export const num =
  (name: string) =>
  (value: string): number =>
    positiveNumber(value, name);

function delimiterArg(value: string): string {
  const d = value === '\\t' || value.toLowerCase() === 'tab' ? '\t' : value;
  if (d.length !== 1 || d === '"')
    throw new ForecastError('BAD_ARGUMENT', `--delimiter must be one character (, ; | or tab), got "${value}".`);
  return d;
}

/** The CSV reading flags, shared by every command that reads a CSV. */
export function withCsvOptions(cmd: Command): Command {
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

/** The CSV reading rules given by the flags of `withCsvOptions`. */
export function csvRules(o: Record<string, unknown>): CsvReadRules {
  return {
    delimiter: o.delimiter as string | undefined,
    naValues: list(o.naValues as string | undefined),
    duplicates: o.duplicates as DuplicateRule | undefined,
    maxGap: o.maxGap as number | undefined,
  };
}

export async function backend(purpose: 'train' | 'infer'): Promise<void> {
  await initBackend(undefined, { purpose, convolutional: false });
}

/**
 * The training flags of `train` and `batch --train` (epochs, patience, batch size, learning rate, seed, quiet), with
 * their defaults; `when` prefixes the descriptions (e.g. "with --train: ").
 */
export function addTrainingFlags(cmd: Command, when = ''): void {
  addFlag(cmd, COMMON_FLAGS.epochs, { description: `${when}maximum epochs`, default: 25 });
  addFlag(cmd, COMMON_FLAGS.patience, { description: `${when}early-stopping patience in epochs`, default: 5 });
  addFlag(cmd, COMMON_FLAGS.batchSize, { description: `${when}batch size`, default: 32 });
  addFlag(cmd, COMMON_FLAGS.learningRate, {
    description: `${when}initial learning rate (×0.9 per epoch)`,
    default: 1e-3,
  });
  addFlag(cmd, COMMON_FLAGS.seed, { default: 2023 });
  addFlag(cmd, COMMON_FLAGS.quiet, { description: 'no progress bar' });
}

/** The values of the flags that `addTrainingFlags` adds (`quiet` aside), named as the training options name them. */
export function trainingFlagValues(o: Record<string, unknown>): {
  epochs: number;
  patience: number;
  batchSize: number;
  learningRate: number;
  seed: number;
} {
  return {
    epochs: o.epochs as number,
    patience: o.patience as number,
    batchSize: o.batchSize as number,
    learningRate: o.learningRate as number,
    seed: o.seed as number,
  };
}
