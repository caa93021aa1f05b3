#!/usr/bin/env node
/**
 * `gatewave-audio`: the command line of @gatewave/audio. Each part of the package registers its own commands, so
 * this file only assembles them.
 */
import { Command } from 'commander';
import { runCli } from '@gatewave/core/cli';
import { registerEnhanceCommands } from './cli/enhance';
import { registerSedCommands } from './cli/sed';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('gatewave-audio')
    .description('Speech enhancement, metrics and sound event detection for WAV files.')
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerEnhanceCommands(program);
  registerSedCommands(program);
  return program;
}

if (require.main === module) {
  // Exit codes: 0 ok, 1 runtime failure, 2 bad input or usage, 130 interrupted (see @gatewave/core/cli runCli).
  void runCli(buildProgram(), 'gatewave-audio');
}
