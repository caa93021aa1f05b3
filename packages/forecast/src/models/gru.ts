import { GRU, tf } from '@gatewave/core';
import { NetworkBuilder, buildNetwork } from './covariates';

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
export const buildGRU: NetworkBuilder<GRUConfig> = (config, variables, timeFeatures, covariates) => {
  return buildNetwork('gru', config, variables, timeFeatures, covariates, (x, _marks, outputs) => {
    const state = new GRU({ units: config.hidden, name: 'gru' }).apply(x) as tf.SymbolicTensor; // [B, hidden]
    const flat = tf.layers.dense({ units: config.horizon * outputs, name: 'head' }).apply(state) as tf.SymbolicTensor;
    return tf.layers.reshape({ targetShape: [config.horizon, outputs] }).apply(flat) as tf.SymbolicTensor; // [B, H, V·Q]
  });
};
