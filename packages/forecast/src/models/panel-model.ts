import * as path from 'path';
import { setSeed, tf } from '@gatewave/core';
import { ForecastError } from '../errors';
import { ForecastMetrics, MetricValues, seasonalNaiveScale } from '../metrics';
import { Panel, PanelSeries, PanelStep, describeStep, stepAfter } from '../data/panel';
import { StandardScaler } from '../data/scaler';
import { SplitPart, SplitRanges, splitRanges } from '../data/split';
import { TimeFeatureKind, frequencyOf, timeFeatureCount, timeFeatures } from '../data/time';
import { WindowSet } from '../data/windows';
import { TrainOptions, TrainResult, batches, trainNetwork } from '../train';
import { createForecaster, ModelOptions } from './models';
import { Forecaster } from './forecaster';

/**
 * One model over a long-format panel. TPGN, DLinear and GRU train ONE global network on windows pooled from every
 * series; naive and seasonal-naive forecast each series from its own history. Every series is scaled by its own
 * mean and std, fitted on its own training part; splits are per series, by time (the ratio split of `splitRanges`).
 */

export interface PanelFitOptions extends Omit<TrainOptions, 'quantiles' | 'futureIdx'> {
  /** Train/val/test fractions per series; default 0.6,0.2,0.2. */
  split?: [number, number, number];
  /** A series too short for the split is an error instead of being skipped. */
  strict?: boolean;
  seed?: number;
}

/** Errors of one series (original units; MASE against its own seasonal-naive in-sample error). */
export interface SeriesMetrics extends MetricValues {
  id: string;
  windows: number;
}

export interface PanelEvaluation {
  part: SplitPart;
  series: SeriesMetrics[];
  /** Each figure averaged over the series (every series counts once; NaN figures such as an undefined MAPE left out). */
  mean: Record<'mse' | 'mae' | 'rmse' | 'mape' | 'smape' | 'mase', number>;
  /** MASE averaged over the series weighted by their forecast points: Σ points·MASE / Σ points. */
  maseWeighted: number;
}

export interface PanelForecastRow {
  id: string;
  time: number;
  forecast: number;
}

interface Prepared {
  series: PanelSeries;
  ranges: SplitRanges;
  scaler: StandardScaler;
  /** Seasonal-naive in-sample MAE of the training part (original units). */
  maseScale: number;
  data: Float32Array;
  marks: Float32Array;
}

function featureKind(step: PanelStep): TimeFeatureKind {
  return step.unit === 'month' ? 'd' : frequencyOf(step.size).kind;
}

