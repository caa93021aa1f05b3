/**
 * Where a detector training run starts: what the scenes are (format, classes), the model, configuration and counters
 * (fresh, `--init` weights, or a checkpoint to resume), and the split into training and validation scenes.
 */
import * as path from 'path';
import { checkpointDir, hasCheckpoint, loadCheckpoint, tf } from '@gatewave/core';
import { AudioError } from '../../errors';
import { SceneFormat, SCENE_FORMATS } from '../format';
import { clipClasses } from '../synth';
import { buildDetector, defaultDetectorConfig, DetectorConfig, SoundEventDetector } from '../detector';
import { SceneStreamOptions } from '../scene-stream';
import { detectorWithClasses, detectorWithFormat, detectorWithOutput } from '../remap';
import { listScenes, SceneSet } from './scenes';
import type { SynthesizedTrainingOptions, TrainDetectorOptions, TrainState } from './options';

/** The scene stream settings for synthesised training scenes, with the model's feature settings and input level. */
export function synStreamOptions(
  s: SynthesizedTrainingOptions,
  config: DetectorConfig,
  streamSeed: number,
): SceneStreamOptions {
  return {
    events: s.events,
    labels: s.labels,
    part: s.part ?? 'train',
    testFraction: s.testFraction,
    include: s.include,
    exclude: s.exclude,
    scene: s.scene,
    ambience: s.ambience,
    interferers: s.interferers,
    features: config.features,
    inputLevelDb: config.inputLevel?.db,
    seed: streamSeed,
  };
}

export function positiveCount(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1)
    throw new AudioError('BAD_ARGUMENT', `synthesize.${name} must be a positive integer, got ${v}.`);
  return v;
}

/** What the scenes are: a folder's manifest (or a given scene set), or the clips' label file. */
export function sceneKind(
  set: SceneSet | null,
  syn: SynthesizedTrainingOptions | undefined,
): { format: SceneFormat; classes: string[] } {
  if (set) return { format: set.format, classes: set.classes };
  const format = syn!.format ?? 'foa';
  if (!SCENE_FORMATS.includes(format)) throw new AudioError('BAD_ARGUMENT', `unknown format ${format}.`);
  return { format, classes: clipClasses(syn!.labels ?? path.join(syn!.events, 'labels.csv')) };
}

export interface StartingPoint {
  model: tf.LayersModel;
  config: DetectorConfig;
  state: TrainState;
}

