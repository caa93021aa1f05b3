import * as tf from '@tensorflow/tfjs';
import { GatewaveError, check, checkNonNegativeInt, checkPositiveInt } from '../errors';
import { fanInUniform, singleInput, singleShape } from './util';

export type FSMNAxis = 'time' | 'frequency';

export interface FSMNConfig {
  /** Hidden units of the first (ReLU) linear map. */
  units: number;
  /** Width of the projection p_t; must equal the input's feature size (the block is residual). Default: that size. */
  projection?: number;
  /** Taps into the past, the current step included (a_0 … a_{lorder−1}). At least 1. */
  lorder: number;
  /** Taps into the future (c_1 … c_rorder). 0 (default) is causal. */
  rorder?: number;
  /** Spacing between taps. Default 1. */
  dilation?: number;
  /**
   * The sequence axis of the memory. Rank-3 input `[batch, time, features]` always runs over time. Rank-4 input
   * `[batch, time, freq, channels]` runs over time for each frequency (`'time'`, default) or over frequency for each
   * frame (`'frequency'`, FRCRN's frequency recurrence); features are the channels.
   */
  axis?: FSMNAxis;
  name?: string;
  trainable?: boolean;
  inputShape?: tf.Shape;
  batchInputShape?: tf.Shape;
}

/** The validated hyper-parameters shared by FSMN and ComplexFSMN. */
interface FSMNSettings {
  units: number;
  projection: number | undefined;
  lorder: number;
  rorder: number;
  dilation: number;
  axis: FSMNAxis;
}

function readSettings(config: FSMNConfig, layer: string): FSMNSettings {
  check(config && typeof config === 'object', layer, 'needs a config object such as {units: 64, lorder: 10}');
  const axis = config.axis ?? 'time';
  check(axis === 'time' || axis === 'frequency', `${layer} axis`, `must be 'time' or 'frequency', got ${String(axis)}`);
  return {
    units: checkPositiveInt(config.units, `${layer} units`),
    projection:
      config.projection === undefined || config.projection === null
        ? undefined
        : checkPositiveInt(config.projection, `${layer} projection`),
    lorder: checkPositiveInt(config.lorder, `${layer} lorder`),
    rorder: checkNonNegativeInt(config.rorder ?? 0, `${layer} rorder`),
    dilation: checkPositiveInt(config.dilation ?? 1, `${layer} dilation`),
    axis,
  };
}

function settingsConfig(s: FSMNSettings): tf.serialization.ConfigDict {
  return {
    units: s.units,
    projection: s.projection ?? null,
    lorder: s.lorder,
    rorder: s.rorder,
    dilation: s.dilation,
    axis: s.axis,
  };
}

/** Checks rank and returns the feature (channel) size of an FSMN input. */
function featureSize(shape: tf.Shape, s: FSMNSettings, layer: string): number {
  if (shape.length !== 3 && shape.length !== 4) {
    throw new GatewaveError(
      'BAD_INPUT',
      `${layer} input: expects rank 3 [batch, time, features] or rank 4 [batch, time, freq, channels], got rank ${shape.length} (${JSON.stringify(shape)}).`,
    );
  }
  if (shape.length === 3 && s.axis === 'frequency') {
    throw new GatewaveError(
      'BAD_INPUT',
      `${layer} axis: 'frequency' needs rank-4 input [batch, time, freq, channels].`,
    );
  }
  const f = shape[shape.length - 1];
  check(f !== null && f > 0, `${layer} input`, 'the last dimension must be known');
  return f as number;
}

/** The weights of one real FSMN block. */
interface FSMNWeights {
  w1: tf.LayerVariable; // [D, units]
  b1: tf.LayerVariable; // [units]
  w2: tf.LayerVariable; // [units, D]   (no bias)
  memory: tf.LayerVariable; // [lorder + rorder, D]; row lorder−1−i is a_i, row lorder−1+j is c_j
}

type AddWeight = (name: string, shape: number[], fanIn: number) => tf.LayerVariable;

