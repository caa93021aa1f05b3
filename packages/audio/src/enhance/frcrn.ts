/**
 * FRCRN: "Boosting Feature Representation using Frequency Recurrence for Monaural Speech Enhancement" (Zhao et al.,
 * ICASSP 2022), built from @gatewave/core's ComplexFSMN.
 *
 * Tensors carry complex values as `[real | imag]` halves of the last axis: `[batch, time, freq, 2·channels]`.
 *
 *   noisy spectrum X [batch, time, 321, 2]
 *   -> per stage: encoder  (complex Conv2D, stride 2 along frequency -> BatchNorm -> LeakyReLU -> ComplexFSMN over
 *                           frequency, the "frequency recurrence")                x levels
 *                 bottleneck (two ComplexFSMN over time)
 *                 decoder  (add the encoder's skip -> complex transposed Conv2D, stride 2 along frequency -> crop ->
 *                           BatchNorm -> LeakyReLU -> ComplexFSMN over frequency; the last level outputs one complex
 *                           channel)
 *                 mask     M = tanh(Re) + i tanh(Im)   (bounded complex ideal ratio mask)
 *   -> stage 2 (optional) runs on M1 ⊙ X; the model's output is the total mask M1 ⊙ M2.
 *
 * Complex convolution: Re = W_re * x_re − W_im * x_im, Im = W_re * x_im + W_im * x_re, done as one real
 * convolution with the block kernel [[W_re, W_im], [−W_im, W_re]].
 * BatchNorm normalises the real and imaginary parts of each channel separately (the "naive" complex BatchNorm of
 * DCCRN), not the 2×2 whitening of Trabelsi et al.; skip connections are added rather than concatenated.
 */
import { tf, ComplexFSMN, FSMN } from '@gatewave/core';
import { AudioError } from '../errors';

export interface FrcrnConfig {
  /** 'small', 'full' or your own name. */
  name: string;
  sampleRate: number;
  winLength: number;
  hopLength: number;
  nFft: number;
  /** Complex channels of each encoder level (the decoder mirrors them). */
  channels: number[];
  /** Convolution kernel [time, frequency]. */
  kernel: [number, number];
  /** Taps of the frequency-recurrence FSMN (along frequency, looking at lower bins). */
  freqOrder: number;
  /** Past taps (current frame included) and future taps of the two bottleneck FSMNs over time. */
  timeOrder: number;
  timeLookahead: number;
  /** Hidden units of each FSMN, as a multiple of its (complex) channels. */
  fsmnExpansion: number;
  /** Hidden units of the two bottleneck FSMNs over time, as a multiple of the deepest channels (default fsmnExpansion). */
  bottleneckExpansion?: number;
  /**
   * Full-band FSMNs over time after the bottleneck's complex FSMNs: each sees all bottleneck bins and channels of a
   * frame as one vector (bins x 2 x deepest), so its weights cost one multiply-add per frame each, unlike the
   * convolutions, whose weights are reused at every bin. Hidden units of each; none by default.
   */
  fullbandUnits?: number[];
  /** Past taps of the full-band FSMNs (default timeOrder). */
  fullbandOrder?: number;
  /** 1, or 2 for the paper's cascade. */
  stages: number;
}

/** The paper's setup: 16 kHz, 640-sample frames, hop 320, 128 channels, two cascaded stages. */
export const FRCRN_FULL: FrcrnConfig = {
  name: 'full',
  sampleRate: 16000,
  winLength: 640,
  hopLength: 320,
  nFft: 640,
  channels: [128, 128, 128, 128],
  kernel: [2, 5],
  freqOrder: 5,
  timeOrder: 20,
  timeLookahead: 0,
  fsmnExpansion: 1,
  stages: 2,
};

/** A width and depth that runs well under real time on one CPU core. */
export const FRCRN_SMALL: FrcrnConfig = {
  ...FRCRN_FULL,
  name: 'small',
  channels: [8, 16, 16],
  freqOrder: 5,
  timeOrder: 10,
  timeLookahead: 1,
  stages: 1,
};

