/**
 * The SELD detector: a CRNN from @gatewave/core in the SELDnet / DCASE 2019 baseline shape over the features of
 * `features.ts`, its loss, and the path audio -> features -> frame activities and directions -> events.
 */
import { buildCRNN, loadModel, loadModelMetadata, saveModel, tf, type ModelMetadata } from '@gatewave/core';
import { AudioError, checkedMetadata } from '../errors';
import { AudioData } from '../io/wav';
import { resample } from '../io/resample';
import { atLevel, checkInputLevel } from '../dsp/level';
import { SoundEvent } from './events';
import { eventsToFrames } from './metrics/frames';
import { toUnitVector } from './geometry';
import { DEFAULT_FEATURES, extractFeatures, featureChannels, SedFeatureConfig, SedFeatures } from './features';
import { formatChannels, SceneFormat } from './format';
import { FOA_VIEW_COUNTS, foaView, foaViewMatrix } from './foa-views';
import { FrameOutput, FrameRow, framesToEvents, frameRows } from './frame-events';
import { accdoaActivity, checkDetectorOutput, DetectorOutput } from './accdoa';

/** Everything needed to rebuild a detector and its pipeline; stored as the model directory's metadata. */
export interface DetectorConfig {
  kind: 'gatewave-sed';
  classes: string[];
  features: SedFeatureConfig;
  /** Feature frames per label frame (time pooling of the first conv block): 5 × 20 ms = 100 ms. */
  labelHop: number;
  convChannels: number[];
  freqPool: number[];
  gruUnits: number[];
  dropout: number;
  /** λ in loss = BCE + λ·MSE_masked (two-head output only). */
  doaWeight: number;
  /**
   * 'two-head' (absent): sigmoid activities and tanh directions (the DCASE 2019 baseline); 'accdoa': one vector per
   * class whose length is its activity (see ./accdoa.ts).
   */
  output?: DetectorOutput;
  /** Per (mel band, feature channel) mean and standard deviation, from the training scenes. */
  normalization: { mean: number[]; std: number[] };
  /** Post-processing defaults. */
  threshold: number;
  minDuration: number;
  minGap: number;
  /** FOA only: symmetric views averaged at inference (see `FOA_VIEW_COUNTS`; absent = 1, the recording as it is). */
  views?: number;
  /** Hysteresis of the activity threshold (see `DetectOptions.hysteresis`; absent = 1, a single threshold). */
  hysteresis?: number;
  /**
   * Every recording is scaled so that its RMS over all channels is `db` dBFS before its features are taken (absent: as
   * it comes), and so is every training scene of a run that starts from or resumes such a detector. The log-mel features are normalised by the training scenes' statistics, so a
   * recording much louder than those scenes is outside what the model saw (`tools/models/set-detector-input-level.js`).
   */
  inputLevel?: { db: number; chosenOn: string };
  /**
   * Training only: weight of each class's active frames in the loss (see `detectorLoss` and `classBalanceWeights`);
   * absent = 1 for every class. Kept so that a resumed run goes on with the same loss.
   */
  positiveWeights?: number[];
}

// ---------------------------------------------------------------------------------------------------------------
// Symmetric views of FOA features (test-time augmentation)
// ---------------------------------------------------------------------------------------------------------------

/** The defaults reproduce the DCASE 2019 baseline's shape (3 × 64-channel conv blocks, 2 × 128 bi-GRU). */
export function defaultDetectorConfig(format: SceneFormat, classes: string[]): DetectorConfig {
  return {
    kind: 'gatewave-sed',
    classes,
    features: { format, ...DEFAULT_FEATURES },
    labelHop: 5,
    convChannels: [64, 64, 64],
    freqPool: [4, 4, 2],
    gruUnits: [128, 128],
    dropout: 0,
    doaWeight: 5,
    normalization: { mean: [], std: [] },
    threshold: 0.5,
    minDuration: 0.2,
    minGap: 0.2,
  };
}

/** Seconds per label frame. */
export function labelFrameLength(config: DetectorConfig): number {
  return (config.labelHop * config.features.hopLength) / config.features.sampleRate;
}

/** Whether the format has direction outputs. */
export function hasDoa(format: SceneFormat): boolean {
  return format !== 'mono';
}

/** Whether the detector has the single ACCDOA output. */
export function isAccdoa(config: DetectorConfig): boolean {
  return config.output === 'accdoa';
}

/**
 * The network: input `[batch, frames, melBands, featureChannels]`; outputs `sed` `[batch, frames/labelHop, classes]`
 * (sigmoid) and, except for mono, `doa` `[batch, frames/labelHop, 3·classes]` (tanh; x for every class, then y, then
 * z). With `output: 'accdoa'` the one output `accdoa` `[batch, frames/labelHop, 3·classes]` (tanh, same layout).
 */
