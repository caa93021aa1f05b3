import { PGN, nativeKernels, tf, type NativeKernels } from '@gatewave/core';
import { ForecastError } from '../errors';
import { forecastOutputShape, shapeOf, torchUniform, windowNorm } from './layers-util';
import { NetworkBuilder, buildNetwork } from './covariates';
import { fusedTPGN } from './tpgn-fused';

let fusion = true;

/**
 * Whether TPGN runs as one fused op on the native backend (the default; tpgn-fused.ts) or as tfjs ops there too
 * (for comparisons). Other backends always run the tfjs ops.
 */
export function setTPGNFusion(on: boolean): void {
  fusion = on;
}

/** Hyper-parameters of TPGN; the defaults reproduce the paper's ETTh1 univariate setting. */
export interface TPGNConfig {
  /** L: input steps; a multiple of `period`. */
  lookback: number;
  /** H: forecast steps; a multiple of `period`. */
  horizon: number;
  /** P: the period that folds a window into R = L/P rows of P columns (24 for hourly data). */
  period: number;
  /** d: hidden size of each branch (paper: 2 for most ETTh1 horizons, 8 for ETTh2). */
  dModel: number;
  /** Per-window normalisation (subtract the window mean, divide by √(var + 1e−5), undo on the output). */
  norm: boolean;
  /** Quantile levels of quantile heads (the head gives Q values per step and variable); absent: a point forecast. */
  quantiles?: number[];
}

export const TPGN_DEFAULTS: Omit<TPGNConfig, 'lookback' | 'horizon'> = { period: 24, dModel: 2, norm: true };

/** Checks that L and H fold into whole rows of P and that there are at least two rows to look back over. */
export function checkTPGNShape(lookback: number, horizon: number, period: number): void {
  if (lookback % period !== 0) {
    throw new ForecastError(
      'NOT_A_MULTIPLE',
      `--lookback ${lookback} is not a multiple of --period ${period}: TPGN folds the window into rows of one period; use e.g. --lookback ${Math.max(2, Math.round(lookback / period)) * period}.`,
    );
  }
  if (horizon % period !== 0) {
    throw new ForecastError(
      'NOT_A_MULTIPLE',
      `--horizon ${horizon} is not a multiple of --period ${period}: TPGN forecasts whole rows of one period; use e.g. --horizon ${Math.max(1, Math.round(horizon / period)) * period}.`,
    );
  }
  if (lookback / period < 2) {
    throw new ForecastError(
      'BAD_ARGUMENT',
      `--lookback ${lookback}: TPGN needs at least two periods (rows) of history, i.e. --lookback >= ${2 * period}.`,
    );
  }
}

/**
 * TPGN (Temporal Parallel Gated Network), as in the paper's `models/TPGN.py`. Inputs `[x, marks]`:
 * x `[batch, L, V]` (V variables, scaled), marks `[batch, L, T]` (time features); output `[batch, H, V]`.
 *
 * The window is folded into R = L/P rows × P columns; every cell holds its value and its T time features (F = 1 + T).
 * - Long-term branch: down each column, the core PGN layer over the R rows (history window w = R − 1, zeros in front,
 *   the current row excluded), then one linear map of the R·d outputs to a d-vector per column.
 * - Short-term branch: a linear map of each row (P cells × F) to d, then of the R·d row vectors to one d-vector,
 *   repeated for every column.
 * - Head: [short; long] (2d) → pred_R = H/P values per column; step r·P + c comes from column c, row r.
 * Every map has its own weights per variable (computed together as batched matmuls; the PGN in its grouped form).
 */
export class TPGN extends tf.layers.Layer {
  static className = 'GatewaveTPGN';

  readonly lookback: number;
  readonly horizon: number;
  readonly period: number;
  readonly dModel: number;
  readonly norm: boolean;
  readonly quantiles: number[] | undefined;
  private readonly outputs: number; // Q: values per step and variable (1, or one per quantile)
  private readonly rows: number; // R
  private readonly predRows: number; // pred_R
  private vars = 0; // V
  private features = 0; // F = 1 + T
  private pgn!: PGN;
  private longW!: tf.LayerVariable; // [V, R·d, d]
  private longB!: tf.LayerVariable; // [V, 1, d]
  private rowW!: tf.LayerVariable; // [V, P·F, d]
  private rowB!: tf.LayerVariable; // [V, 1, d]
  private colW!: tf.LayerVariable; // [V, R·d, d]
  private colB!: tf.LayerVariable; // [V, 1, d]
  private headW!: tf.LayerVariable; // [V, 2d, pred_R]
  private headB!: tf.LayerVariable; // [V, 1, pred_R]

