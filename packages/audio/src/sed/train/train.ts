/**
 * Training of the sound event detector on a folder of scenes (as `synthesizeScenes` writes them), with a progress
 * bar, validation by SELD score after every epoch, the best model kept, early stopping and resumable checkpoints.
 */
import * as path from 'path';
import {
  checkOutputDir,
  checkpointDir,
  hasCheckpoint,
  loadCheckpoint,
  loadOptimizerState,
  ProgressBar,
  Rng,
  saveCheckpoint,
  tf,
} from '@gatewave/core';
import { AudioError } from '../../errors';
import { EventScores } from '../metrics';
import { SceneFormat, SCENE_FORMATS } from '../format';
import { clipClasses } from '../synth';
import {
  buildDetector,
  defaultDetectorConfig,
  DetectorConfig,
  detectorLoss,
  hasDoa,
  labelFrameLength,
  normalizeFeatures,
  SoundEventDetector,
} from '../detector';
import { SceneGenerator, SceneStream, SceneStreamOptions } from '../scene-stream';
import { detectorWithClasses } from '../remap';
import { featureStatistics, listScenes, prepareScenes, PreparedScene, SceneSet, withTargets } from './scenes';
import { MIN_DURATION_GRID, selectionScore, THRESHOLD_GRID, tunePostProcessing } from './tune';

/** Training on scenes synthesised on the fly (see `SceneStream`) instead of a folder of scenes. */
export interface SynthesizedTrainingOptions extends Omit<SceneStreamOptions, 'features' | 'seed'> {
  /** Recording format of the scenes (default 'foa'). */
  format?: SceneFormat;
  /** Scenes held in memory for training (default 64). */
  pool?: number;
  /** Pool scenes replaced by newly made ones after every epoch, oldest first (default 8). */
  refresh?: number;
  /**
   * Validation scenes to synthesise when no validation folder is given (default 8): other seed, same scene options
   * except the `speedRange` and `eqDb` augmentations, made once.
   */
  validationScenes?: number;
  /** Make the new scenes in a worker thread while the model trains (default true where it is available). */
  worker?: boolean;
}

export interface TrainDetectorOptions {
  /** Folder of training scenes, or a scene set (e.g. `dcaseSceneSet` of a DCASE dataset); or give `synthesize`. */
  scenes?: string | SceneSet;
  /** Train on scenes made on the fly from event clips (a fresh share of them every epoch). */
  synthesize?: SynthesizedTrainingOptions;
  /**
   * Start from this detector directory's weights and configuration (its classes, features and normalisation), with
   * a fresh optimizer and history: fine-tuning. Not together with `resume`.
   */
  init?: string;
  /** Output model directory (the best model); checkpoints go to `<out>.checkpoint/`. */
  out: string;
  /** Folder of validation scenes; default: the last `valFraction` of the training scenes. */
  validation?: string | SceneSet;
  valFraction?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Stop after this many epochs without a better validation SELD score. */
  patience?: number;
  /** Halve the learning rate after this many epochs without a better validation score (default: never). */
  lrPatience?: number;
  /** Training excerpt length in seconds. */
  sequenceSeconds?: number;
  /** Write into an `out` folder that holds other files too, replacing only gatewave's own files there. */
  overwrite?: boolean;
  /** Continue from `<out>.checkpoint/`. */
  resume?: boolean;
  seed?: number;
  /** Override parts of the default model configuration (conv channels, GRU units, λ, ...). */
  model?: Partial<Pick<DetectorConfig, 'convChannels' | 'freqPool' | 'gruUnits' | 'dropout' | 'doaWeight'>>;
  /**
   * Activity thresholds tried on the validation scenes after each epoch; the best one is stored with the best model
   * (default THRESHOLD_GRID; pass `[0.5]` to keep 0.5).
   */
  thresholds?: number[];
  /** Shortest-event settings tried with each threshold (default MIN_DURATION_GRID; `[0.2]` keeps the default). */
  minDurations?: number[];
  /**
   * Frequency masking (SpecAugment): in every training excerpt, this many bands of 0 to `maxMaskBands` adjacent
   * mel bands each are set to the training mean in all feature channels (default 0: off).
   */
  freqMasks?: number;
  /** Widest frequency mask in mel bands (default 8). */
  maxMaskBands?: number;
  /**
   * Class balance α ≥ 0 of the loss (default 0: off): each class's active frames weigh `classBalanceWeights(α)` of
   * the training scenes (measured once, on the scenes at the start), so classes whose events are short or rare are
   * not outweighed by long ones. Ignored with `resume` (the checkpoint's weights go on).
   */
  classBalance?: number;
  /** Training batches per epoch (default: enough to cover the training audio once). */
  stepsPerEpoch?: number;
  progress?: boolean;
  log?: (line: string) => void;
}

