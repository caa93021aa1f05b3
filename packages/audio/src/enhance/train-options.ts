/**
 * What a training run is asked for (`TrainEnhancerOptions`), their defaults, and the settings that follow from them
 * before any training: the data source, the mixing, the model's config, the limited-gain selection and the input level.
 */
import { shuffle } from '@gatewave/core';
import { AudioError } from '../errors';
import { FRCRN_CONFIGS, type FrcrnConfig } from './frcrn';
import {
  corpusData,
  folderData,
  pairedData,
  checkMix,
  DEFAULT_MIX,
  type MixSettings,
  type TrainingData,
} from './train-data';
import { limitedGainSelection, type LimitedGainSelection } from './selection';
import { checkInputLevel } from '../dsp/level';
import { checkWienerShare } from './wiener-share';

export interface TrainEnhancerOptions {
  /** A corpus manifest (`npm run data:enhance`): trains on its train split, selects on its validation split. */
  manifest?: string;
  /** Clean speech and noise folders, mixed on the fly (validation: `validationFraction` of the speech files). */
  speechDir?: string;
  noiseDir?: string;
  /** Paired clean and noisy folders with the same file names (VoiceBank+DEMAND layout). */
  cleanDir?: string;
  noisyDir?: string;
  out: string;
  /** 'small', 'medium' (default), 'large', 'large-cascade', 'full', or a config. */
  config?: string | FrcrnConfig;
  epochs?: number;
  stepsPerEpoch?: number;
  batchSize?: number;
  learningRate?: number;
  clipNorm?: number;
  maskWeight?: number;
  spectralWeight?: number;
  /** Threshold of the SI-SNR term in dB (./losses.ts): 0 (default) for none. */
  siSnrCapDb?: number;
  minSeconds?: number;
  maxSeconds?: number;
  /** Mixing and augmentation (./train-data.ts); SNR −5..20 dB by default. */
  mix?: Partial<MixSettings>;
  /** Kept for callers of earlier versions: the SNR range (overrides mix). */
  minSnrDb?: number;
  maxSnrDb?: number;
  patience?: number;
  earlyStop?: number;
  /** Fraction of speech files (or pairs) held back for validation in folder modes (deterministic). */
  validationFraction?: number;
  validationMixtures?: number;
  /**
   * Choose the saved model by the mean SI-SDR gain of its output at this attenuation limit (dB) on the manifest's
   * validation utterances at −5, 0 and 5 dB, under tune-enhancer's STOI rule (./selection.ts), instead of by the
   * validation loss; the learning-rate schedule and the early stop still follow the loss. Needs `manifest`.
   */
  selectAttenLimit?: number;
  /**
   * Train (and compute the validation loss) on the output mixed with the input at this attenuation limit (dB), the
   * output a model shipped with that limit gives, instead of the network's output as it is. The network then learns
   * the trade-off between removing noise and keeping speech that holds at that limit (and only there).
   */
  lossAttenLimit?: number;
  /**
   * Feed the network at this level, in dBFS RMS (./input-level.ts): the saved model carries it (metadata
   * `inputLevel`), and `selectAttenLimit` scores the model so. Train at levels around it (`mix.minLevelDb` /
   * `maxLevelDb`, e.g. ±5 dB): a file's level is its whole RMS, a training crop's is the crop's.
   */
  inputLevelDb?: number;
  /**
   * Train on `(1 − share) · output + share · wiener` (before `lossAttenLimit`), the output a model with that share of
   * `wiener` ships: the network learns what `wiener` leaves. The saved model carries the share (metadata
   * `wienerShare`), and `selectAttenLimit` scores the model with it.
   */
  lossWienerShare?: number;
  /**
   * Weight of an intelligibility term in the loss: 1 − a differentiable STOI of the scored output (./stoi-loss.ts), so
   * that the network does not buy SI-SNR with intelligibility; 0 or absent: none.
   */
  lossStoiWeight?: number;
  /** Validation utterances for `selectAttenLimit` (default 40, as bench:audio). */
  selectUtterances?: number;
  /** How far below the input's STOI an SNR group may fall for `selectAttenLimit` (default 0). */
  selectStoiTolerance?: number | number[];
  /** Folder mode: paths containing any of these substrings are left out (held-out test data). */
  exclude?: string[];
  /**
   * Continue from `<out>.checkpoint` (weights, Adam state, learning rate, counters). When this run's validation set or
   * loss weights differ from the checkpoint's, its best validation loss is recomputed (./validation.ts).
   */
  resume?: boolean;
  /**
   * With `resume`: continue at this learning rate instead of the checkpoint's, with the plateau and early-stop counters
   * reset (a warm restart of the schedule). The best validation loss so far stays the bar a new best must beat.
   */
  restartLearningRate?: number;
  /**
   * A fresh run starts from this model directory's weights wherever a layer has the same name and shapes (e.g. a
   * `small` model into `medium`); residual FSMN blocks with no counterpart start as the identity.
   */
  initFrom?: string;
  /**
   * Also keep the weights after every epoch, each as a model folder `<out>.epochs/e<N>` (for weight averaging with
   * `averageModels`, or to choose an epoch later). A run refuses to start where it would replace kept epochs.
   */
  keepEpochs?: boolean;
  /** Write into an `out` folder that holds other files too, replacing only gatewave's own files there. */
  overwrite?: boolean;
  seed?: number;
  quiet?: boolean;
  /** Called after each epoch. */
  onEpoch?: (e: {
    epoch: number;
    trainLoss: number;
    valLoss: number;
    valSiSnrGain: number;
    /** With selectAttenLimit: the mean SI-SDR gain at that limit. */
    limitedGain?: number;
    learningRate: number;
    best: boolean;
  }) => void;
}