  constructor(config: TPGNConfig & { name?: string; trainable?: boolean }) {
    super({ name: config.name, trainable: config.trainable });
    checkTPGNShape(config.lookback, config.horizon, config.period);
    this.lookback = config.lookback;
    this.horizon = config.horizon;
    this.period = config.period;
    this.dModel = config.dModel;
    this.norm = Boolean(config.norm);
    this.quantiles = config.quantiles?.length ? [...config.quantiles] : undefined;
    this.outputs = this.quantiles?.length ?? 1;
    this.rows = this.lookback / this.period;
    this.predRows = this.horizon / this.period;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const xShape = shapeOf(inputShape, 0);
    const mShape = shapeOf(inputShape, 1);
    const V = xShape[2] as number;
    const T = mShape[2] as number;
    const { rows: R, period: P, dModel: d, outputs: Q } = this;
    const predRows = this.predRows * Q; // the head's outputs per column: pred_R rows × Q values
    const F = 1 + T;
    this.vars = V;
    this.features = F;
    // Long-term branch: PGN with one weight group per variable, over R rows of F features each.
    this.pgn = new PGN({ units: d, window: R - 1, groups: V, name: `${this.name}_pgn` });
    this.pgn.build([null, R, V * F]);
    this._trainableWeights.push(...this.pgn.trainableWeights);
    this.longW = this.addWeight('long_kernel', [V, R * d, d], 'float32', torchUniform(R * d));
    this.longB = this.addWeight('long_bias', [V, 1, d], 'float32', torchUniform(R * d));
    // Short-term branch.
    this.rowW = this.addWeight('row_kernel', [V, P * F, d], 'float32', torchUniform(P * F));
    this.rowB = this.addWeight('row_bias', [V, 1, d], 'float32', torchUniform(P * F));
    this.colW = this.addWeight('col_kernel', [V, R * d, d], 'float32', torchUniform(R * d));
    this.colB = this.addWeight('col_bias', [V, 1, d], 'float32', torchUniform(R * d));
    // Head.
    this.headW = this.addWeight('head_kernel', [V, 2 * d, predRows], 'float32', torchUniform(2 * d));
    this.headB = this.addWeight('head_bias', [V, 1, predRows], 'float32', torchUniform(2 * d));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return forecastOutputShape(inputShape, this.horizon, this.outputs);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [xIn, marks] = inputs as tf.Tensor[];
      const kernels = fusion && xIn.dtype === 'float32' && marks.dtype === 'float32' ? nativeKernels() : null;
      if (kernels) return this.fused(kernels, xIn, marks);
      const B = xIn.shape[0];
      const { vars: V, outputs: Q } = this;
      let x = xIn; // [B, L, V]
      let stats: { mean: tf.Tensor; std: tf.Tensor } | null = null;
      if (this.norm) {
        const n = windowNorm(x);
        x = n.normed;
        stats = n;
      }
      const y = this.ops(x, marks); // [B, H, V·Q]
      if (!stats) return y;
      if (Q === 1) return y.mul(stats.std).add(stats.mean);
      const std = stats.std.reshape([B, 1, V, 1]);
      const mean = stats.mean.reshape([B, 1, V, 1]);
      return y
        .reshape([B, this.horizon, V, Q])
        .mul(std)
        .add(mean)
        .reshape([B, this.horizon, V * Q]);
    });
  }

  /** The layer, normalisation included, as one op on the native backend's kernels (tpgn-fused.ts). */
  private fused(kernels: NativeKernels, x: tf.Tensor, marks: tf.Tensor): tf.Tensor {
    const dims = {
      B: x.shape[0],
      R: this.rows,
      P: this.period,
      V: this.vars,
      T: this.features - 1,
      d: this.dModel,
      Q: this.outputs,
      predRows: this.predRows,
      norm: this.norm,
    };
    const own = [this.longW, this.longB, this.rowW, this.rowB, this.colW, this.colB, this.headW, this.headB];
    return fusedTPGN(kernels, dims, marks, [x, ...this.pgn.storedWeights(), ...own.map((w) => w.read())]);
  }

  /** The layer between the normalisation and its inverse as tfjs ops (any backend): x `[B, L, V]` → `[B, H, V·Q]`. */
  private ops(x: tf.Tensor, marks: tf.Tensor): tf.Tensor {
    const B = x.shape[0];
    const { rows: R, period: P, dModel: d, vars: V, features: F, outputs: Q } = this;
    const predRows = this.predRows * Q; // head outputs per column, row-major [pred_R, Q]
    const T = F - 1;
    const grid = x.reshape([B, R, P, V]); // [B, R, P, V]
    const markGrid = marks.reshape([B, R, P, T]); // [B, R, P, T]

    // Long-term: cells down each column c, rows as time; per variable [value, marks] (F features), group-major
    // [V, B·P, R, F] as the PGN's grouped form takes it (one weight group per variable, no dense block maps).
    const colX = grid.transpose([3, 0, 2, 1]).reshape([V, B * P, R, 1]); // [V, B·P, R, 1]
    const colM = markGrid.transpose([0, 2, 1, 3]).reshape([1, B * P, R, T]); // [1, B·P, R, T], every variable's
    const pgnIn = tf.concat([colX, V === 1 ? colM : tf.tile(colM, [V, 1, 1, 1])], 3) as tf.Tensor4D;
    const hByVar = this.pgn.applyGrouped(pgnIn).reshape([V, B * P, R * d]); // [V, B·P, R·d]
    const long = tf.matMul(hByVar, this.longW.read()).add(this.longB.read()); // [V, B·P, d]

    // Short-term: each row (P cells × F) → d, then the R rows → d. The row map's weights split by cell feature:
    // W·[value; marks] = W_value·value + W_marks·marks (the same map, without building the cells).
    const rowW = this.rowW.read().reshape([V, P, F, d]);
    const wValue = rowW.slice([0, 0, 0, 0], [V, P, 1, d]).reshape([V, P, d]);
    const wMarks = rowW
      .slice([0, 0, 1, 0], [V, P, T, d])
      .reshape([V, P * T, d])
      .transpose([1, 0, 2])
      .reshape([P * T, V * d]);
    const rowX = grid.transpose([3, 0, 1, 2]).reshape([V, B * R, P]);
    const fromMarks = tf
      .matMul(markGrid.reshape([B * R, P * T]), wMarks)
      .reshape([B * R, V, d])
      .transpose([1, 0, 2]);
    const rowOut = tf.matMul(rowX, wValue).add(fromMarks).add(this.rowB.read()); // [V, B·R, d]
    const short = tf.matMul(rowOut.reshape([V, B, R * d]), this.colW.read()).add(this.colB.read()); // [V, B, d]

    // Head: [short; long] (2d) → pred_R per column; output step r·P + c ← column c, row r. The short vector is the
    // same for every column, so its share of the head is computed once per window and broadcast over the columns.
    const headW = this.headW.read();
    const headShort = tf.matMul(short, headW.slice([0, 0, 0], [V, d, predRows])); // [V, B, pred_R]
    const headLong = tf.matMul(long, headW.slice([0, d, 0], [V, d, predRows])); // [V, B·P, pred_R]
    const out = headLong
      .reshape([V, B, P, predRows])
      .add(headShort.reshape([V, B, 1, predRows]))
      .add(this.headB.read().reshape([V, 1, 1, predRows])); // [V, B, P, pred_R]
    // [V, B, P, pred_R, Q] → [B, pred_R, P, V, Q] → [B, H, V·Q] (value v·Q + q).
    return out
      .reshape([V, B, P, this.predRows, Q])
      .transpose([1, 3, 2, 0, 4])
      .reshape([B, this.horizon, V * Q]);
  }

  override dispose(): ReturnType<tf.layers.Layer['dispose']> {
    // The PGN's weights are among this layer's and are disposed with them (tfjs refuses to dispose a layer that was
    // only called on tensors, so PGN.dispose is not called; for V > 1 its small [V, V] identity stays).
    return super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      lookback: this.lookback,
      horizon: this.horizon,
      period: this.period,
      dModel: this.dModel,
      norm: this.norm,
      ...(this.quantiles ? { quantiles: this.quantiles } : {}),
    };
  }
}
tf.serialization.registerClass(TPGN);

/** A layers model `[x, marks(, future)] → TPGN (+ covariate head) → [batch, H, V·Q]`. */
export const buildTPGN: NetworkBuilder<TPGNConfig> = (config, variables, timeFeatures, covariates) =>
  buildNetwork('tpgn', config, variables, timeFeatures, covariates, (x, marks) => {
    return new TPGN(config).apply([x, marks]) as tf.SymbolicTensor;
  });