export function buildDetector(config: DetectorConfig): tf.LayersModel {
  const K = config.classes.length;
  checkDetectorOutput(config.output ?? 'two-head', config.features.format);
  const heads: { name: string; units: number; activation: 'sigmoid' | 'tanh' }[] = isAccdoa(config)
    ? [{ name: 'accdoa', units: 3 * K, activation: 'tanh' }]
    : [{ name: 'sed', units: K, activation: 'sigmoid' }];
  if (!isAccdoa(config) && hasDoa(config.features.format))
    heads.push({ name: 'doa', units: 3 * K, activation: 'tanh' });
  return buildCRNN({
    inputShape: [null, config.features.melBands, featureChannels(config.features.format)],
    convChannels: config.convChannels,
    freqPool: config.freqPool,
    timePool: [config.labelHop, ...config.convChannels.slice(1).map(() => 1)],
    dropout: config.dropout,
    gruUnits: config.gruUnits,
    heads,
    name: 'seld_crnn',
  });
}

/**
 * Training loss `L = BCE(sed, ŝed) + λ · Σ m·(doa − d̂oa)² / Σ m`: binary cross-entropy of the class activities
 * (mean over frames and classes) plus λ times the squared DOA error averaged over the (frame, class, axis) entries
 * whose reference event is active (mask m = reference activity, repeated for x, y, z). With `positiveWeights` (one
 * per class, the last axis), the BCE term of an active entry of class k is multiplied by `positiveWeights[k]`:
 * `−mean(w_k·y·log p + (1 − y)·log(1 − p))`.
 */
export function detectorLoss(
  sedTrue: tf.Tensor,
  sedPred: tf.Tensor,
  doaTrue: tf.Tensor | null,
  doaPred: tf.Tensor | null,
  doaWeight: number,
  positiveWeights?: readonly number[],
): tf.Scalar {
  return tf.tidy(() => {
    const eps = 1e-7;
    const p = tf.clipByValue(sedPred, eps, 1 - eps);
    let pos = tf.mul(sedTrue, tf.log(p));
    if (positiveWeights) pos = tf.mul(pos, tf.tensor1d(positiveWeights as number[]));
    const bce = tf.neg(tf.mean(tf.add(pos, tf.mul(tf.sub(1, sedTrue), tf.log(tf.sub(1, p))))));
    if (!doaTrue || !doaPred) return bce as tf.Scalar;
    const mask = tf.concat([sedTrue, sedTrue, sedTrue], -1);
    const se = tf.mul(mask, tf.square(tf.sub(doaPred, doaTrue)));
    const mse = tf.div(tf.sum(se), tf.add(tf.sum(mask), eps));
    return tf.add(bce, tf.mul(doaWeight, mse)) as tf.Scalar;
  });
}

/** Targets at the label rate: activities `[frames, K]` and unit direction vectors `[frames, 3K]` (zero when idle). */
export function eventTargets(
  events: readonly SoundEvent[],
  classes: readonly string[],
  frames: number,
  frameLength: number,
): { sed: Float32Array; doa: Float32Array } {
  const K = classes.length;
  const table = eventsToFrames(events, classes, frames, frameLength);
  const sed = new Float32Array(frames * K);
  const doa = new Float32Array(frames * 3 * K);
  table.forEach((tracks, t) => {
    for (const tr of tracks) {
      sed[t * K + tr.classIndex] = 1;
      if (tr.azimuth !== null && tr.elevation !== null) {
        const [x, y, z] = toUnitVector(tr.azimuth, tr.elevation);
        doa[t * 3 * K + tr.classIndex] = x;
        doa[t * 3 * K + K + tr.classIndex] = y;
        doa[t * 3 * K + 2 * K + tr.classIndex] = z;
      }
    }
  });
  return { sed, doa };
}

/** Normalises features in place with the config's statistics. */
export function normalizeFeatures(f: SedFeatures, config: DetectorConfig): void {
  const { mean, std } = config.normalization;
  const n = f.melBands * f.channels;
  if (mean.length !== n || std.length !== n) {
    throw new AudioError('MODEL_CORRUPT', `the detector's normalisation has ${mean.length} entries, expected ${n}.`);
  }
  for (let i = 0; i < f.data.length; i++) {
    const j = i % n;
    f.data[i] = (f.data[i] - mean[j]) / std[j];
  }
}

