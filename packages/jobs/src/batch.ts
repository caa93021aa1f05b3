/**
 * A batch is one BullMQ flow: a parent job named `batch` (id = the batch id) whose children are the items (ids
 * `<batch>-<index>`). Each child retries with exponential backoff; a child that fails all its attempts is recorded on
 * the parent as a failure (BullMQ's `ignoreDependencyOnFailure`) so the rest go on. When every child is done or
 * failed, BullMQ releases the parent, and a worker runs the kind's merge step (if any) and stores the batch summary.
 * Counts come from the parent's dependency sets in Redis, so they are O(1) whatever the batch size.
 */
import { FlowProducer, Job, Queue, QueueEvents } from 'bullmq';
import { JobsError } from './errors';
import type IORedis from 'ioredis';
import { QueueConnection, openRedis, scrub } from './connection';

/** Redis key prefix of every gatewave queue. */
export const KEY_PREFIX = 'gatewave';
/** Job name of the parent job of every batch. */
export const BATCH_JOB = 'batch';
/** Completed and failed jobs are kept this long (seconds) so that `jobs status` can show them. */
export const KEEP_SECONDS = 7 * 24 * 3600;

/** What every item job carries. */
export interface ItemPayload<I = unknown, S = unknown> {
  batch: string;
  index: number;
  kind: string;
  item: I;
  settings: S;
}

/** What the parent job carries. */
export interface BatchPayload<S = unknown> {
  kind: string;
  total: number;
  settings: S;
  createdAt: number;
  /** Items already complete when the batch was submitted (left out of it). */
  skipped: number;
}

/** An item that failed all its attempts. */
export interface ItemFailure {
  index: number;
  error: string;
}

/** The parent job's result, stored in Redis when the batch is finished. */
export interface BatchSummary {
  total: number;
  done: number;
  failed: number;
  skipped: number;
  errors: ItemFailure[];
  merged?: unknown;
}

export interface SubmitOptions<I, S> {
  queue: string;
  kind: string;
  items: readonly I[];
  settings: S;
  /** Tries per item before it counts as failed (default 3). */
  attempts?: number;
  /** First retry delay in ms, doubled each time (default 1000). */
  backoffMs?: number;
  /** Items already complete, reported in the summary. */
  skipped?: number;
}

