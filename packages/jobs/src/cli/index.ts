/**
 * The queue side of gatewave's command lines (`@gatewave/jobs/cli`): the flags (--queue, --detach, --attempts,
 * worker settings), following a submitted batch with a progress bar, and the `worker` and `jobs status` commands.
 * The library never imports this module.
 */
import type { Command } from 'commander';
import { ProgressBar } from '@gatewave/core';
import { addFlag, FlagDef, positiveInt } from '@gatewave/core/cli';
import { checkConnection, parseQueueUrl, QueueConnection } from '../connection';
import { BatchStatus, batchStatus, listBatches, openQueue, waitForBatch } from '../batch';
import { runWorker, WorkerSpec } from '../worker';
import { JobsError } from '../errors';
import { PhaseTimings, timingsRequested } from '../timings';

export const QUEUE_FLAGS = {
  queue: {
    flags: '--queue <url>',
    description:
      'run as jobs on workers through Redis: redis://[:PASSWORD@]HOST:PORT[/DB] or rediss:// (TLS); paths must be on storage every worker sees',
  },
  detach: {
    flags: '--detach',
    description: 'with --queue: print the batch id and return at once (follow it with "jobs status")',
  },
  attempts: {
    flags: '--attempts <n>',
    description: 'with --queue: tries per item before it counts as failed',
    parse: positiveInt,
  },
  concurrency: {
    flags: '--concurrency <n>',
    description: 'jobs at once in this worker process (CPU-bound work: run one worker process per core instead)',
    parse: positiveInt,
  },
  lockDuration: {
    flags: '--lock-duration <ms>',
    description: 'a job whose worker has not renewed its lock for this long counts as stalled',
    parse: positiveInt,
  },
  stalledInterval: {
    flags: '--stalled-interval <ms>',
    description: 'how often to look for stalled jobs (those whose worker died) and requeue them',
    parse: positiveInt,
  },
  timings: {
    flags: '--timings',
    description:
      'when the worker stops, print wall and CPU ms per job for each phase (the same as GATEWAVE_JOBS_TIMINGS=1, which also makes a submitting command print its own)',
  },
} satisfies Record<string, FlagDef>;

export type QueueFlagName = keyof typeof QUEUE_FLAGS;

/** Adds the named queue flags to `cmd`. */
export function addQueueFlags(
  cmd: Command,
  names: QueueFlagName[],
  defaults: Partial<Record<QueueFlagName, unknown>> = {},
): Command {
  for (const n of names) {
    // `queue: null` in defaults makes --queue required (no default)
    const required = n === 'queue' && defaults.queue === null;
    addFlag(cmd, QUEUE_FLAGS[n] as FlagDef, {
      default: required ? undefined : defaults[n],
      required: required || undefined,
    });
  }
  return cmd;
}

/** Parses and checks --queue (reachable, credentials, database); throws JobsError before anything starts. */
export async function connect(url: string): Promise<QueueConnection> {
  const conn = parseQueueUrl(url);
  await checkConnection(conn);
  return conn;
}

/** Several lines describing a batch, for people. */
export function formatStatus(s: BatchStatus): string {
  const lines = [
    `batch ${s.batch} (${s.kind}): ${s.state}, ${s.total} item(s)${s.skipped ? `, ${s.skipped} more already complete when it was submitted` : ''}`,
    `  waiting ${s.waiting}  active ${s.active}  retrying ${s.retrying}  done ${s.done}  failed ${s.failed}`,
  ];
  for (const e of s.errors) {
    const input =
      e.item && typeof e.item === 'object' && 'input' in e.item ? String((e.item as { input: unknown }).input) : '';
    const item = input && !e.error.includes(input) ? ` (${input})` : '';
    lines.push(`  failed item ${e.index}${item}: ${e.error}`);
  }
  if (s.mergeError) lines.push(`  merge step failed: ${s.mergeError}`);
  return lines.join('\n') + '\n';
}

/**
 * What a command does after submitting a batch: with `detach`, print the id; otherwise show a progress bar until the
 * batch is done, print failures, and set the exit code (1 when any item or the merge step failed). Ctrl-C stops
 * following (exit 130); the batch goes on.
 */
