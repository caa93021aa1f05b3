/**
 * The sound event commands of `gatewave-audio`: synth-scenes, train-detector, detect, tune-detector, score-events.
 * Each declares its flags (spelled in ./flags.ts), calls the library, and prints.
 */
import * as path from 'path';
import type { Command } from 'commander';
import { atomicWriteFile, checkOutputFile, initBackend, ProgressBar } from '@gatewave/core';
import { AudioError } from '../errors';
import { writeEventList } from '../sed/events';
import { EventScores, scoreEvents } from '../sed/metrics';
import { SceneFormat, SceneOptions, synthesizeScenes } from '../sed/synth';
import { trainDetector, tuneDetector } from '../sed/train';
import { detectFiles, eventFileNames, formatFrameTable, loadDetector } from '../sed/detect-files';
import { addFlags } from './flags';
import { dcaseTrainingSets, DcaseTrainingFlags, readScoredEvents, writeDcaseDetections } from './dcase';
import { addAudioQueueFlags, checkQueueFlags, detectOnQueue, QueueFlags } from './queue';

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

/** The scene augmentation flags of synth-scenes and train-detector. */
interface AugmentationFlags {
  minEventSeconds?: number;
  speed?: [number, number];
  eqDb?: number;
  directions?: 'grid' | 'continuous';
  ambience?: string;
  backgroundDb?: [number, number];
  snr?: [number, number];
  rt60?: [number, number];
}

type Augmentation = Pick<
  SceneOptions,
  'minEventSeconds' | 'speedRange' | 'eqDb' | 'directions' | 'backgroundDb' | 'snr' | 'rt60'
>;

function augmentation(o: AugmentationFlags): Augmentation {
  const out: Augmentation = {};
  if (o.minEventSeconds !== undefined) out.minEventSeconds = o.minEventSeconds;
  if (o.speed !== undefined) out.speedRange = o.speed;
  if (o.eqDb !== undefined) out.eqDb = o.eqDb;
  if (o.directions !== undefined) out.directions = o.directions;
  if (o.backgroundDb !== undefined) out.backgroundDb = o.backgroundDb;
  if (o.snr !== undefined) out.snr = o.snr;
  if (o.rt60 !== undefined) out.rt60 = o.rt60;
  return out;
}

interface SynthFlags extends AugmentationFlags {
  events: string;
  labels?: string;
  out: string;
  count: number;
  seconds: number;
  sceneFormat: SceneFormat;
  seed: number;
  sampleRate: number;
  reverb?: boolean;
  part: string;
  testFraction: number;
  include?: string[];
  exclude?: string[];
  quiet?: boolean;
}

function registerSynthScenes(program: Command): void {
  const cmd = program
    .command('synth-scenes')
    .description(
      'Synthesise labelled scenes from mono event clips: random onsets (at most 2 overlapping), directions on a 10° grid ' +
        '(concurrent events >= 20° apart), 10 ms fades, 5-30 dB SNR over diffuse noise. Writes scene_NNNN.wav, ' +
        'scene_NNNN.csv (DCASE 2019 labels) and scenes.json.',
    );
  addFlags(cmd, {
    events: { required: true },
    labels: {},
    out: { required: true, description: 'output folder', placeholder: '<dir>' },
    count: { default: 10 },
    seconds: { default: 30 },
    sceneFormat: { default: 'foa' },
    seed: { description: 'random seed (same seed, same scenes)', default: 1 },
    sampleRate: { description: 'scene sample rate', default: 24000 },
    reverb: {},
    part: { default: 'all' },
    testFraction: { default: 0.3 },
    include: 'comma-separated clip files to use (default: all)',
    exclude: 'comma-separated clip files to leave out',
    minEventSeconds: {},
    speed: {},
    eqDb: {},
    directions: {},
    ambience: {},
    backgroundDb: {},
    snr: {},
    rt60: {},
    quiet: 'no progress bar',
  });
  cmd.action((o: SynthFlags) => {
    if (!['all', 'train', 'test'].includes(o.part))
      throw new AudioError('BAD_ARGUMENT', `--part must be all, train or test, got "${o.part}".`);
    const m = synthesizeScenes({
      events: o.events,
      labels: o.labels,
      out: o.out,
      count: o.count,
      seconds: o.seconds,
      format: o.sceneFormat,
      seed: o.seed,
      sampleRate: o.sampleRate,
      reverb: !!o.reverb,
      part: o.part as 'all' | 'train' | 'test',
      testFraction: o.testFraction,
      include: o.include,
      exclude: o.exclude,
      ...augmentation(o),
      ambienceDir: o.ambience,
      progress: !o.quiet,
    });
    const events = m.scenes.reduce((s, x) => s + x.events, 0);
    process.stderr.write(
      `synth-scenes: ${m.scenes.length} ${m.format} scenes, ${events} events, ${m.classes.length} classes -> ${o.out}\n`,
    );
  });
}

