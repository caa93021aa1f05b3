import { tf } from '@gatewave/core';
import { forecastOutputShape, torchUniform } from './layers-util';
import { NetworkBuilder, buildNetwork } from './covariates';

export interface DLinearConfig {
  lookback: number;
  horizon: number;
  /** Moving-average kernel of the trend (DLinear: 25), odd. */
  kernelSize: number;
  /** Quantile levels of quantile heads (Q maps instead of one); absent: a point forecast. */
  quantiles?: number[];
}

/**
 * The moving-average matrix A `[L, L]` with `trend = x·A` for a row vector x of L steps: a centred mean over
 * `kernelSize` steps with the first and last values repeated (k − 1)/2 times at the ends, as DLinear pads.
 */
export function movingAverageMatrix(L: number, kernelSize: number): Float32Array {
  const half = Math.floor((kernelSize - 1) / 2);
  const A = new Float32Array(L * L);
  for (let t = 0; t < L; t++) {
    for (let j = -half; j <= half; j++) {
      const s = Math.min(L - 1, Math.max(0, t + j));
      A[s * L + t] += 1 / (2 * half + 1);
    }
  }
  return A;
}

/**
 * DLinear ("Are Transformers Effective for Time Series Forecasting?"): the window is split into a moving-average
 * trend and the remainder; one linear map L → H for each, shared by all variables, summed. Inputs `[x, marks]`
 * (marks unused), output `[batch, H, V]`.
 */
export class DLinear extends tf.layers.Layer {
  static className = 'GatewaveDLinear';

  readonly lookback: number;
  readonly horizon: number;
  readonly kernelSize: number;
  readonly quantiles: number[] | undefined;
  private readonly outputs: number; // Q
  private avg: tf.Tensor2D | null = null;
  private seasonalW!: tf.LayerVariable; // [L, H]
  private seasonalB!: tf.LayerVariable; // [H]
  private trendW!: tf.LayerVariable; // [L, H]
  private trendB!: tf.LayerVariable; // [H]

  constructor(config: DLinearConfig & { name?: string; trainable?: boolean }) {
    super({ name: config.name, trainable: config.trainable });
    this.lookback = config.lookback;
    this.horizon = config.horizon;
    this.kernelSize = config.kernelSize;
    this.quantiles = config.quantiles?.length ? [...config.quantiles] : undefined;
    this.outputs = this.quantiles?.length ?? 1;
  }

  override build(): void {
    const { lookback: L } = this;
    const H = this.horizon * this.outputs; // row-major [H, Q] outputs per variable
    this.avg = tf.keep(tf.tensor2d(movingAverageMatrix(L, this.kernelSize), [L, L]));
    this.seasonalW = this.addWeight('seasonal_kernel', [L, H], 'float32', torchUniform(L));
    this.seasonalB = this.addWeight('seasonal_bias', [H], 'float32', torchUniform(L));
    this.trendW = this.addWeight('trend_kernel', [L, H], 'float32', torchUniform(L));
    this.trendB = this.addWeight('trend_bias', [H], 'float32', torchUniform(L));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return forecastOutputShape(inputShape, this.horizon, this.outputs);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D; // [B, L, V]
      const [B, L, V] = x.shape;
      const rowsX = x.transpose([0, 2, 1]).reshape([B * V, L]); // [B·V, L]
      const trend = tf.matMul(rowsX, this.avg as tf.Tensor2D); // [B·V, L]
      const seasonal = rowsX.sub(trend);
      const y = tf
        .matMul(seasonal, this.seasonalW.read() as tf.Tensor2D)
        .add(this.seasonalB.read())
        .add(tf.matMul(trend, this.trendW.read() as tf.Tensor2D).add(this.trendB.read())); // [B·V, H]
      const Q = this.outputs;
      if (Q === 1) return y.reshape([B, V, this.horizon]).transpose([0, 2, 1]); // [B, H, V]
      return y
        .reshape([B, V, this.horizon, Q])
        .transpose([0, 2, 1, 3])
        .reshape([B, this.horizon, V * Q]); // [B, H, V·Q]
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      ...super.getConfig(),
      lookback: this.lookback,
      horizon: this.horizon,
      kernelSize: this.kernelSize,
    };
    if (this.quantiles) config.quantiles = this.quantiles;
    return config;
  }

  override dispose(): ReturnType<tf.layers.Layer['dispose']> {
    this.avg?.dispose();
    this.avg = null;
    return super.dispose();
  }
}
tf.serialization.registerClass(DLinear);

/** A layers model `[x, marks(, future)] → DLinear (+ covariate head) → [batch, H, V·Q]`. */
export const buildDLinear: NetworkBuilder<DLinearConfig> = (config, variables, timeFeatures, covariates) =>
  buildNetwork('dlinear', config, variables, timeFeatures, covariates, (x, marks) => {
    return new DLinear(config).apply([x, marks]) as tf.SymbolicTensor;
  });
