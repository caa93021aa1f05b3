import { GatewaveError } from '@gatewave/core';

/**
 * The one error class of @gatewave/jobs, a GatewaveError. `code` is stable and machine-readable (`BAD_URL`,
 * `UNREACHABLE`, `AUTH_FAILED`, `TLS_UNTRUSTED`, `BAD_DB`, `INPUT_NOT_VISIBLE`, `OUTPUT_NOT_WRITABLE`,
 * `BATCH_NOT_FOUND`, `BAD_ARGUMENT`); the message says what was wrong, where, and what to do. Messages never hold a
 * Redis password or a URL that holds one.
 */
export class JobsError extends GatewaveError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'JobsError';
  }
}
