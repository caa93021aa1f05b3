import { setSeed, tf } from '@gatewave/core';
import { ForecastError } from '../errors';
import { ForecastMetrics } from '../metrics';
import {
  ConformalIntervals,
  IntervalMetrics,
  QuantileValues,
  addProbabilistic,
  calibrateIntervals,
  parseIntervals,
  probabilisticForecast,
  rearrangeQuantiles,
} from '../intervals';
import { StandardScaler } from '../data/scaler';
import { TimeSeries } from '../data/series';
import { SplitPart, formatSplit, splitRanges } from '../data/split';
import { continueTimestamps, timeFeatureCount } from '../data/time';
import { WindowSet, rowsBefore } from '../data/windows';
import { TrainResult, batches, networkInputs, targetsOf, trainNetwork } from '../train';
import { CovariateSpec, covariateSpec, futureBlock, futureIndices, futureRows } from './covariates';
import { backtestOrigins, scoreForecasts } from './backtest';
import { PreparedSeries, fitPipeline, prepareSeries } from './pipeline';
import { PartBatch, writeModelDir } from './model-doc';
import {
  BacktestOptions,
  BacktestResult,
  EvalResult,
  FitOptions,
  FitResult,
  Forecast,
  ModelKind,
  Pipeline,
  WindowConfig,
} from './types';

/**
 * Base of every model: one interface, as in Darts: `fit(series)`, `predict(series)`, `historicalForecasts`,
 * `backtest`, `evaluate`, `save(dir)` / `loadForecaster(dir)`. A subclass says how to build its network (or, for a
 * rule such as naive, how to forecast a batch directly); the data pipeline is shared.
 */
export abstract class Forecaster {
  abstract readonly kind: ModelKind;
  readonly lookback: number;
  readonly horizon: number;
  readonly period: number;
  pipeline: Pipeline | null = null;
  training: TrainResult | null = null;
  /** Quantile levels of the quantile heads (ascending, with 0.5, the point forecast); empty for a point model. */
  quantiles: number[] = [];
  protected net: tf.LayersModel | null = null;
  private cache = new WeakMap<TimeSeries, PreparedSeries>();

  constructor(config: WindowConfig) {
    for (const key of ['lookback', 'horizon', 'period'] as const) {
      const v = config[key];
      if (!(typeof v === 'number' && Number.isInteger(v) && v > 0)) {
        throw new ForecastError('BAD_ARGUMENT', `--${key}: must be a positive integer, got ${String(v)}.`);
      }
    }
    this.lookback = config.lookback;
    this.horizon = config.horizon;
    this.period = config.period;
  }

  /** Whether the model has trained weights (false for rules such as naive). */
  abstract readonly hasNetwork: boolean;

  /** Model-specific settings, saved with the model (lookback, horizon and period included). */
  abstract config(): Record<string, unknown>;

  /** The network, or null for a rule that needs no weights (then `ruleForecast` is used). */
  protected abstract createNetwork(
    variables: number,
    timeFeatures: number,
    covariates?: CovariateSpec,
  ): tf.LayersModel | null;

  /** Forecast of a rule model: x `[batch, L, V]` → `[batch, H, V]`. */
  protected ruleForecast(x: tf.Tensor3D): tf.Tensor {
    void x;
    throw new ForecastError('NOT_FITTED', `${this.kind}: has no rule forecast.`);
  }

  /** `{ quantiles }` for the saved config of a model with quantile heads, else nothing. */
  protected quantileConfig(): { quantiles?: number[] } {
    return this.quantiles.length ? { quantiles: this.quantiles } : {};
  }

  /** Replaces the network by a fresh one (null for a rule); for callers that train it themselves, as `PanelModel`. */
  initNetwork(variables: number, timeFeatures: number): tf.LayersModel | null {
    this.net?.dispose();
    this.net = this.createNetwork(variables, timeFeatures, this.covariates());
    return this.net;
  }

  /** The underlying tfjs model (null for rules or before fit). */
  get network(): tf.LayersModel | null {
    return this.net;
  }

  private requirePipeline(): Pipeline {
    if (!this.pipeline)
      throw new ForecastError('NOT_FITTED', `${this.kind}: call fit (or loadForecaster) before forecasting.`);
    return this.pipeline;
  }

