/**
 * A generic worker: it runs the item processors and merge steps that a package registers for its queue, until it
 * is stopped. SIGTERM or SIGINT lets the jobs in hand finish, then the worker exits (a second signal exits at once;
 * the interrupted jobs are then recovered by BullMQ's stalled-job check on another worker).
 */
import { Job, Worker } from 'bullmq';
import { QueueConnection, scrub } from './connection';
import { BATCH_JOB, BatchPayload, BatchSummary, ItemFailure, ItemPayload, KEY_PREFIX } from './batch';
import { JobsError } from './errors';
import { PhaseTimings, timingsRequested } from './timings';

/** What a processor learns about the job it runs. */
export interface JobContext {
  /** The BullMQ job id (`<batch>-<index>`). */
  jobId: string;
  /** 1 for the first try, 2 for the first retry, ... */
  attempt: number;
  /**
   * True when an earlier attempt at this job was started (a retry, or a stalled job taken up again after its worker
   * died): only then can temporary files of an earlier attempt be lying about.
   */
  startedBefore: boolean;
  /**
   * Reports progress in [0, 1]. Sent to Redis at most once a second, and not before the job has run a second: a
   * short job reports nothing (its completion says it all), which saves a Redis script and an event per job.
   */
  progress(fraction: number): Promise<void>;
  log(line: string): void;
  /** Runs `fn` as the named phase of the job (counted in the worker's per-phase timings when they are on). */
  time<T>(phase: string, fn: () => T | Promise<T>): Promise<T>;
}

/** Processes one item; its return value (JSON) is kept for the merge step. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- processors are registered for any payload shape
export type ItemProcessor = (payload: ItemPayload<any, any>, ctx: JobContext) => Promise<unknown>;

/** Runs once per batch after every item is done or failed; `results` by item index. */
export type MergeStep = (
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- merge steps are registered for any payload shape
  batch: { id: string } & BatchPayload<any>,
  results: Map<number, unknown>,
  failures: ItemFailure[],
  ctx: JobContext,
) => Promise<unknown>;

export interface WorkerSpec {
  queue: string;
  /** One processor per job kind (the job's name). */
  processors: Record<string, ItemProcessor>;
  /** Optional merge step per kind. */
  merges?: Record<string, MergeStep>;
}

export interface WorkerOptions {
  /** Jobs at once in this process (default 1; CPU-bound work gains nothing above 1: run more processes instead). */
  concurrency?: number;
  /** How long a job's lock lasts without renewal (ms, BullMQ default 30000). */
  lockDurationMs?: number;
  /** How often to look for jobs whose worker died (ms, BullMQ default 30000). */
  stalledIntervalMs?: number;
  /** How often a job may stall before it fails (default 1). */
  maxStalledCount?: number;
  /** Where log lines go (default stderr). */
  log?: (line: string) => void;
  /** Install SIGTERM/SIGINT handlers (default true). */
  handleSignals?: boolean;
  /** Record wall and CPU time per phase and log the totals when the worker stops (default: GATEWAVE_JOBS_TIMINGS). */
  timings?: boolean;
}

export interface RunningWorker {
  /** Resolves with the exit code once the worker has stopped (0 after SIGTERM or close(), 130 after SIGINT). */
  readonly stopped: Promise<number>;
  /** Finishes the jobs in hand, then stops. */
  close(): Promise<void>;
  readonly worker: Worker;
  /** The per-phase timings, when they are on. */
  readonly timings?: PhaseTimings;
}

/** Least time between two progress reports of one job, and before its first (ms). */
const PROGRESS_EVERY_MS = 1000;

function indexOfKey(key: string): number {
  return Number(/-(\d+)$/.exec(key)?.[1] ?? NaN);
}

async function runBatchJob(
  job: Job<BatchPayload, BatchSummary>,
  spec: WorkerSpec,
  ctx: JobContext,
): Promise<BatchSummary> {
  const values = await job.getChildrenValues();
  const failed = await job.getIgnoredChildrenFailures();
  const results = new Map<number, unknown>();
  for (const [key, value] of Object.entries(values)) results.set(indexOfKey(key), value);
  const failures = Object.entries(failed)
    .map(([key, error]) => ({ index: indexOfKey(key), error: String(error) }))
    .sort((a, b) => a.index - b.index);
  const merge = spec.merges?.[job.data.kind];
  const merged = merge ? await merge({ id: job.id as string, ...job.data }, results, failures, ctx) : undefined;
  return {
    total: job.data.total,
    done: results.size,
    failed: failures.length,
    skipped: job.data.skipped ?? 0,
    errors: failures,
    merged,
  };
}

/**
 * The function BullMQ calls per job. With `timings`, each job's wall and CPU time goes to the phase `job` (and the
 * processor's own phases, through ctx.time), the merge step to `merge step`, and the gap between the end of one job
 * and the start of the next one that was already waiting to `between jobs` (BullMQ's bookkeeping: completing one job
 * and fetching the next).
 */
