/**
 * One exit-code convention for gatewave's command lines, and the one place that turns an error into a message:
 *   0   ok
 *   1   runtime failure (a write failed, training diverged, some files of a batch failed, an unexpected error)
 *   2   bad input or usage (a bad flag, a file that cannot be read as what it should be, an output that would destroy
 *       something)
 *   130 interrupted (Ctrl-C / SIGTERM)
 */
import type { Command } from 'commander';
import { removeTemporaries } from '../io/temporaries';

export const EXIT = { ok: 0, runtime: 1, badInput: 2, interrupted: 130 } as const;

/** Error codes that mean the run failed for a reason other than its input (exit 1). */
export const RUNTIME_ERROR_CODES: ReadonlySet<string> = new Set([
  'WRITE_FAILED',
  'TRAINING_DIVERGED',
  'BACKEND_UNAVAILABLE',
  'NATIVE_FAILED',
  'OUT_OF_MEMORY',
  'ENQUEUE_FAILED',
]);

/** Raw errno codes that point at a bad path given by the user (exit 2); other errnos are runtime failures (exit 1). */
const BAD_PATH_ERRNOS = new Set(['ENOENT', 'EISDIR', 'ENOTDIR', 'EACCES', 'EPERM', 'ENAMETOOLONG', 'ELOOP']);

interface CodedError {
  code?: unknown;
  message?: unknown;
  stack?: unknown;
  exitCode?: unknown;
}

const isCommanderError = (e: CodedError): boolean => typeof e.code === 'string' && e.code.startsWith('commander.');

/** True for gatewave's own errors (GatewaveError and the package classes): a stable code in capitals and a message. */
export function isGatewaveError(err: unknown): boolean {
  const e = err as CodedError;
  return (
    !!e &&
    typeof e.code === 'string' &&
    /^[A-Z][A-Z0-9_]+$/.test(e.code) &&
    !BAD_PATH_ERRNOS.has(e.code) &&
    !/^E[A-Z]+$/.test(e.code)
  );
}

/** The exit code for an error, by the convention above. */
export function exitCodeOf(err: unknown): number {
  const e = (err ?? {}) as CodedError;
  if (isCommanderError(e)) return typeof e.exitCode === 'number' && e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  if (typeof e.code !== 'string') return EXIT.runtime;
  if (e.code === 'INTERRUPTED') return EXIT.interrupted;
  if (isGatewaveError(e)) return RUNTIME_ERROR_CODES.has(e.code) ? EXIT.runtime : EXIT.badInput;
  return BAD_PATH_ERRNOS.has(e.code) ? EXIT.badInput : EXIT.runtime;
}

/** The line printed for an error: `name: error [CODE]: message`; a stack only for unexpected errors with GATEWAVE_DEBUG=1. */
export function errorLine(name: string, err: unknown): string {
  const e = (err ?? {}) as CodedError;
  const message = String(e.message ?? err);
  if (isGatewaveError(e)) return `${name}: error [${String(e.code)}]: ${message}`;
  if (typeof e.code === 'string') return `${name}: error [${e.code}]: ${message}`;
  const detail = process.env.GATEWAVE_DEBUG
    ? `\n${String(e.stack ?? '')}`
    : ' (set GATEWAVE_DEBUG=1 for details, and please report it)';
  return `${name}: unexpected error: ${message}${detail}`;
}

function overrideExits(cmd: Command): void {
  cmd.exitOverride();
  for (const sub of cmd.commands) overrideExits(sub);
}

/**
 * Parses `argv` with `program` and runs the command, then exits by the convention: usage errors (commander's own, already
 * printed) exit 2, gatewave errors print `name: error [CODE]: message` and exit 2 (1 for runtime codes, 130 when
 * interrupted), anything else prints one line and exits 1. A command may set `process.exitCode` itself (e.g. 1 when
 * some files of a batch failed).
 */
export async function runCli(program: Command, name: string, argv: string[] = process.argv): Promise<void> {
  overrideExits(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as CodedError;
    if (!isCommanderError(e)) process.stderr.write(`${errorLine(name, err)}\n`);
    process.exitCode = exitCodeOf(err);
  }
}

/**
 * On Ctrl-C or SIGTERM: removes the unfinished temporary files of writes in progress, says what was removed and what
 * was kept (`kept()`, e.g. the outputs finished so far), and exits 130. For commands that stop at once; a command that
 * stops gracefully (training that keeps its best checkpoint) installs its own handler instead.
 */
export function exitOnInterrupt(name: string, kept?: () => string): void {
  const handler = (signal: string): void => {
    const removed = removeTemporaries();
    const what = removed.length ? `removed ${removed.length} unfinished file(s)` : 'no unfinished files to remove';
    const note = kept?.();
    process.stderr.write(`\n${name}: interrupted (${signal}): ${what}${note ? `; ${note}` : ''}.\n`);
    process.exit(EXIT.interrupted);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
