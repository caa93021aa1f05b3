#!/usr/bin/env node
/**
 * `gatewave-audio`: the command line of @gatewave/audio. Each part of the package registers its own commands, so
 * this file only assembles them.
 */
import { Command } from 'commander';
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
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: Error & { code?: string }) => {
      process.stderr.write(`gatewave-audio: ${process.env.GATEWAVE_DEBUG ? err.stack : err.message}\n`);
      process.exitCode = process.exitCode || 1;
    });
}
