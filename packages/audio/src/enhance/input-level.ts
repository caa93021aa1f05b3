/**
 * The input level an FRCRN network is fed at. The network works on the raw complex spectrum, so what it does depends
 * on how loud its input is: a model trained on mixtures at −40 to −15 dBFS removes much less noise from a quiet
 * recording or a loud one than from one at the levels it was trained on (figures in the enhancer-large model card).
 * A model with an input level scales what its network sees so that the input's RMS is that level, and applies the
 * mask it returns to the input as it is: the output keeps the input's level.
 *
 * The RMS is the whole channel's (the pipeline measures it before enhancing chunk by chunk), so a long file's chunks
 * are fed at one gain and chunked output equals whole-file output.
 */
import { AudioError } from '../errors';
import { sumOfSquares } from '../dsp/rms';

/** What the pipeline tells an enhancer about the whole channel that `x` is (a chunk of). */
export interface InputLevel {
  /** RMS of the whole channel, at the source's own rate. */
  rms: number;
}

/** The range of input levels a model may name, in dBFS RMS. */
export const INPUT_LEVEL_RANGE: [number, number] = [-80, 0];

/** Checks an input level in dBFS: a number from −80 to 0. */
export function checkInputLevel(db: number, where = 'input level'): number {
  const [lo, hi] = INPUT_LEVEL_RANGE;
  if (!Number.isFinite(db) || db < lo || db > hi) {
    throw new AudioError('BAD_ARGUMENT', `${where} must be a number of dBFS from ${lo} to ${hi}, got ${String(db)}.`);
  }
  return db;
}

/**
 * The gain that brings audio of RMS `rms` to `levelDb` dBFS; 1 for silence (nothing to scale) or a non-finite RMS.
 */
export function levelGain(rms: number, levelDb: number): number {
  return rms > 0 && Number.isFinite(rms) ? 10 ** (levelDb / 20) / rms : 1;
}

/** Running sums of squares per channel, for the RMS of a source read block by block. */
export class ChannelPower {
  private readonly sums: number[];
  private count = 0;

  constructor(channels: number) {
    this.sums = new Array<number>(channels).fill(0);
  }

  add(block: Float32Array[]): void {
    block.forEach((x, c) => (this.sums[c] += sumOfSquares(x)));
    this.count += block[0]?.length ?? 0;
  }

  levels(): InputLevel[] {
    return this.sums.map((s) => ({ rms: this.count ? Math.sqrt(s / this.count) : 0 }));
  }
}
