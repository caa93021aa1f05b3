import * as path from 'path';
import { setSeed, tf } from '@gatewave/core';
import { ForecastError } from '../errors';
import { calibrateIntervals, parseIntervals, rearrangeQuantiles } from '../intervals';
import { Panel, PanelStep, describeStep, stepAfter } from '../data/panel';
import { PanelFuture } from '../data/panel-future';
import { SplitPart } from '../data/split';
import { frequencyOf, timeFeatureCount } from '../data/time';
import { WindowSet } from '../data/windows';
import { TrainOptions, TrainResult, batches, trainNetwork } from '../train';
import { createForecaster, ModelOptions } from './registry';
import { Forecaster } from './forecaster';
import { futureIndices } from './covariates';
import {
  PanelScalers,
  PreparedSeries,
  featureKind,
  fillFutureRows,
  partOrigins,
  poolSeries,
  pooledWindows,
  preparePanel,
  scalersOf,
} from './panel-data';
import { PanelEvaluation, SeriesMetrics, aggregate, seriesMetrics, seriesProbabilistic } from './panel-metrics';

export type { PanelEvaluation, SeriesMetrics } from './panel-metrics';
export type { PanelScalers } from './panel-data';

/**
 * One model over a long-format panel. TPGN, DLinear and GRU train ONE global network on windows pooled from every
 * series; naive and seasonal-naive forecast each series from its own history. Every series is scaled by its own
 * mean and std, fitted on its own training part and saved with the model; splits are per series, by time (the ratio
 * split of `splitRanges`). Conformal intervals are calibrated on the validation windows of all series in scaled
 * units (multiples of each series' std); quantile heads are trained on the scaled windows.
 */

export interface PanelFitOptions extends Omit<TrainOptions, 'quantiles' | 'futureIdx'> {
  /** Train/val/test fractions per series; default 0.6,0.2,0.2. */
  split?: [number, number, number];
  /** A series too short for the split is an error instead of being skipped. */
  strict?: boolean;
  seed?: number;
  /** Conformal interval levels in percent (e.g. `[80, 95]`), calibrated on the validation windows after training. */
  intervals?: number[];
}

/** One forecast step of one series (original units), with its intervals and quantiles when the model has them. */
export interface PanelForecastRow {
  id: string;
  time: number;
  forecast: number;
  /** Backtests: the time of the forecast's first step, and the actual value. */
  origin?: number;
  actual?: number;
  intervals?: { level: number; lower: number; upper: number }[];
  quantiles?: { level: number; value: number }[];
}

export interface PanelBacktestOptions {
  /** First forecast step of each series: a fraction of its rows in (0, 1), or a row index. Default 0.8. */
  start?: number;
  /** Steps between forecast origins; default the horizon. */
  stride?: number;
}

/** Scaled forecasts of pooled windows: point `[windows, H]`, quantile heads (one such array per level), actuals. */
interface PooledForecasts {
  point: Float32Array;
  quantiles: Float32Array[] | null;
  actual: Float32Array;
}

export class PanelModel {
  readonly forecaster: Forecaster;
  training: TrainResult | null = null;
  /** Series left out (of the last fit, evaluate, predict or backtest) because they were too short: id and rows. */
  skipped: { id: string; rows: number }[] = [];
  /** Series of the last evaluate, predict or backtest that had no saved scaler (scaled by their own training part). */
  refitted = 0;
  private split: [number, number, number] = [0.6, 0.2, 0.2];

  /** A fresh model of a kind (`tpgn`, `dlinear`, `gru`: one global network; `naive`, `seasonal-naive`: per series). */
  constructor(kind: string, options: ModelOptions);
  /** A panel model around a forecaster loaded with `loadForecaster` from a folder written by a panel fit. */
  constructor(loaded: Forecaster);
  constructor(kindOrModel: string | Forecaster, options?: ModelOptions) {
    if (typeof kindOrModel !== 'string') {
      const p = kindOrModel.pipeline;
      if (!p?.panel)
        throw new ForecastError(
          'MODEL_MISMATCH',
          `the ${kindOrModel.kind} model was trained on a wide CSV, not a long-format panel; train it with --id-col, or leave out --id-col.`,
        );
      this.forecaster = kindOrModel;
      this.split = p.split as [number, number, number];
      this.training = kindOrModel.training;
      return;
    }
    this.forecaster = createForecaster(kindOrModel, options as ModelOptions);
  }

  get kind(): string {
    return this.forecaster.kind;
  }

  /** The id column, step and per-series scalers the model was fitted with (null before fit). */
  get panel(): { idColumn: string; step: PanelStep; scalers?: PanelScalers } | null {
    return this.forecaster.pipeline?.panel ?? null;
  }

  get lookback(): number {
    return this.forecaster.lookback;
  }

