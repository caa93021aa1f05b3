import * as tf from '@tensorflow/tfjs';
import { GatewaveError, check, checkPositiveInt } from '../errors';
import { fanInUniform, singleInput, singleShape } from './util';

export interface PGNConfig {
  /** d: output units (per group when `groups` > 1). */
  units: number;
  /** w: how many earlier steps the HIE layer sees. Default: the full history (time − 1; needs a known time length). */
  window?: number;
  /**
   * Split the features into this many equal groups (e.g. one per variable), each with its own weights, computed
   * together as block-diagonal maps. Output has `groups · units` features, group-major. Default 1.
   */
  groups?: number;
  /** With `groups` > 1: every group uses the same weights (channel-independent). Default false. */
  shareGroups?: boolean;
  name?: string;
  trainable?: boolean;
  inputShape?: tf.Shape;
  batchInputShape?: tf.Shape;
}

/**
 * Parallel Gated Network layer (PGN: "The RNN's New Successor is Effective for Long-Range Time Series Forecasting").
 *
 * Input `[batch, time, features]`, output `[batch, time, groups·units]`. For each step t:
 * - Historical Information Extraction: `H_t = b + Σ_{k=1..w} W_k·x_{t−k}` (earlier steps only, zeros before the
 *   start), computed for all t at once (one causal unfold and one matrix product, not a loop over time);
 * - gate: one linear map of `[x_t; H_t]` gives `G` and `Ĥ`; `out_t = σ(G) ⊙ H_t + (1 − σ(G)) ⊙ tanh(Ĥ)`.
 * So `out_t` depends on `x_{t−w..t}` only.
 */
export class PGN extends tf.layers.Layer {
  static className = 'GatewavePGN';

  readonly units: number;
  readonly window: number | undefined;
  readonly groups: number;
  readonly shareGroups: boolean;

  private w = 0;
  private featuresPerGroup = 0;
  private hieKernel!: tf.LayerVariable; // [w, Fg·Gw, units·Gw] where Gw = 1 if shared else groups
  private hieBias!: tf.LayerVariable; // [units·Gw]
  private gateKernel!: tf.LayerVariable; // [(Fg + units)·Gw, 2·units·Gw]
  private gateBias!: tf.LayerVariable; // [2·units·Gw]
  private hieMask: tf.Tensor | null = null;
  private gateMask: tf.Tensor | null = null;

  constructor(config: PGNConfig) {
    super(config);
    check(config && typeof config === 'object', 'PGN', 'needs a config object such as {units: 16}');
    this.units = checkPositiveInt(config.units, 'PGN units');
    if (config.window !== undefined && config.window !== null) checkPositiveInt(config.window, 'PGN window');
    this.window = config.window ?? undefined;
    this.groups = checkPositiveInt(config.groups ?? 1, 'PGN groups');
    this.shareGroups = Boolean(config.shareGroups ?? false);
  }