interface TrainDetectorFlags extends AugmentationFlags, DcaseTrainingFlags {
  scenes?: string;
  synthesize?: string;
  out: string;
  validation?: string;
  init?: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  patience: number;
  lrPatience?: number;
  sequenceSeconds: number;
  freqMasks: number;
  maxMaskBands: number;
  classBalance: number;
  stepsPerEpoch?: number;
  convChannels: number[];
  gruUnits: number[];
  doaWeight: number;
  thresholds: number[];
  minDurations: number[];
  seed: number;
  resume?: boolean;
  overwrite?: boolean;
  labels?: string;
  sceneFormat: SceneFormat;
  part: string;
  testFraction: number;
  pool: number;
  refresh: number;
  sceneSeconds: number;
  reverb?: boolean;
  validationScenes: number;
  quiet?: boolean;
}

function addTrainDetectorFlags(cmd: Command): void {
  addFlags(cmd, {
    scenes: 'training scenes (scene_NNNN.wav + .csv, scenes.json)',
    synthesize: 'instead of --scenes: make training scenes on the fly from the mono clips in this folder',
    out: { required: true, description: 'model directory to write', placeholder: '<dir>' },
    validation: 'validation scenes (default: the last 10% of --scenes, or --validation-scenes synthesised ones)',
    init: {},
    epochs: { default: 50 },
    batchSize: { description: 'excerpts per batch', default: 8 },
    learningRate: { description: 'Adam learning rate', default: 0.001 },
    patience: { default: 10 },
    lrPatience: {},
    sequenceSeconds: { default: 5 },
    freqMasks: { default: 0 },
    maxMaskBands: { default: 8 },
    classBalance: { default: 0 },
    stepsPerEpoch: 'batches per epoch (default: the training audio once)',
    convChannels: { default: [64, 64, 64] },
    gruUnits: { default: [128, 128] },
    doaWeight: { default: 5 },
    thresholds: {
      description: 'activity thresholds tried on the validation scenes; the best is stored with the model',
      default: [0.2, 0.3, 0.4, 0.5, 0.6],
    },
    minDurations: {
      description: 'shortest-event settings (s) tried with each threshold; the best is stored with the model',
      default: [0.1, 0.2, 0.3],
    },
    seed: { default: 1 },
    resume: 'continue from <out>.checkpoint/',
    overwrite: {},
    labels: "with --synthesize: the clips' labels (default <events-dir>/labels.csv)",
    sceneFormat: { description: 'with --synthesize: recording format', default: 'foa' },
    part: {
      description: 'with --synthesize: all of each clip or its first part (the last --test-fraction is held out)',
      default: 'train',
      placeholder: '<all|train>',
    },
    testFraction: { description: 'with --synthesize: share of each clip held out', default: 0.3 },
    pool: { default: 64 },
    refresh: { default: 8 },
    sceneSeconds: { default: 30 },
    reverb: 'with --synthesize: reverberant scenes',
    minEventSeconds: 'with --synthesize: events are random excerpts of their clips, at least this long',
    speed: 'with --synthesize: random playback speed per event, e.g. 0.9,1.1',
    eqDb: 'with --synthesize: random smooth EQ per event within +-dB, e.g. 6',
    directions: 'with --synthesize: event directions, grid or continuous (default: grid)',
    ambience: 'with --synthesize: backgrounds from the mono ambience recordings in this folder (default: pink noise)',
    backgroundDb: 'with --synthesize: background level range in dB around the default, e.g. -10,10',
    snr: 'with --synthesize: event SNR range in dB over the background (default: 5,30)',
    rt60: 'with --synthesize and --reverb: reverberation time range (s), e.g. 0.2,1.0 (default: 0.2,0.6)',
    validationScenes: { default: 8 },
    dcase: {},
    classNames: {},
    folds: {},
    validationFolds: {},
    quiet: {},
  });
}

/** The on-the-fly synthesis settings of train-detector (undefined without --synthesize). */
function synthesisOptions(o: TrainDetectorFlags) {
  if (!o.synthesize) return undefined;
  return {
    events: o.synthesize,
    labels: o.labels,
    format: o.sceneFormat,
    part: o.part as 'all' | 'train',
    testFraction: o.testFraction,
    pool: o.pool,
    refresh: o.refresh,
    validationScenes: o.validationScenes,
    ambience: o.ambience,
    scene: { seconds: o.sceneSeconds, reverb: !!o.reverb, ...augmentation(o) },
  };
}