export interface DetectOptions {
  threshold?: number;
  /** Shortest event kept (s). */
  minDuration?: number;
  /** Gaps shorter than this (s) between detections of one class are bridged. */
  minGap?: number;
  /** FOA: symmetric views to average (1, 2, 4, 8 or 16; see `foaViewMatrix`). */
  views?: number;
  /**
   * In (0, 1]: an event starts where a class's probability reaches `threshold` and goes on, in both directions,
   * while it stays at or above `hysteresis × threshold` (double thresholding). 1 = a single threshold.
   */
  hysteresis?: number;
}

/** The detector settings saved with a model; `where` (a folder or a URL) names it when they are missing. */
export function detectorConfigOf(meta: ModelMetadata, where: string): DetectorConfig {
  const m = meta as { detector?: DetectorConfig };
  if (!m.detector || m.detector.kind !== 'gatewave-sed') {
    throw new AudioError('MODEL_CORRUPT', `${where} is not a sound event detector (no detector config in model.json).`);
  }
  const level = m.detector.inputLevel;
  if (level !== undefined) checkedMetadata(where, 'detector.inputLevel', () => checkInputLevel(level.db));
  return m.detector;
}

/** Audio and model together: load, prepare, predict, and turn frames into events. */
export class SoundEventDetector {
  constructor(
    readonly model: tf.LayersModel,
    readonly config: DetectorConfig,
  ) {}

  static async load(dir: string): Promise<SoundEventDetector> {
    let meta: ModelMetadata;
    try {
      meta = loadModelMetadata(dir);
    } catch (err) {
      if ((err as { code?: string }).code !== 'MODEL_NOT_FOUND') throw err;
      throw new AudioError(
        'MODEL_NOT_FOUND',
        `no detector at ${dir} (model.json missing); train one with train-detector.`,
      );
    }
    const config = detectorConfigOf(meta, dir);
    return new SoundEventDetector(await loadModel(dir), config);
  }

  async save(dir: string, extra: Record<string, unknown> = {}, options: { overwrite?: boolean } = {}): Promise<void> {
    await saveModel(this.model, dir, { ...extra, detector: this.config }, options);
  }

  /** Shortest input (samples at the model rate) that gives one label frame. */
  minimumSamples(): number {
    return this.config.labelHop * this.config.features.hopLength;
  }

  /**
   * Checks the channel count and length of a recording and resamples it to the model's rate (calling `notice`
   * when it does). Throws BAD_CHANNELS / TOO_SHORT with what the model needs.
   */
  prepare(audio: AudioData, where: string, notice: (msg: string) => void = () => {}): Float32Array[] {
    const fmt = this.config.features.format;
    const need = formatChannels(fmt);
    if (audio.channels.length !== need) {
      throw new AudioError(
        'BAD_CHANNELS',
        `${where} has ${audio.channels.length} channel(s); this ${fmt} detector needs ${need}` +
          (fmt === 'foa'
            ? ' (first-order ambisonics, ACN order W, Y, Z, X, SN3D)'
            : fmt === 'mic4'
              ? ' (the 4-capsule tetrahedral array of the DCASE MIC format)'
              : '') +
          '. Use a model trained for your recording format.',
      );
    }
    const rate = this.config.features.sampleRate;
    let channels = audio.channels;
    if (audio.sampleRate !== rate) {
      notice(`${where}: resampling from ${audio.sampleRate} Hz to the model's ${rate} Hz`);
      channels = channels.map((c) => resample(c, audio.sampleRate, rate));
    }
    if (channels[0].length < this.minimumSamples()) {
      throw new AudioError(
        'TOO_SHORT',
        `${where} is ${(channels[0].length / rate).toFixed(3)} s long; the detector needs at least ` +
          `${(this.minimumSamples() / rate).toFixed(3)} s (one label frame of ${this.config.labelHop} feature windows).`,
      );
    }
    return this.config.inputLevel ? atLevel(channels, this.config.inputLevel.db) : channels;
  }

  /** Normalised features of prepared audio. */
  features(channels: readonly Float32Array[]): SedFeatures {
    const f = extractFeatures(channels, this.config.features);
    normalizeFeatures(f, this.config);
    return f;
  }

