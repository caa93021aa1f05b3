import { GatewaveError } from '@gatewave/core';

/**
 * Stable, machine-readable reasons a forecasting call can fail. Every message also says what was wrong, where
 * (file, line, column, flag) and what to do about it.
 */
export type ForecastErrorCode =
  | 'FILE_NOT_FOUND'
  | 'EMPTY_FILE'
  | 'NOT_TEXT'
  | 'BAD_CSV'
  | 'GAP_TOO_LONG'
  | 'BAD_SCALE'
  | 'TRAINING_DIVERGED'
  | 'HEADER_ONLY'
  | 'NO_NUMERIC_COLUMN'
  | 'UNKNOWN_COLUMN'
  | 'NON_NUMERIC_VALUE'
  | 'NON_FINITE_VALUE'
  | 'NO_TIME_COLUMN'
  | 'BAD_TIMESTAMP'
  | 'DUPLICATE_TIMESTAMP'
  | 'UNSORTED_TIMESTAMPS'
  | 'IRREGULAR_TIMESTAMPS'
  | 'MISSING_VALUES'
  | 'TOO_FEW_ROWS'
  | 'BAD_ARGUMENT'
  | 'NOT_A_MULTIPLE'
  | 'NOT_FITTED'
  | 'MODEL_NOT_FOUND'
  | 'MODEL_MISMATCH'
  | 'MODEL_CORRUPT'
  | 'INTERRUPTED'
  | 'MISSING_FUTURE_COVARIATES';

/** The one error class of @gatewave/forecast. */
export class ForecastError extends GatewaveError {
  override readonly code: ForecastErrorCode;

  constructor(code: ForecastErrorCode, message: string) {
    super(code, message);
    this.name = 'ForecastError';
    this.code = code;
  }
}
