/**
 * The sound event commands of `gatewave-audio`: detect, tune-detector and score-events here, synth-scenes and
 * train-detector in ./sed-train.ts. Each declares its flags (spelled in ./flags.ts), calls the library, and prints.
 */
import * as path from 'path';
import type { Command } from 'commander';
import { atomicWriteFile, checkOutputFile, initBackend, ProgressBar } from '@gatewave/core';
import { AudioError } from '../errors';
import { writeEventList } from '../sed/events';
import { EventScores, scoreEvents } from '../sed/metrics';
import { tuneDetector } from '../sed/train';
import { detectFiles, eventFileNames, formatFrameTable, loadDetector } from '../sed/detect-files';
import { addFlags } from './flags';
import { readScoredEvents, writeDcaseDetections } from './dcase';
import { addAudioQueueFlags, checkQueueFlags, detectOnQueue, QueueFlags } from './queue';
import { registerSynthScenes, registerTrainDetector } from './sed-train';

function scoreTable(s: EventScores): string {
  const f = (v: number | null, d = 3) => (v === null ? '-' : v.toFixed(d));
  const lines = [
    `files ${s.files}, classes ${s.classes.length}`,
    `segment-based (1 s):     ER ${f(s.er)}  F ${f(s.f * 100, 1)} %`,
    `DCASE 2019:              DOA error ${f(s.doa_error, 1)}°  frame recall ${f(s.frame_recall * 100, 1)} %  SELD ${f(s.seld_score)}`,
    `DCASE 2020 (${s.doa_threshold}°):        ER ${f(s.location_aware_er)}  F ${f(s.location_aware_f === null ? null : s.location_aware_f * 100, 1)} %  ` +
      `LE ${f(s.localization_error, 1)}°  LR ${f(s.localization_recall === null ? null : s.localization_recall * 100, 1)} %`,
  ];
  return lines.join('\n') + '\n';
}

interface DetectFlags extends QueueFlags {
  out: string;
  outputFormat: 'events' | 'dcase2020';
  classNames?: string;
  model?: string;
  threshold?: number;
  minDuration?: number;
  minGap?: number;
  views?: number;
  hysteresis?: number;
  frames?: string;
  quiet?: boolean;
}

function registerDetect(program: Command): void {
  const cmd = program
    .command('detect')
    .description(
      'Detect and localise sound events; writes one row per event: file,onset,offset,class,azimuth,elevation ' +
        '(seconds, degrees; empty direction for mono models). Logs the real-time factor of each file.',
    )
    .argument('<inputs...>', 'WAV files (the channel layout the model was trained on, e.g. FOA ACN/SN3D)');
  addFlags(cmd, {
    out: {
      required: true,
      description: 'event list to write (with --output-format dcase2020: a folder, one NAME.csv per input)',
      placeholder: '<path>',
    },
    outputFormat: { default: 'events' },
    classNames: "with --output-format dcase2020: the class index list to write (default: the model's classes in order)",
    model: 'detector directory (default: the packaged FOA model)',
    threshold: {},
    minDuration: {},
    minGap: {},
    views: {},
    hysteresis: {},
    frames: {},
    quiet: 'no progress or timing lines',
  });
  addAudioQueueFlags(cmd);
  cmd.action(async (inputs: string[], o: DetectFlags) => {
    checkQueueFlags(o);
    if (o.queue) return detectQueued(inputs, o);
    checkDetectOutputs(inputs, o);
    const detector = await loadDetector(o.model);
    await initBackend(undefined, { purpose: 'infer', quiet: true });
    noteSharedNames(inputs);
    const { results, failed, lastError } = runDetect(inputs, detector, o);
    if (results.length === 0) {
      if (inputs.length === 1 && lastError) throw lastError;
      throw new AudioError(
        'NO_INPUT',
        `none of the ${inputs.length} input file(s) could be read; nothing was written to ${o.out}.`,
      );
    }
    writeDetections(inputs, results, detector, o);
    if (failed.length) {
      process.stderr.write(
        `gatewave-audio: ${failed.length} of ${inputs.length} file(s) failed (listed above); the events of the others were written to ${o.out}.\n`,
      );
      process.exitCode = 1;
    }
  });
}

/** `detect --queue`: one event list, written by the batch's merge step. */
function detectQueued(inputs: string[], o: DetectFlags) {
  if (o.outputFormat !== 'events')
    throw new AudioError(
      'BAD_ARGUMENT',
      '--queue writes one event list (--output-format events); drop --output-format dcase2020 or --queue.',
    );
  const { out, model, threshold, minDuration, minGap, views, hysteresis } = o;
  return detectOnQueue(inputs, { out, model, threshold, minDuration, minGap, views, hysteresis }, o);
}

/** Before any work: the outputs (a file, or with --output-format dcase2020 a folder of files) are no input and writable. */
function checkDetectOutputs(inputs: string[], o: DetectFlags): void {
  if (o.outputFormat === 'dcase2020') checkOutputFile(path.join(o.out, 'probe.csv'), { inputs, flag: '--out' });
  else checkOutputFile(o.out, { inputs, flag: '--out' });
  if (o.frames) checkOutputFile(o.frames, { inputs: [...inputs, o.out], flag: '--frames' });
}

function noteSharedNames(inputs: string[]): void {
  const names = eventFileNames(inputs);
  inputs.forEach((f, i) => {
    if (names[i] !== path.basename(f))
      process.stderr.write(
        `note: ${f} shares its name with another input; its rows are labelled with the path as given\n`,
      );
  });
}

