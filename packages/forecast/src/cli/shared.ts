import { Command } from 'commander';
import { initBackend } from '@gatewave/core';
import { list, nonNegativeInt, oneOf, positiveInt, positiveNumber } from '@gatewave/core/cli';
import { ForecastError } from '../errors';
import { CsvReadRules } from '../models/forecaster';
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