/**
 * `small` plus a full-band FSMN over time at the bottleneck (256 hidden units over all 41 bins x 16 complex channels
 * of a frame, 20 frames of memory): 30x the parameters of `small` for about a fifth more compute, since the new
 * weights are used once per frame, not once per frequency bin. Every other layer has `small`'s shape, so a `small`
 * model can start it (train-enhancer's initFrom).
 */
export const FRCRN_MEDIUM: FrcrnConfig = {
  ...FRCRN_SMALL,
  name: 'medium',
  fullbandUnits: [256],
  fullbandOrder: 20,
};

/**
 * `medium` with a second full-band FSMN (256 hidden units) after the first: about 1.9x `medium`'s parameters for a few
 * per cent more compute. Every layer of `medium` keeps its name and shape, so a `medium` model starts it (initFrom):
 * the new block starts as the identity.
 */
export const FRCRN_LARGE: FrcrnConfig = {
  ...FRCRN_MEDIUM,
  name: 'large',
  fullbandUnits: [256, 256],
};

/**
 * `large` in the paper's two-stage cascade: a second U-Net of the same shape refines the first's output, and the mask
 * is the product of both. Twice `large`'s parameters and compute. A `large` model starts it (initFrom): both stages
 * take its weights.
 */
export const FRCRN_LARGE_CASCADE: FrcrnConfig = {
  ...FRCRN_LARGE,
  name: 'large-cascade',
  stages: 2,
};

export const FRCRN_CONFIGS: Record<string, FrcrnConfig> = {
  small: FRCRN_SMALL,
  medium: FRCRN_MEDIUM,
  large: FRCRN_LARGE,
  'large-cascade': FRCRN_LARGE_CASCADE,
  full: FRCRN_FULL,
};

/** Frequency bins of a config's STFT. */
export function frcrnBins(config: FrcrnConfig): number {
  return Math.floor(config.nFft / 2) + 1;
}

interface ComplexConv2DConfig {
  /** Complex output channels. */
  filters: number;
  kernelSize: [number, number];
  /** Stride along frequency (time stride is 1). */
  freqStride: number;
  /** Transposed convolution (upsampling by freqStride). */
  transpose: boolean;
  name?: string;
}

/** Complex 2-D convolution (or transposed convolution) over `[batch, time, freq, 2·C]`, 'same' padding. */
export class ComplexConv2D extends tf.layers.Layer {
  static className = 'GatewaveComplexConv2D';
  private readonly cfg: ComplexConv2DConfig;
  private wRe!: tf.LayerVariable;
  private wIm!: tf.LayerVariable;
  private bias!: tf.LayerVariable;

