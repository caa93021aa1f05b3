/**
 * The queue side of `gatewave-audio`: `enhance --queue` and `detect --queue` submit a batch and follow it (or print
 * its id with --detach); `worker` runs audio jobs; `jobs status` shows batches. Shells over `../jobs`.
 */
import type { Command } from 'commander';
import { initBackend } from '@gatewave/core';
import { addQueueFlags, followBatch, registerJobsCommands, registerWorkerCommand } from '@gatewave/jobs/cli';
import {
  AUDIO_QUEUE,
  audioWorkerSpec,
  DetectJobSettings,
  EnhanceJobSettings,
  SubmitResult,
  submitDetect,
  submitEnhance,
} from '../jobs';
import { AudioError } from '../errors';

const NAME = 'gatewave-audio';

export interface QueueFlags {
  queue?: string;
  detach?: boolean;
  attempts: number;
}

/** Adds --queue, --detach and --attempts to a command. */
export function addAudioQueueFlags(cmd: Command): void {
  addQueueFlags(cmd, ['queue', 'detach', 'attempts'], { attempts: 3 });
}

async function follow(r: SubmitResult, o: QueueFlags & { quiet?: boolean }): Promise<void> {
  if (!r.batchId) {
    process.stderr.write(`${NAME}: all ${r.skipped} output(s) are complete already; nothing was enqueued.\n`);
    return;
  }
  if (r.skipped) process.stderr.write(`${NAME}: ${r.skipped} output(s) complete already, left out of the batch\n`);
  await followBatch(
    NAME,
    r.conn,
    AUDIO_QUEUE,
    { batchId: r.batchId, total: r.total },
    { detach: o.detach, quiet: o.quiet },
  );
}

/** `enhance IN... -o OUT --queue URL`. */
export async function enhanceOnQueue(
  inputs: string[],
  outDir: string,
  settings: EnhanceJobSettings,
  o: QueueFlags & { quiet?: boolean },
): Promise<void> {
  await follow(await submitEnhance(o.queue!, inputs, outDir, settings, o.attempts), o);
}

/** `detect IN... -o EVENTS.csv --queue URL`. */
export async function detectOnQueue(
  inputs: string[],
  settings: DetectJobSettings,
  o: QueueFlags & { quiet?: boolean; frames?: string },
): Promise<void> {
  if (o.frames)
    throw new AudioError(
      'BAD_ARGUMENT',
      '--frames is not available with --queue (the per-frame table stays in one process); drop one of them.',
    );
  await follow(await submitDetect(o.queue!, inputs, settings, o.attempts), o);
}

/** Checks that --detach comes with --queue. */
export function checkQueueFlags(o: QueueFlags): void {
  if (o.detach && !o.queue) throw new AudioError('BAD_ARGUMENT', '--detach needs --queue URL.');
}

/** Registers `worker` and `jobs status`. */
export function registerQueueCommands(program: Command): void {
  registerWorkerCommand(
    program,
    NAME,
    'Run enhance and detect jobs from the "audio" queue until stopped (SIGTERM/Ctrl-C finish the job in hand first).',
    async () => {
      await initBackend(undefined, { purpose: 'infer', quiet: true });
      return audioWorkerSpec();
    },
  );
  registerJobsCommands(program, AUDIO_QUEUE);
}
