/**
 * The command-line vocabulary of gatewave, shared by `gatewave-forecast` and `gatewave-audio`: value parsers that name
 * the flag in their errors, one table of the flags both command lines use (spelled once, with their parsers), and
 * `addFlag`, which puts a flag on a command with its earlier spellings as hidden aliases.
 *
 * This module is command-line code: it is reached as `@gatewave/core/cli`, never from the library's index.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { GatewaveError } from '../errors';

/** Parses one flag value; `flag` is the spelling the user typed, for the error message. */
export type Parse<T> = (value: string, flag: string) => T;

function invalid(flag: string, what: string, value: string): never {
  throw new GatewaveError('BAD_ARGUMENT', `${flag} must be ${what}, got "${value}".`);
}

/** A number for which `check` holds; otherwise a BAD_ARGUMENT error saying that `flag` must be `what`. */
export function numberWhere(check: (x: number) => boolean, what: string): Parse<number> {
  return (value, flag) => {
    const x = Number(value);
    if (value === undefined || value === '' || !Number.isFinite(x) || !check(x)) invalid(flag, what, value);
    return x;
  };
}

export const integer = numberWhere(Number.isInteger, 'an integer');
export const positiveInt = numberWhere((x) => Number.isInteger(x) && x > 0, 'a positive integer');
export const nonNegativeInt = numberWhere((x) => Number.isInteger(x) && x >= 0, 'an integer >= 0');
export const positiveNumber = numberWhere((x) => x > 0, 'a positive number');
export const nonNegativeNumber = numberWhere((x) => x >= 0, 'a number >= 0');
/** A number strictly between 0 and 1. */
export const openUnit = numberWhere((x) => x > 0 && x < 1, 'in (0, 1)');

/** One of `choices`, as typed. */
export function oneOf<T extends string>(choices: readonly T[], what = `one of ${choices.join(', ')}`): Parse<T> {
  return (value, flag) => {
    if (!choices.includes(value as T)) invalid(flag, what, value);
    return value as T;
  };
}

/** A comma-separated list, items trimmed, empty items dropped. */
export function list(value: string | undefined): string[] | undefined {
  return value
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
}

/** A comma-separated list of values, each parsed by `item`. */
export function listOf<T>(item: Parse<T>): Parse<T[]> {
  return (value, flag) => (list(value) ?? []).map((x) => item(x, flag));
}

/** A comma-separated list kept as strings (empty list when the value is empty). */
export const stringList: Parse<string[]> = (value) => list(value) ?? [];

/** `lo,hi`: two finite numbers with lo <= hi, each passing `check`; `what` and `example` go in the error. */
export function rangeOf(check: (x: number) => boolean, what: string, example: string): Parse<[number, number]> {
  return (value, flag) => {
    const v = (list(value) ?? []).map(Number);
    if (v.length !== 2 || !v.every((x) => Number.isFinite(x) && check(x)) || v[0] > v[1])
      throw new GatewaveError(
        'BAD_ARGUMENT',
        `${flag} needs two numbers lo,hi with ${what}, e.g. ${example}; got "${value}".`,
      );
    return [v[0], v[1]];
  };
}

/** One flag of the vocabulary. */
export interface FlagDef<T = unknown> {
  /** Commander flags, e.g. `--batch-size <n>` or `-q, --quiet`. */
  flags: string;
  /** Help text used unless the command gives its own. */
  description: string;
  /** Parser of the value (none: the string, or true for a switch). */
  parse?: Parse<T>;
  /** Earlier spellings: accepted, hidden from help, set the same value. */
  aliases?: readonly string[];
}

/** Flags with the same meaning in every command of both command lines. */
export const COMMON_FLAGS = {
  out: { flags: '-o, --out <path>', description: 'output to write' },
  model: { flags: '-m, --model <dir>', description: 'model directory' },
  epochs: { flags: '--epochs <n>', description: 'most epochs', parse: positiveInt },
  batchSize: { flags: '--batch-size <n>', description: 'examples per batch', parse: positiveInt, aliases: ['--batch'] },
  learningRate: {
    flags: '--learning-rate <rate>',
    description: 'initial learning rate',
    parse: positiveNumber,
    aliases: ['--lr'],
  },
  patience: {
    flags: '--patience <n>',
    description: 'stop after this many epochs without a better validation score',
    parse: positiveInt,
  },
  seed: { flags: '--seed <n>', description: 'random seed', parse: integer },
  quiet: { flags: '-q, --quiet', description: 'no progress bars' },
  json: { flags: '--json', description: 'print one JSON object' },
} satisfies Record<string, FlagDef>;

export interface AddFlagOptions {
  description?: string;
  /** Default value (already parsed). */
  default?: unknown;
  /** The command fails when the flag is missing. */
  required?: boolean;
  /** Replaces the flags' value placeholder, e.g. `<dir>` or `<csv>`, keeping the names. */
  placeholder?: string;
  /** The flag's key in `opts()` (default: commander's, the long flag in camel case). */
  key?: string;
}

function withPlaceholder(flags: string, placeholder: string | undefined): string {
  return placeholder === undefined ? flags : flags.replace(/<[^>]*>|\[[^\]]*\]/, placeholder);
}

/**
 * Adds `def` to `cmd`, and each of its aliases as a hidden option that parses the same way (naming the spelling typed
 * in its errors) and sets the same value, so that `opts()` has one key per flag whichever spelling was used.
 */
export function addFlag<T>(cmd: Command, def: FlagDef<T>, options: AddFlagOptions = {}): Command {
  const flags = withPlaceholder(def.flags, options.placeholder);
  const main = cmd.createOption(flags, options.description ?? def.description);
  const parse = def.parse;
  if (parse) main.argParser((v: string) => parse(v, main.long ?? main.flags));
  if (options.default !== undefined) main.default(options.default);
  if (options.required) main.makeOptionMandatory();
  const key = options.key ?? main.attributeName();
  main.attributeName = () => key;
  cmd.addOption(main);
  const placeholder = /<[^>]*>/.exec(flags)?.[0] ?? '';
  for (const spelling of def.aliases ?? []) {
    const alias = cmd
      .createOption(`${spelling}${placeholder ? ` ${placeholder}` : ''}`, `alias of ${main.long}`)
      .hideHelp();
    if (parse) alias.argParser((v: string) => parse(v, spelling));
    alias.attributeName = () => key;
    cmd.addOption(alias);
  }
  return cmd;
}

/** The `version` field of the package.json in `packageDir` (what `--version` prints). */
export function packageVersion(packageDir: string): string {
  const file = path.join(packageDir, 'package.json');
  const version = (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: unknown }).version;
  if (typeof version !== 'string') throw new GatewaveError('BAD_PACKAGE', `${file} has no version field.`);
  return version;
}

/**
 * A gatewave command line named `name`: `-V, --version` prints the version of the package in `packageDir`, and a
 * usage error is followed by the help.
 */
export function newProgram(name: string, packageDir: string, description: string): Command {
  return new Command()
    .name(name)
    .version(packageVersion(packageDir), '-V, --version', 'print the version')
    .description(description)
    .showHelpAfterError();
}
