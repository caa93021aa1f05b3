/**
 * Running a trained FRCRN model: analysis (STFT) -> network (complex mask) -> complex product -> synthesis (iSTFT).
 */
import { tf, type ModelMetadata } from '@gatewave/core';
import { AudioError, checkedMetadata } from '../errors';
import { stft, istft, makeWindow } from '../dsp/stft';
import { buildFrcrn, frcrnBins, type FrcrnConfig } from './frcrn';
import type { Enhancer } from './enhancer';
import { checkAttenuationLimit, limitAttenuation } from './atten-lim';
import type { InputLevel } from './input-level';
import { checkWienerShare, withWiener } from './wiener-share';
import { checkInputLevel, levelGain, rms } from '../dsp/level';
import { averageOverShifts, checkShifts, shiftOffsets } from './shifts';

/** An FRCRN network with its STFT settings, usable wherever an Enhancer is. */
export class FrcrnEnhancer implements Enhancer {
  readonly name: string;
  readonly sampleRate: number;
  /** The bottleneck FSMNs see timeOrder frames back; 2 s covers that with margin for the BatchNorm-free edges. */
  readonly contextSeconds = 2;
  /** The level (dBFS RMS) the network is fed at (see input-level.ts), or null: as the input comes. */
  readonly inputLevelDb: number | null;
  /** How many shifts of the frame grid the output is averaged over (./shifts.ts); 1: none. */
  readonly shifts: number;

  constructor(
    readonly model: tf.LayersModel,
    readonly config: FrcrnConfig,
    inputLevelDb: number | null = null,
    shifts = 1,
  ) {
    this.name = shifts === 1 ? `frcrn-${config.name}` : `frcrn-${config.name} (${shifts} shifts)`;
    this.sampleRate = config.sampleRate;
    this.inputLevelDb = inputLevelDb === null ? null : checkInputLevel(inputLevelDb);
    this.shifts = checkShifts(shifts);
  }

  /** A fresh, untrained network of `config` (for training or tests). */
  static fromConfig(config: FrcrnConfig): FrcrnEnhancer {
    return new FrcrnEnhancer(buildFrcrn(config), config);
  }

  /** The same network fed at another input level (null: as the input comes); shares this one's weights. */
  atInputLevel(db: number | null): FrcrnEnhancer {
    return new FrcrnEnhancer(this.model, this.config, db, this.shifts);
  }

  /** The same network averaged over `count` shifts of its frame grid (1: none); shares this one's weights. */
  withShifts(count: number): FrcrnEnhancer {
    return new FrcrnEnhancer(this.model, this.config, this.inputLevelDb, count);
  }

  /** `level`: the whole channel's RMS when `x` is a chunk of it (used only with an input level). */
  async enhance(x: Float32Array, level?: InputLevel): Promise<Float32Array> {
    const gain = this.inputLevelDb === null ? 1 : levelGain(level?.rms ?? rms(x), this.inputLevelDb);
    const offsets = shiftOffsets(this.shifts, this.config.hopLength);
    return averageOverShifts(x, offsets, (delayed) => this.enhanceOnce(delayed, gain));
  }

  /** One pass: the mask of the network fed `gain` × x, applied to x. */
  private async enhanceOnce(x: Float32Array, gain: number): Promise<Float32Array> {
    const c = this.config;
    const window = makeWindow('sqrt-hann', c.winLength);
    const spec = stft(x, { winLength: c.winLength, hopLength: c.hopLength, nFft: c.nFft, window });
    const F = frcrnBins(c);
    const input = new Float32Array(spec.frames * F * 2);
    for (let i = 0; i < spec.frames * F; i++) {
      input[2 * i] = gain * spec.re[i];
      input[2 * i + 1] = gain * spec.im[i];
    }
    const maskT = tf.tidy(() => this.model.predict(tf.tensor4d(input, [1, spec.frames, F, 2])) as tf.Tensor);
    const mask = (await maskT.data()) as Float32Array;
    maskT.dispose();
    for (let i = 0; i < spec.frames * F; i++) {
      const mr = mask[2 * i];
      const mi = mask[2 * i + 1];
      const yr = spec.re[i];
      const yi = spec.im[i];
      spec.re[i] = mr * yr - mi * yi;
      spec.im[i] = mr * yi + mi * yr;
    }
    return istft(spec, x.length);
  }