/** Picks the data source from the options: exactly one of manifest, speechDir + noiseDir, cleanDir + noisyDir. */
export function trainingData(
  o: TrainEnhancerOptions & { validationFraction: number; exclude: string[] },
  rate: number,
  mix: MixSettings,
  log: (m: string) => void,
): TrainingData {
  const modes = [
    o.manifest !== undefined,
    o.speechDir !== undefined || o.noiseDir !== undefined,
    o.cleanDir !== undefined || o.noisyDir !== undefined,
  ];
  if (modes.filter(Boolean).length !== 1) {
    throw new AudioError(
      'BAD_ARGUMENT',
      'give exactly one training source: a corpus manifest, speech + noise folders, or clean + noisy folders.',
    );
  }
  if (o.manifest !== undefined) return corpusData(o.manifest, rate, mix, log);
  if (modes[1]) {
    if (!o.speechDir || !o.noiseDir)
      throw new AudioError('BAD_ARGUMENT', 'speech and noise folders go together: give both.');
    return folderData(
      { speechDir: o.speechDir, noiseDir: o.noiseDir, exclude: o.exclude, validationFraction: o.validationFraction },
      rate,
      mix,
      shuffle,
      log,
    );
  }
  if (!o.cleanDir || !o.noisyDir)
    throw new AudioError('BAD_ARGUMENT', 'clean and noisy folders go together: give both.');
  return pairedData(
    { cleanDir: o.cleanDir, noisyDir: o.noisyDir, validationFraction: o.validationFraction },
    rate,
    mix,
    shuffle,
    log,
  );
}

/** The options with their defaults (an option given as undefined keeps its default). */
export function withDefaults(options: TrainEnhancerOptions) {
  return {
    epochs: 50,
    stepsPerEpoch: 100,
    batchSize: 4,
    learningRate: 1e-3,
    clipNorm: 5,
    maskWeight: 0,
    spectralWeight: 10,
    siSnrCapDb: 0,
    minSeconds: 1,
    maxSeconds: 2,
    patience: 2,
    earlyStop: 5,
    validationFraction: 0.05,
    validationMixtures: 32,
    exclude: [] as string[],
    seed: 1234,
    ...(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as TrainEnhancerOptions),
  };
}

/** The options with every default filled in. */
export type TrainSettings = ReturnType<typeof withDefaults>;

/** A config by name (a key of FRCRN_CONFIGS) or as given. */
export function frcrnConfigOf(config: string | FrcrnConfig | undefined): FrcrnConfig {
  const found = typeof config === 'object' ? config : FRCRN_CONFIGS[config ?? 'medium'];
  if (!found)
    throw new AudioError(
      'BAD_ARGUMENT',
      `unknown config "${String(config)}"; use ${Object.keys(FRCRN_CONFIGS).join(', ')}.`,
    );
  return found;
}

/** The mixing settings of the options (the defaults where not given), checked. */
export function mixSettingsOf(o: TrainSettings): MixSettings {
  const given = Object.entries(o.mix ?? {}).filter(([, v]) => v !== undefined);
  const mix: MixSettings = { ...DEFAULT_MIX, ...Object.fromEntries(given) };
  if (o.minSnrDb !== undefined) mix.minSnrDb = o.minSnrDb;
  if (o.maxSnrDb !== undefined) mix.maxSnrDb = o.maxSnrDb;
  checkMix(mix);
  if (!(o.siSnrCapDb >= 0)) throw new AudioError('BAD_ARGUMENT', `siSnrCapDb must be >= 0 dB, got ${o.siSnrCapDb}.`);
  if (!(o.lossStoiWeight === undefined || o.lossStoiWeight >= 0))
    throw new AudioError('BAD_ARGUMENT', `lossStoiWeight must be >= 0, got ${o.lossStoiWeight}.`);
  return mix;
}

/** The limited-gain selection the options ask for (`selectAttenLimit`), or null. */
export function selectionOf(o: TrainSettings): LimitedGainSelection | null {
  if (o.selectAttenLimit === undefined) return null;
  if (o.manifest === undefined)
    throw new AudioError(
      'BAD_ARGUMENT',
      'choosing the model by its limited gain (--select-atten-lim) needs a corpus --manifest: its validation split.',
    );
  return limitedGainSelection(
    o.manifest,
    o.selectAttenLimit,
    o.selectUtterances ?? 40,
    o.selectStoiTolerance ?? 0,
    o.inputLevelDb ?? null,
    o.lossWienerShare ?? 0,
  );
}

/** The saved model's `inputLevel` metadata, when the run feeds its network at one. */
export function inputLevelMetadata(db: number | undefined, mix: MixSettings): Record<string, unknown> {
  if (db === undefined) return {};
  const chosenOn = `train-enhancer --input-level (training mixtures at ${mix.minLevelDb} to ${mix.maxLevelDb} dBFS)`;
  return { inputLevel: { db: checkInputLevel(db, 'inputLevelDb'), chosenOn } };
}

/** The saved model's `wienerShare` metadata, when the run trains with a share of `wiener`. */
export function wienerShareMetadata(share: number | undefined): Record<string, unknown> {
  if (!share) return {};
  return {
    wienerShare: { share: checkWienerShare(share, 'lossWienerShare'), chosenOn: 'train-enhancer --loss-wiener-share' },
  };
}
