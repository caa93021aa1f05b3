import { GRU, tf } from '@gatewave/core';
import { CovariateSpec, modelWithCovariates } from './covariates';

export interface GRUConfig {
  lookback: number;
  horizon: number;
  /** Units of the GRU state. */
  hidden: number;
  /** Quantile levels of quantile heads (Q outputs per step and variable); absent: a point forecast. */
  quantiles?: number[];
}

/**
 * The recurrent baseline: core's GRU reads the window's values `[batch, L, V]`, a dense layer maps its last state to
 * all H·V outputs (H·V·Q with Q quantile heads, value v·Q + q). (Time features are not fed: core's GRU runs as one fused op on the native backend only when it
 * reads a model input directly.) Inputs `[x, marks]`, output `[batch, H, V]`.
 */
export function buildGRU(
  config: GRUConfig,
  variables: number,
  timeFeatures: number,
  covariates?: CovariateSpec,
): tf.LayersModel {
  const x = tf.input({ shape: [config.lookback, variables], name: 'x' });
  const marks = tf.input({ shape: [config.lookback, timeFeatures], name: 'marks' });
  const state = new GRU({ units: config.hidden, name: 'gru' }).apply(x) as tf.SymbolicTensor; // [B, hidden]
  const outputs = variables * (config.quantiles?.length || 1);
  const flat = tf.layers.dense({ units: config.horizon * outputs, name: 'head' }).apply(state) as tf.SymbolicTensor;
  const y = tf.layers.reshape({ targetShape: [config.horizon, outputs] }).apply(flat) as tf.SymbolicTensor; // [B, H, V·Q]
  return modelWithCovariates(x, marks, y, covariates, config.horizon, outputs, 'gru');
}