  /**
   * Runs the network over normalised features. FOA detectors average `views` symmetric views (default: the
   * config's `views`, else 1; see `foaViewMatrix`): the mean activity of the views (ACCDOA: of their vector lengths), and the mean of their
   * directions each mapped back by the inverse of its view's map.
   */
  predictFeatures(f: SedFeatures, chunkFrames = 3000, views = this.config.views ?? 1): FrameOutput {
    if (!(FOA_VIEW_COUNTS as readonly number[]).includes(views)) {
      throw new AudioError('BAD_ARGUMENT', `views must be one of ${FOA_VIEW_COUNTS.join(', ')}, got ${views}.`);
    }
    if (views === 1) return this.predictOnce(f, chunkFrames);
    if (this.config.features.format !== 'foa')
      throw new AudioError(
        'BAD_ARGUMENT',
        `views > 1 needs an FOA detector; this one is ${this.config.features.format}.`,
      );
    const { mean, std } = this.config.normalization;
    const n = f.melBands * f.channels;
    const raw = { ...f, data: f.data.map((x, i) => x * std[i % n] + mean[i % n]) };
    const K = this.config.classes.length;
    let sum: FrameOutput | null = null;
    for (let v = 0; v < views; v++) {
      const view = foaView(raw, v);
      for (let i = 0; i < view.data.length; i++) view.data[i] = (view.data[i] - mean[i % n]) / std[i % n];
      const out = this.predictOnce(view, chunkFrames);
      const T = foaViewMatrix(v);
      const doa = out.doa!;
      for (let t = 0; t < out.frames; t++) {
        for (let k = 0; k < K; k++) {
          const o = t * 3 * K + k;
          const x = doa[o];
          const y = doa[o + K];
          const z = doa[o + 2 * K];
          // inverse of an orthogonal map = its transpose
          doa[o] = T[0] * x + T[3] * y + T[6] * z;
          doa[o + K] = T[1] * x + T[4] * y + T[7] * z;
          doa[o + 2 * K] = T[2] * x + T[5] * y + T[8] * z;
        }
      }
      if (!sum) sum = out;
      else {
        for (let i = 0; i < sum.activity.length; i++) sum.activity[i] += out.activity[i];
        for (let i = 0; i < doa.length; i++) sum.doa![i] += doa[i];
      }
    }
    for (let i = 0; i < sum!.activity.length; i++) sum!.activity[i] /= views;
    for (let i = 0; i < sum!.doa!.length; i++) sum!.doa![i] /= views;
    return sum!;
  }

  /**
   * One network pass over normalised features, `chunkFrames` feature frames at a time (bounded memory). An ACCDOA
   * detector's activities are its vectors' lengths (`accdoaActivity`) and its directions the vectors.
   */
  private predictOnce(f: SedFeatures, chunkFrames: number): FrameOutput {
    const hop = this.config.labelHop;
    const usable = Math.floor(f.frames / hop) * hop;
    const frames = usable / hop;
    const K = this.config.classes.length;
    const activity = new Float32Array(frames * K);
    const doa = hasDoa(this.config.features.format) ? new Float32Array(frames * 3 * K) : null;
    const step = Math.max(hop, Math.floor(chunkFrames / hop) * hop);
    const width = f.melBands * f.channels;
    for (let start = 0; start < usable; start += step) {
      const len = Math.min(step, usable - start);
      const out = tf.tidy(() => {
        const x = tf.tensor4d(f.data.subarray(start * width, (start + len) * width), [1, len, f.melBands, f.channels]);
        const y = this.model.predict(x);
        return (Array.isArray(y) ? y : [y]).map((t) => t.dataSync() as Float32Array);
      });
      if (isAccdoa(this.config)) {
        activity.set(accdoaActivity(out[0], len / hop, K), (start / hop) * K);
        doa!.set(out[0], (start / hop) * 3 * K);
        continue;
      }
      activity.set(out[0], (start / hop) * K);
      if (doa) doa.set(out[1], (start / hop) * 3 * K);
    }
    return { activity, doa, frames, frameLength: labelFrameLength(this.config) };
  }

  /** Per-frame activities and directions of a recording (`views`: as in `predictFeatures`). */
  predict(
    audio: AudioData,
    where = '<audio>',
    notice?: (msg: string) => void,
    views = this.config.views ?? 1,
  ): FrameOutput {
    return this.predictFeatures(this.features(this.prepare(audio, where, notice)), 3000, views);
  }

  /** Events and active frames of a recording. */
  detect(
    audio: AudioData,
    file: string,
    options: DetectOptions = {},
    notice?: (msg: string) => void,
  ): { events: SoundEvent[]; frames: FrameRow[] } {
    const resolved = this.resolve(options);
    const out = this.predict(audio, file, notice, resolved.views);
    return {
      events: framesToEvents(out, this.config.classes, file, resolved),
      frames: frameRows(out, this.config.classes, file, resolved.threshold),
    };
  }

  resolve(options: DetectOptions): Required<DetectOptions> {
    return {
      threshold: options.threshold ?? this.config.threshold,
      minDuration: options.minDuration ?? this.config.minDuration,
      minGap: options.minGap ?? this.config.minGap,
      views: options.views ?? this.config.views ?? 1,
      hysteresis: options.hysteresis ?? this.config.hysteresis ?? 1,
    };
  }
}