  get horizon(): number {
    return this.forecaster.horizon;
  }

  private prepare(panel: Panel, needSplit: boolean, minRows: number, strict = false): PreparedSeries[] {
    const { prepared, skipped } = preparePanel(panel, {
      lookback: this.lookback,
      horizon: this.horizon,
      period: this.forecaster.period,
      split: this.split,
      needSplit,
      minRows,
      strict,
      saved: this.panel?.scalers ?? null,
    });
    this.skipped = skipped;
    this.refitted = prepared.filter((p) => p.refitted).length;
    return prepared;
  }

  /**
   * Fits and saves the per-series scalers, trains one global network (for tpgn, dlinear, gru) on windows pooled from
   * all series, and calibrates conformal intervals when asked.
   */
  async fit(
    panel: Panel,
    options: PanelFitOptions = {},
  ): Promise<{ series: number; skipped: number; windows: { train: number; val: number } }> {
    this.split = options.split ?? [0.6, 0.2, 0.2];
    const levels = options.intervals?.length ? parseIntervals(options.intervals) : undefined;
    this.forecaster.pipeline = null;
    const { pastColumns = [], futureColumns = [] } = panel;
    const covariates = [...pastColumns, ...futureColumns];
    if (covariates.length && !this.forecaster.hasNetwork)
      throw new ForecastError(
        'BAD_ARGUMENT',
        `--past-cols/--future-cols: ${this.kind} is a rule that reads only the target; covariates need a tpgn, dlinear or gru model.`,
      );
    const prepared = this.prepare(panel, true, 0, options.strict ?? false);
    const kind = featureKind(panel.step);
    const T = timeFeatureCount(kind);
    const V = 1 + covariates.length;
    this.forecaster.pipeline = {
      features: 'S',
      target: panel.target,
      inputColumns: [panel.target, ...covariates],
      targetColumns: [panel.target],
      targetIdx: [0],
      timeColumn: panel.timeColumn,
      frequency:
        panel.step.unit === 'ms' ? frequencyOf(panel.step.size) : { stepMs: 30 * 86400000, label: 'monthly', kind },
      fill: 'ffill',
      split: this.split,
      // Scaling is per series (panel.scalers); the forecaster sees scaled windows only.
      scaler: { mean: new Array<number>(V).fill(0), std: new Array<number>(V).fill(1) },
      maseScale: { scaled: [1], original: [1] },
      source: path.basename(panel.source),
      ...(pastColumns.length ? { pastColumns } : {}),
      ...(futureColumns.length ? { futureColumns } : {}),
      panel: { idColumn: panel.idColumn, step: panel.step, scalers: scalersOf(prepared) },
    };
    const pool = poolSeries(prepared, T);
    const windows = (part: SplitPart): WindowSet =>
      pooledWindows(
        pool,
        prepared,
        (p) => partOrigins(p.ranges!, part, this.lookback, this.horizon),
        this.lookback,
        this.horizon,
      ).set;
    const train = windows('train');
    const val = windows('val');
    if (options.seed !== undefined) setSeed(options.seed);
    const net = this.forecaster.initNetwork(V, T);
    const quantiles = this.forecaster.quantiles.length ? this.forecaster.quantiles : undefined;
    const futureIdx = this.futureIdx();
    this.training = net ? await trainNetwork(net, train, val, { ...options, quantiles, futureIdx }) : null;
    this.forecaster.training = this.training;
    if (levels) this.calibrate(val, levels);
    return { series: prepared.length, skipped: this.skipped.length, windows: { train: train.count, val: val.count } };
  }

  /** Split-conformal half-widths per forecast step from the validation windows of all series (scaled units). */
  private calibrate(val: WindowSet, levels: number[]): void {
    const { point, actual } = this.forecastPooled(val);
    const scores = new Float64Array(point.length);
    for (let i = 0; i < scores.length; i++) scores[i] = Math.abs(actual[i] - point[i]);
    (this.forecaster.pipeline as NonNullable<Forecaster['pipeline']>).intervals = calibrateIntervals(
      scores,
      val.count,
      levels,
    );
  }

  /** Positions of the future covariates among the pooled variables (empty without them). */
  private futureIdx(): number[] {
    const p = this.forecaster.pipeline;
    return p ? futureIndices(p) : [];
  }

