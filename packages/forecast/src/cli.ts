#!/usr/bin/env node
/**
 * `gatewave-forecast`: the command line of @gatewave/forecast, a thin shell over the library functions in
 * commands.ts and panel-commands.ts. Each group of commands registers itself from `cli/`; this file only assembles
 * them. Exit codes: 0 ok, 1 runtime failure, 2 bad input or usage, 130 interrupted (see @gatewave/core/cli runCli);
 * a failure exits at once.
 */
// First, before anything else loads: V8's collector set up for batch work (see @gatewave/core/batch-gc).
import '@gatewave/core/batch-gc';
import * as path from 'path';
import { commandLine } from '@gatewave/core/cli';
import { registerTrainCommand } from './cli/train';
import { registerBacktestCommand, registerEvalCommand, registerPredictCommand } from './cli/evaluate';
import { registerQueueCommands } from './cli/queue';

export const { buildProgram, main } = commandLine({
  name: 'gatewave-forecast',
  packageDir: path.resolve(__dirname, '..'),
  description: 'Forecast time series from a CSV with TPGN or a baseline: train, evaluate, predict, backtest.',
  helpAfter:
    '\nExample:\n  gatewave-forecast train --csv ETTh1.csv --target OT --features S --lookback 168 --horizon 168 --out model/\n  gatewave-forecast eval --model model/ --csv ETTh1.csv\n  gatewave-forecast predict --model model/ --csv ETTh1.csv --out forecast.csv --plot forecast.png\n\nBackend: GATEWAVE_BACKEND=cpu|wasm|native|tensorflow forces one.',
  register: [
    registerTrainCommand,
    registerEvalCommand,
    registerPredictCommand,
    registerBacktestCommand,
    registerQueueCommands,
  ],
  exitOnFailure: true,
});

if (require.main === module) void main();
