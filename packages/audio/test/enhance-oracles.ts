/**
 * Enhancers whose outputs are known, for tests of choosing limits and models: 0 dB mixtures of speech-like signals and
 * seeded noise, and "oracles" that know each mixture's noise.
 */
import { mixAtSnr, type EvalMixture } from '../src/enhance/eval-mixtures';
import type { Enhancer } from '../src/enhance/pipeline';

/** Speech-like test signal: a tone under a slow envelope, with pauses. */
export const speechLike = (n: number, f: number): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin(i / f) * Math.max(0, Math.sin(i / 1500)));

/** Three mixtures at 0 dB of speech-like signals and seeded white noise, and their noise parts. */
export function mixtures(): { list: EvalMixture[]; noiseOf: Map<Float32Array, Float32Array> } {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const noiseOf = new Map<Float32Array, Float32Array>();
  const list = [4, 5, 6].map((f, k) => {
    const clean = speechLike(16000, f);
    const noisy = mixAtSnr(clean, Float32Array.from({ length: 16000 }, rand), 0);
    noiseOf.set(
      noisy,
      noisy.map((v, i) => v - clean[i]),
    );
    return { name: `m${k}`, group: '0 dB', sampleRate: 16000, clean, noisy };
  });
  return { list, noiseOf };
}

/** An enhancer that knows each mixture's noise and removes `keep` of it (keep = 1: returns only the noise's rest). */
export function knowing(
  noiseOf: Map<Float32Array, Float32Array>,
  transform: (x: number, n: number) => number,
): Enhancer {
  return {
    name: 'oracle',
    sampleRate: 16000,
    contextSeconds: 0,
    async enhance(x: Float32Array) {
      const key = [...noiseOf.keys()].find(
        (k) => k.length === x.length && k.every((v, i) => Math.abs(v - x[i]) < 1e-6),
      );
      const n = noiseOf.get(key!)!;
      return x.map((v, i) => transform(v, n[i]));
    },
  };
}