function registerTrainDetector(program: Command): void {
  const cmd = program
    .command('train-detector')
    .description(
      'Train a sound event detection and localisation CRNN (DCASE 2019 baseline shape) on scenes from synth-scenes. ' +
        'Keeps the model with the best validation SELD score in --out, checkpoints every epoch to <out>.checkpoint/, ' +
        'stops early, and continues with --resume.',
    );
  addTrainDetectorFlags(cmd);
  cmd.action(async (o: TrainDetectorFlags) => {
    if ([o.scenes, o.synthesize, o.dcase].filter(Boolean).length !== 1) {
      throw new AudioError(
        'BAD_ARGUMENT',
        'give one of --scenes DIR (scenes from synth-scenes), --synthesize EVENTS_DIR (scenes made on the fly) or --dcase DIR (a DCASE dataset).',
      );
    }
    if (!o.dcase && (o.folds || o.validationFolds))
      throw new AudioError('BAD_ARGUMENT', '--folds and --validation-folds go with --dcase DIR.');
    const dcase = o.dcase ? dcaseTrainingSets(o, o.sceneFormat) : null;
    if (o.part !== 'all' && o.part !== 'train')
      throw new AudioError('BAD_ARGUMENT', `--part must be all or train, got "${o.part}".`);
    await initBackend(undefined, { purpose: 'train', convolutional: true, quiet: !!o.quiet });
    const { history } = await trainDetector({
      scenes: dcase ? dcase.scenes : o.scenes,
      synthesize: synthesisOptions(o),
      init: o.init,
      out: o.out,
      validation: dcase ? dcase.validation : o.validation,
      resume: !!o.resume,
      overwrite: !!o.overwrite,
      progress: !o.quiet,
      epochs: o.epochs,
      batchSize: o.batchSize,
      learningRate: o.learningRate,
      patience: o.patience,
      lrPatience: o.lrPatience,
      sequenceSeconds: o.sequenceSeconds,
      freqMasks: o.freqMasks,
      maxMaskBands: o.maxMaskBands,
      classBalance: o.classBalance,
      stepsPerEpoch: o.stepsPerEpoch,
      seed: o.seed,
      thresholds: o.thresholds,
      minDurations: o.minDurations,
      model: { convChannels: o.convChannels, gruUnits: o.gruUnits, doaWeight: o.doaWeight },
    });
    const best = history.filter((h) => h.best).pop();
    process.stderr.write(
      best
        ? `train-detector: best validation SELD ${best.score.toFixed(4)} at epoch ${best.epoch}; model in ${o.out}\n`
        : `train-detector: no epoch improved on the checkpoint's best; ${o.out} unchanged\n`,
    );
  });
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
    if (o.queue) {
      if (o.outputFormat !== 'events')
        throw new AudioError(
          'BAD_ARGUMENT',
          '--queue writes one event list (--output-format events); drop --output-format dcase2020 or --queue.',
        );
      const { out, model, threshold, minDuration, minGap, views, hysteresis } = o;
      return detectOnQueue(inputs, { out, model, threshold, minDuration, minGap, views, hysteresis }, o);
    }
    // Before any work: the output (a file, or with --output-format dcase2020 a folder of files) is no input and is writable.
    if (o.outputFormat === 'dcase2020') checkOutputFile(path.join(o.out, 'probe.csv'), { inputs, flag: '--out' });
    else checkOutputFile(o.out, { inputs, flag: '--out' });
    if (o.frames) checkOutputFile(o.frames, { inputs: [...inputs, o.out], flag: '--frames' });
    const detector = await loadDetector(o.model);
    await initBackend(undefined, { purpose: 'infer', quiet: true });
    const names = eventFileNames(inputs);
    inputs.forEach((f, i) => {
      if (names[i] !== path.basename(f))
        process.stderr.write(
          `note: ${f} shares its name with another input; its rows are labelled with the path as given\n`,
        );
    });
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
    if (results.length === 0) {
      if (inputs.length === 1 && lastError) throw lastError;
      throw new AudioError(
        'NO_INPUT',
        `none of the ${inputs.length} input file(s) could be read; nothing was written to ${o.out}.`,
      );
    }
    if (o.outputFormat === 'dcase2020')
      writeDcaseDetections(
        o.out,
        inputs,
        results.flatMap((r) => r.events),
        detector.config.classes,
        o.classNames,
      );
    else
      writeEventList(
        o.out,
        results.flatMap((r) => r.events),
      );
    if (o.frames) atomicWriteFile(o.frames, formatFrameTable(results.flatMap((r) => r.frames)));
    if (failed.length) {
      process.stderr.write(
        `gatewave-audio: ${failed.length} of ${inputs.length} file(s) failed (listed above); the events of the others were written to ${o.out}.\n`,
      );
      process.exitCode = 1;
    }
  });
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
