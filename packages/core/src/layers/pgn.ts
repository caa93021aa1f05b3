import * as tf from '@tensorflow/tfjs';
import { GatewaveError, check, checkPositiveInt } from '../errors';
import { causalUnfold, pgnGate } from './pgn-gate';
import { fanInUniform, singleInput, singleShape } from './util';

export interface PGNConfig {
  /** d: output units (per group when `groups` > 1). */
  units: number;
  /** w: how many earlier steps the HIE layer sees. Default: the full history (time − 1; needs a known time length). */
  window?: number;
  /**
   * Split the features into this many equal groups (e.g. one per variable), each with its own weights, computed
   * together as batched (per-group) matrix products. Output has `groups · units` features, group-major. Default 1.
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
  // Stored block-diagonally (the saved format): with Gw > 1 groups, only each group's diagonal block is used.
  private hieKernel!: tf.LayerVariable; // [w, Fg·Gw, units·Gw] where Gw = 1 if shared else groups
  private hieBias!: tf.LayerVariable; // [units·Gw]
  private gateKernel!: tf.LayerVariable; // [(Fg + units)·Gw, 2·units·Gw]
  private gateBias!: tf.LayerVariable; // [2·units·Gw]
  private groupDiagonal: tf.Tensor | null = null; // [Gw, Gw] identity: picks the diagonal blocks

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
    if (G > 1) this.groupDiagonal = tf.keep(tf.eye(G));
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
      const G = this.groups;
      const Fg = this.featuresPerGroup;
      // [batch, time, G·Fg] → [G, batch, time, Fg]: shared weights fold the groups into the batch (one group of G=1).
      const byGroup = x.reshape([batch, time, G, Fg]).transpose([2, 0, 1, 3]) as tf.Tensor4D;
      const grouped = this.shareGroups ? (byGroup.reshape([1, G * batch, time, Fg]) as tf.Tensor4D) : byGroup;
      const out = this.applyGrouped(grouped); // [Gw, ·, time, d]
      return out
        .reshape([G, batch, time, this.units])
        .transpose([1, 2, 0, 3])
        .reshape([batch, time, (features / Fg) * this.units]);
    });
  }

  /**
   * The layer on group-major input, without the transposes of `call`: x `[Gw, batch, time, Fg]` (Gw = groups, or 1
   * with shared weights) → `[Gw, batch, time, units]`. Each group's maps are batched matrix products with that
   * group's diagonal blocks of the stored weights (the same values as the dense block-masked maps, at 1/Gw of the
   * multiply-adds). Call it inside a tidy scope, on a built layer.
   */
  applyGrouped(x: tf.Tensor4D): tf.Tensor4D {
    const [G, batch, time, Fg] = x.shape;
    check(
      G === this.weightGroups && Fg === this.featuresPerGroup,
      'PGN applyGrouped input',
      `expects [${this.weightGroups}, batch, time, ${this.featuresPerGroup}], got ${JSON.stringify(x.shape)}`,
    );
    const w = this.w;
    const d = this.units;
    const { hie, gate } = this.groupKernels();
    // Causal unfold along time: tap j holds x_{t−w+j} (the current step excluded), so the HIE is one batched product
    // [G, b·t, w·Fg] × [G, w·Fg, d] (one fused op on the native backend, layers/pgn-gate.ts).
    const unfolded = causalUnfold(x, w).reshape([G, batch * time, w * Fg]);
    const H = tf.matMul(unfolded, hie).add(this.hieBias.read().reshape([G, 1, d])) as tf.Tensor3D; // [G, b·t, d]
    const gateIn = tf.concat([x.reshape([G, batch * time, Fg]), H], 2); // [G, b·t, Fg + d]
    const stored = this.gateBias.read(); // [gate; Ĥ] groups: [2, G, d]
    const gateBias =
      G === 1
        ? stored.reshape([1, 1, 2 * d])
        : stored
            .reshape([2, G, d])
            .transpose([1, 0, 2])
            .reshape([G, 1, 2 * d]);
    const z = tf.matMul(gateIn, gate).add(gateBias); // [G, b·t, 2d]: gate, then Ĥ
    // σ(g)·H + (1 − σ(g))·tanh(Ĥ): one fused op on the native backend (layers/pgn-gate.ts).
    return pgnGate(z, H).reshape([G, batch, time, d]) as tf.Tensor4D;
  }

  /**
   * The stored weights as tensors, in the saved layout: hie kernel `[w, Fg·Gw, d·Gw]`, hie bias `[d·Gw]`, gate kernel
   * `[(Fg + d)·Gw, 2·d·Gw]`, gate bias `[2·d·Gw]` (for ops that fuse the layer with others, e.g. forecast's TPGN).
   */
  storedWeights(): [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor] {
    return [this.hieKernel.read(), this.hieBias.read(), this.gateKernel.read(), this.gateBias.read()];
  }

  /** Per-group kernels: HIE `[Gw, w·Fg, d]` and gate `[Gw, Fg + d, 2d]` (columns: gate, then Ĥ). */
  private groupKernels(): { hie: tf.Tensor3D; gate: tf.Tensor3D } {
    const G = this.weightGroups;
    const Fg = this.featuresPerGroup;
    const d = this.units;
    const w = this.w;
    const hk = this.hieKernel.read(); // [w, G·Fg, G·d]
    const gk = this.gateKernel.read(); // [(Fg + d)·G, 2·G·d]: rows [x groups; H groups], columns [gate; Ĥ] groups
    if (G === 1) {
      return { hie: hk.reshape([1, w * Fg, d]) as tf.Tensor3D, gate: gk.reshape([1, Fg + d, 2 * d]) as tf.Tensor3D };
    }
    // Row group g, column group g' of a block matrix → keep g = g' (multiply by the identity, sum over g').
    const eye = this.groupDiagonal as tf.Tensor;
    const hie = hk
      .reshape([w, G, Fg, G, d])
      .mul(eye.reshape([1, G, 1, G, 1]))
      .sum(3) // [w, G, Fg, d]
      .transpose([1, 0, 2, 3])
      .reshape([G, w * Fg, d]) as tf.Tensor3D;
    const diagonal = (rows: tf.Tensor, perGroup: number) =>
      rows
        .reshape([G, perGroup, 2, G, d])
        .mul(eye.reshape([G, 1, 1, G, 1]))
        .sum(3) // [G, perGroup, 2, d]
        .reshape([G, perGroup, 2 * d]);
    const [fromX, fromH] = tf.split(gk, [G * Fg, G * d], 0);
    const gate = tf.concat([diagonal(fromX, Fg), diagonal(fromH, d)], 1) as tf.Tensor3D;
    return { hie, gate };
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
    this.groupDiagonal?.dispose();
    this.groupDiagonal = null;
    return super.dispose();
  }
}
tf.serialization.registerClass(PGN);