  dispose(): void {
    this.model.dispose();
  }
}

/**
 * The FRCRN settings stored in a model's metadata by `train-enhancer`; `where` names the model (a directory or a URL)
 * in the error when the metadata is not an FRCRN enhancer's.
 */
export function frcrnConfigOf(meta: ModelMetadata, where: string): FrcrnConfig {
  const m = meta as { kind?: string; config?: FrcrnConfig };
  if (m.kind !== 'frcrn' || !m.config) {
    throw new AudioError(
      'MODEL_CORRUPT',
      `${where} is not an FRCRN enhancement model (metadata.kind is ${JSON.stringify(m.kind)}).`,
    );
  }
  return m.config;
}

/**
 * The attenuation limit a model recommends (metadata `attenuationLimit.db`, chosen on validation data), or null. A
 * value outside 0-100 dB is a corrupt model.
 */
export function recommendedAttenuationLimit(meta: ModelMetadata, where: string): number | null {
  const limit = (meta as { attenuationLimit?: { db?: unknown } }).attenuationLimit;
  if (limit === undefined) return null;
  return checkedMetadata(where, 'attenuationLimit', () => checkAttenuationLimit(limit.db as number));
}

/**
 * The level a model's network is fed at (metadata `inputLevel.db`, chosen on validation data), or null. A value
 * outside −80 to 0 dBFS is a corrupt model.
 */
export function recommendedInputLevel(meta: ModelMetadata, where: string): number | null {
  const level = (meta as { inputLevel?: { db?: unknown } }).inputLevel;
  return level === undefined ? null : checkedMetadata(where, 'inputLevel', () => checkInputLevel(level.db as number));
}

/**
 * The share of `wiener`'s output a model mixes into its network's (metadata `wienerShare.share`, chosen on validation
 * data), or 0. A value outside [0, 1) is a corrupt model.
 */
export function recommendedWienerShare(meta: ModelMetadata, where: string): number {
  const share = (meta as { wienerShare?: { share?: unknown } }).wienerShare;
  return share === undefined ? 0 : checkedMetadata(where, 'wienerShare', () => checkWienerShare(share.share as number));
}

/**
 * How many shifts of the frame grid a model averages its output over (metadata `shifts.count`, chosen on validation
 * data), or 1 (none). A value that is not a whole number from 1 to 8 is a corrupt model.
 */
export function recommendedShifts(meta: ModelMetadata, where: string): number {
  const shifts = (meta as { shifts?: { count?: unknown } }).shifts;
  return shifts === undefined ? 1 : checkedMetadata(where, 'shifts', () => checkShifts(shifts.count as number));
}

/**
 * The bare network of a loaded FRCRN model, fed at the input level and averaged over the shifts its metadata names
 * (no attenuation limit).
 */
export function frcrnNetworkOf(model: tf.LayersModel, meta: ModelMetadata, where: string): FrcrnEnhancer {
  const config = frcrnConfigOf(meta, where);
  return new FrcrnEnhancer(model, config, recommendedInputLevel(meta, where), recommendedShifts(meta, where));
}

/**
 * The enhancer of a loaded FRCRN model as its metadata says: the network fed at its input level, mixed with its share
 * of `wiener`, under its attenuation limit (each where the metadata has one).
 */
export function frcrnEnhancerOf(model: tf.LayersModel, meta: ModelMetadata, where: string): Enhancer {
  const enhancer = withWiener(frcrnNetworkOf(model, meta, where), recommendedWienerShare(meta, where));
  const limit = recommendedAttenuationLimit(meta, where);
  return limit === null ? enhancer : limitAttenuation(enhancer, limit);
}
