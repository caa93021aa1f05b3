/**
 * One way to assemble a gatewave command line: a program with `--version`, its groups of commands registered in
 * order, run by `runCli`'s exit-code convention.
 */
import type { Command } from 'commander';
import { newProgram } from './flags';
import { runCli } from './exit';

/** What a command line is made of (see `commandLine`). */
export interface CommandLineSpec {
  /** The command's name, e.g. `gatewave-forecast`; it starts every error line. */
  name: string;
  /** The package folder; its package.json gives `--version`. */
  packageDir: string;
  description: string;
  /** Help text shown after the list of commands (e.g. examples). */
  helpAfter?: string;
  /** Each registers one group of commands on the program, in this order. */
  register: ((program: Command) => void)[];
  /** After a failure, exit at once (else `process.exitCode` is set and the process ends when its work does). */
  exitOnFailure?: boolean;
}

/** A command line: `buildProgram` (ready to parse; tests read its commands) and `main(argv)`, which runs it. */
export interface CommandLine {
  buildProgram(): Command;
  main(argv?: string[]): Promise<void>;
}

/** Builds a command line from its parts; `main` runs it on `argv` (node, script, args...) with `runCli`. */
export function commandLine(spec: CommandLineSpec): CommandLine {
  const buildProgram = (): Command => {
    const program = newProgram(spec.name, spec.packageDir, spec.description);
    if (spec.helpAfter) program.addHelpText('after', spec.helpAfter);
    for (const register of spec.register) register(program);
    return program;
  };
  const main = async (argv: string[] = process.argv): Promise<void> => {
    await runCli(buildProgram(), spec.name, argv);
    if (spec.exitOnFailure && process.exitCode) process.exit(process.exitCode);
  };
  return { buildProgram, main };
}