function addFSMNWeights(add: AddWeight, prefix: string, D: number, s: FSMNSettings): FSMNWeights {
  const taps = s.lorder + s.rorder;
  return {
    w1: add(`${prefix}linear_kernel`, [D, s.units], D),
    b1: add(`${prefix}linear_bias`, [s.units], D),
    w2: add(`${prefix}project_kernel`, [s.units, D], s.units),
    memory: add(`${prefix}memory`, [taps, D], taps),
  };
}

/** Moves the memory axis to position 1 of a rank-3 tensor `[n, length, D]`, remembering how to undo it. */
function toSequences(x: tf.Tensor, axis: FSMNAxis): { seq: tf.Tensor3D; undo: (y: tf.Tensor3D) => tf.Tensor } {
  if (x.rank === 3) return { seq: x as tf.Tensor3D, undo: (y) => y };
  const [b, t, f, c] = x.shape;
  if (axis === 'frequency') {
    return { seq: x.reshape([b * t, f, c]), undo: (y) => y.reshape([b, t, f, c]) };
  }
  const seq = x.transpose([0, 2, 1, 3]).reshape([b * f, t, c]) as tf.Tensor3D;
  return { seq, undo: (y) => y.reshape([b, f, t, c]).transpose([0, 2, 1, 3]) };
}

/**
 * One real FSMN block on sequences `x: [n, L, D]`:
 * `p = W₂·ReLU(W₁x + b₁)`, `y_t = x_t + p_t + Σ_{i<lorder} a_i ⊙ p_{t−i·dil} + Σ_{j=1..rorder} c_j ⊙ p_{t+j·dil}`.
 */
function fsmnSequences(x: tf.Tensor3D, w: FSMNWeights, s: FSMNSettings): tf.Tensor3D {
  const [n, L, D] = x.shape;
  const flat = x.reshape([n * L, D]);
  // One fused kernel for W₁x + b₁ and the ReLU.
  const hidden = tf.fused.matMul({ a: flat, b: w.w1.read() as tf.Tensor2D, bias: w.b1.read(), activation: 'relu' });
  const p = tf.matMul(hidden, w.w2.read() as tf.Tensor2D).reshape([n, L, D]) as tf.Tensor3D;
  const mem = memory(p, w.memory.read() as tf.Tensor2D, s);
  return x.add(p).add(mem) as tf.Tensor3D;
}

/** The depthwise memory Σ_k M[k] ⊙ p_{t − (lorder−1)·dil + k·dil} with zeros outside the sequence. */
function memory(p: tf.Tensor3D, taps: tf.Tensor2D, s: FSMNSettings): tf.Tensor3D {
  const [n, L, D] = p.shape;
  const K = s.lorder + s.rorder;
  const front = (s.lorder - 1) * s.dilation;
  const back = s.rorder * s.dilation;
  if (s.dilation === 1) {
    // One depthwise convolution over [n, L, 1, D] (tfjs has no gradient for dilated depthwise convolutions).
    const x4 = tf
      .pad(p, [
        [0, 0],
        [front, back],
        [0, 0],
      ])
      .reshape([n, L + front + back, 1, D]) as tf.Tensor4D;
    const filter = taps.reshape([K, 1, D, 1]) as tf.Tensor4D;
    return tf.depthwiseConv2d(x4, filter, 1, 'valid').reshape([n, L, D]);
  }
  const padded = tf.pad(p, [
    [0, 0],
    [front, back],
    [0, 0],
  ]);
  let acc: tf.Tensor | null = null;
  const rows = tf.split(taps, K, 0);
  for (let k = 0; k < K; k++) {
    const term = padded.slice([0, k * s.dilation, 0], [n, L, D]).mul(rows[k]);
    acc = acc === null ? term : acc.add(term);
  }
  return acc as tf.Tensor3D;
}

/**
 * What FSMN and ComplexFSMN share: their settings (read and checked once), weights created with a fan-in uniform
 * initialiser, an output of the input's shape, and the saved config. `kind` names the layer in errors.
 */