/** The model, configuration and counters a run starts from: a checkpoint (`resume`), `init`'s detector, or fresh. */
export async function startingPoint(
  options: TrainDetectorOptions,
  kind: { format: SceneFormat; classes: string[] },
  seed: number,
  log: (line: string) => void,
): Promise<StartingPoint> {
  const { format, classes } = kind;
  const ckptDir = checkpointDir(options.out);
  const sameData = (c: DetectorConfig, what: string) => {
    if (c.features.format !== format || c.classes.join('\n') !== classes.join('\n')) {
      throw new AudioError(
        'BAD_ARGUMENT',
        `${what} was trained on other scenes (format ${c.features.format}, ${c.classes.length} classes; these are ${format}, ${classes.length}).`,
      );
    }
  };
  if (options.resume) {
    if (!hasCheckpoint(ckptDir)) {
      throw new AudioError('NO_CHECKPOINT', `--resume: no checkpoint at ${ckptDir}; start without --resume.`);
    }
    const ckpt = await loadCheckpoint<TrainState>(ckptDir, ['detector']);
    const config = ckpt.documents.detector as DetectorConfig;
    sameData(config, `--resume: the checkpoint ${ckptDir}`);
    const want = options.model?.output;
    if (want && want !== (config.output ?? 'two-head'))
      throw new AudioError(
        'BAD_ARGUMENT',
        `--resume: the checkpoint has a ${config.output ?? 'two-head'} output, not ${want}.`,
      );
    return { model: ckpt.model, config, state: resumedState(ckpt.state, log) };
  }
  const state: TrainState = {
    epoch: 0,
    bestScore: Infinity,
    bestEpoch: 0,
    badEpochs: 0,
    rngSeed: seed,
    selection: 'seld2020',
    history: [],
  };
  if (options.init) {
    let start = await SoundEventDetector.load(options.init);
    const sameFormat = start.config.features.format === format;
    if (!sameFormat) {
      // Another scene format: the log-mel kernels and every later layer are kept, the format's own inputs start fresh.
      log(
        `train-detector: --init ${options.init} is a ${start.config.features.format} detector: its layers are kept for ${format} ` +
          `scenes except the first convolution's kernels on the ${format}-only feature channels; normalisation measured anew`,
      );
      start = detectorWithFormat(start, format);
    }
    if (start.config.classes.join('\n') !== classes.join('\n')) {
      // Another class list: keep every weight, the heads' units follow the classes by name (new ones start fresh).
      start = detectorWithClasses(start, classes);
      log(
        `train-detector: --init ${options.init} has other classes: output units follow the ${classes.length} classes by name, new ones start fresh`,
      );
    }
    const want = options.model?.output;
    if (want && want !== (start.config.output ?? 'two-head')) {
      // Another output kind: the trunk's weights are kept, the new heads start fresh.
      start = detectorWithOutput(start, want);
      log(
        `train-detector: --init ${options.init} has another output: its trunk is kept, the ${want} heads start fresh`,
      );
    }
    const config = { ...start.config };
    sameData(config, `--init: the detector ${options.init}`);
    // The architecture is the init detector's; the loss weight λ is a training setting and follows the options.
    if (options.model?.doaWeight !== undefined) config.doaWeight = options.model.doaWeight;
    log(`train-detector: starting from the weights${sameFormat ? ' and normalisation' : ''} of ${options.init}`);
    if (config.inputLevel)
      log(`train-detector: every scene is scaled to the detector's input level, ${config.inputLevel.db} dBFS`);
    return { model: start.model, config, state };
  }
  const config = { ...defaultDetectorConfig(format, classes), ...(options.model ?? {}) };
  return { model: buildDetector(config), config, state };
}

/**
 * A checkpoint's counters, as the run goes on with them. A best score from the DCASE 2019 SELD score (checkpoints
 * written before `selectionScore` used the 2020 score) is not comparable: the bar is cleared, so the next epoch's
 * model replaces the one in `out`, and the patience counters start again.
 */
export function resumedState(state: TrainState, log: (line: string) => void): TrainState {
  if (state.selection === 'seld2020') {
    log(
      `train-detector: resuming after epoch ${state.epoch} (best selection score ${state.bestScore.toFixed(4)} at epoch ${state.bestEpoch})`,
    );
    return state;
  }
  log(
    `train-detector: resuming after epoch ${state.epoch}; its best (epoch ${state.bestEpoch}, DCASE 2019 SELD ${state.bestScore.toFixed(4)}) ` +
      'was chosen by the 2019 score, which rewards detecting nothing: the next epoch sets a new bar by the 2020 score and replaces the model in --out',
  );
  return { ...state, bestScore: Infinity, badEpochs: 0, sinceHalving: 0, selection: 'seld2020' };
}

/** Training and validation scene sets: a validation folder, or the last `valFraction` of the training scenes. */
export function splitScenes(
  options: TrainDetectorOptions,
  set: SceneSet | null,
  format: SceneFormat,
): { trainSet: SceneSet | null; valSet: SceneSet | null } {
  if (options.validation) {
    const valSet = typeof options.validation === 'string' ? listScenes(options.validation, format) : options.validation;
    if (valSet.format !== format)
      throw new AudioError(
        'BAD_ARGUMENT',
        `the validation scenes are ${valSet.format}, the training scenes ${format}.`,
      );
    return { trainSet: set, valSet };
  }
  if (!set) return { trainSet: null, valSet: null };
  const nVal = Math.max(1, Math.round((options.valFraction ?? 0.1) * set.scenes.length));
  if (set.scenes.length < 2)
    throw new AudioError('NO_SCENES', 'need at least 2 training scenes (training + validation).');
  return {
    valSet: { ...set, scenes: set.scenes.slice(set.scenes.length - nVal) },
    trainSet: { ...set, scenes: set.scenes.slice(0, set.scenes.length - nVal) },
  };
}
