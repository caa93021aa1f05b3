/**
 * The model kinds: one `Forecaster` class per kind (networks: TPGN, DLinear, GRU; rules: naive, seasonal-naive),
 * and `createForecaster` (`loadForecaster` in model-file.ts reads a saved one).
 */
import { tf } from '@gatewave/core';
import { ForecastError } from '../errors';
import { TimeSeries } from '../data/series';
import { Forecaster } from './forecaster';
import { ModelKind, WindowConfig } from './types';
import { TPGNConfig, TPGN_DEFAULTS, buildTPGN, checkTPGNShape } from './tpgn';
import { DLinearConfig, buildDLinear } from './dlinear';
import { GRUConfig, buildGRU } from './gru';
import { headQuantiles } from '../intervals';
import { CovariateSpec, NetworkBuilder } from './covariates';

/**
 * A model with a trained network: its own settings (`ownConfig`, saved with the model beside lookback, horizon,
 * period and any quantile levels) and the function that builds its network from them.
 */
abstract class NetworkForecaster<C> extends Forecaster {
  readonly hasNetwork = true;
  protected abstract readonly build: NetworkBuilder<C>;

  constructor(config: WindowConfig & { quantiles?: number[] }) {
    super(config);
    this.quantiles = config.quantiles?.length ? headQuantiles(config.quantiles) : [];
  }

  protected abstract ownConfig(): Record<string, unknown>;

  config(): Record<string, unknown> {
    return {
      lookback: this.lookback,
      horizon: this.horizon,
      period: this.period,
      ...this.ownConfig(),
      ...this.quantileConfig(),
    };
  }

  protected createNetwork(variables: number, timeFeatures: number, covariates?: CovariateSpec): tf.LayersModel {
    return this.build(this.config() as unknown as C, variables, timeFeatures, covariates);
  }
}

/** TPGN, as in the paper (see `TPGN` layer). */
export class TPGNForecaster extends NetworkForecaster<TPGNConfig> {
  readonly kind = 'tpgn';
  protected readonly build = buildTPGN;
  readonly dModel: number;
  readonly norm: boolean;

  constructor(config: Partial<TPGNConfig> & Pick<TPGNConfig, 'lookback' | 'horizon'>) {
    const full = { ...TPGN_DEFAULTS, ...config };
    super(full);
    checkTPGNShape(full.lookback, full.horizon, full.period);
    this.dModel = full.dModel;
    this.norm = full.norm;
    if (!(Number.isInteger(this.dModel) && this.dModel > 0)) {
      throw new ForecastError('BAD_ARGUMENT', `--d-model: must be a positive integer, got ${String(config.dModel)}.`);
    }
  }

  protected ownConfig(): Record<string, unknown> {
    return { dModel: this.dModel, norm: this.norm };
  }
}

/** Repeats the last value of the window for every forecast step. */
export class NaiveForecaster extends Forecaster {
  readonly kind: ModelKind = 'naive';
  readonly hasNetwork = false;

  config(): Record<string, unknown> {
    return { lookback: this.lookback, horizon: this.horizon, period: this.period };
  }

  protected createNetwork(): null {
    return null;
  }

  protected override ruleForecast(x: tf.Tensor3D): tf.Tensor {
    const last = x.slice([0, this.lookback - 1, 0], [-1, 1, -1]); // [B, 1, V]
    return last.tile([1, this.horizon, 1]); // [B, H, V]
  }
}

/** Repeats the last period of the window: ŷ_{L+h} = x_{L−P+(h mod P)}. */
export class SeasonalNaiveForecaster extends NaiveForecaster {
  override readonly kind: ModelKind = 'seasonal-naive';

  constructor(config: WindowConfig) {
    super(config);
    if (this.period > this.lookback) {
      throw new ForecastError(
        'BAD_ARGUMENT',
        `--period ${this.period} is longer than --lookback ${this.lookback}; seasonal-naive repeats the last period of the window.`,
      );
    }
  }

  protected override ruleForecast(x: tf.Tensor3D): tf.Tensor {
    const P = this.period;
    const season = x.slice([0, this.lookback - P, 0], [-1, P, -1]); // [B, P, V]
    return season.tile([1, Math.ceil(this.horizon / P), 1]).slice([0, 0, 0], [-1, this.horizon, -1]); // [B, H, V]
  }
}

/** DLinear: moving-average decomposition and two linear maps. */
export class DLinearForecaster extends NetworkForecaster<DLinearConfig> {
  readonly kind = 'dlinear';
  protected readonly build = buildDLinear;
  readonly kernelSize: number;

  constructor(config: WindowConfig & Partial<DLinearConfig>) {
    super(config);
    this.kernelSize = config.kernelSize ?? 25;
  }

  protected ownConfig(): Record<string, unknown> {
    return { kernelSize: this.kernelSize };
  }
}

/** GRU encoder and a dense head. */
export class GRUForecaster extends NetworkForecaster<GRUConfig> {
  readonly kind = 'gru';
  protected readonly build = buildGRU;
  readonly hidden: number;

  constructor(config: WindowConfig & Partial<GRUConfig>) {
    super(config);
    this.hidden = config.hidden ?? 64;
  }

  protected ownConfig(): Record<string, unknown> {
    return { hidden: this.hidden };
  }
}

/** Settings accepted by `createForecaster`; each model reads the ones it knows. */
export interface ModelOptions extends WindowConfig {
  dModel?: number;
  norm?: boolean;
  kernelSize?: number;
  hidden?: number;
  /** Quantile heads (TPGN, DLinear, GRU): levels in (0, 1), increasing; the median is added when absent. */
  quantiles?: number[];
}

/** Throws BAD_ARGUMENT when quantile heads are asked of a rule (naive, seasonal-naive), which has none. */
export function checkQuantileHeads(kind: ModelKind | string, quantiles: number[] | undefined): void {
  if (quantiles?.length && (kind === 'naive' || kind === 'seasonal-naive')) {
    throw new ForecastError(
      'BAD_ARGUMENT',
      `--quantiles: ${kind} is a rule without weights and has no quantile heads; use --interval (conformal intervals) with it, or a tpgn, dlinear or gru model.`,
    );
  }
}

/** A fresh model of the given kind. */
export function createForecaster(kind: ModelKind | string, options: ModelOptions): Forecaster {
  checkQuantileHeads(kind, options.quantiles);
  switch (kind) {
    case 'tpgn':
      return new TPGNForecaster(options);
    case 'naive':
      return new NaiveForecaster(options);
    case 'seasonal-naive':
      return new SeasonalNaiveForecaster(options);
    case 'dlinear':
      return new DLinearForecaster(options);
    case 'gru':
      return new GRUForecaster(options);
    default:
      throw new ForecastError(
        'BAD_ARGUMENT',
        `--model: unknown model '${kind}'; use one of tpgn, naive, seasonal-naive, dlinear, gru.`,
      );
  }
}

/** The default period of a series: one day of steps for sub-daily data (24 hourly, 96 for 15-minute), 7 for daily. */
export function defaultPeriod(series: Pick<TimeSeries, 'frequency'>): number {
  const day = 24 * 3600 * 1000;
  const step = series.frequency.stepMs;
  if (step < day && day % step === 0) return day / step;
  if (step === day) return 7;
  return 1;
}