  /**
   * Forecast `[batch, H, targets]` (scaled) for a batch of windows; with quantile heads `[batch, H, targets, Q]`
   * (levels `this.quantiles`), of which `pointOf` takes the median.
   */
  forecastBatch(x: tf.Tensor3D, marks: tf.Tensor3D, future?: tf.Tensor3D | null): tf.Tensor {
    const p = this.requirePipeline();
    return tf.tidy(() => {
      const Q = this.quantiles.length || 1;
      const out = this.net
        ? (this.net.apply(networkInputs(this.net, x, marks, future), { training: false }) as tf.Tensor)
        : this.ruleForecast(x);
      const y = targetsOf(out, p.targetIdx, p.inputColumns.length, Q);
      return Q === 1 ? y : y.reshape([x.shape[0], this.horizon, p.targetIdx.length, Q]);
    });
  }

  /**
   * Runs a batch: the point forecast `[batch, H, targets]` and, with quantile heads, one array per level (same
   * layout; the median is the point forecast), all scaled.
   */
  private runBatch(
    x: tf.Tensor3D,
    marks: tf.Tensor3D,
    future: tf.Tensor3D | null,
  ): { point: Float32Array; quantiles: Float32Array[] | null } {
    const out = this.forecastBatch(x, marks, future);
    const data = out.dataSync() as Float32Array;
    out.dispose();
    return this.quantiles.length ? rearrangeQuantiles(data, this.quantiles) : { point: data, quantiles: null };
  }

  /** Quantile forecasts in original units, or undefined without quantile heads. */
  private originalQuantiles(quantiles: Float32Array[] | null): QuantileValues | undefined {
    if (!quantiles) return undefined;
    const p = this.requirePipeline();
    const scaler = new StandardScaler(p.scaler.mean, p.scaler.std);
    return { levels: this.quantiles, values: quantiles.map((q) => scaler.inverse(q, p.targetIdx)) };
  }

  /** Selects, checks, scales the series and computes its time features, once per series object. */
  protected prepare(series: TimeSeries): PreparedSeries {
    const p = this.requirePipeline();
    const hit = this.cache.get(series);
    if (hit) return hit;
    const prepared = prepareSeries(p, series);
    this.cache.set(series, prepared);
    return prepared;
  }

  private windowSet(series: TimeSeries, range: [number, number]): WindowSet {
    const p = this.requirePipeline();
    const { data, marks } = this.prepare(series);
    return new WindowSet(
      data,
      marks,
      p.inputColumns.length,
      timeFeatureCount(p.frequency.kind),
      range[0],
      range[1],
      this.lookback,
      this.horizon,
      p.targetIdx,
    );
  }

  /**
   * Fits the scaler on the training rows and, for a network, trains it with early stopping on the validation part.
   * Checks that every part of the split holds at least one window.
   */
  async fit(series: TimeSeries, options: FitOptions = {}): Promise<FitResult> {
    const { pipeline, ranges } = fitPipeline(series, options, this);
    this.pipeline = pipeline;
    const V = pipeline.inputColumns.length;
    this.cache = new WeakMap();
    const train = this.windowSet(series, ranges.train);
    const val = this.windowSet(series, ranges.val);
    const test = this.windowSet(series, ranges.test);
    if (options.seed !== undefined) setSeed(options.seed);
    this.net?.dispose();
    this.net = this.createNetwork(V, timeFeatureCount(series.frequency.kind), this.covariates());
    const quantiles = this.quantiles.length ? this.quantiles : undefined;
    this.training = this.net
      ? await trainNetwork(this.net, train, val, { ...options, quantiles, futureIdx: this.futureIdx() })
      : null;
    if (options.intervals?.length) this.calibrate(series, options.intervals);
    return {
      model: this.kind,
      windows: { train: train.count, val: val.count, test: test.count },
      training: this.training,
    };
  }

