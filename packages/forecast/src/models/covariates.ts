import { tf } from '@gatewave/core';
import { ForecastError } from '../errors';
import { TimeSeries } from '../data/series';
import { formatTimestamp } from '../data/time';
import { torchUniform } from './layers-util';
import { Pipeline } from './types';

/**
 * Covariates: columns that help forecast the targets but are not forecast themselves.
 * - past covariates are observed only up to the forecast origin: the model sees them over the lookback;
 * - future covariates are known ahead (calendar, planned values): the model sees them over the lookback and over the
 *   forecast horizon, so `predict` needs their values for the next `horizon` steps.
 *
 * TPGN and DLinear forecast every variable from its own history only (per-variable weights), and GRU reads all
 * variables but not the future; so each of the three gets the same covariate head: a linear map of the covariates
 * (past and future ones over the lookback, future ones over the horizon) to every forecast value, added to the
 * model's own forecast. GRU also reads the covariates through its recurrence.
 */
export interface CovariateSpec {
  /** Positions of the covariate columns (past, then future) among the model's input columns. */
  indices: number[];
  /** How many of them (the last ones) are future covariates. */
  future: number;
}

interface CovariateHeadConfig extends CovariateSpec {
  horizon: number;
  /** Values per forecast step (variables × quantiles). */
  outputs: number;
  name?: string;
}

/**
 * The covariate head. Inputs `[x, future?]`: x `[batch, L, V]`, future `[batch, H, Fc]` (the future covariates over
 * the horizon, when there are any); output `[batch, H, outputs]` = W · [x_cov (L·C values); future (H·Fc values)] + b.
 */
export class CovariateHead extends tf.layers.Layer {
  static className = 'GatewaveCovariateHead';

  readonly indices: number[];
  readonly future: number;
  readonly horizon: number;
  readonly outputs: number;
  private kernel!: tf.LayerVariable; // [L·C + H·Fc, H·outputs]
  private bias!: tf.LayerVariable; // [H·outputs]

  constructor(config: CovariateHeadConfig) {
    super({ name: config.name });
    this.indices = [...config.indices];
    this.future = config.future;
    this.horizon = config.horizon;
    this.outputs = config.outputs;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const x = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inputs = (x[1] as number) * this.indices.length + this.horizon * this.future;
    this.kernel = this.addWeight('kernel', [inputs, this.horizon * this.outputs], 'float32', torchUniform(inputs));
    this.bias = this.addWeight('bias', [this.horizon * this.outputs], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const x = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [x[0], this.horizon, this.outputs];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, future] = (Array.isArray(inputs) ? inputs : [inputs]) as tf.Tensor[];
      const B = x.shape[0];
      const parts = [tf.gather(x, tf.tensor1d(this.indices, 'int32'), 2).reshape([B, -1])]; // [B, L·C]
      if (this.future) parts.push(future.reshape([B, this.horizon * this.future])); // [B, H·Fc]
      const all = parts.length > 1 ? tf.concat(parts, 1) : parts[0];
      return tf
        .matMul(all, this.kernel.read() as tf.Tensor2D)
        .add(this.bias.read())
        .reshape([B, this.horizon, this.outputs]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      indices: this.indices,
      future: this.future,
      horizon: this.horizon,
      outputs: this.outputs,
    };
  }
}
tf.serialization.registerClass(CovariateHead);

/** Builds a model's network from its settings, the number of variables and time features, and the covariates. */
export type NetworkBuilder<C> = (
  config: C,
  variables: number,
  timeFeatures: number,
  covariates?: CovariateSpec,
) => tf.LayersModel;

/** Window and output settings that every network builder reads. */
export interface NetworkShape {
  lookback: number;
  horizon: number;
  /** Quantile levels of quantile heads (Q outputs per step and variable); absent: a point forecast. */
  quantiles?: number[];
}

/**
 * Builds a forecasting network `[x, marks(, future)] → [batch, H, V·Q]`: the inputs `x` `[batch, L, V]` and `marks`
 * `[batch, L, T]`, the model's own `forecast(x, marks, outputs)` `[batch, H, outputs]` with outputs = V·Q, and with
 * covariates the covariate head added to it.
 */
export function buildNetwork(
  name: string,
  shape: NetworkShape,
  variables: number,
  timeFeatures: number,
  covariates: CovariateSpec | undefined,
  forecast: (x: tf.SymbolicTensor, marks: tf.SymbolicTensor, outputs: number) => tf.SymbolicTensor,
): tf.LayersModel {
  const x = tf.input({ shape: [shape.lookback, variables], name: 'x' });
  const marks = tf.input({ shape: [shape.lookback, timeFeatures], name: 'marks' });
  const outputs = variables * (shape.quantiles?.length || 1);
  return modelWithCovariates(x, marks, forecast(x, marks, outputs), covariates, shape.horizon, outputs, name);
}

/**
 * Builds the model `[x, marks(, future)] → forecast (+ covariate head)`: `forecast` is the model's own output
 * `[batch, H, outputs]` computed from `x` and `marks`. Without covariates this is just `[x, marks] → forecast`.
 */
function modelWithCovariates(
  x: tf.SymbolicTensor,
  marks: tf.SymbolicTensor,
  forecast: tf.SymbolicTensor,
  spec: CovariateSpec | undefined,
  horizon: number,
  outputs: number,
  name: string,
): tf.LayersModel {
  if (!spec || spec.indices.length === 0) return tf.model({ inputs: [x, marks], outputs: forecast, name });
  const future = spec.future ? tf.input({ shape: [horizon, spec.future], name: 'future' }) : null;
  const head = new CovariateHead({ ...spec, horizon, outputs, name: 'covariate_head' }).apply(
    future ? [x, future] : [x],
  ) as tf.SymbolicTensor;
  const y = tf.layers.add({ name: 'with_covariates' }).apply([forecast, head]) as tf.SymbolicTensor;
  return tf.model({ inputs: future ? [x, marks, future] : [x, marks], outputs: y, name });
}

