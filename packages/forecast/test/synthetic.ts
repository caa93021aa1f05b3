import { tempDir, useCpuBackend } from '../../core/test/test-setup';

/**
 * What the model tests share: a temporary folder and the cpu backend per test file, seeded normal draws and hourly
 * series built from them (the same draws on every run, so thresholds on them are known answers).
 */

/** A temporary folder removed after the file's tests; also puts tfjs on the cpu backend before them. */
export function modelTestSetup(name: string): string {
  useCpuBackend();
  return tempDir(`gw-forecast-${name}-`);
}

/** Seeded standard normal draws (mulberry32 + Box–Muller). */
export function normals(n: number, seed: number): Float64Array {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}

/** `n` hourly timestamps from 2020-01-01 00:00 UTC plus `from` hours. */
export const hourly = (n: number, from = 0): number[] =>
  Array.from({ length: n }, (_, i) => Date.UTC(2020, 0, 1) + (from + i) * 3600e3);
