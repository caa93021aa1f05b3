/**
 * @gatewave/jobs: batch work across processes and machines on BullMQ and Redis. Connection URLs, batches (one flow
 * per batch, per-item retries, failures recorded, a merge step), status, exactly-once outputs and a worker runner.
 */
export { JobsError } from './errors';
export { parseQueueUrl, redactUrl, scrub, checkConnection, openRedis } from './connection';
export type { QueueConnection } from './connection';
export {
  checkInputs,
  checkOutputDir,
  isComplete,
  tempOutputName,
  removeLeftovers,
  commitOutput,
  writeOutputOnce,
} from './outputs';
export {
  submitBatch,
  batchStatus,
  listBatches,
  waitForBatch,
  openQueue,
  KEY_PREFIX,
  BATCH_JOB,
  KEEP_SECONDS,
} from './batch';
export type {
  ItemPayload,
  BatchPayload,
  BatchSummary,
  BatchStatus,
  ItemFailure,
  SubmitOptions,
  WaitOptions,
  QueueHandle,
} from './batch';
export { runWorker } from './worker';
export { PhaseTimings, timingsRequested } from './timings';
export type { JobContext, ItemProcessor, MergeStep, WorkerSpec, WorkerOptions, RunningWorker } from './worker';
