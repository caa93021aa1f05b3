/**
 * Training of the sound event detector on a folder of scenes (as `synthesizeScenes` writes them), with a progress
 * bar, validation by the DCASE 2020 SELD score (`selectionScore`) after every epoch, the best model kept, early
 * stopping and resumable checkpoints.
 * Where a run starts (checkpoint, `--init`, fresh) is in ./start.ts, its options in ./options.ts.
 */
import * as path from 'path';
import {
  checkOutputDir,
  checkKeptEpochs,
  epochDir,
  checkpointDir,
  loadOptimizerState,
  ProgressBar,
  Rng,
  saveCheckpoint,
  tf,
} from '@gatewave/core';
import { AudioError } from '../../errors';
import {
  DetectorConfig,
  detectorLoss,
  hasDoa,
  isAccdoa,
  labelFrameLength,
  normalizeFeatures,
  SoundEventDetector,
} from '../detector';
import { SceneGenerator, SceneStream } from '../scene-stream';
import { accdoaLoss } from '../accdoa';
import { featureStatistics, listScenes, prepareScenes, PreparedScene, SceneSet, withTargets } from './scenes';
import {
  MIN_DURATION_GRID,
  selectionScore,
  THRESHOLD_GRID,
  tunePostProcessing,
  type TunedPostProcessing,
} from './tune';
import { classBalanceWeights, maskFrequencies } from './balance';
import { positiveCount, sceneKind, splitScenes, startingPoint, synStreamOptions } from './start';
import type { EpochSummary, TrainDetectorOptions, TrainState } from './options';

export { classBalanceWeights, maskFrequencies } from './balance';
export type { EpochSummary, SynthesizedTrainingOptions, TrainDetectorOptions } from './options';

type Log = (line: string) => void;

/** Training and validation scenes with their targets, features normalised; the stream that refreshes the pool. */
interface TrainingScenes {
  train: PreparedScene[];
  val: PreparedScene[];
  stream: SceneStream | null;
  refresh: number;
}

/**
 * Prepares the training and validation scenes (a folder's, or synthesised ones), measures the normalisation and the
 * class balance on a fresh run, and normalises every scene's features.
 */
function trainingScenes(
  options: TrainDetectorOptions,
  split: { trainSet: SceneSet | null; valSet: SceneSet | null },
  config: DetectorConfig,
  state: TrainState,
  seed: number,
  log: Log,
): TrainingScenes {
  const syn = options.synthesize;
  const { trainSet, valSet } = split;
  // The model's feature settings rule (a checkpoint's or --init's); a resumed run also gets scenes it has not seen.
  const generator = syn ? new SceneGenerator(synStreamOptions(syn, config, seed + 1000003 * state.epoch)) : null;
  const poolSize = syn ? positiveCount(syn.pool ?? 64, 'pool') : 0;
  const refresh = syn ? Math.min(positiveCount(syn.refresh ?? 8, 'refresh'), poolSize) : 0;
  const nSynVal = valSet ? 0 : positiveCount(syn!.validationScenes ?? 8, 'validationScenes');
  const bar0 =
    (options.progress ?? true)
      ? new ProgressBar((trainSet?.scenes.length ?? 0) + poolSize + (valSet?.scenes.length ?? nSynVal), {
          label: 'features',
        })
      : null;
  const synthesized = (n: number, g: SceneGenerator) =>
    Array.from({ length: n }, () => {
      const [sc] = g.next(1);
      bar0?.tick();
      return withTargets(sc.name, sc.features, sc.events, config);
    });
  const train = trainSet ? prepareScenes(trainSet, config, () => bar0?.tick()) : synthesized(poolSize, generator!);
  // Synthesised validation scenes: another seed, and without the speed, EQ and interferer augmentations.
  const unaugmented = () => ({
    ...syn!,
    interferers: undefined,
    scene: { ...syn!.scene, speedRange: undefined, eqDb: undefined, interfererRate: undefined },
  });
  const val = valSet
    ? prepareScenes(valSet, config, () => bar0?.tick())
    : synthesized(nSynVal, new SceneGenerator(synStreamOptions(unaugmented(), config, seed + 7777)));
  bar0?.finish();
  // fresh, or --init from another format (./start.ts): measured on the training scenes
  if (config.normalization.mean.length === 0) config.normalization = featureStatistics(train);
  if (!options.resume) balanceClasses(options, config, train, log);
  for (const s of [...train, ...val]) normalizeFeatures(s.features, config);
  // New scenes for the pool come from a stream that continues the generator's sequence in a worker thread.
  const stream = syn
    ? new SceneStream(synStreamOptions(syn, config, seed + 1000003 * state.epoch + 1), syn.worker ?? true)
    : null;
  if (stream) {
    log(
      `train-detector: ${poolSize} synthesised scenes in the pool, ${refresh} replaced after each epoch` +
        ` (made ${stream.background ? 'in a worker thread' : 'in this thread'}); ${val.length} validation scenes`,
    );
  }
  return { train, val, stream, refresh };
}