  /** Weight groups actually stored (1 when weights are shared across groups). */
  private get weightGroups(): number {
    return this.shareGroups ? 1 : this.groups;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = singleShape(inputShape, 'PGN');
    if (shape.length !== 3) {
      throw new GatewaveError(
        'BAD_INPUT',
        `PGN input: expects rank 3 [batch, time, features], got rank ${shape.length} (${JSON.stringify(shape)}).`,
      );
    }
    const time = shape[1];
    const features = shape[2];
    check(features !== null && features > 0, 'PGN input', 'the feature dimension must be known');
    check(
      (features as number) % this.groups === 0,
      'PGN groups',
      `the input's ${features} features do not split into ${this.groups} equal groups`,
    );
    if (this.window === undefined) {
      check(time !== null, 'PGN window', 'the default (full history) needs a known time length; set window explicitly');
      this.w = Math.max(1, (time as number) - 1);
    } else {
      this.w = this.window;
    }
    const G = this.weightGroups;
    const Fg = (features as number) / this.groups;
    const d = this.units;
    this.featuresPerGroup = Fg;
    this.hieKernel = this.addWeight('hie_kernel', [this.w, Fg * G, d * G], 'float32', fanInUniform(this.w * Fg));
    this.hieBias = this.addWeight('hie_bias', [d * G], 'float32', fanInUniform(this.w * Fg));
    this.gateKernel = this.addWeight('gate_kernel', [(Fg + d) * G, 2 * d * G], 'float32', fanInUniform(Fg + d));
    this.gateBias = this.addWeight('gate_bias', [2 * d * G], 'float32', fanInUniform(Fg + d));
    if (G > 1) {
      this.hieMask = tf.keep(blockMask(G, Fg, d, this.w));
      // Gate input is [x (G groups of Fg) ; H (G groups of d)], output [G-gate (G groups of d) ; Ĥ (G groups of d)].
      this.gateMask = tf.keep(
        tf.tidy(() => {
          const fromX = tf.concat([blockMask(G, Fg, d), blockMask(G, Fg, d)], 1);
          const fromH = tf.concat([blockMask(G, d, d), blockMask(G, d, d)], 1);
          return tf.concat([fromX, fromH], 0);
        }),
      );
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape(inputShape, 'PGN');
    return [shape[0], shape[1], this.units * this.groups];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, 'PGN') as tf.Tensor3D;
      if (x.rank !== 3) {
        throw new GatewaveError('BAD_INPUT', `PGN input: expects rank 3 [batch, time, features], got rank ${x.rank}.`);
      }
      const [batch, time, features] = x.shape;
      if (!this.shareGroups || this.groups === 1) return this.apply3d(x);
      // Shared weights: fold the groups into the batch, run one group's weights, unfold.
      const Fg = this.featuresPerGroup;
      const folded = x
        .reshape([batch, time, this.groups, Fg])
        .transpose([0, 2, 1, 3])
        .reshape([batch * this.groups, time, Fg]) as tf.Tensor3D;
      const out = this.apply3d(folded); // [batch·groups, time, d]
      return out
        .reshape([batch, this.groups, time, this.units])
        .transpose([0, 2, 1, 3])
        .reshape([batch, time, (features / Fg) * this.units]);
    });
  }

  /** x: [batch, time, F] with F = Fg·Gw; returns [batch, time, d·Gw]. */
  private apply3d(x: tf.Tensor3D): tf.Tensor3D {
    const w = this.w;
    const time = x.shape[1];
    let hk = this.hieKernel.read();
    let gk = this.gateKernel.read();
    if (this.hieMask) hk = hk.mul(this.hieMask);
    if (this.gateMask) gk = gk.mul(this.gateMask);
    const [batch, , F] = x.shape;
    // Causal unfold: zeros in front; slice j holds x_{t−w+j} for every t (the current step is excluded), so the
    // whole HIE is one matrix product [b·t, w·F] × [w·F, d·Gw]. (Plain matMul/slice/concat train on every
    // backend; tfjs wasm has no conv filter gradient.)
    const padded = tf.pad(x, [
      [0, 0],
      [w, 0],
      [0, 0],
    ]);
    const taps = Array.from({ length: w }, (_, j) => padded.slice([0, j, 0], [-1, time, -1]));
    const unfolded = (w === 1 ? taps[0] : tf.concat(taps, 2)).reshape([batch * time, w * F]); // [b·t, w·F]
    const H = tf
      .matMul(unfolded, hk.reshape([w * F, -1]) as tf.Tensor2D)
      .add(this.hieBias.read())
      .reshape([batch, time, -1]) as tf.Tensor3D; // [b, t, d·Gw]
    const gateIn = tf.concat([x, H], 2); // [b, t, (Fg + d)·Gw]
    const inDim = gateIn.shape[2];
    const z = tf
      .matMul(gateIn.reshape([batch * time, inDim]), gk as tf.Tensor2D)
      .add(this.gateBias.read())
      .reshape([batch, time, -1]);
    const dG = this.units * this.weightGroups;
    const [g, hHat] = tf.split(z, [dG, dG], 2);
    const sg = tf.sigmoid(g);
    return sg.mul(H).add(tf.scalar(1).sub(sg).mul(tf.tanh(hHat))) as tf.Tensor3D;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      window: this.window ?? null,
      groups: this.groups,
      shareGroups: this.shareGroups,
    };
  }

  override dispose(): ReturnType<tf.layers.Layer['dispose']> {
    this.hieMask?.dispose();
    this.gateMask?.dispose();
    this.hieMask = null;
    this.gateMask = null;
    return super.dispose();
  }
}
tf.serialization.registerClass(PGN);

/**
 * A block-diagonal 0/1 mask: `groups` blocks of `rows × cols`, optionally tiled `taps` times along a leading axis.
 * Shape `[rows·groups, cols·groups]`, or `[taps, rows·groups, cols·groups]` when `taps` is given.
 */
function blockMask(groups: number, rows: number, cols: number, taps?: number): tf.Tensor {
  return tf.tidy(() => {
    const m = new Float32Array(rows * groups * cols * groups);
    const width = cols * groups;
    for (let g = 0; g < groups; g++) {
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) m[(g * rows + r) * width + g * cols + c] = 1;
      }
    }
    const mask = tf.tensor2d(m, [rows * groups, width]);
    return taps === undefined ? mask : tf.tile(mask.expandDims(0), [taps, 1, 1]);
  });
}