  /** Checks that the model is fitted and that the panel has its step and covariates. */
  private requireFitted(panel: Panel): void {
    const p = this.forecaster.pipeline;
    if (!p?.panel) throw new ForecastError('NOT_FITTED', `${this.kind}: call fit before eval or predict.`);
    const want = [...(p.pastColumns ?? []), ...(p.futureColumns ?? [])];
    const have = [...(panel.pastColumns ?? []), ...(panel.futureColumns ?? [])];
    if (want.join(',') !== have.join(','))
      throw new ForecastError(
        'MODEL_MISMATCH',
        `${path.basename(panel.source)}: the model was trained with covariates [${want.join(', ')}] (past: ${(p.pastColumns ?? []).join(', ') || 'none'}; future: ${(p.futureColumns ?? []).join(', ') || 'none'}) but the panel was read with [${have.join(', ')}]; read it with the same --past-cols / --future-cols.`,
      );
    if (p.panel.step.unit !== panel.step.unit || p.panel.step.size !== panel.step.size) {
      throw new ForecastError(
        'MODEL_MISMATCH',
        `${path.basename(panel.source)}: the series are ${describeStep(panel.step)} but the model was trained on ${describeStep(p.panel.step)} series; resample them or train a new model.`,
      );
    }
  }

  /** Scaled forecasts of every window of a pooled set, in batches of 256. */
  private forecastPooled(set: WindowSet): PooledForecasts {
    const H = this.horizon;
    const levels = this.forecaster.quantiles;
    const order = Array.from({ length: set.count }, (_, i) => i);
    const point = new Float32Array(set.count * H);
    const actual = new Float32Array(set.count * H);
    const quantiles = levels.length ? levels.map(() => new Float32Array(set.count * H)) : null;
    let at = 0;
    for (const [x, m, y, f] of batches(set, order, 256, false, this.futureIdx())) {
      const out = this.forecaster.forecastBatch(x, m, f);
      const data = out.dataSync() as Float32Array;
      if (quantiles) {
        const r = rearrangeQuantiles(data, levels);
        point.set(r.point, at);
        r.quantiles.forEach((q, j) => quantiles[j].set(q, at));
      } else point.set(data, at);
      actual.set(y.dataSync() as Float32Array, at);
      at += y.size;
      tf.dispose([x, m, y, out, ...(f ? [f] : [])]);
    }
    return { point, quantiles, actual };
  }

  /** Per-series errors of pooled forecasts (`counts[i]` windows from series i), and their aggregates. */
  private score(
    prepared: PreparedSeries[],
    counts: number[],
    f: PooledForecasts,
    part: PanelEvaluation['part'],
  ): PanelEvaluation {
    const H = this.horizon;
    const conformal = this.forecaster.pipeline?.intervals;
    const series: SeriesMetrics[] = [];
    let at = 0;
    prepared.forEach((p, i) => {
      const slice = (a: Float32Array): Float32Array => a.subarray(at * H, (at + counts[i]) * H);
      const values = p.scaler.inverse(slice(f.point));
      const heads = f.quantiles && { levels: this.forecaster.quantiles, values: f.quantiles.map(slice) };
      const pf = seriesProbabilistic(values, p.scaler, conformal, heads);
      series.push(seriesMetrics(p.series.id, counts[i], p.maseScale, values, p.scaler.inverse(slice(f.actual)), pf));
      at += counts[i];
    });
    return {
      part,
      series,
      ...aggregate(
        series,
        prepared.map((p) => p.scaler.std[0]),
      ),
    };
  }

  /** Errors per series over every window (stride 1) of one part of its split, and their aggregates. */
  evaluate(panel: Panel, part: SplitPart = 'test'): PanelEvaluation {
    this.requireFitted(panel);
    const prepared = this.prepare(panel, true, 0);
    const pool = poolSeries(prepared, timeFeatureCount(featureKind(panel.step)));
    const { set, counts } = pooledWindows(
      pool,
      prepared,
      (p) => partOrigins(p.ranges!, part, this.lookback, this.horizon),
      this.lookback,
      this.horizon,
    );
    return this.score(prepared, counts, this.forecastPooled(set), part);
  }

  /**
   * Forecasts with their actuals of the series `ids` over one part of their split, one every `horizon` steps (the
   * windows of `evaluate` that do not overlap), as long rows: what a plot of an evaluation shows.
   */
  partForecasts(panel: Panel, part: SplitPart, ids: string[]): PanelForecastRow[] {
    this.requireFitted(panel);
    const { lookback: L, horizon: H } = this;
    const prepared = this.prepare(panel, true, 0).filter((p) => ids.includes(p.series.id));
    if (prepared.length === 0) return [];
    const starts = prepared.map((p) => partOrigins(p.ranges!, part, L, H).filter((_, j) => j % H === 0));
    const pool = poolSeries(prepared, timeFeatureCount(featureKind(panel.step)));
    const { set } = pooledWindows(pool, prepared, (p) => starts[prepared.indexOf(p)], L, H);
    return this.rows(
      prepared,
      starts.map((o) => o.map((r) => r + L)),
      this.forecastPooled(set),
      true,
    );
  }