/** A fresh run's class-balance weights (options.classBalance), measured on the training scenes. */
function balanceClasses(options: TrainDetectorOptions, config: DetectorConfig, train: PreparedScene[], log: Log): void {
  delete config.positiveWeights;
  if (!options.classBalance) return;
  config.positiveWeights = classBalanceWeights(train, config.classes.length, options.classBalance);
  const order = config.classes.map((c, k) => [c, config.positiveWeights![k]] as const).sort((a, b) => b[1] - a[1]);
  const show = (xs: (readonly [string, number])[]) => xs.map(([c, w]) => `${c} ${w.toFixed(2)}`).join(', ');
  log(
    `train-detector: class balance ${options.classBalance}: active-frame weights from ${show(order.slice(0, 3))} to ${show(order.slice(-3))}`,
  );
}

/** What one epoch of training steps needs. */
interface StepContext {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  /** The model's trainable weights in their fixed order (Adam keeps its moments by position in this list). */
  varList: tf.Variable[];
  config: DetectorConfig;
  train: PreparedScene[];
  rng: Rng;
  batchSize: number;
  /** Label frames per training excerpt. */
  seqLabels: number;
  steps: number;
  options: TrainDetectorOptions;
}

/** One batch of excerpts, scenes drawn in proportion to their length: features, activity and DOA targets. */
function drawBatch(c: StepContext): { x: Float32Array; ySed: Float32Array; yDoa: Float32Array } {
  const { train, rng, batchSize, seqLabels, options } = c;
  const hop = c.config.labelHop;
  const seqFrames = seqLabels * hop;
  const K = c.config.classes.length;
  const M = c.config.features.melBands;
  const C = train[0].features.channels;
  const totalLabels = train.reduce((s, x) => s + x.labelFrames, 0);
  const x = new Float32Array(batchSize * seqFrames * M * C);
  const ySed = new Float32Array(batchSize * seqLabels * K);
  const yDoa = new Float32Array(batchSize * seqLabels * 3 * K);
  for (let b = 0; b < batchSize; b++) {
    let r = rng.int(totalLabels);
    let s = train[0];
    for (const sc of train) {
      if (r < sc.labelFrames) {
        s = sc;
        break;
      }
      r -= sc.labelFrames;
    }
    const n = Math.min(seqLabels, s.labelFrames);
    const start = rng.int(s.labelFrames - n + 1);
    const w = M * C;
    x.set(s.features.data.subarray(start * hop * w, (start + n) * hop * w), b * seqFrames * w);
    ySed.set(s.sed.subarray(start * K, (start + n) * K), b * seqLabels * K);
    yDoa.set(s.doa.subarray(start * 3 * K, (start + n) * 3 * K), b * seqLabels * 3 * K);
    if (options.freqMasks) {
      const excerpt = x.subarray(b * seqFrames * w, (b + 1) * seqFrames * w);
      maskFrequencies(excerpt, n * hop, M, C, options.freqMasks, options.maxMaskBands ?? 8, rng);
    }
  }
  return { x, ySed, yDoa };
}

/** The training steps of one epoch; returns the mean loss. */
async function trainEpoch(c: StepContext, epoch: number, epochs: number): Promise<number> {
  const { config, batchSize, seqLabels } = c;
  const [seqFrames, K, M, C] = [
    seqLabels * config.labelHop,
    config.classes.length,
    config.features.melBands,
    c.train[0].features.channels,
  ];
  const withDoa = hasDoa(config.features.format);
  const bar = (c.options.progress ?? true) ? new ProgressBar(c.steps, { label: `epoch ${epoch}/${epochs}` }) : null;
  let lossSum = 0;
  for (let step = 0; step < c.steps; step++) {
    const { x, ySed, yDoa } = drawBatch(c);
    const loss = tf.tidy(() => {
      const xt = tf.tensor4d(x, [batchSize, seqFrames, M, C]);
      const st = tf.tensor3d(ySed, [batchSize, seqLabels, K]);
      const dt = withDoa ? tf.tensor3d(yDoa, [batchSize, seqLabels, 3 * K]) : null;
      return c.optimizer.minimize(
        () => {
          const out = c.model.apply(xt, { training: true }) as tf.Tensor | tf.Tensor[];
          const [sed, doa] = Array.isArray(out) ? out : [out];
          if (isAccdoa(config)) return accdoaLoss(st, dt!, sed, config.positiveWeights);
          return detectorLoss(st, sed, dt, withDoa ? doa : null, config.doaWeight, config.positiveWeights);
        },
        true,
        c.varList,
      ) as tf.Scalar;
    });
    const value = (await loss.data())[0];
    loss.dispose();
    if (!Number.isFinite(value)) {
      throw new AudioError(
        'TRAINING_DIVERGED',
        `training diverged at epoch ${epoch}, step ${step + 1} (loss ${value}); lower --learning-rate.`,
      );
    }
    lossSum += value;
    bar?.update(step + 1, `loss ${(lossSum / (step + 1)).toFixed(4)}`);
  }
  bar?.finish();
  return lossSum / c.steps;
}

