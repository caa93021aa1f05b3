/**
 * The one error class of @gatewave/audio. `code` is stable and machine-readable (for example `NOT_WAV`,
 * `TRUNCATED`, `UNSUPPORTED_ENCODING`, `EMPTY_AUDIO`, `NAN_SAMPLES`, `FILE_NOT_FOUND`, `BAD_ARGUMENT`); the message
 * says what was wrong, where, and what to do about it.
 */
export class AudioError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'AudioError';
    this.code = code;
  }
}

/** Throws an AudioError with code `BAD_ARGUMENT` unless `ok`. */
export function checkArg(ok: unknown, what: string, message: string): asserts ok {
  if (!ok) throw new AudioError('BAD_ARGUMENT', `${what}: ${message}`);
}