function jobRunner(spec: WorkerSpec, log: (line: string) => void, timings: PhaseTimings | undefined) {
  const stamp = () => new Date().toISOString().slice(11, 19);
  let lastEnd: { epochMs: number; wall: number; cpu: number } | undefined;
  let first: { wall: number; cpu: number } | undefined;
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const run = (job: Job, ctx: JobContext): Promise<unknown> => {
    if (job.name === BATCH_JOB) return runBatchJob(job as Job<BatchPayload, BatchSummary>, spec, ctx);
    const processor = spec.processors[job.name];
    if (!processor)
      throw new JobsError(
        'UNKNOWN_KIND',
        `this worker cannot run "${job.name}" jobs (it runs ${Object.keys(spec.processors).join(', ')}).`,
      );
    return processor(job.data as ItemPayload, ctx);
  };
  /** Adds the whole span from the first job's start to the last job's end (all of the process's threads). */
  const addSpan = (): void => {
    if (timings && first && lastEnd)
      timings.add('worker, first job to last', lastEnd.wall - first.wall, lastEnd.cpu - first.cpu);
  };
  const runJob = async (job: Job): Promise<unknown> => {
    let lastProgress = performance.now();
    const ctx: JobContext = {
      jobId: String(job.id),
      attempt: job.attemptsMade + 1,
      startedBefore: job.attemptsStarted > 1 || job.attemptsMade > 0 || job.stalledCounter > 0,
      progress: async (f) => {
        const now = performance.now();
        if (f >= 1 || now - lastProgress < PROGRESS_EVERY_MS) return;
        lastProgress = now;
        await job.updateProgress(Math.round(f * 1000) / 10);
      },
      log: (line) => log(`${stamp()} ${line}`),
      time: async (phase, fn) => (timings ? timings.time(phase, fn) : fn()),
    };
    if (!timings) return run(job, ctx);
    first ??= { wall: performance.now(), cpu: cpuMs() };
    if (lastEnd && job.timestamp <= lastEnd.epochMs)
      timings.add('between jobs', performance.now() - lastEnd.wall, cpuMs() - lastEnd.cpu);
    try {
      return await timings.time(job.name === BATCH_JOB ? 'merge step' : 'job', () => run(job, ctx));
    } finally {
      lastEnd = { epochMs: Date.now(), wall: performance.now(), cpu: cpuMs() };
    }
  };
  return { runJob, addSpan };
}

/** Starts a worker on `spec.queue`; see RunningWorker. */
export function runWorker(conn: QueueConnection, spec: WorkerSpec, opts: WorkerOptions = {}): RunningWorker {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const stamp = () => new Date().toISOString().slice(11, 19);
  const timings = (opts.timings ?? timingsRequested()) ? new PhaseTimings() : undefined;
  let lastError = '';
  const runner = jobRunner(spec, log, timings);
  const worker = new Worker(spec.queue, runner.runJob, {
    connection: conn.options,
    prefix: KEY_PREFIX,
    concurrency: opts.concurrency ?? 1,
    lockDuration: opts.lockDurationMs ?? 30000,
    stalledInterval: opts.stalledIntervalMs ?? 30000,
    maxStalledCount: opts.maxStalledCount ?? 1,
  });
  worker.on('error', (err) => {
    const m = scrub(err.message, conn);
    if (m !== lastError) log(`${stamp()} queue ${spec.queue} on ${conn.display}: ${m}`);
    lastError = m;
  });
  worker.on('failed', (job, err) => {
    if (!job || job.name === BATCH_JOB) return;
    const left = (job.opts.attempts ?? 1) - job.attemptsMade;
    log(
      `${stamp()} ${job.name} ${job.id} failed (attempt ${job.attemptsMade}${left > 0 ? `, ${left} left` : ', no tries left'}): ${scrub(err.message, conn)}`,
    );
  });

  let code = 0;
  let closing: Promise<void> | undefined;
  let resolveStopped: (c: number) => void = () => {};
  const stopped = new Promise<number>((r) => (resolveStopped = r));
  const close = (): Promise<void> => {
    closing ??= worker.close().then(() => {
      if (timings) {
        runner.addSpan();
        const jobs = timings.get('job')?.count ?? 0;
        log(timings.format(`worker timings, pid ${process.pid}: ${jobs} job(s)`, jobs).trimEnd());
      }
      resolveStopped(code);
    });
    return closing;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      log(
        `${stamp()} ${signal} again: exiting now; unfinished jobs will be picked up by another worker once their lock expires`,
      );
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    code = signal === 'SIGINT' ? 130 : 0;
    log(`${stamp()} ${signal}: finishing the job(s) in hand, then exiting`);
    void close();
  };
  if (opts.handleSignals ?? true) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    void stopped.then(() => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    });
  }
  return { stopped, close, worker, timings };
}