/** Parses `a,b` into column names (empty: none). */
export function parseColumns(text: string | string[] | undefined): string[] {
  if (text === undefined) return [];
  const list = Array.isArray(text) ? text : text.split(',');
  return list.map((c) => c.trim()).filter(Boolean);
}

/**
 * Checks covariate columns against the series' columns and the targets: each must exist, be numeric (every column of
 * a series is), not be a target, and not be both past and future.
 */
export function checkCovariates(
  columns: string[],
  targets: string[],
  past: string[],
  future: string[],
  where: string,
): void {
  for (const [flag, list] of [
    ['--past-cols', past],
    ['--future-cols', future],
  ] as const) {
    for (const c of list) {
      if (!columns.includes(c)) {
        throw new ForecastError(
          'UNKNOWN_COLUMN',
          `${where}: ${flag}: column '${c}' is not among the data's columns (${columns.join(', ')}); check the name.`,
        );
      }
      if (targets.includes(c)) {
        throw new ForecastError(
          'BAD_ARGUMENT',
          `${flag}: '${c}' is a target; a covariate helps forecast the targets and is not forecast itself. Pick another --target or drop it from ${flag}.`,
        );
      }
    }
  }
  const both = past.filter((c) => future.includes(c));
  if (both.length)
    throw new ForecastError(
      'BAD_ARGUMENT',
      `--past-cols and --future-cols both name ${both.join(', ')}; a column is either known ahead (future) or not (past).`,
    );
}

/**
 * Future covariates over the forecast steps of each origin: `[origins, H, Fc]`, row-major, from the scaled data
 * `[rows, V]`; steps past the last row come from `ahead` `[*, Fc]` (the rows given to `predict`).
 */
export function futureBlock(
  data: Float32Array,
  V: number,
  futureIdx: number[],
  origins: number[],
  H: number,
  ahead?: Float32Array,
): Float32Array {
  const rows = data.length / V;
  const Fc = futureIdx.length;
  const out = new Float32Array(origins.length * H * Fc);
  origins.forEach((o, b) => {
    for (let h = 0; h < H; h++) {
      const r = o + h;
      for (let j = 0; j < Fc; j++) {
        out[(b * H + h) * Fc + j] =
          r < rows ? data[r * V + futureIdx[j]] : (ahead as Float32Array)[(r - rows) * Fc + j];
      }
    }
  });
  return out;
}

/**
 * The future covariates' values over the `horizon` steps after the last row of `series`, scaled as the model's
 * inputs: `[horizon, Fc]`. Checks that `future` is given, holds the columns and starts one step after `series`.
 */
export function futureRows(
  series: TimeSeries,
  future: TimeSeries | undefined,
  p: Pipeline,
  horizon: number,
): Float32Array {
  const cols = p.futureColumns ?? [];
  const step = series.frequency.stepMs;
  const next = series.times[series.length - 1] + step;
  const dateOnly = step % 86400000 === 0 && next % 86400000 === 0;
  const need = `the values of ${cols.join(', ')} for the ${horizon} step(s) from ${formatTimestamp(next, dateOnly)} on`;
  if (!future) {
    throw new ForecastError(
      'MISSING_FUTURE_COVARIATES',
      `predict: the model uses future covariates (${cols.join(', ')}) and needs ${need}; pass them (CLI: --future-csv FILE with columns ${p.timeColumn}, ${cols.join(', ')}).`,
    );
  }
  const missing = cols.filter((c) => !future.columns.includes(c));
  if (missing.length) {
    throw new ForecastError(
      'MISSING_FUTURE_COVARIATES',
      `${future.source}: lacks the future covariate column(s) ${missing.join(', ')}; it must hold ${need}.`,
    );
  }
  const start = future.times.indexOf(next);
  if (start < 0 || future.length - start < horizon || (future.length > 1 && future.frequency.stepMs !== step)) {
    throw new ForecastError(
      'MISSING_FUTURE_COVARIATES',
      `${future.source}: does not hold ${need} at the data's step (${series.frequency.label}); it has ${future.length} row(s) from ${formatTimestamp(future.times[0], dateOnly)}.`,
    );
  }
  const C = future.columns.length;
  const out = new Float32Array(horizon * cols.length);
  cols.forEach((c, j) => {
    const src = future.columns.indexOf(c);
    const v = p.inputColumns.indexOf(c);
    for (let h = 0; h < horizon; h++)
      out[h * cols.length + j] = (future.values[(start + h) * C + src] - p.scaler.mean[v]) / p.scaler.std[v];
  });
  return out;
}

/** Positions of a model's covariates among its input columns, for its network; undefined without covariates. */
export function covariateSpec(
  p: Pick<Pipeline, 'inputColumns' | 'pastColumns' | 'futureColumns'>,
): CovariateSpec | undefined {
  const cov = [...(p.pastColumns ?? []), ...(p.futureColumns ?? [])];
  return cov.length
    ? { indices: cov.map((c) => p.inputColumns.indexOf(c)), future: p.futureColumns?.length ?? 0 }
    : undefined;
}

/** Positions of a model's future covariates among its input columns. */
export function futureIndices(p: Pick<Pipeline, 'inputColumns' | 'futureColumns'>): number[] {
  return (p.futureColumns ?? []).map((c) => p.inputColumns.indexOf(c));
}
