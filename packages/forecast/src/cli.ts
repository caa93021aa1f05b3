#!/usr/bin/env node
/**
 * `gatewave-forecast`: the command line of @gatewave/forecast, a thin shell over the library functions in
 * commands.ts and panel-commands.ts. Each group of commands registers itself from `cli/`; this file only assembles
 * them.
 */
import * as path from 'path';
import type { Command } from 'commander';
import { newProgram, runCli } from '@gatewave/core/cli';
import { registerTrainCommand } from './cli/train';
import { registerBacktestCommand, registerEvalCommand, registerPredictCommand } from './cli/evaluate';
import { registerQueueCommands } from './cli/queue';

/** The gatewave-forecast program, ready to parse; `main` runs it (tests build it to read its commands). */
export function buildProgram(): Command {
  const program = newProgram(
    'gatewave-forecast',
    path.resolve(__dirname, '..'),
    'Forecast time series from a CSV with TPGN or a baseline: train, evaluate, predict, backtest.',
  ).addHelpText(
    'after',
    '\nExample:\n  gatewave-forecast train --csv ETTh1.csv --target OT --features S --lookback 168 --horizon 168 --out model/\n  gatewave-forecast eval --model model/ --csv ETTh1.csv\n  gatewave-forecast predict --model model/ --csv ETTh1.csv --out forecast.csv --plot forecast.png\n\nBackend: GATEWAVE_BACKEND=cpu|wasm|native|tensorflow forces one.',
  );
  registerTrainCommand(program);
  registerEvalCommand(program);
  registerPredictCommand(program);
  registerBacktestCommand(program);
  registerQueueCommands(program);
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
