#!/usr/bin/env node
/**
 * `gatewave-audio`: the command line of @gatewave/audio. Each part of the package registers its own commands, so
 * this file only assembles them.
 */
import * as path from 'path';
import type { Command } from 'commander';
import { newProgram, runCli } from '@gatewave/core/cli';
import { registerEnhanceCommands } from './cli/enhance';
import { registerSedCommands } from './cli/sed';
import { registerQueueCommands } from './cli/queue';

export function buildProgram(): Command {
  const program = newProgram(
    'gatewave-audio',
    path.resolve(__dirname, '..'),
    'Speech enhancement, metrics and sound event detection for WAV files.',
  ).configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerEnhanceCommands(program);
  registerSedCommands(program);
  registerQueueCommands(program);
  return program;
}

/**
 * Runs gatewave-audio on `argv` (node, script, args...). Exit codes: 0 ok, 1 runtime failure, 2 bad input or usage,
 * 130 interrupted (see @gatewave/core/cli runCli).
 */
export function main(argv: string[] = process.argv): Promise<void> {
  return runCli(buildProgram(), 'gatewave-audio', argv);
}

if (require.main === module) void main();
