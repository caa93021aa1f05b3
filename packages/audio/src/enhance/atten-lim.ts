/**
 * An attenuation limit, as DeepFilterNet's `--atten-lim`: the output is `(1 − g) · enhanced + g · input` with
 * g = 10^(−limitDb / 20), so noise is lowered by at most about `limitDb` dB. 0 dB returns the input unchanged; 100 dB
 * mixes back 1e-5 of it, which is the same as no limit.
 */
import { AudioError } from '../errors';
import type { Enhancer } from './enhancer';

/** Checks an attenuation limit in dB: a number from 0 to 100. */
export function checkAttenuationLimit(db: number, where = 'attenuation limit'): number {
  if (!Number.isFinite(db) || db < 0 || db > 100) {
    throw new AudioError('BAD_ARGUMENT', `${where} must be a number of dB from 0 to 100 (0 keeps the input, 100 is no limit), got ${String(db)}.`);
  }
  return db;
}

/** `enhancer` with its output mixed with the input so that it removes at most `limitDb` dB. */
export function limitAttenuation(enhancer: Enhancer, limitDb: number): Enhancer {
  const g = 10 ** (-checkAttenuationLimit(limitDb) / 20);
  return {
    name: `${enhancer.name} (attenuation limit ${limitDb} dB)`,
    sampleRate: enhancer.sampleRate,
    contextSeconds: enhancer.contextSeconds,
    async enhance(x: Float32Array): Promise<Float32Array> {
      const y = await enhancer.enhance(x);
      const out = new Float32Array(y.length);
      for (let i = 0; i < y.length; i++) out[i] = (1 - g) * y[i] + g * x[i];
      return out;
    },
    dispose: () => enhancer.dispose?.(),
  };
}
