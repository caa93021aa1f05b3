/**
 * The scene and training commands of `gatewave-audio`: synth-scenes and train-detector, with the scene augmentation
 * flags they share. Each declares its flags (spelled in ./flags.ts), calls the library, and prints.
 */
import type { Command } from 'commander';
import { initBackend } from '@gatewave/core';
import { AudioError } from '../errors';
import { SceneAugmentation, SceneFormat, synthesizeScenes } from '../sed/synth';
import { trainDetector } from '../sed/train';
import type { DetectorOutput } from '../sed/accdoa';
import { addFlags } from './flags';
import { dcaseTrainingSets, DcaseTrainingFlags } from './dcase';

/** The scene augmentation flags of synth-scenes and train-detector (`--speed` sets `speedRange`). */
interface AugmentationFlags extends Omit<SceneAugmentation, 'speedRange'> {
  speed?: [number, number];
  ambience?: string;
  interferers?: string;
}

function augmentation(o: AugmentationFlags): SceneAugmentation {
  if (o.interfererRate !== undefined && o.interferers === undefined)
    throw new AudioError('BAD_ARGUMENT', '--interferer-rate needs --interferers <dir>, the recordings to place.');
  const out: SceneAugmentation = {};
  if (o.minEventSeconds !== undefined) out.minEventSeconds = o.minEventSeconds;
  if (o.speed !== undefined) out.speedRange = o.speed;
  if (o.eqDb !== undefined) out.eqDb = o.eqDb;
  if (o.directions !== undefined) out.directions = o.directions;
  if (o.backgroundDb !== undefined) out.backgroundDb = o.backgroundDb;
  if (o.snr !== undefined) out.snr = o.snr;
  if (o.rt60 !== undefined) out.rt60 = o.rt60;
  if (o.interfererRate !== undefined) out.interfererRate = o.interfererRate;
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

export function registerSynthScenes(program: Command): void {
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
    interferers: {},
    interfererRate: {},
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
      interfererDir: o.interferers,
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
  doaWeight?: number;
  output?: DetectorOutput;
  thresholds: number[];
  minDurations: number[];
  seed: number;
  resume?: boolean;
  keepEpochs?: boolean;
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
    doaWeight: "weight λ of the masked DOA loss (default 5; with --init it replaces the init detector's)",
    output: {},
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
    keepEpochs:
      'also keep the model after every epoch, with its own tuned post-processing, as <out>.epochs/e<N> (for average-models, or to choose an epoch later)',
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
    interferers:
      'with --synthesize: unlabelled sounds of no class from the mono recordings in this folder, placed like events (default: none)',
    interfererRate: 'with --synthesize and --interferers: interferers per second of scene (default: 0.1)',
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
    interferers: o.interferers,
    scene: { seconds: o.sceneSeconds, reverb: !!o.reverb, ...augmentation(o) },
  };
}

export function registerTrainDetector(program: Command): void {
  const cmd = program
    .command('train-detector')
    .description(
      'Train a sound event detection and localisation CRNN (DCASE 2019 baseline shape) on scenes from synth-scenes. ' +
        'Keeps the model with the best validation score (DCASE 2020 SELD: location-aware ER and F, localization ' +
        'error and recall) in --out, checkpoints every epoch to <out>.checkpoint/, ' +
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
      keepEpochs: !!o.keepEpochs,
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
      model: {
        convChannels: o.convChannels,
        gruUnits: o.gruUnits,
        ...(o.doaWeight === undefined ? {} : { doaWeight: o.doaWeight }),
        ...(o.output ? { output: o.output } : {}),
      },
    });
    const best = history.filter((h) => h.best).pop();
    process.stderr.write(
      best
        ? `train-detector: best validation selection score (DCASE 2020 SELD) ${best.score.toFixed(4)} at epoch ${best.epoch}; model in ${o.out}\n`
        : `train-detector: no epoch improved on the checkpoint's best; ${o.out} unchanged\n`,
    );
  });
}
