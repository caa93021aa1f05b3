#!/usr/bin/env node
/**
 * `gatewave-audio`: the command line of @gatewave/audio. Each part of the package registers its own commands, so
 * this file only assembles them.
 */
import * as path from 'path';
import { Command } from 'commander';
import { packageVersion, runCli } from '@gatewave/core/cli';
import { registerEnhanceCommands } from './cli/enhance';
import { registerSedCommands } from './cli/sed';
import { registerQueueCommands } from './cli/queue';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('gatewave-audio')
    .version(packageVersion(path.resolve(__dirname, '..')), '-V, --version', 'print the version')
    .description('Speech enhancement, metrics and sound event detection for WAV files.')
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
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
