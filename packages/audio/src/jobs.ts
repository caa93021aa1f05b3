/**
 * Enhancement and detection as jobs on the "audio" queue (`@gatewave/audio/jobs`): submitting a batch (paths checked
 * and made absolute, outputs that are complete left out) and the worker's processors. Each enhance job writes one
 * `<name>_enhanced.wav` exactly once; each detect job returns one file's events, and the batch's merge step writes
 * the event list once every file is done.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  checkConnection,
  checkInputs,
  checkOutputDir,
  commitOutput,
  isComplete,
  ItemPayload,
  JobContext,
  JobsError,
  parseQueueUrl,
  QueueConnection,
  removeLeftovers,
  submitBatch,
  tempOutputName,
  WorkerSpec,
  writeOutputOnce,
} from '@gatewave/jobs';
import { WavWriteFormat, readWav } from './io/wav';
import { Enhancer, enhanceFile, enhancedName, expandInputs } from './enhance/enhancer';
import { loadEnhancer } from './enhance/load';
import { checkAttenuationLimit } from './enhance/atten-lim';
import { checkWienerShare, withOverrides } from './enhance/wiener-share';
import { checkShifts } from './enhance/shifts';
import { loadDetector } from './sed/detect-files';
import { formatEventList, SoundEvent } from './sed/events';
import type { SoundEventDetector } from './sed/detector';

/** The queue every audio job goes to. */
export const AUDIO_QUEUE = 'audio';

export interface EnhanceJobSettings {
  /** Model directory (absolute) or 'wiener'; default the packaged model. */
  model?: string;
  chunkSeconds?: number;
  format?: WavWriteFormat;
  /** Attenuation limit in dB, replacing the model's own (default: the limit the model recommends, if any). */
  attenuationLimitDb?: number;
  /** Share of wiener's output, replacing the model's own (default: the model's, if any). */
  wienerShare?: number;
  /** Shifts of the frame grid the network's output is averaged over, replacing the model's own. */
  shifts?: number;
}

export interface DetectJobSettings {
  model?: string;
  /** The merged event list. */
  out: string;
  threshold?: number;
  minDuration?: number;
  minGap?: number;
  views?: number;
  hysteresis?: number;
}

export interface SubmitResult {
  conn: QueueConnection;
  /** Undefined when nothing was left to do. */
  batchId?: string;
  total: number;
  skipped: number;
}

function visibleModel(model: string | undefined): string | undefined {
  if (model === undefined || model === 'wiener') return model;
  const abs = path.resolve(model);
  if (!fs.existsSync(path.join(abs, 'model.json'))) {
    throw new JobsError(
      'INPUT_NOT_VISIBLE',
      `${model}: no model.json here; the model folder must be on storage every worker sees. Nothing was enqueued.`,
    );
  }
  return abs;
}

/**
 * Enqueues one enhance job per WAV file of `inputs` (files or folders) whose output in `outDir` is not there yet.
 * Checks, before anything is enqueued: the attenuation limit, the paths (readable inputs, a writable output folder, the
 * model), then Redis.
 */
export async function submitEnhance(
  url: string,
  inputs: string[],
  outDir: string,
  settings: EnhanceJobSettings = {},
  attempts = 3,
): Promise<SubmitResult> {
  const conn = parseQueueUrl(url);
  if (settings.attenuationLimitDb !== undefined) checkAttenuationLimit(settings.attenuationLimitDb);
  if (settings.wienerShare !== undefined) checkWienerShare(settings.wienerShare);
  if (settings.shifts !== undefined) checkShifts(settings.shifts);
  const files = checkInputs(expandInputs(inputs));
  const out = checkOutputDir(outDir);
  const s: EnhanceJobSettings = { ...settings, model: visibleModel(settings.model) };
  await checkConnection(conn);
  const items = files.map((input) => ({ input, output: enhancedName(input, out) }));
  const todo = items.filter((it) => !isComplete(it.output));
  const skipped = items.length - todo.length;
  if (todo.length === 0) return { conn, total: 0, skipped };
  const { batchId } = await submitBatch(conn, {
    queue: AUDIO_QUEUE,
    kind: 'enhance',
    items: todo,
    settings: s,
    attempts,
    skipped,
  });
  return { conn, batchId, total: todo.length, skipped };
}

