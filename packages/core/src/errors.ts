/**
 * The one error class of @gatewave/core. `code` is stable and machine-readable; the message says what was wrong,
 * where, and what to do about it.
 */
export class GatewaveError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'GatewaveError';
    this.code = code;
  }
}

/** Throws a GatewaveError with code `BAD_ARGUMENT` unless `ok`. */
export function check(ok: unknown, what: string, message: string): asserts ok {
  if (!ok) throw new GatewaveError('BAD_ARGUMENT', `${what}: ${message}`);
}

/** Checks that `value` is a positive integer; names the argument in the error. */
export function checkPositiveInt(value: unknown, what: string): number {
  check(
    typeof value === 'number' && Number.isInteger(value) && value > 0,
    what,
    `must be a positive integer, got ${String(value)}`,
  );
  return value as number;
}

/** Checks that `value` is a non-negative integer; names the argument in the error. */
export function checkNonNegativeInt(value: unknown, what: string): number {
  check(
    typeof value === 'number' && Number.isInteger(value) && value >= 0,
    what,
    `must be a non-negative integer, got ${String(value)}`,
  );
  return value as number;
}
