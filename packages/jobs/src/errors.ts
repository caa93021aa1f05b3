/**
 * The one error class of @gatewave/jobs. `code` is stable and machine-readable (`BAD_URL`, `UNREACHABLE`,
 * `AUTH_FAILED`, `TLS_UNTRUSTED`, `BAD_DB`, `INPUT_NOT_VISIBLE`, `OUTPUT_NOT_WRITABLE`, `BATCH_NOT_FOUND`, `BAD_ARGUMENT`); the message
 * says what was wrong, where, and what to do. Messages never hold a Redis password or a URL that holds one.
 */
export class JobsError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'JobsError';
    this.code = code;
  }
}
