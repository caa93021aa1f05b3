/** The options, per-epoch summary and checkpointed counters of `trainDetector` (./train.ts). */
import { EventScores } from '../metrics';
import { SceneFormat } from '../format';
import { DetectorConfig } from '../detector';
import { SceneStreamOptions } from '../scene-stream';
import { SceneSet } from './scenes';

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
   * except the `speedRange`, `eqDb` and interferer augmentations, made once.
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
  /** Stop after this many epochs without a better validation selection score (`selectionScore`). */
  patience?: number;
  /** Halve the learning rate after this many epochs without a better validation score (default: never). */
  lrPatience?: number;
  /** Training excerpt length in seconds. */
  sequenceSeconds?: number;
  /**
   * Also keep the model after every epoch, with the post-processing tuned on validation for that epoch, as
   * `<out>.epochs/e<N>` (for `averageModels`, or to choose an epoch later). A run refuses to start where it would
   * replace kept epochs.
   */
  keepEpochs?: boolean;
  /** Write into an `out` folder that holds other files too, replacing only gatewave's own files there. */
  overwrite?: boolean;
  /** Continue from `<out>.checkpoint/`. */
  resume?: boolean;
  seed?: number;
  /**
   * Override parts of the default model configuration (conv channels, GRU units, λ, output kind, ...). With `init`,
   * the architecture is the init detector's: only `doaWeight` (λ) applies, and `output` rebuilds the heads.
   */
  model?: Partial<Pick<DetectorConfig, 'convChannels' | 'freqPool' | 'gruUnits' | 'dropout' | 'doaWeight' | 'output'>>;
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
  /** The score used to pick the best model (`selectionScore`): the DCASE 2020 SELD score, or (ER + 1 − F) / 2 for mono. */
  score: number;
  best: boolean;
}

/** The counters kept in the checkpoint's state.json. */
export interface TrainState {
  epoch: number;
  bestScore: number;
  bestEpoch: number;
  badEpochs: number;
  rngSeed: number;
  /** Current learning rate and epochs since it was last changed or the score improved (absent in old checkpoints). */
  learningRate?: number;
  sinceHalving?: number;
  /**
   * How `bestScore` was measured: 'seld2020' (`selectionScore`). Absent in checkpoints whose best was chosen by the
   * DCASE 2019 SELD score, which a resumed run does not compare with (see `resumedState`).
   */
  selection?: 'seld2020';
  history: Omit<EpochSummary, 'validation'>[];
}
