/**
 * The input level an FRCRN network is fed at. The network works on the raw complex spectrum, so what it does depends
 * on how loud its input is: a model trained on mixtures at −40 to −15 dBFS removes much less noise from a quiet
 * recording or a loud one than from one at the levels it was trained on (figures in the enhancer-large model card).
 * A model with an input level scales what its network sees so that the input's RMS is that level, and applies the
 * mask it returns to the input as it is: the output keeps the input's level.
 *
 * The RMS is the whole channel's (the pipeline measures it before enhancing chunk by chunk), so a long file's chunks
 * are fed at one gain and chunked output equals whole-file output. The level's range and gain: ../dsp/level.ts.
 */
import { sumOfSquares } from '../dsp/level';

/** What the pipeline tells an enhancer about the whole channel that `x` is (a chunk of). */
export interface InputLevel {
  /** RMS of the whole channel, at the source's own rate. */
  rms: number;
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
