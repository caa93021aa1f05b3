import { PGN, tf } from '@gatewave/core';
import { ForecastError } from '../errors';
import { shapeOf, torchUniform, windowNorm } from './layers-util';

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
    throw new ForecastError('BAD_ARGUMENT', `--lookback ${lookback}: TPGN needs at least two periods (rows) of history, i.e. --lookback >= ${2 * period}.`);
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
 * Every map has its own weights per variable (computed together as batched matmuls / block-diagonal PGN groups).
 */
export class TPGN extends tf.layers.Layer {
  static className = 'GatewaveTPGN';

  readonly lookback: number;
  readonly horizon: number;
  readonly period: number;
  readonly dModel: number;
  readonly norm: boolean;
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
    this.rows = this.lookback / this.period;
    this.predRows = this.horizon / this.period;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const xShape = shapeOf(inputShape, 0);
    const mShape = shapeOf(inputShape, 1);
    const V = xShape[2] as number;
    const T = mShape[2] as number;
    const { rows: R, period: P, dModel: d, predRows } = this;
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
    const xShape = shapeOf(inputShape, 0);
    return [xShape[0], this.horizon, xShape[2]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [xIn, marks] = inputs as tf.Tensor[];
      const B = xIn.shape[0];
      const { rows: R, period: P, dModel: d, predRows, vars: V, features: F } = this;
      const T = F - 1;
      let x = xIn; // [B, L, V]
      let stats: { mean: tf.Tensor; std: tf.Tensor } | null = null;
      if (this.norm) {
        const n = windowNorm(x);
        x = n.normed;
        stats = n;
      }
      const grid = x.reshape([B, R, P, V]); // [B, R, P, V]
      const markGrid = marks.reshape([B, R, P, T]); // [B, R, P, T]

      // Long-term: cells down each column c, rows as time; per variable [value, marks].
      const colX = grid.transpose([0, 2, 1, 3]).reshape([B * P, R, V, 1]);
      let colM = markGrid.transpose([0, 2, 1, 3]).reshape([B * P, R, 1, T]);
      if (V > 1) colM = colM.tile([1, 1, V, 1]);
      const pgnIn = tf.concat([colX, colM], 3).reshape([B * P, R, V * F]); // [B·P, R, V·F]
      const h = this.pgn.apply(pgnIn) as tf.Tensor; // [B·P, R, V·d], group-major
      const hByVar = h.reshape([B * P, R, V, d]).transpose([2, 0, 1, 3]).reshape([V, B * P, R * d]);
      const long = tf.matMul(hByVar, this.longW.read()).add(this.longB.read()); // [V, B·P, d]

      // Short-term: each row (P cells × F) → d, then the R rows → d, repeated for every column.
      const rowX = grid.transpose([3, 0, 1, 2]).reshape([V, B * R, P, 1]);
      let rowM = markGrid.reshape([1, B * R, P, T]);
      if (V > 1) rowM = rowM.tile([V, 1, 1, 1]);
      const rowIn = tf.concat([rowX, rowM], 3).reshape([V, B * R, P * F]); // [V, B·R, P·F]
      const rowOut = tf.matMul(rowIn, this.rowW.read()).add(this.rowB.read()); // [V, B·R, d]
      const colOut = tf.matMul(rowOut.reshape([V, B, R * d]), this.colW.read()).add(this.colB.read()); // [V, B, d]
      const short = colOut.reshape([V, B, 1, d]).tile([1, 1, P, 1]).reshape([V, B * P, d]); // [V, B·P, d]

      // Head: [short; long] → pred_R per column; output step r·P + c ← column c, row r.
      const both = tf.concat([short, long], 2); // [V, B·P, 2d]
      const out = tf.matMul(both, this.headW.read()).add(this.headB.read()); // [V, B·P, pred_R]
      let y = out.reshape([V, B, P, predRows]).transpose([1, 3, 2, 0]).reshape([B, predRows * P, V]); // [B, H, V]
      if (stats) y = y.mul(stats.std).add(stats.mean);
      return y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      lookback: this.lookback,
      horizon: this.horizon,
      period: this.period,
      dModel: this.dModel,
      norm: this.norm,
    };
  }
}
tf.serialization.registerClass(TPGN);

/** A layers model `[x, marks] → TPGN → [batch, H, V]`. */
export function buildTPGN(config: TPGNConfig, variables: number, timeFeatures: number): tf.LayersModel {
  const x = tf.input({ shape: [config.lookback, variables], name: 'x' });
  const marks = tf.input({ shape: [config.lookback, timeFeatures], name: 'marks' });
  const y = new TPGN(config).apply([x, marks]) as tf.SymbolicTensor;
  return tf.model({ inputs: [x, marks], outputs: y, name: 'tpgn' });
}