  /**
   * Errors over the windows of one part of the split (default `test`), scaled and in original units. By default
   * every window (stride 1); `dropLastBatch` keeps only whole batches of that size, as the paper's test loader does
   * (`drop_last=True`, batch 32).
   */
  evaluate(series: TimeSeries, part: SplitPart = 'test', options: { dropLastBatch?: number } = {}): EvalResult {
    const p = this.requirePipeline();
    const scaled = new ForecastMetrics(p.targetColumns.length, p.maseScale.scaled);
    const original = new ForecastMetrics(p.targetColumns.length, p.maseScale.original);
    let probabilistic: IntervalMetrics | null = null;
    let windows = 0;
    for (const b of this.partForecasts(series, part, options.dropLastBatch)) {
      scaled.update(b.scaled, b.actualScaled);
      original.update(b.values, b.actual);
      const pf = probabilisticForecast(b.values, p.intervals, b.quantiles);
      if (pf) probabilistic = addProbabilistic(probabilistic, b.actual, pf);
      windows += b.windows;
    }
    return {
      part,
      windows,
      scaled: scaled.results(),
      original: original.results(),
      ...(probabilistic ? { probabilistic: probabilistic.results() } : {}),
    };
  }

  /**
   * Point forecasts of every window (stride 1) of one part of the split, in batches: scaled and original units,
   * with the actuals, row-major `[windows, horizon, targets]`. `dropLastBatch` keeps only whole batches of that size.
   */
  private *partForecasts(series: TimeSeries, part: SplitPart, dropLastBatch?: number): Generator<PartBatch> {
    const p = this.requirePipeline();
    const ranges = splitRanges(
      series.length,
      p.split,
      this.lookback,
      this.horizon,
      series.frequency.stepMs,
      series.source,
    );
    const set = this.windowSet(series, ranges[part]);
    const count = dropLastBatch ? Math.floor(set.count / dropLastBatch) * dropLastBatch : set.count;
    const order = Array.from({ length: count }, (_, i) => i);
    const scaler = new StandardScaler(p.scaler.mean, p.scaler.std);
    for (const [x, m, y, f] of batches(set, order, 256, false, this.futureIdx())) {
      const { point, quantiles } = this.runBatch(x, m, f);
      const actual = y.dataSync() as Float32Array;
      const windows = x.shape[0];
      tf.dispose([x, m, y, ...(f ? [f] : [])]);
      const values = scaler.inverse(point, p.targetIdx);
      yield {
        windows,
        scaled: point,
        actualScaled: actual,
        values,
        actual: scaler.inverse(actual, p.targetIdx),
        quantiles: this.originalQuantiles(quantiles),
      };
    }
  }

  /**
   * Calibrates split-conformal intervals of the given levels (percent) on the validation windows, per forecast step
   * and target column, and keeps them in the pipeline (saved with the model). Works for every model, rules included.
   */
  calibrate(series: TimeSeries, levels: number[]): ConformalIntervals {
    const p = this.requirePipeline();
    const checked = parseIntervals(levels);
    const parts: Float64Array[] = [];
    let windows = 0;
    for (const b of this.partForecasts(series, 'val')) {
      const s = new Float64Array(b.values.length);
      for (let i = 0; i < s.length; i++) s[i] = Math.abs(b.actual[i] - b.values[i]);
      parts.push(s);
      windows += b.windows;
    }
    const scores = new Float64Array(parts.reduce((n, a) => n + a.length, 0));
    parts.reduce((o, a) => (scores.set(a, o), o + a.length), 0);
    p.intervals = calibrateIntervals(scores, windows, checked);
    return p.intervals;
  }

  /** Forecasts for windows whose first forecast step is each of `origins` (rows of the series). */
  private forecastAt(series: TimeSeries, origins: number[], ahead?: Float32Array): Forecast[] {
    const p = this.requirePipeline();
    const { data, marks } = this.prepare(series);
    const L = this.lookback;
    const H = this.horizon;
    const V = p.inputColumns.length;
    const T = timeFeatureCount(p.frequency.kind);
    const K = p.targetIdx.length;
    const scaler = new StandardScaler(p.scaler.mean, p.scaler.std);
    const out: Forecast[] = [];
    const step = series.frequency.stepMs;
    for (let s = 0; s < origins.length; s += 256) {
      const chunk = origins.slice(s, s + 256);
      const x = tf.tensor3d(rowsBefore(data, V, chunk, L), [chunk.length, L, V]);
      const m = tf.tensor3d(rowsBefore(marks, T, chunk, L), [chunk.length, L, T]);
      const fIdx = this.futureIdx();
      const f = fIdx.length
        ? tf.tensor3d(futureBlock(data, V, fIdx, chunk, H, ahead), [chunk.length, H, fIdx.length])
        : null;
      const { point, quantiles } = this.runBatch(x, m, f);
      tf.dispose([x, m, ...(f ? [f] : [])]);
      chunk.forEach((o, b) => {
        const part = (a: Float32Array): Float32Array => a.slice(b * H * K, (b + 1) * H * K);
        const scaledValues = part(point);
        const values = scaler.inverse(scaledValues, p.targetIdx);
        const heads = this.originalQuantiles(quantiles && quantiles.map(part));
        const pf = probabilisticForecast(values, p.intervals, heads);
        out.push({
          origin: o,
          times: continueTimestamps(series.times[0] + (o - 1) * step, step, H),
          columns: p.targetColumns,
          values,
          scaled: scaledValues,
          ...(pf?.intervals.length ? { intervals: pf.intervals } : {}),
          ...(heads
            ? { quantiles: heads.levels.map((level, q) => ({ level, values: heads.values[q] as Float64Array })) }
            : {}),
        });
      });
    }
    return out;
  }

