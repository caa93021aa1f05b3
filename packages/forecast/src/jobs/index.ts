/**
 * Forecasting as jobs on BullMQ and Redis (`@gatewave/forecast/jobs`): split a long CSV by series id, forecast each
 * part on a worker, merge once. Not in the package index, so that the library does not load bullmq.
 */
export { FORECAST_QUEUE, FORECAST_JOB, submitForecastBatch } from './submit';
export type {
  ForecastBatchRequest,
  ForecastBatchSettings,
  ForecastPart,
  ForecastSubmitResult,
  PartTraining,
} from './submit';
export { forecastWorkerSpec } from './worker';
export type { MergeResult, PartResult } from './worker';
export { partitionPanelCsv } from './partition';
export type { PartitionOptions, PartitionResult } from './partition';