  /** Long rows of pooled forecasts: `origins[i]` are series i's first forecast rows; actuals (as read) only for backtests. */
  private rows(
    prepared: PreparedSeries[],
    origins: number[][],
    f: PooledForecasts,
    withActual: boolean,
  ): PanelForecastRow[] {
    const H = this.horizon;
    const step = (this.panel as { step: PanelStep }).step;
    const conformal = this.forecaster.pipeline?.intervals;
    const rows: PanelForecastRow[] = [];
    let w = 0;
    prepared.forEach((p, i) => {
      const slice = (a: Float32Array): Float32Array => a.subarray(w * H, (w + origins[i].length) * H);
      const values = p.scaler.inverse(slice(f.point));
      const heads = f.quantiles && { levels: this.forecaster.quantiles, values: f.quantiles.map(slice) };
      const pf = seriesProbabilistic(values, p.scaler, conformal, heads);
      const t0 = p.series.times[0];
      origins[i].forEach((o, j) => {
        for (let h = 0; h < H; h++) {
          const k = j * H + h;
          rows.push({
            id: p.series.id,
            time: stepAfter(t0, step, o + h),
            forecast: values[k],
            ...(withActual ? { origin: stepAfter(t0, step, o), actual: p.series.values[o + h] } : {}),
            ...(pf?.intervals.length
              ? { intervals: pf.intervals.map((iv) => ({ level: iv.level, lower: iv.lower[k], upper: iv.upper[k] })) }
              : {}),
            ...(heads
              ? { quantiles: pf!.quantiles.levels.map((level, q) => ({ level, value: pf!.quantiles.values[q][k] })) }
              : {}),
          });
        }
      });
      w += origins[i].length;
    });
    return rows;
  }

  /**
   * Forecasts the `horizon` steps after the end of every series at least `lookback` rows long. A model with future
   * covariates needs their values over those steps for every series: `options.future` (`readPanelFutureCsv`).
   */
  predict(panel: Panel, options: { future?: PanelFuture } = {}): PanelForecastRow[] {
    this.requireFitted(panel);
    const { lookback: L, horizon: H } = this;
    const prepared = this.prepare(panel, false, L);
    // Each series is followed by H empty rows: the window's (unknown) actuals, and the future covariates' values.
    const pool = poolSeries(prepared, timeFeatureCount(featureKind(panel.step)), H);
    const futureColumns = this.forecaster.pipeline?.futureColumns ?? [];
    if (futureColumns.length)
      fillFutureRows(pool, prepared, options.future, { columns: futureColumns, step: panel.step, horizon: H });
    const { set } = pooledWindows(pool, prepared, (p) => [p.series.values.length - L], L, H);
    return this.rows(
      prepared,
      prepared.map((p) => [p.series.values.length]),
      this.forecastPooled(set),
      false,
    );
  }

  /**
   * Rolling-origin forecasts of every series: the first forecast step at `start` (a fraction of each series' rows,
   * or a row index), then every `stride` steps while the actuals last; errors per series and aggregated. Series
   * with no such forecast are skipped (counted in `skipped`).
   */
  backtest(
    panel: Panel,
    options: PanelBacktestOptions = {},
  ): { evaluation: PanelEvaluation; rows: PanelForecastRow[] } {
    this.requireFitted(panel);
    const { lookback: L, horizon: H } = this;
    const start = options.start ?? 0.8;
    const stride = options.stride ?? H;
    if (!(Number.isInteger(stride) && stride > 0))
      throw new ForecastError('BAD_ARGUMENT', `--stride: must be a positive integer, got ${stride}.`);
    if (!(start > 0 && (start < 1 || Number.isInteger(start))))
      throw new ForecastError('BAD_ARGUMENT', `--start ${start}: give a fraction in (0, 1) or a row index.`);
    const all = this.prepare(panel, false, L + H);
    const originsOf = (p: PreparedSeries): number[] => {
      const n = p.series.values.length;
      const out: number[] = [];
      for (let o = Math.max(L, start < 1 ? Math.floor(n * start) : start); o + H <= n; o += stride) out.push(o);
      return out;
    };
    // A series with no such forecast (too short after `start`) is skipped and counted.
    const prepared: PreparedSeries[] = [];
    for (const p of all) {
      if (originsOf(p).length) prepared.push(p);
      else this.skipped.push({ id: p.series.id, rows: p.series.values.length });
    }
    if (prepared.length === 0)
      throw new ForecastError(
        'TOO_FEW_ROWS',
        `--start ${start}: no series has room for a forecast of ${H} steps after that row and ${L} rows before it.`,
      );
    const origins = prepared.map(originsOf);
    const pool = poolSeries(prepared, timeFeatureCount(featureKind(panel.step)));
    const { set, counts } = pooledWindows(pool, prepared, (p) => originsOf(p).map((o) => o - L), L, H);
    const f = this.forecastPooled(set);
    return { evaluation: this.score(prepared, counts, f, 'backtest'), rows: this.rows(prepared, origins, f, true) };
  }
}