  constructor(config: ComplexConv2DConfig) {
    super(config);
    this.cfg = {
      filters: config.filters,
      kernelSize: config.kernelSize,
      freqStride: config.freqStride,
      transpose: config.transpose,
    };
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const cin = (shape[3] as number) / 2;
    const [kt, kf] = this.cfg.kernelSize;
    const fanIn = 2 * cin * kt * kf;
    const limit = Math.sqrt(6 / (fanIn + 2 * this.cfg.filters * kt * kf)) / Math.SQRT2;
    const init = tf.initializers.randomUniform({ minval: -limit, maxval: limit });
    // stored as [kt, kf, cin, cout] for both directions
    this.wRe = this.addWeight('kernel_re', [kt, kf, cin, this.cfg.filters], 'float32', init);
    this.wIm = this.addWeight('kernel_im', [kt, kf, cin, this.cfg.filters], 'float32', init);
    this.bias = this.addWeight('bias', [2 * this.cfg.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const f = s[2] as number;
    const fo = this.cfg.transpose ? f * this.cfg.freqStride : Math.ceil(f / this.cfg.freqStride);
    return [s[0], s[1], fo, 2 * this.cfg.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const wr = this.wRe.read();
      const wi = this.wIm.read();
      // block kernel: input [re | im] -> output [re | im]
      const top = tf.concat([wr, wi], 3); // rows fed by x_re: [W_re | W_im]
      const bottom = tf.concat([wi.neg(), wr], 3); // rows fed by x_im: [−W_im | W_re]
      const k = tf.concat([top, bottom], 2) as tf.Tensor4D; // [kt, kf, 2cin, 2cout]
      const [b, t, f] = x.shape;
      let y: tf.Tensor4D;
      if (this.cfg.transpose) {
        const kT = k.transpose([0, 1, 3, 2]) as tf.Tensor4D; // conv2dTranspose wants [kh, kw, out, in]
        y = tf.conv2dTranspose(
          x,
          kT,
          [b, t, f * this.cfg.freqStride, 2 * this.cfg.filters],
          [1, this.cfg.freqStride],
          'same',
        );
      } else {
        y = tf.conv2d(x, k, [1, this.cfg.freqStride], 'same');
      }
      return y.add(this.bias.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.cfg };
  }
}
tf.serialization.registerClass(ComplexConv2D);

/** Complex product of two `[..., 2]` tensors holding [re, im] (used to chain the cascaded stages' masks). */
export class ComplexMultiply extends tf.layers.Layer {
  static className = 'GatewaveComplexMultiply';
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (inputShape as tf.Shape[])[0];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [a, b] = inputs as tf.Tensor[];
      return complexMul(a, b);
    });
  }
}
tf.serialization.registerClass(ComplexMultiply);

/** (a_re + i a_im)(b_re + i b_im) over a last axis of size 2. */
export function complexMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const [ar, ai] = tf.split(a, 2, -1);
  const [br, bi] = tf.split(b, 2, -1);
  return tf.concat([ar.mul(br).sub(ai.mul(bi)), ar.mul(bi).add(ai.mul(br))], -1);
}

/** Crops the frequency axis of `[batch, time, freq, ch]` to `size` bins. */
export class CropFrequency extends tf.layers.Layer {
  static className = 'GatewaveCropFrequency';
  private readonly size: number;
  constructor(config: { size: number; name?: string }) {
    super(config);
    this.size = config.size;
  }
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = inputShape as tf.Shape;
    return [s[0], s[1], this.size, s[3]];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    const [b, t, , c] = x.shape;
    return x.slice([0, 0, 0, 0], [b, t, this.size, c]);
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), size: this.size };
  }
}
tf.serialization.registerClass(CropFrequency);