/** Where the scenes came from, for the model's training record. */
function scenesOrigin(options: TrainDetectorOptions): string {
  if (typeof options.scenes === 'string') return path.resolve(options.scenes);
  if (options.scenes) return `${options.scenes.scenes.length} given recordings`;
  return `synthesised from ${path.resolve(options.synthesize!.events)}`;
}

/**
 * After an epoch's steps: tunes the post-processing on the validation scenes, logs, saves the model when it is the
 * best so far (else counts a bad epoch and halves the learning rate after `lrPatience` of them), and checkpoints.
 */
async function endEpoch(
  c: StepContext & { detector: SoundEventDetector; val: PreparedScene[]; state: TrainState; log: Log },
  epoch: number,
  loss: number,
  t0: number,
): Promise<EpochSummary> {
  const { options, state, config } = c;
  const tuned = tuneOnValidation(c);
  const validation = tuned.validation;
  const score = selectionScore(validation);
  const best = score < state.bestScore;
  const summary: EpochSummary = { epoch, loss, seconds: (Date.now() - t0) / 1000, validation, score, best };
  state.history.push({ epoch, loss: summary.loss, seconds: summary.seconds, score, best });
  c.log(
    `epoch ${epoch}: loss ${summary.loss.toFixed(4)}, ${validationLine(tuned)}${best ? ' (best)' : ''}, ${summary.seconds.toFixed(0)} s`,
  );
  if (best) {
    state.bestScore = score;
    state.bestEpoch = epoch;
    state.badEpochs = 0;
    state.sinceHalving = 0;
    config.threshold = tuned.threshold;
    config.minDuration = tuned.minDuration;
    await c.detector.save(
      options.out,
      { training: { epoch, validation: { ...validation, segment: undefined }, scenes: scenesOrigin(options) } },
      { overwrite: options.overwrite },
    );
  } else {
    state.badEpochs++;
    state.sinceHalving = (state.sinceHalving ?? 0) + 1;
    if (options.lrPatience && state.sinceHalving >= options.lrPatience) {
      state.learningRate = (state.learningRate ?? 1e-3) / 2;
      state.sinceHalving = 0;
      (c.optimizer as unknown as { learningRate: number }).learningRate = state.learningRate;
      c.log(
        `train-detector: no better validation score for ${options.lrPatience} epochs: learning rate halved to ${state.learningRate}`,
      );
    }
  }
  state.epoch = epoch;
  await saveCheckpoint(checkpointDir(options.out), {
    model: c.model,
    optimizer: c.optimizer,
    state,
    documents: { detector: config },
  });
  if (options.keepEpochs) {
    const tunedConfig = { ...config, threshold: tuned.threshold, minDuration: tuned.minDuration };
    await new SoundEventDetector(c.model, tunedConfig).save(epochDir(options.out, epoch), {
      training: { epoch, validation: { ...validation, segment: undefined }, scenes: scenesOrigin(options) },
    });
  }
  return summary;
}

/**
 * A run started from `--init` weights: the validation score of those weights before any step, tuned as after an epoch,
 * so that the log shows whether training improves on the starting model (the first epoch becomes the best either way).
 */
function logStartingScore(c: ValidationContext & { log: Log }): void {
  c.log(`before training (the --init model ${c.options.init}): ${validationLine(tuneOnValidation(c))}`);
}

type ValidationContext = { detector: SoundEventDetector; val: PreparedScene[]; options: TrainDetectorOptions };

/** The post-processing tuned on the validation scenes over the run's grids, with the figures it gives there. */
function tuneOnValidation(c: ValidationContext): TunedPostProcessing {
  return tunePostProcessing(
    c.detector,
    c.val,
    c.options.thresholds ?? THRESHOLD_GRID,
    c.options.minDurations ?? MIN_DURATION_GRID,
  );
}

/** The validation figures of tuned post-processing, for the log. */
function validationLine(tuned: TunedPostProcessing): string {
  const v = tuned.validation;
  const num = (x: number | null, d = 3): string => (x === null ? '-' : x.toFixed(d));
  return (
    `validation ER ${num(v.er)} F ${num(v.f)} DOA ${num(v.doa_error, 1)}° FR ${num(v.frame_recall)} ` +
    `SELD ${num(v.seld_score)} selection score ${selectionScore(v).toFixed(3)} at threshold ${tuned.threshold}, ` +
    `min duration ${tuned.minDuration} s`
  );
}