abstract class FSMNLayer extends tf.layers.Layer {
  protected readonly settings: FSMNSettings;

  constructor(
    config: FSMNConfig,
    protected readonly kind: string,
  ) {
    super(config);
    this.settings = readSettings(config, kind);
  }

  protected adder(): AddWeight {
    return (name, shape, fanIn) => this.addWeight(name, shape, 'float32', fanInUniform(fanIn));
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(inputShape, this.kind);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...settingsConfig(this.settings) };
  }
}

/**
 * Feedforward sequential memory block as in FRCRN's `UniDeepFsmn`: a ReLU linear map, a bias-free projection back to
 * the input width, and a depthwise memory over past (and, with `rorder`, future) projections, added to the input.
 */
export class FSMN extends FSMNLayer {
  static className = 'GatewaveFSMN';

  private weightsOf!: FSMNWeights;

  constructor(config: FSMNConfig) {
    super(config, 'FSMN');
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = singleShape(inputShape, 'FSMN');
    const D = featureSize(shape, this.settings, 'FSMN');
    check(
      this.settings.projection === undefined || this.settings.projection === D,
      'FSMN projection',
      `must equal the input's feature size ${D} (the block adds its output to its input), got ${this.settings.projection}`,
    );
    this.weightsOf = addFSMNWeights(this.adder(), '', D, this.settings);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, 'FSMN');
      featureSize(x.shape, this.settings, 'FSMN');
      const { seq, undo } = toSequences(x, this.settings.axis);
      return undo(fsmnSequences(seq, this.weightsOf, this.settings));
    });
  }
}
tf.serialization.registerClass(FSMN);

/**
 * Complex FSMN (FRCRN's `ComplexUniDeepFsmn`): two real FSMN blocks F_re, F_im on the real and imaginary halves of
 * the last axis (`[..., real (D) | imag (D)]`), combined as `Yr = F_re(Xr) − F_im(Xi)`, `Yi = F_re(Xi) + F_im(Xr)`.
 * Output has the input's shape. `units` and `projection` refer to one half (D).
 */
export class ComplexFSMN extends FSMNLayer {
  static className = 'GatewaveComplexFSMN';

  private re!: FSMNWeights;
  private im!: FSMNWeights;

  constructor(config: FSMNConfig) {
    super(config, 'ComplexFSMN');
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = singleShape(inputShape, 'ComplexFSMN');
    const twoD = featureSize(shape, this.settings, 'ComplexFSMN');
    check(
      twoD % 2 === 0,
      'ComplexFSMN input',
      `the last dimension holds [real | imag] halves and must be even, got ${twoD}`,
    );
    const D = twoD / 2;
    check(
      this.settings.projection === undefined || this.settings.projection === D,
      'ComplexFSMN projection',
      `must equal half the input's last dimension (${D}), got ${this.settings.projection}`,
    );
    this.re = addFSMNWeights(this.adder(), 're_', D, this.settings);
    this.im = addFSMNWeights(this.adder(), 'im_', D, this.settings);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, 'ComplexFSMN');
      featureSize(x.shape, this.settings, 'ComplexFSMN');
      const { seq, undo } = toSequences(x, this.settings.axis);
      const [xr, xi] = tf.split(seq, 2, 2) as [tf.Tensor3D, tf.Tensor3D];
      // Run each real block once on [Xr; Xi] stacked along the batch.
      const both = tf.concat([xr, xi], 0) as tf.Tensor3D;
      const n = xr.shape[0];
      const fRe = fsmnSequences(both, this.re, this.settings);
      const fIm = fsmnSequences(both, this.im, this.settings);
      const [reOfXr, reOfXi] = tf.split(fRe, [n, n], 0);
      const [imOfXr, imOfXi] = tf.split(fIm, [n, n], 0);
      const yr = reOfXr.sub(imOfXi);
      const yi = reOfXi.add(imOfXr);
      return undo(tf.concat([yr, yi], 2) as tf.Tensor3D);
    });
  }
}
tf.serialization.registerClass(ComplexFSMN);