/** Enqueues one detect job per file; the merge step writes `settings.out`, which must not exist yet. */
export async function submitDetect(
  url: string,
  inputs: string[],
  settings: DetectJobSettings,
  attempts = 3,
): Promise<SubmitResult> {
  const conn = parseQueueUrl(url);
  const files = checkInputs(inputs);
  const out = path.resolve(settings.out);
  checkOutputDir(path.dirname(out));
  if (fs.existsSync(out)) {
    throw new JobsError(
      'OUTPUT_EXISTS',
      `${settings.out} exists; queued detection never replaces a file. Remove it or choose another --out. Nothing was enqueued.`,
    );
  }
  const s: DetectJobSettings = { ...settings, out, model: visibleModel(settings.model) };
  await checkConnection(conn);
  const { batchId, total } = await submitBatch(conn, {
    queue: AUDIO_QUEUE,
    kind: 'detect',
    items: files.map((input) => ({ input })),
    settings: s,
    attempts,
  });
  return { conn, batchId, total, skipped: 0 };
}

/** One enhancement, written exactly once; an output that is there already is left alone. */
async function enhanceJob(
  enhancers: Map<string, Enhancer>,
  p: ItemPayload<{ input: string; output: string }, EnhanceJobSettings>,
  ctx: JobContext,
) {
  const { input, output } = p.item;
  if (isComplete(output)) return { output, skipped: true };
  const { model, attenuationLimitDb, wienerShare, shifts } = p.settings;
  const key = `${model ?? ''}|${attenuationLimitDb ?? ''}|${wienerShare ?? ''}|${shifts ?? ''}`;
  if (!enhancers.has(key)) {
    const loaded = await ctx.time('load model', () => loadEnhancer(model));
    enhancers.set(key, withOverrides(loaded, { attenuationLimitDb, wienerShare, shifts }));
  }
  if (ctx.startedBefore) await ctx.time('clear leftovers', () => removeLeftovers(output));
  const temp = tempOutputName(output, ctx.jobId, ctx.attempt);
  const r = await ctx.time('enhance file', () =>
    enhanceFile(input, temp, enhancers.get(key)!, {
      chunkSeconds: p.settings.chunkSeconds,
      format: p.settings.format,
      onProgress: (done, total) => void ctx.progress(done / total),
    }),
  );
  const landed = await ctx.time('commit output', () => commitOutput(temp, output));
  ctx.log(
    `enhance ${input} -> ${output}: ${r.duration.toFixed(2)} s in ${r.elapsed.toFixed(2)} s, RTF ${r.rtf.toFixed(3)}${landed ? '' : ' (already there; left as it was)'}`,
  );
  return { output, skipped: !landed, duration: r.duration, elapsed: r.elapsed };
}

async function detectJob(
  detectors: Map<string, SoundEventDetector>,
  p: ItemPayload<{ input: string }, DetectJobSettings>,
  ctx: JobContext,
) {
  const key = p.settings.model ?? '';
  if (!detectors.has(key)) detectors.set(key, await loadDetector(p.settings.model));
  const audio = readWav(p.item.input);
  const { threshold, minDuration, minGap, views, hysteresis } = p.settings;
  const t0 = Date.now();
  const r = detectors
    .get(key)!
    .detect(audio, path.basename(p.item.input), { threshold, minDuration, minGap, views, hysteresis });
  ctx.log(`detect ${p.item.input}: ${r.events.length} events in ${((Date.now() - t0) / 1000).toFixed(2)} s`);
  return { events: r.events };
}

/** The processors and merge step of the audio worker. */
export function audioWorkerSpec(): WorkerSpec {
  const enhancers = new Map<string, Enhancer>();
  const detectors = new Map<string, SoundEventDetector>();
  return {
    queue: AUDIO_QUEUE,
    processors: {
      enhance: (p, ctx) => enhanceJob(enhancers, p, ctx),
      detect: (p, ctx) => detectJob(detectors, p, ctx),
    },
    merges: {
      detect: async (batch, results) => {
        const events = [...results.keys()]
          .sort((a, b) => a - b)
          .flatMap((i) => (results.get(i) as { events: SoundEvent[] }).events);
        const out = (batch.settings as DetectJobSettings).out;
        const landed = writeOutputOnce(out, formatEventList(events), batch.id, 0);
        return { out, events: events.length, landed };
      },
    },
  };
}