export interface EpochSummary {
  epoch: number;
  loss: number;
  seconds: number;
  validation: EventScores;
  /** The score used to pick the best model: the SELD score, or (ER + 1 − F) / 2 for mono. */
  score: number;
  best: boolean;
}

interface TrainState {
  epoch: number;
  bestScore: number;
  bestEpoch: number;
  badEpochs: number;
  rngSeed: number;
  /** Current learning rate and epochs since it was last changed or the score improved (absent in old checkpoints). */
  learningRate?: number;
  sinceHalving?: number;
  history: Omit<EpochSummary, 'validation'>[];
}

/**
 * SpecAugment's frequency masking on one excerpt of normalised features `[frames, melBands, channels]` (in place):
 * `masks` times, a run of 0 to `maxBands` adjacent mel bands at a random place is set to 0 (the training mean) in
 * every frame and channel.
 */
export function maskFrequencies(
  x: Float32Array,
  frames: number,
  melBands: number,
  channels: number,
  masks: number,
  maxBands: number,
  rng: Rng,
): void {
  for (let m = 0; m < masks; m++) {
    const width = rng.int(Math.min(maxBands, melBands) + 1);
    const f0 = rng.int(melBands - width + 1);
    for (let t = 0; t < frames; t++) x.fill(0, (t * melBands + f0) * channels, (t * melBands + f0 + width) * channels);
  }
}

/**
 * Positive-frame weights for the loss from the share of active label frames of each class in `scenes`:
 * `w_k = (a_k / ā)^(−alpha)`, where a_k is the share of (frame, class k) entries that are active and ā the geometric
 * mean of the a_k over the classes that occur; so the weights' geometric mean is 1, alpha = 0 gives all ones,
 * alpha = 1 makes every class's weighted active frames count alike, and a class that never occurs gets weight 1.
 */
export function classBalanceWeights(scenes: readonly PreparedScene[], classes: number, alpha: number): number[] {
  if (!(alpha >= 0 && Number.isFinite(alpha)))
    throw new AudioError('BAD_ARGUMENT', `class balance must be a number >= 0, got ${alpha}.`);
  // Shares and counts of active frames differ by the same factor for every class, which the ratio a_k / ā cancels.
  const active = new Float64Array(classes);
  for (const s of scenes) for (let i = 0; i < s.labelFrames * classes; i++) active[i % classes] += s.sed[i];
  const present = Array.from(active).filter((a) => a > 0);
  if (present.length === 0) return Array.from(active, () => 1);
  const logMean = present.reduce((sum, a) => sum + Math.log(a), 0) / present.length;
  return Array.from(active, (a) => (a > 0 ? Math.exp(-alpha * (Math.log(a) - logMean)) : 1));
}

function positiveCount(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1)
    throw new AudioError('BAD_ARGUMENT', `synthesize.${name} must be a positive integer, got ${v}.`);
  return v;
}

/**
 * Trains a detector. Each epoch draws excerpts of `sequenceSeconds` at random label-aligned offsets covering the
 * training audio once, in shuffled batches; after it, the model is scored on the validation scenes (SELD score) and
 * saved to `out` when it is the best so far; the latest weights, optimizer state and history go to
 * `<out>.checkpoint/` so that `resume` continues where it stopped.
 */