type Detector = Awaited<ReturnType<typeof loadDetector>>;

/** Detects every input, with progress and per-file lines; a file that fails is reported and counted, not fatal. */
function runDetect(inputs: string[], detector: Detector, o: DetectFlags) {
  const bar = inputs.length > 1 && !o.quiet ? new ProgressBar(inputs.length, { label: 'detect' }) : null;
  const failed: string[] = [];
  let lastError: Error | undefined;
  const results = detectFiles(inputs, detector, {
    threshold: o.threshold,
    minDuration: o.minDuration,
    minGap: o.minGap,
    views: o.views,
    hysteresis: o.hysteresis,
    onNotice: (msg) => process.stderr.write(`notice: ${msg}\n`),
    onFile: (r) => {
      if (!o.quiet) {
        process.stderr.write(
          `${r.file}: ${r.events.length} events, ${r.duration.toFixed(1)} s in ${r.seconds.toFixed(2)} s (RTF ${r.rtf.toFixed(3)})\n`,
        );
      }
      bar?.tick();
    },
    onError: (file, err) => {
      failed.push(file);
      lastError = err;
      if (inputs.length === 1) return; // the only file: its error is the command's error
      process.stderr.write(
        `gatewave-audio: error [${(err as { code?: string }).code ?? 'FAILED'}]: ${err.message.startsWith(file) ? '' : `${file}: `}${err.message}\n`,
      );
      bar?.tick();
    },
  });
  bar?.finish();
  return { results, failed, lastError };
}

function writeDetections(
  inputs: string[],
  results: ReturnType<typeof detectFiles>,
  detector: Detector,
  o: DetectFlags,
): void {
  const events = results.flatMap((r) => r.events);
  if (o.outputFormat === 'dcase2020')
    writeDcaseDetections(o.out, inputs, events, detector.config.classes, o.classNames);
  else writeEventList(o.out, events);
  if (o.frames) atomicWriteFile(o.frames, formatFrameTable(results.flatMap((r) => r.frames)));
}

interface TuneFlags {
  model: string;
  validation: string;
  viewList: number[];
  thresholds: number[];
  minDurations: number[];
  hysteresisList: number[];
  quiet?: boolean;
}

function registerTuneDetector(program: Command): void {
  const cmd = program
    .command('tune-detector')
    .description(
      "Choose a trained detector's post-processing on validation scenes (a synth-scenes folder from the training part of " +
        'the clips): the view count, activity threshold and shortest event with the best SELD score are written into the model.',
    );
  addFlags(cmd, {
    model: { required: true, description: 'detector directory (changed in place, atomically)' },
    validation: { required: true },
    viewList: { default: [1] },
    thresholds: { default: [0.2, 0.3, 0.4, 0.5, 0.6] },
    minDurations: { default: [0.1, 0.2, 0.3] },
    hysteresisList: { default: [1, 0.7, 0.5] },
    quiet: 'no progress bar',
  });
  cmd.action(async (o: TuneFlags) => {
    await initBackend(undefined, { purpose: 'infer', quiet: !!o.quiet });
    const grids = {
      views: o.viewList,
      thresholds: o.thresholds,
      minDurations: o.minDurations,
      hysteresis: o.hysteresisList,
    };
    const t = await tuneDetector(o.model, o.validation, grids, !o.quiet);
    process.stderr.write(
      `tune-detector: views ${t.views}, threshold ${t.threshold}, hysteresis ${t.hysteresis}, min duration ${t.minDuration} s -> ${o.model}\n`,
    );
    process.stdout.write(scoreTable(t.validation));
  });
}

interface ScoreEventsFlags {
  ref: string;
  est: string;
  classNames?: string;
  classes?: string[];
  frameLength: number;
  doaThreshold: number;
  json?: boolean;
}

function registerScoreEvents(program: Command): void {
  const cmd = program
    .command('score-events')
    .description(
      'Score estimated events against a reference, each an event list (file,onset,offset,class,azimuth,elevation), a DCASE ' +
        '2019 or 2020-2023 metadata/output CSV, a folder of per-recording DCASE CSVs or a DCASE dataset folder: segment-based ER and F ' +
        '(1 s, sed_eval), DOA error, frame recall and SELD score (DCASE 2019), location-aware ER/F at 20° with ' +
        'localisation error and recall (DCASE 2020).',
    );
  addFlags(cmd, {
    ref: { required: true },
    est: {
      required: true,
      description: 'estimated events (as written by detect, in either --output-format)',
      placeholder: '<path>',
    },
    classes: {},
    classNames: {},
    frameLength: { default: 0.1 },
    doaThreshold: { default: 20 },
    json: {},
  });
  cmd.action((o: ScoreEventsFlags) => {
    const ref = readScoredEvents(o.ref, o, true);
    const est = readScoredEvents(o.est, o, false);
    const s = scoreEvents(ref, est, { classes: o.classes, frameLength: o.frameLength, doaThreshold: o.doaThreshold });
    if (o.json) {
      const { segment, ...rest } = s;
      process.stdout.write(JSON.stringify({ ...rest, precision: segment.precision, recall: segment.recall }) + '\n');
    } else process.stdout.write(scoreTable(s));
  });
}

/** Registers `synth-scenes`, `train-detector`, `detect`, `tune-detector` and `score-events` on `gatewave-audio`. */
export function registerSedCommands(program: Command): void {
  registerSynthScenes(program);
  registerTrainDetector(program);
  registerDetect(program);
  registerTuneDetector(program);
  registerScoreEvents(program);
}