/** One U-Net stage: input `[batch, time, F, 2]` (a complex spectrum), output its bounded complex mask, same shape. */
function stage(x: tf.SymbolicTensor, c: FrcrnConfig, prefix: string): tf.SymbolicTensor {
  const F = frcrnBins(c);
  const act = (y: tf.SymbolicTensor, name: string): tf.SymbolicTensor =>
    tf.layers
      .leakyReLU({ alpha: 0.01, name: `${prefix}${name}_act` })
      .apply(
        tf.layers.batchNormalization({ axis: -1, name: `${prefix}${name}_bn` }).apply(y) as tf.SymbolicTensor,
      ) as tf.SymbolicTensor;
  const freqFsmn = (y: tf.SymbolicTensor, ch: number, name: string): tf.SymbolicTensor =>
    new ComplexFSMN({
      units: ch * c.fsmnExpansion,
      lorder: c.freqOrder,
      axis: 'frequency',
      name: `${prefix}${name}_ffsmn`,
    }).apply(y) as tf.SymbolicTensor;
  // The encoder's (stride 2 down the frequency axis) and the decoder's (transposed: up) complex convolutions.
  const conv = (y: tf.SymbolicTensor, filters: number, transpose: boolean, name: string): tf.SymbolicTensor => {
    const layer = new ComplexConv2D({
      filters,
      kernelSize: c.kernel,
      freqStride: 2,
      transpose,
      name: `${prefix}${name}_conv`,
    });
    return layer.apply(y) as tf.SymbolicTensor;
  };

  const skips: tf.SymbolicTensor[] = [];
  const sizes: number[] = [F];
  let h = x; // [batch, time, F, 2]
  c.channels.forEach((ch, i) => {
    h = conv(h, ch, false, `enc${i}`); // [batch, time, ceil(f/2), 2ch]
    h = act(h, `enc${i}`);
    h = freqFsmn(h, ch, `enc${i}`);
    skips.push(h);
    sizes.push(Math.ceil(sizes[sizes.length - 1] / 2));
  });
  const deepest = c.channels[c.channels.length - 1];
  for (let j = 0; j < 2; j++) {
    h = new ComplexFSMN({
      units: deepest * (c.bottleneckExpansion ?? c.fsmnExpansion),
      lorder: c.timeOrder,
      rorder: c.timeLookahead,
      axis: 'time',
      name: `${prefix}bottleneck${j}_tfsmn`,
    }).apply(h) as tf.SymbolicTensor; // [batch, time, f_L, 2·deepest]
  }
  const fL = sizes[sizes.length - 1];
  (c.fullbandUnits ?? []).forEach((units, j) => {
    let v = tf.layers
      .reshape({ targetShape: [-1, fL * 2 * deepest], name: `${prefix}fullband${j}_flat` })
      .apply(h) as tf.SymbolicTensor;
    v = new FSMN({
      units,
      lorder: c.fullbandOrder ?? c.timeOrder,
      rorder: c.timeLookahead,
      name: `${prefix}fullband${j}_fsmn`,
    }).apply(v) as tf.SymbolicTensor; // [batch, time, f_L·2·deepest]
    h = tf.layers
      .reshape({ targetShape: [-1, fL, 2 * deepest], name: `${prefix}fullband${j}_unflat` })
      .apply(v) as tf.SymbolicTensor;
  });
  for (let i = c.channels.length - 1; i >= 0; i--) {
    const outCh = i === 0 ? 1 : c.channels[i - 1];
    h = tf.layers.add({ name: `${prefix}dec${i}_skip` }).apply([h, skips[i]]) as tf.SymbolicTensor;
    h = conv(h, outCh, true, `dec${i}`); // [batch, time, 2·f, 2·outCh]
    h = new CropFrequency({ size: sizes[i], name: `${prefix}dec${i}_crop` }).apply(h) as tf.SymbolicTensor;
    if (i > 0) {
      h = act(h, `dec${i}`);
      h = freqFsmn(h, outCh, `dec${i}`);
    }
  }
  return tf.layers.activation({ activation: 'tanh', name: `${prefix}mask` }).apply(h) as tf.SymbolicTensor; // [batch, time, F, 2]
}

/** Builds the network: input a complex spectrum `[batch, time, bins, 2]`, output the complex mask, same shape. */
export function buildFrcrn(config: FrcrnConfig): tf.LayersModel {
  if (config.stages !== 1 && config.stages !== 2) {
    throw new AudioError('BAD_ARGUMENT', `FRCRN stages must be 1 or 2, got ${config.stages}.`);
  }
  if (config.winLength % config.hopLength !== 0) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `FRCRN winLength (${config.winLength}) must be a multiple of hopLength (${config.hopLength}).`,
    );
  }
  const F = frcrnBins(config);
  const input = tf.input({ shape: [null, F, 2], name: 'noisy_spectrum' }) as tf.SymbolicTensor;
  let mask = stage(input, config, 's1_');
  if (config.stages === 2) {
    const first = new ComplexMultiply({ name: 's1_apply' }).apply([mask, input]) as tf.SymbolicTensor;
    const m2 = stage(first, config, 's2_');
    mask = new ComplexMultiply({ name: 'total_mask' }).apply([mask, m2]) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: mask, name: `frcrn_${config.name}` });
}

/** Number of trainable parameters. */
export function countParameters(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}
