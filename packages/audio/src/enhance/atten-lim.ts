/**
 * An attenuation limit, as DeepFilterNet's `--atten-lim`: the output is `(1 − g) · enhanced + g · input` with
 * g = 10^(−limitDb / 20), so noise is lowered by at most about `limitDb` dB. 0 dB returns the input unchanged; 100 dB
 * mixes back 1e-5 of it, which is the same as no limit. The STFT is linear, so mixing waveforms equals mixing spectra.
 */
import { AudioError } from '../errors';
import type { Enhancer } from './enhancer';
import type { InputLevel } from './input-level';

/** Checks an attenuation limit in dB: a number from 0 to 100. */
export function checkAttenuationLimit(db: number, where = 'attenuation limit'): number {
  if (!Number.isFinite(db) || db < 0 || db > 100) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `${where} must be a number of dB from 0 to 100 (0 keeps the input, 100 is no limit), got ${String(db)}.`,
    );
  }
  return db;
}

/**
 * The same mix on audio that is already enhanced (no second run of the model, e.g. for a slider):
 * `(1 − g) · enhanced + g · input`, sample by sample; both of the same length.
 */
export function mixWithInput(input: Float32Array, enhanced: Float32Array, limitDb: number): Float32Array {
  if (input.length !== enhanced.length) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `attenuation limit: the input has ${input.length} samples but the enhanced audio ${enhanced.length}; pass the enhancer's output for this input.`,
    );
  }
  return blend(enhanced, input, 10 ** (-checkAttenuationLimit(limitDb) / 20));
}

/** `(1 − share) · a + share · b`, sample by sample (the caller checks that the lengths agree). */
export function blend(a: Float32Array, b: Float32Array, share: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = (1 - share) * a[i] + share * b[i];
  return out;
}

/** An enhancer whose output is mixed with its input (made by `limitAttenuation`). */
export interface LimitedEnhancer extends Enhancer {
  /** The enhancer without the limit. */
  readonly unlimited: Enhancer;
  readonly attenuationLimitDb: number;
}

function isLimited(e: Enhancer): e is LimitedEnhancer {
  return (e as Partial<LimitedEnhancer>).unlimited !== undefined;
}

/** `enhancer` without an attenuation limit (itself when it has none). */
export function unlimited(enhancer: Enhancer): Enhancer {
  return isLimited(enhancer) ? enhancer.unlimited : enhancer;
}

/** The attenuation limit an enhancer applies, in dB, or null when it has none. */
export function attenuationLimitOf(enhancer: Enhancer): number | null {
  return isLimited(enhancer) ? enhancer.attenuationLimitDb : null;
}

/**
 * `enhancer` with its output mixed with the input so that it removes at most `limitDb` dB. A limit replaces the one
 * the enhancer already has (e.g. the limit a model recommends), never adds to it.
 */
export function limitAttenuation(enhancer: Enhancer, limitDb: number): LimitedEnhancer {
  checkAttenuationLimit(limitDb);
  const base = unlimited(enhancer);
  return {
    name: `${base.name} (attenuation limit ${limitDb} dB)`,
    sampleRate: base.sampleRate,
    contextSeconds: base.contextSeconds,
    inputLevelDb: base.inputLevelDb,
    unlimited: base,
    attenuationLimitDb: limitDb,
    async enhance(x: Float32Array, level?: InputLevel): Promise<Float32Array> {
      return mixWithInput(x, await base.enhance(x, level), limitDb);
    },
    dispose: () => base.dispose?.(),
  };
}
