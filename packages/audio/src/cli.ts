#!/usr/bin/env node
/**
 * `gatewave-audio`: the command line of @gatewave/audio. Each part of the package registers its own commands, so
 * this file only assembles them. Exit codes: 0 ok, 1 runtime failure, 2 bad input or usage, 130 interrupted (see
 * @gatewave/core/cli runCli).
 */
// First, before anything else loads: V8's collector set up for batch work (see @gatewave/core/batch-gc).
import '@gatewave/core/batch-gc';
import * as path from 'path';
import { commandLine } from '@gatewave/core/cli';
import { registerEnhanceCommands } from './cli/enhance';
import { registerSedCommands } from './cli/sed';
import { registerQueueCommands } from './cli/queue';
import { registerAverageModels } from './cli/average';

export const { buildProgram, main } = commandLine({
  name: 'gatewave-audio',
  packageDir: path.resolve(__dirname, '..'),
  description: 'Speech enhancement, metrics and sound event detection for WAV files.',
  register: [registerEnhanceCommands, registerSedCommands, registerQueueCommands, registerAverageModels],
});

if (require.main === module) void main();