function newBatchId(kind: string): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${kind}-${t}-${Math.random().toString(36).slice(2, 8)}`;
}

const batchesKey = (queue: string) => `${KEY_PREFIX}:${queue}:batches`;

/** Enqueues a batch (one flow) and returns its id. Check the connection and the paths before calling this. */
export async function submitBatch<I, S>(
  conn: QueueConnection,
  opts: SubmitOptions<I, S>,
): Promise<{ batchId: string; total: number }> {
  const batchId = newBatchId(opts.kind);
  const attempts = opts.attempts ?? 3;
  const keep = { age: KEEP_SECONDS };
  const redis = openRedis(conn);
  const flow = new FlowProducer({ connection: redis, prefix: KEY_PREFIX });
  flow.on('error', () => {});
  try {
    const parent: BatchPayload<S> = {
      kind: opts.kind,
      total: opts.items.length,
      settings: opts.settings,
      createdAt: Date.now(),
      skipped: opts.skipped ?? 0,
    };
    await flow.add({
      name: BATCH_JOB,
      queueName: opts.queue,
      data: parent,
      opts: {
        jobId: batchId,
        attempts,
        backoff: { type: 'exponential', delay: opts.backoffMs ?? 1000 },
        removeOnComplete: keep,
        removeOnFail: keep,
      },
      children: opts.items.map((item, index) => ({
        name: opts.kind,
        queueName: opts.queue,
        data: { batch: batchId, index, kind: opts.kind, item, settings: opts.settings } satisfies ItemPayload<I, S>,
        opts: {
          jobId: `${batchId}-${index}`,
          attempts,
          backoff: { type: 'exponential', delay: opts.backoffMs ?? 1000 },
          ignoreDependencyOnFailure: true,
          removeOnComplete: keep,
          removeOnFail: keep,
        },
      })),
    });
    await redis.zadd(batchesKey(opts.queue), parent.createdAt, batchId);
  } catch (err) {
    throw new JobsError(
      'ENQUEUE_FAILED',
      `could not enqueue the batch on ${conn.display}: ${scrub((err as Error).message, conn)}`,
    );
  } finally {
    await flow.close();
    redis.disconnect();
  }
  return { batchId, total: opts.items.length };
}

/** Where a batch stands. */
export interface BatchStatus {
  batch: string;
  kind: string;
  /** `running` until the merge step has finished; `merging` while it runs; `done`, or `failed` if the merge failed. */
  state: 'running' | 'merging' | 'done' | 'failed';
  total: number;
  skipped: number;
  waiting: number;
  active: number;
  /** Waiting for a retry after a failed attempt. */
  retrying: number;
  done: number;
  failed: number;
  createdAt: number;
  /** Items that failed all their attempts, with the item and the error. */
  errors: (ItemFailure & { item?: unknown })[];
  /** The merge step's error, if it failed. */
  mergeError?: string;
  summary?: BatchSummary;
}

function indexOf(jobKeyOrId: string): number {
  return Number(/-(\d+)$/.exec(jobKeyOrId)?.[1] ?? NaN);
}

/** A queue opened for reading batches (status, waiting). */
export interface QueueHandle {
  queue: Queue;
  redis: IORedis;
  conn: QueueConnection;
  close(): Promise<void>;
}

/** Opens `queue` for reading; close it when done. */
export function openQueue(conn: QueueConnection, queue: string): QueueHandle {
  const redis = openRedis(conn);
  const q = new Queue(queue, { connection: redis, prefix: KEY_PREFIX });
  q.on('error', () => {});
  return {
    queue: q,
    redis,
    conn,
    close: async () => {
      await q.close();
      redis.disconnect();
    },
  };
}

/** The batch's counts and per-item errors; `withItems` also loads each failed item's payload (one read per failure). */
export async function batchStatus(h: QueueHandle, batchId: string, withItems = true): Promise<BatchStatus> {
  const q = h.queue;
  // The state is read before the job: a merge that completes in between is then read with its summary (read the
  // other way round, a batch could be reported done with no summary yet).
  const state = await q.getJobState(batchId);
  const parent = (await Job.fromId(q, batchId)) as Job<BatchPayload, BatchSummary> | undefined;
  if (!parent || parent.name !== BATCH_JOB) {
    throw new JobsError(
      'BATCH_NOT_FOUND',
      `no batch ${batchId} on queue ${q.name}; list the batches with "jobs status" and no id.`,
    );
  }
  const data = parent.data;
  const summary = state === 'completed' ? parent.returnvalue : undefined;
  const counts = await parent.getDependenciesCount();
  const failures = await parent.getIgnoredChildrenFailures();
  const unprocessed = counts.unprocessed ?? 0;
  const [active, delayed] = await Promise.all([q.getJobs(['active']), q.getJobs(['delayed'])]);
  const mine = (jobs: { data?: { batch?: string } }[]) => jobs.filter((j) => j?.data?.batch === batchId).length;
  const nActive = mine(active as Job[]);
  const nDelayed = mine(delayed as Job[]);
  const errors = Object.entries(failures)
    .map(([key, error]) => ({ index: indexOf(key), error: String(error) }))
    .sort((a, b) => a.index - b.index);
  if (withItems) {
    await Promise.all(
      errors.map(async (e: ItemFailure & { item?: unknown }) => {
        const child = await Job.fromId(q, `${batchId}-${e.index}`);
        if (child) e.item = (child.data as ItemPayload).item;
      }),
    );
  }
  return {
    batch: batchId,
    kind: data.kind,
    state: state === 'completed' ? 'done' : state === 'failed' ? 'failed' : state === 'active' ? 'merging' : 'running',
    total: data.total,
    skipped: data.skipped ?? 0,
    waiting: Math.max(0, unprocessed - nActive - nDelayed),
    active: nActive,
    retrying: nDelayed,
    done: counts.processed ?? 0,
    failed: (counts.ignored ?? 0) + (counts.failed ?? 0),
    createdAt: data.createdAt,
    errors,
    mergeError: state === 'failed' ? parent.failedReason : undefined,
    summary,
  };
}

/** The ids of the batches on a queue, newest first (those whose parent job has not been removed). */
export async function listBatches(h: QueueHandle, limit = 20): Promise<string[]> {
  return h.redis.zrevrange(batchesKey(h.queue.name), 0, limit - 1);
}

export interface WaitOptions {
  /** Least time between two status reads while the batch's items finish (ms, default 1000). */
  intervalMs?: number;
  /**
   * The status is also read this often when no event of the batch arrives (ms, default 5000): it covers events
   * missed while Redis was away.
   */
  fallbackMs?: number;
  /** Called with the status after each read. */
  onStatus?: (s: BatchStatus) => void;
  /** Stops waiting (the batch goes on) when aborted. */
  signal?: AbortSignal;
}

/** The id of the newest entry a Redis stream may hold now (the server's clock): events after it are new. */
async function streamIdNow(redis: IORedis): Promise<string> {
  const [seconds, micros] = await redis.time();
  return `${Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)}-0`;
}

/**
 * Waits until the batch is done (or its merge step failed) and returns the final status. It does not poll: it
 * follows the queue's event stream (BullMQ QueueEvents, one blocking read on its own connection), reads the batch's
 * counts when one of its items finishes (at most once per `intervalMs`) and at once when its parent job finishes,
 * plus every `fallbackMs` in case events were missed. Waiting costs no CPU here or in Redis between events.
 */
export async function waitForBatch(h: QueueHandle, batchId: string, opts: WaitOptions = {}): Promise<BatchStatus> {
  const intervalMs = opts.intervalMs ?? 1000;
  // Events after the server's present time: nothing of the batch that happens from here on is missed.
  const events = new QueueEvents(h.queue.name, {
    connection: h.conn.options,
    prefix: KEY_PREFIX,
    lastEventId: await streamIdNow(h.redis),
  });
  events.on('error', () => {}); // reconnects by itself; the fallback reads cover the gap
  // Set by events, cleared before each read: an event that arrives during a read brings another read.
  let parentEvent = false;
  let itemEvent = false;
  let wake: (() => void) | undefined;
  const onEvent = ({ jobId }: { jobId: string }): void => {
    if (jobId === batchId) parentEvent = true;
    else if (jobId.startsWith(`${batchId}-`)) itemEvent = true;
    else return;
    wake?.();
  };
  events.on('completed', onEvent);
  events.on('failed', onEvent);
  try {
    for (;;) {
      parentEvent = itemEvent = false;
      const readAt = Date.now();
      const s = await batchStatus(h, batchId, false);
      opts.onStatus?.(s);
      if (s.state === 'done' || s.state === 'failed') return await batchStatus(h, batchId, true);
      await new Promise<void>((resolve) => {
        let throttled: ReturnType<typeof setTimeout> | undefined;
        const done = (): void => {
          clearTimeout(fallback);
          clearTimeout(throttled);
          opts.signal?.removeEventListener('abort', done);
          wake = undefined;
          resolve();
        };
        const fallback = setTimeout(done, opts.fallbackMs ?? 5000);
        wake = () => {
          if (parentEvent) done();
          else if (itemEvent) throttled ??= setTimeout(done, Math.max(0, readAt + intervalMs - Date.now()));
        };
        opts.signal?.addEventListener('abort', done, { once: true });
        if (opts.signal?.aborted) done();
        else wake(); // events that came during the read
      });
      if (opts.signal?.aborted) return s;
    }
  } finally {
    await events.close();
  }
}