export class PanelModel {
  readonly forecaster: Forecaster;
  training: TrainResult | null = null;
  /** Series left out (of the last fit, evaluate or predict) because they were too short for the split: id and rows. */
  skipped: { id: string; rows: number }[] = [];
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
    if (options?.quantiles?.length)
      throw new ForecastError(
        'BAD_ARGUMENT',
        '--quantiles: panel models give point forecasts only so far; leave out --quantiles with --id-col.',
      );
    this.forecaster = createForecaster(kindOrModel, options as ModelOptions);
  }

  get kind(): string {
    return this.forecaster.kind;
  }

  /** The id column and step the model was fitted with (null before fit). */
  get panel(): { idColumn: string; step: PanelStep } | null {
    return this.forecaster.pipeline?.panel ?? null;
  }

  get lookback(): number {
    return this.forecaster.lookback;
  }

  get horizon(): number {
    return this.forecaster.horizon;
  }

  /** Splits and scales every series; too short ones are skipped (counted) or, with `strict`, an error. */
  private prepare(panel: Panel, strict: boolean): Prepared[] {
    const { lookback: L, horizon: H } = this;
    const kind = featureKind(panel.step);
    const out: Prepared[] = [];
    this.skipped = [];
    for (const s of panel.series) {
      let ranges: SplitRanges;
      try {
        ranges = splitRanges(s.values.length, this.split, L, H, 1, `series '${s.id}'`);
      } catch (e) {
        if (strict || !(e instanceof ForecastError) || e.code !== 'TOO_FEW_ROWS') throw e;
        this.skipped.push({ id: s.id, rows: s.values.length });
        continue;
      }
      const scaler = StandardScaler.fit(s.values, 1, ranges.trainRows);
      const maseScale = seasonalNaiveScale(s.values, 1, 0, ranges.trainRows, this.forecaster.period);
      out.push({
        series: s,
        ranges,
        scaler,
        maseScale,
        data: scaler.transform(s.values),
        marks: timeFeatures(s.times, kind),
      });
    }
    if (out.length === 0) {
      throw new ForecastError(
        'TOO_FEW_ROWS',
        `${panel.source}: every series (${this.skipped.length}) is too short for lookback ${L} + horizon ${H} in each part of the split ${this.split.join(',')}; use longer series or a smaller --lookback / --horizon.`,
      );
    }
    return out;
  }

  /** Fits the per-series scalers and, for a network, trains one global network on windows pooled from all series. */
  async fit(
    panel: Panel,
    options: PanelFitOptions = {},
  ): Promise<{ series: number; skipped: number; windows: { train: number; val: number } }> {
    this.split = options.split ?? [0.6, 0.2, 0.2];
    const prepared = this.prepare(panel, options.strict ?? false);
    const kind = featureKind(panel.step);
    const T = timeFeatureCount(kind);
    this.forecaster.pipeline = {
      features: 'S',
      target: panel.target,
      inputColumns: [panel.target],
      targetColumns: [panel.target],
      targetIdx: [0],
      timeColumn: panel.timeColumn,
      frequency:
        panel.step.unit === 'ms' ? frequencyOf(panel.step.size) : { stepMs: 30 * 86400000, label: 'monthly', kind },
      fill: 'ffill',
      split: this.split,
      // Scaling is per series (done here); the forecaster sees scaled windows only.
      scaler: { mean: [0], std: [1] },
      maseScale: { scaled: [1], original: [1] },
      source: path.basename(panel.source),
      panel: { idColumn: panel.idColumn, step: panel.step },
    };
    const train = this.pooled(prepared, 'train', T);
    const val = this.pooled(prepared, 'val', T);
    if (options.seed !== undefined) setSeed(options.seed);
    const net = this.forecaster.initNetwork(1, T);
    this.training = net ? await trainNetwork(net, train, val, options) : null;
    return { series: prepared.length, skipped: this.skipped.length, windows: { train: train.count, val: val.count } };
  }

  /** The windows of one part of every series, laid end to end (no window crosses from one series into the next). */
  private pooled(prepared: Prepared[], part: SplitPart, T: number): WindowSet {
    const { lookback: L, horizon: H } = this;
    const rows = prepared.reduce((a, p) => a + p.data.length, 0);
    const data = new Float32Array(rows);
    const marks = new Float32Array(rows * T);
    const origins: number[] = [];
    let offset = 0;
    for (const p of prepared) {
      data.set(p.data, offset);
      marks.set(p.marks, offset * T);
      const [s, e] = p.ranges[part];
      for (let o = s; o + L + H <= e; o++) origins.push(offset + o);
      offset += p.data.length;
    }
    return new WindowSet(data, marks, 1, T, 0, rows, L, H, [0], Int32Array.from(origins));
  }

  /** Checks that the model is fitted and that the panel has its target and step. */
  private requireFitted(panel: Panel): void {
    const p = this.forecaster.pipeline;
    if (!p?.panel) throw new ForecastError('NOT_FITTED', `${this.kind}: call fit before eval or predict.`);
    if (p.panel.step.unit !== panel.step.unit || p.panel.step.size !== panel.step.size) {
      throw new ForecastError(
        'MODEL_MISMATCH',
        `${path.basename(panel.source)}: the series are ${describeStep(panel.step)} but the model was trained on ${describeStep(p.panel.step)} series; resample them or train a new model.`,
      );
    }
  }

  /** Point forecasts (original units) of the windows `set` of one series, `[windows, H]` row-major. */
  private forecastWindows(set: WindowSet, scaler: StandardScaler): { predicted: Float64Array; actual: Float64Array } {
    const order = Array.from({ length: set.count }, (_, i) => i);
    const predicted = new Float64Array(set.count * this.horizon);
    const actual = new Float64Array(set.count * this.horizon);
    let at = 0;
    for (const [x, m, y] of batches(set, order, 256, false)) {
      const out = this.forecaster.forecastBatch(x, m, null);
      predicted.set(scaler.inverse(out.dataSync()), at);
      actual.set(scaler.inverse(y.dataSync()), at);
      at += y.size;
      tf.dispose([x, m, y, out]);
    }
    return { predicted, actual };
  }

  /** Errors per series over every window (stride 1) of one part of its split, and their aggregates. */
  evaluate(panel: Panel, part: SplitPart = 'test'): PanelEvaluation {
    this.requireFitted(panel);
    const T = timeFeatureCount(featureKind(panel.step));
    const series: SeriesMetrics[] = [];
    for (const p of this.prepare(panel, false)) {
      const [s, e] = p.ranges[part];
      const set = new WindowSet(p.data, p.marks, 1, T, s, e, this.lookback, this.horizon, [0]);
      const { predicted, actual } = this.forecastWindows(set, p.scaler);
      series.push({
        id: p.series.id,
        windows: set.count,
        ...new ForecastMetrics(1, [p.maseScale]).update(predicted, actual).results(),
      });
    }
    return { part, series, ...aggregate(series) };
  }

  /** Forecasts the `horizon` steps after the end of every series long enough for the lookback. */
  predict(panel: Panel): PanelForecastRow[] {
    this.requireFitted(panel);
    const { lookback: L, horizon: H } = this;
    const T = timeFeatureCount(featureKind(panel.step));
    const rows: PanelForecastRow[] = [];
    for (const p of this.prepare(panel, false)) {
      const n = p.data.length;
      const set = new WindowSet(p.data, p.marks, 1, T, 0, 0, L, 0, [0], Int32Array.of(n - L));
      const { predicted } = this.forecastWindows(set, p.scaler);
      const last = p.series.times[n - 1];
      for (let h = 0; h < H; h++)
        rows.push({ id: p.series.id, time: stepAfter(last, panel.step, h + 1), forecast: predicted[h] });
    }
    return rows;
  }
}

function aggregate(series: SeriesMetrics[]): Pick<PanelEvaluation, 'mean' | 'maseWeighted'> {
  const keys = ['mse', 'mae', 'rmse', 'mape', 'smape', 'mase'] as const;
  const mean = {} as PanelEvaluation['mean'];
  for (const k of keys) {
    const ok = series.filter((s) => Number.isFinite(s[k]));
    mean[k] = ok.length ? ok.reduce((a, s) => a + s[k], 0) / ok.length : NaN;
  }
  let num = 0;
  let den = 0;
  for (const s of series) {
    if (!Number.isFinite(s.mase)) continue;
    num += s.points * s.mase;
    den += s.points;
  }
  return { mean, maseWeighted: den ? num / den : NaN };
}