  /**
   * The next `horizon` steps after the last row of the series, with timestamps continued at its step. A model with
   * future covariates needs their values over those steps: `future`, a series of at least `horizon` rows that starts
   * one step after the last row of `series` and holds the future columns.
   */
  predict(series: TimeSeries, options: { future?: TimeSeries } = {}): Forecast {
    const p = this.requirePipeline();
    if (series.length < this.lookback) {
      throw new ForecastError(
        'TOO_FEW_ROWS',
        `${series.source}: ${series.length} rows, fewer than the lookback of ${this.lookback}; pass a longer history.`,
      );
    }
    const ahead = p.futureColumns?.length ? futureRows(series, options.future, p, this.horizon) : undefined;
    return this.forecastAt(series, [series.length], ahead)[0];
  }

  /** Positions of the covariates among the input columns, for the network; undefined without covariates. */
  private covariates(): CovariateSpec | undefined {
    return covariateSpec(this.requirePipeline());
  }

  /** Positions of the future covariates among the input columns. */
  private futureIdx(): number[] {
    return futureIndices(this.requirePipeline());
  }

  /** Rolling-origin forecasts: first forecast step at `start`, then every `stride` steps while the actuals last. */
  historicalForecasts(series: TimeSeries, options: BacktestOptions = {}): Forecast[] {
    return this.forecastAt(series, backtestOrigins(series.length, this.lookback, this.horizon, options));
  }

  /** Historical forecasts and their errors against the actuals, scaled and in original units. */
  backtest(series: TimeSeries, options: BacktestOptions = {}): BacktestResult {
    const p = this.requirePipeline();
    const forecasts = this.historicalForecasts(series, options);
    const { raw, data } = this.prepare(series);
    return { forecasts, ...scoreForecasts(p, this.horizon, forecasts, raw, data) };
  }

  /**
   * Writes the model directory atomically: `forecast.json` (settings, pipeline, training log) and `network/`. Node
   * only: in a browser the core functions it calls say that a browser has no folders to write.
   */
  async save(dir: string, options: { overwrite?: boolean } = {}): Promise<void> {
    const p = this.requirePipeline();
    const doc = { model: this.kind, config: this.config(), pipeline: p, training: this.training };
    await writeModelDir(dir, doc, this.net, options);
  }

  /**
   * Restores a saved state: the pipeline and training log of `forecast.json` and the loaded network (null for a
   * rule). Used by `loadForecaster` (a folder) and `loadForecasterFromUrl` (over fetch).
   */
  restore(pipeline: Pipeline, training: TrainResult | null, network: tf.LayersModel | null): void {
    if (this.hasNetwork && !network) {
      throw new ForecastError('MODEL_CORRUPT', `the ${this.kind} model has no network; train and save it again.`);
    }
    this.pipeline = pipeline;
    this.training = training;
    this.net?.dispose();
    this.net = network;
    this.cache = new WeakMap();
  }

  /** Frees the network's weights. */
  dispose(): void {
    this.net?.dispose();
    this.net = null;
  }

  /** One line naming the model and its settings. */
  describe(): string {
    const p = this.pipeline;
    const cfg = Object.entries(this.config())
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    return `${this.kind} ${cfg}${p ? ` features=${p.features} target=${p.target} split=${formatSplit(p.split)}` : ''}`;
  }
}