export async function trainDetector(
  options: TrainDetectorOptions,
): Promise<{ config: DetectorConfig; history: EpochSummary[] }> {
  const log = options.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const progress = options.progress ?? true;
  const epochs = options.epochs ?? 50;
  const batchSize = options.batchSize ?? 8;
  const patience = options.patience ?? 10;
  const ckptDir = checkpointDir(options.out);
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
  checkOutputDir(ckptDir, { inputs, flag: '--out (its .checkpoint folder)' });
  if (options.init && options.resume)
    throw new AudioError('BAD_ARGUMENT', 'train-detector: --init and --resume exclude each other.');
  const seed = options.seed ?? 1;
  // What the scenes are: a folder's manifest, or the clips' label file.
  const set = typeof options.scenes === 'string' ? listScenes(options.scenes) : (options.scenes ?? null);
  const synOptions = (
    s: SynthesizedTrainingOptions,
    config: DetectorConfig,
    streamSeed: number,
  ): SceneStreamOptions => ({
    events: s.events,
    labels: s.labels,
    part: s.part ?? 'train',
    testFraction: s.testFraction,
    include: s.include,
    exclude: s.exclude,
    scene: s.scene,
    ambience: s.ambience,
    features: config.features,
    seed: streamSeed,
  });
  let format: SceneFormat;
  let classes: string[];
  if (set) {
    format = set.format;
    classes = set.classes;
  } else {
    format = syn!.format ?? 'foa';
    if (!SCENE_FORMATS.includes(format)) throw new AudioError('BAD_ARGUMENT', `unknown format ${format}.`);
    classes = clipClasses(syn!.labels ?? path.join(syn!.events, 'labels.csv'));
  }
  let config = { ...defaultDetectorConfig(format, classes), ...(options.model ?? {}) };
  let state: TrainState = { epoch: 0, bestScore: Infinity, bestEpoch: 0, badEpochs: 0, rngSeed: seed, history: [] };
  const sameData = (c: DetectorConfig, what: string) => {
    if (c.features.format !== format || c.classes.join('\n') !== classes.join('\n')) {
      throw new AudioError(
        'BAD_ARGUMENT',
        `${what} was trained on other scenes (format ${c.features.format}, ${c.classes.length} classes; these are ${format}, ${classes.length}).`,
      );
    }
  };
  let model: tf.LayersModel;
  if (options.resume) {
    if (!hasCheckpoint(ckptDir)) {
      throw new AudioError('NO_CHECKPOINT', `--resume: no checkpoint at ${ckptDir}; start without --resume.`);
    }
    const ckpt = await loadCheckpoint<TrainState>(ckptDir, ['detector']);
    state = ckpt.state;
    config = ckpt.documents.detector as DetectorConfig;
    sameData(config, `--resume: the checkpoint ${ckptDir}`);
    model = ckpt.model;
    log(
      `train-detector: resuming after epoch ${state.epoch} (best SELD ${state.bestScore.toFixed(4)} at epoch ${state.bestEpoch})`,
    );
  } else if (options.init) {
    let start = await SoundEventDetector.load(options.init);
    if (start.config.features.format === format && start.config.classes.join('\n') !== classes.join('\n')) {
      // Another class list: keep every weight, the heads' units follow the classes by name (new ones start fresh).
      start = detectorWithClasses(start, classes);
      log(
        `train-detector: --init ${options.init} has other classes: output units follow the ${classes.length} classes by name, new ones start fresh`,
      );
    }
    config = { ...start.config };
    sameData(config, `--init: the detector ${options.init}`);
    model = start.model;
    log(`train-detector: starting from the weights and normalisation of ${options.init}`);
  } else {
    model = buildDetector(config);
  }
  // The model's feature settings rule (a checkpoint's or --init's); a resumed run also gets scenes it has not seen.
  const generator = syn ? new SceneGenerator(synOptions(syn, config, seed + 1000003 * state.epoch)) : null;

  // Data: training and validation scenes, features normalised with training statistics.
  let valSet: SceneSet | null = null;
  let trainSet: SceneSet | null = set;
  if (options.validation) {
    valSet = typeof options.validation === 'string' ? listScenes(options.validation, format) : options.validation;
    if (valSet.format !== format)
      throw new AudioError(
        'BAD_ARGUMENT',
        `the validation scenes are ${valSet.format}, the training scenes ${format}.`,
      );
  } else if (set) {
    const nVal = Math.max(1, Math.round((options.valFraction ?? 0.1) * set.scenes.length));
    if (set.scenes.length < 2)
      throw new AudioError('NO_SCENES', 'need at least 2 training scenes (training + validation).');
    valSet = { ...set, scenes: set.scenes.slice(set.scenes.length - nVal) };
    trainSet = { ...set, scenes: set.scenes.slice(0, set.scenes.length - nVal) };
  }
  const poolSize = syn ? positiveCount(syn.pool ?? 64, 'pool') : 0;
  const refresh = syn ? Math.min(positiveCount(syn.refresh ?? 8, 'refresh'), poolSize) : 0;
  const nSynVal = valSet ? 0 : positiveCount(syn!.validationScenes ?? 8, 'validationScenes');
  const bar0 = progress
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
  const val = valSet
    ? prepareScenes(valSet, config, () => bar0?.tick())
    : synthesized(
        nSynVal,
        new SceneGenerator(
          synOptions(
            { ...syn!, scene: { ...syn!.scene, speedRange: undefined, eqDb: undefined } },
            config,
            seed + 7777,
          ),
        ),
      );
  bar0?.finish();
  if (!options.resume && !options.init) config.normalization = featureStatistics(train);
  if (!options.resume) {
    delete config.positiveWeights;
    if (options.classBalance) {
      config.positiveWeights = classBalanceWeights(train, config.classes.length, options.classBalance);
      const order = config.classes.map((c, k) => [c, config.positiveWeights![k]] as const).sort((a, b) => b[1] - a[1]);
      const show = (xs: (readonly [string, number])[]) => xs.map(([c, w]) => `${c} ${w.toFixed(2)}`).join(', ');
      log(
        `train-detector: class balance ${options.classBalance}: active-frame weights from ${show(order.slice(0, 3))} to ${show(order.slice(-3))}`,
      );
    }
  }
  for (const s of [...train, ...val]) normalizeFeatures(s.features, config);
  const detector = new SoundEventDetector(model, config);
  // New scenes for the pool come from a stream that continues the generator's sequence in a worker thread.
  const stream = syn
    ? new SceneStream(synOptions(syn, config, seed + 1000003 * state.epoch + 1), syn.worker ?? true)
    : null;
  if (stream) {
    log(
      `train-detector: ${poolSize} synthesised scenes in the pool, ${refresh} replaced after each epoch` +
        ` (made ${stream.background ? 'in a worker thread' : 'in this thread'}); ${val.length} validation scenes`,
    );
  }
  let oldest = 0;

  const hop = config.labelHop;
  const seqLabels = Math.max(1, Math.round((options.sequenceSeconds ?? 5) / labelFrameLength(config)));
  const seqFrames = seqLabels * hop;
  const K = config.classes.length;
  const M = config.features.melBands;
  const C = train[0].features.channels;
  let totalLabels = train.reduce((s, x) => s + x.labelFrames, 0);
  const steps = options.stepsPerEpoch ?? Math.max(1, Math.ceil(totalLabels / seqLabels / batchSize));
  const withDoa = hasDoa(config.features.format);
  if (!options.resume || state.learningRate === undefined) state.learningRate = options.learningRate ?? 1e-3;
  state.sinceHalving ??= 0;
  const optimizer = tf.train.adam(state.learningRate);
  if (options.resume) {
    try {
      await loadOptimizerState(ckptDir, optimizer);
    } catch (err) {
      log(
        `train-detector: could not restore the optimizer state (${(err as Error).message}); continuing with fresh moments`,
      );
    }
  }
  // Adam keeps its moments by position in the variable list, so the list is always the model's trainable weights
  // in their fixed order: then a checkpoint's optimizer state lines up with a reloaded model.
  const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const rng = new Rng(state.rngSeed + state.epoch * 7919);
  const history: EpochSummary[] = [];

  try {
    for (let epoch = state.epoch + 1; epoch <= epochs; epoch++) {
      const t0 = Date.now();
      const bar = progress ? new ProgressBar(steps, { label: `epoch ${epoch}/${epochs}` }) : null;
      let lossSum = 0;
      for (let step = 0; step < steps; step++) {
        const x = new Float32Array(batchSize * seqFrames * M * C);
        const ySed = new Float32Array(batchSize * seqLabels * K);
        const yDoa = new Float32Array(batchSize * seqLabels * 3 * K);
        for (let b = 0; b < batchSize; b++) {
          // scenes drawn in proportion to their length
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
        const loss = tf.tidy(() => {
          const xt = tf.tensor4d(x, [batchSize, seqFrames, M, C]);
          const st = tf.tensor3d(ySed, [batchSize, seqLabels, K]);
          const dt = withDoa ? tf.tensor3d(yDoa, [batchSize, seqLabels, 3 * K]) : null;
          return optimizer.minimize(
            () => {
              const out = model.apply(xt, { training: true }) as tf.Tensor | tf.Tensor[];
              const [sed, doa] = Array.isArray(out) ? out : [out];
              return detectorLoss(st, sed, dt, withDoa ? doa : null, config.doaWeight, config.positiveWeights);
            },
            true,
            varList,
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
      const tuned = tunePostProcessing(
        detector,
        val,
        options.thresholds ?? THRESHOLD_GRID,
        options.minDurations ?? MIN_DURATION_GRID,
      );
      const validation = tuned.validation;
      const score = selectionScore(validation);
      const best = score < state.bestScore;
      const summary: EpochSummary = {
        epoch,
        loss: lossSum / steps,
        seconds: (Date.now() - t0) / 1000,
        validation,
        score,
        best,
      };
      history.push(summary);
      state.history.push({ epoch, loss: summary.loss, seconds: summary.seconds, score, best });
      const fmtNum = (v: number | null, d = 3) => (v === null ? '-' : v.toFixed(d));
      log(
        `epoch ${epoch}: loss ${summary.loss.toFixed(4)}, validation ER ${fmtNum(validation.er)} F ${fmtNum(validation.f)} ` +
          `DOA ${fmtNum(validation.doa_error, 1)}° FR ${fmtNum(validation.frame_recall)} SELD ${fmtNum(validation.seld_score)}` +
          ` at threshold ${tuned.threshold}, min duration ${tuned.minDuration} s${best ? ' (best)' : ''}, ${summary.seconds.toFixed(0)} s`,
      );
      if (best) {
        state.bestScore = score;
        state.bestEpoch = epoch;
        state.badEpochs = 0;
        state.sinceHalving = 0;
        config.threshold = tuned.threshold;
        config.minDuration = tuned.minDuration;
        const scenes =
          typeof options.scenes === 'string'
            ? path.resolve(options.scenes)
            : options.scenes
              ? `${options.scenes.scenes.length} given recordings`
              : `synthesised from ${path.resolve(syn!.events)}`;
        await detector.save(
          options.out,
          { training: { epoch, validation: { ...validation, segment: undefined }, scenes } },
          { overwrite: options.overwrite },
        );
      } else {
        state.badEpochs++;
        state.sinceHalving = (state.sinceHalving ?? 0) + 1;
        if (options.lrPatience && state.sinceHalving >= options.lrPatience) {
          state.learningRate = (state.learningRate ?? 1e-3) / 2;
          state.sinceHalving = 0;
          (optimizer as unknown as { learningRate: number }).learningRate = state.learningRate;
          log(
            `train-detector: no better validation score for ${options.lrPatience} epochs: learning rate halved to ${state.learningRate}`,
          );
        }
      }
      state.epoch = epoch;
      await saveCheckpoint(ckptDir, { model, optimizer, state, documents: { detector: config } });
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
        totalLabels = train.reduce((sum, x) => sum + x.labelFrames, 0);
      }
    }
  } finally {
    await stream?.close();
  }
  return { config, history };
}