/** Adam at the run's learning rate, with a resumed run's moments restored where the checkpoint has them. */
async function makeOptimizer(options: TrainDetectorOptions, state: TrainState, log: Log): Promise<tf.Optimizer> {
  if (!options.resume || state.learningRate === undefined) state.learningRate = options.learningRate ?? 1e-3;
  state.sinceHalving ??= 0;
  const optimizer = tf.train.adam(state.learningRate);
  if (options.resume) {
    try {
      await loadOptimizerState(checkpointDir(options.out), optimizer);
    } catch (err) {
      log(
        `train-detector: could not restore the optimizer state (${(err as Error).message}); continuing with fresh moments`,
      );
    }
  }
  return optimizer;
}

/** Checks the options that exclude each other, and that the outputs can be written, before any work. */
function checkTrainOptions(options: TrainDetectorOptions): void {
  const syn = options.synthesize;
  if (!options.scenes === !syn) {
    throw new AudioError(
      'BAD_ARGUMENT',
      'train-detector: give either a scenes folder (--scenes) or event clips to synthesise from (--synthesize).',
    );
  }
  // Before any work: the model and checkpoint folders must be writable and must not destroy anything.
  const inputs = [options.scenes, syn?.events, options.validation].filter((x): x is string => typeof x === 'string');
  checkOutputDir(options.out, { overwrite: options.overwrite, inputs, flag: '--out' });
  checkOutputDir(checkpointDir(options.out), { inputs, flag: '--out (its .checkpoint folder)' });
  if (options.init && options.resume)
    throw new AudioError('BAD_ARGUMENT', 'train-detector: --init and --resume exclude each other.');
}

/**
 * Trains a detector. Each epoch draws excerpts of `sequenceSeconds` at random label-aligned offsets covering the
 * training audio once, in shuffled batches; after it, the model is scored on the validation scenes (`selectionScore`) and
 * saved to `out` when it is the best so far; the latest weights, optimizer state and history go to
 * `<out>.checkpoint/` so that `resume` continues where it stopped.
 */
export async function trainDetector(
  options: TrainDetectorOptions,
): Promise<{ config: DetectorConfig; history: EpochSummary[] }> {
  const log = options.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const epochs = options.epochs ?? 50;
  const batchSize = options.batchSize ?? 8;
  const patience = options.patience ?? 10;
  checkTrainOptions(options);
  const seed = options.seed ?? 1;
  const set = typeof options.scenes === 'string' ? listScenes(options.scenes) : (options.scenes ?? null);
  const kind = sceneKind(set, options.synthesize);
  const { model, config, state } = await startingPoint(options, kind, seed, log);
  if (options.keepEpochs) checkKeptEpochs(options.out, state.epoch);
  const { train, val, stream, refresh } = trainingScenes(
    options,
    splitScenes(options, set, kind.format),
    config,
    state,
    seed,
    log,
  );
  const seqLabels = Math.max(1, Math.round((options.sequenceSeconds ?? 5) / labelFrameLength(config)));
  const totalLabels = train.reduce((s, x) => s + x.labelFrames, 0);
  const optimizer = await makeOptimizer(options, state, log);
  const context = {
    model,
    optimizer,
    varList: model.trainableWeights.map((w) => w.read() as tf.Variable),
    config,
    train,
    rng: new Rng(state.rngSeed + state.epoch * 7919),
    batchSize,
    seqLabels,
    steps: options.stepsPerEpoch ?? Math.max(1, Math.ceil(totalLabels / seqLabels / batchSize)),
    options,
    detector: new SoundEventDetector(model, config),
    val,
    state,
    log,
  };
  if (options.init && state.epoch === 0) logStartingScore(context);
  const history: EpochSummary[] = [];
  let oldest = 0;
  try {
    for (let epoch = state.epoch + 1; epoch <= epochs; epoch++) {
      const t0 = Date.now();
      const loss = await trainEpoch(context, epoch, epochs);
      history.push(await endEpoch(context, epoch, loss, t0));
      if (state.badEpochs >= patience) {
        log(
          `train-detector: no better validation score for ${patience} epochs; stopping (best: epoch ${state.bestEpoch}).`,
        );
        break;
      }
      if (stream && epoch < epochs) {
        for (const sc of await stream.next(refresh)) {
          const p = withTargets(sc.name, sc.features, sc.events, config);
          normalizeFeatures(p.features, config);
          train[oldest] = p;
          oldest = (oldest + 1) % train.length;
        }
      }
    }
  } finally {
    await stream?.close();
  }
  return { config, history };
}