export async function followBatch(
  name: string,
  conn: QueueConnection,
  queue: string,
  submitted: { batchId: string; total: number },
  opts: { detach?: boolean; quiet?: boolean },
): Promise<BatchStatus | undefined> {
  const say = (s: string) => process.stderr.write(`${name}: ${s}\n`);
  if (opts.detach) {
    process.stdout.write(`${submitted.batchId}\n`);
    say(
      `${submitted.total} job(s) queued on ${conn.display}; follow with: ${name} jobs status ${submitted.batchId} --queue ${conn.display}`,
    );
    return undefined;
  }
  const h = openQueue(conn, queue);
  const bar = new ProgressBar(submitted.total, { label: submitted.batchId, silent: opts.quiet });
  const abort = new AbortController();
  const onInt = () => abort.abort();
  process.once('SIGINT', onInt);
  const started = Date.now();
  let hinted = false;
  const timings = timingsRequested() ? new PhaseTimings() : undefined;
  const waiting = timings?.start('waiting for the batch');
  try {
    const s = await waitForBatch(h, submitted.batchId, {
      signal: abort.signal,
      onStatus: (st) => {
        timings?.add('status polls', 0, 0);
        bar.update(st.done + st.failed, st.failed ? `${st.failed} failed` : '');
        if (!hinted && Date.now() - started > 5000 && st.active === 0 && st.done + st.failed === 0) {
          hinted = true;
          void h.queue.getWorkersCount().then(
            (n) => {
              if (n === 0)
                say(
                  `no worker is connected to queue "${queue}" on ${conn.display}; start one with: ${name} worker --queue URL`,
                );
            },
            () => {},
          );
        }
      },
    });
    if (abort.signal.aborted) {
      say(
        `stopped following; batch ${submitted.batchId} goes on. Follow it with: ${name} jobs status ${submitted.batchId} --queue ${conn.display}`,
      );
      process.exitCode = 130;
      return s;
    }
    bar.finish();
    if (timings) {
      waiting!.stop();
      const u = process.cpuUsage();
      timings.add('process since start', process.uptime() * 1000, (u.user + u.system) / 1000);
      say(timings.format(`timings of this command (${submitted.total} job(s))`, submitted.total).trimEnd());
    }
    for (const e of s.errors)
      say(
        formatStatus({ ...s, errors: [e], mergeError: undefined })
          .split('\n')[2]
          .trim(),
      );
    if (s.mergeError) say(`the merge step failed: ${s.mergeError}`);
    say(
      `batch ${s.batch}: ${s.done} done, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped (already complete)` : ''}`,
    );
    if (s.failed > 0 || s.state === 'failed') process.exitCode = 1;
    return s;
  } finally {
    process.off('SIGINT', onInt);
    await h.close();
  }
}

/** Registers `worker`: runs `spec` (made by `prepare`, e.g. after choosing a backend) until SIGTERM/SIGINT. */
export function registerWorkerCommand(
  program: Command,
  name: string,
  description: string,
  prepare: () => Promise<WorkerSpec>,
): void {
  const cmd = program.command('worker').description(description);
  addQueueFlags(cmd, ['queue', 'concurrency', 'lockDuration', 'stalledInterval', 'timings'], {
    queue: null,
    concurrency: 1,
    lockDuration: 30000,
    stalledInterval: 30000,
  });
  type WorkerFlags = {
    queue: string;
    concurrency: number;
    lockDuration: number;
    stalledInterval: number;
    timings?: boolean;
  };
  cmd.action(async (o: WorkerFlags) => {
    const conn = await connect(o.queue);
    const spec = await prepare();
    process.stderr.write(
      `${name} worker: queue "${spec.queue}" on ${conn.display}, pid ${process.pid}, ${o.concurrency} job(s) at once ` +
        `(${Object.keys(spec.processors).join(', ')}); SIGTERM or Ctrl-C finishes the job(s) in hand and exits\n`,
    );
    const w = runWorker(conn, spec, {
      concurrency: o.concurrency,
      lockDurationMs: o.lockDuration,
      stalledIntervalMs: o.stalledInterval,
      timings: o.timings || undefined,
    });
    w.worker.on('completed', (job) => {
      if (job.name !== 'batch')
        process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${job.name} ${job.id} done\n`);
    });
    process.exitCode = await w.stopped;
  });
}

/** Registers `jobs status [BATCH]`: one batch's counts and errors, or the latest batches. */
export function registerJobsCommands(program: Command, queue: string): void {
  const jobs = program.command('jobs').description(`batches on the "${queue}" queue`);
  const cmd = jobs
    .command('status')
    .description(
      'counts (waiting / active / retrying / done / failed) and per-item errors of a batch, or of the latest batches',
    )
    .argument('[batch]', 'batch id (default: the latest 20 batches)');
  addQueueFlags(cmd, ['queue'], { queue: null });
  addFlag(cmd, { flags: '--json', description: 'print JSON' });
  cmd.action(async (batch: string | undefined, o: { queue: string; json?: boolean }) => {
    const conn = await connect(o.queue);
    const h = openQueue(conn, queue);
    try {
      const ids = batch ? [batch] : await listBatches(h);
      const all: BatchStatus[] = [];
      for (const id of ids) {
        try {
          all.push(await batchStatus(h, id, !!batch));
        } catch (err) {
          if (batch || !(err instanceof JobsError && err.code === 'BATCH_NOT_FOUND')) throw err; // expired batches drop out
        }
      }
      if (o.json) process.stdout.write(`${JSON.stringify(batch ? all[0] : all)}\n`);
      else if (all.length === 0) process.stdout.write(`no batches on queue "${queue}" at ${conn.display}\n`);
      else for (const s of all) process.stdout.write(formatStatus(s));
      if (batch && (all[0].failed > 0 || all[0].state === 'failed')) process.exitCode = 1;
    } finally {
      await h.close();
    }
  });
}
