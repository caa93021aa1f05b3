/**
 * The one log-mel of the package: meyda's triangular mel filter bank over 0 … sampleRate/2, applied to power spectra
 * and logged as ln(energy + 1e-10). `logMelSpectrogram` (./index.ts) and the detector's features (../sed/features.ts)
 * both take their log-mel bands from here.
 */

// meyda's own `melBands` feature uses the same bank but returns ln(1 + energy), which flattens quiet sounds; we take
// the bank and log the energies ourselves.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createMelFilterBank } = require('meyda/dist/node/utilities') as {
  createMelFilterBank(numFilters: number, sampleRate: number, bufferSize: number): number[][];
};

/** A mel filter bank in sparse form: filter m covers bins start[m] … start[m] + weights[m].length − 1. */
export interface MelBank {
  start: number[];
  weights: Float32Array[];
}

/** Added to the mel energies before the log. */
export const LOG_MEL_FLOOR = 1e-10;

const banks = new Map<string, { power: MelBank; average: MelBank }>();

/**
 * The mel filter bank for `nFft`-point spectra (bins 0 … nFft/2): `power` as meyda builds it (for log-mel energies)
 * and `average` with each filter scaled to sum to 1 (for averages such as intensity vectors, so they stay a weighted
 * mean of per-bin values). Built once per (melBands, sampleRate, nFft).
 */
export function melFilterBank(
  melBands: number,
  sampleRate: number,
  nFft: number,
): { power: MelBank; average: MelBank } {
  const key = `${melBands}/${sampleRate}/${nFft}`;
  let bank = banks.get(key);
  if (!bank) {
    const dense = createMelFilterBank(melBands, sampleRate, nFft);
    const power: MelBank = { start: [], weights: [] };
    const average: MelBank = { start: [], weights: [] };
    for (const row of dense) {
      let a = row.findIndex((v) => v > 0);
      if (a < 0) a = 0;
      let b = row.length;
      while (b > a + 1 && !(row[b - 1] > 0)) b--;
      const w = Float32Array.from(row.slice(a, b));
      const sum = w.reduce((s, v) => s + v, 0) || 1;
      power.start.push(a);
      power.weights.push(w);
      average.start.push(a);
      average.weights.push(w.map((v) => v / sum));
    }
    bank = { power, average };
    banks.set(key, bank);
  }
  return bank;
}

/** Filter `m` of `bank` applied to the spectrum in `values` that starts at `offset`. */
export function melProject(bank: MelBank, values: Float32Array, offset: number, m: number): number {
  const w = bank.weights[m];
  const a = offset + bank.start[m];
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i] * values[a + i];
  return s;
}

/**
 * Log-mel energies of a power spectrogram `power` (`frames` rows of `bins` values): band m of frame t goes to
 * `out[(t·melBands + m)·stride + offset]`, so one call fills one channel of an interleaved `[frames, melBands,
 * channels]` array (stride = channels, offset = channel) or a plain `[frames, melBands]` one (stride 1, offset 0).
 */
export function logMelInto(
  power: Float32Array,
  frames: number,
  bins: number,
  bank: MelBank,
  out: Float32Array,
  stride = 1,
  offset = 0,
): void {
  const M = bank.weights.length;
  for (let t = 0; t < frames; t++) {
    for (let m = 0; m < M; m++) {
      out[(t * M + m) * stride + offset] = Math.log(melProject(bank, power, t * bins, m) + LOG_MEL_FLOOR);
    }
  }
}
