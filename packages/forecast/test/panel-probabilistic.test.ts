import * as path from 'path';
import { Panel, PanelModel, loadForecaster } from '@gatewave/forecast';
import { modelTestSetup, normals } from './synthetic';

// Panels with intervals, quantile heads, saved per-series scalers and per-series backtests, on series whose errors
// are known in advance.

const tmp = modelTestSetup('panel-probabilistic');
const HOUR = 3600e3;

/** A panel of hourly series `id -> values`, all starting at 2020-01-01 00:00 UTC. */
function panelOf(series: Record<string, ArrayLike<number>>): Panel {
  return {
    source: 'synthetic.csv',
    idColumn: 'id',
    timeColumn: 'time',
    target: 'y',
    step: { unit: 'ms', size: HOUR },
    series: Object.entries(series).map(([id, v]) => ({
      id,
      times: Float64Array.from({ length: v.length }, (_, t) => Date.UTC(2020, 0, 1) + t * HOUR),
      values: Float64Array.from(v),
      filled: 0,
    })),
    skipped: [],
  };
}

const range = (n: number, f: (t: number) => number): number[] => Array.from({ length: n }, (_, t) => f(t));

describe('conformal intervals on a panel', () => {
  test('seasonal-naive on 12 sines plus N(0, σ_i²): 80 % intervals cover 80 ± 3 % of test points; each width ∝ σ_i', async () => {
    const sigma = range(12, (i) => 0.5 + i);
    const series: Record<string, number[]> = {};
    sigma.forEach((s, i) => {
      const e = normals(1200, 100 + i);
      series[`s${i}`] = range(1200, (t) => 50 * i + 10 * s * Math.sin((2 * Math.PI * t) / 24) + s * e[t]);
    });
    const panel = panelOf(series);
    const model = new PanelModel('seasonal-naive', { lookback: 48, horizon: 24, period: 24 });
    await model.fit(panel, { split: [0.5, 0.25, 0.25], intervals: [80, 95] });
    const e = model.evaluate(panel, 'test');
    const [c80, c95] = e.probabilistic!.intervals;
    expect(Math.abs(c80.coverage - 80)).toBeLessThan(3);
    expect(Math.abs(c95.coverage - 95)).toBeLessThan(2);
    // The error ε_t − ε_{t−24} ~ N(0, 2σ²): the 80 % interval is 2 · z_0.9 · √2 · σ = 3.6248 σ wide.
    e.series.forEach((s, i) =>
      expect(Math.abs(s.probabilistic!.intervals[0].width / (3.6248 * sigma[i]) - 1)).toBeLessThan(0.12),
    );
    // Bands in the forecast rows: the same half-width on both sides, level by level.
    const row = model.predict(panel)[0];
    expect(row.intervals!.map((iv) => iv.level)).toEqual([80, 95]);
    expect(row.forecast - row.intervals![0].lower).toBeCloseTo(row.intervals![0].upper - row.forecast, 6);
  });
});

describe('quantile heads on a panel', () => {
  test('DLinear heads on N(0, σ_i²) noise at four scales: ordered quantiles, 80 % between q0.1 and q0.9, saved and loaded', async () => {
    const series: Record<string, Float64Array> = {};
    [1, 10, 100, 0.1].forEach((s, i) => (series[`n${i}`] = normals(600, 40 + i).map((v) => 5 * s + s * v)));
    const panel = panelOf(series);
    const model = new PanelModel('dlinear', { lookback: 24, horizon: 8, period: 24, quantiles: [0.1, 0.9] });
    await model.fit(panel, { epochs: 12, learningRate: 0.01, quiet: true, seed: 3 });
    const e = model.evaluate(panel, 'test');
    expect(e.probabilistic!.quantiles).toEqual([0.1, 0.5, 0.9]);
    expect(Math.abs(e.probabilistic!.intervals[0].coverage - 80)).toBeLessThan(8);
    const rows = model.predict(panel);
    for (const r of rows) {
      const [q1, q5, q9] = r.quantiles!.map((q) => q.value);
      expect(q1).toBeLessThanOrEqual(q5);
      expect(q5).toBeLessThanOrEqual(q9);
      expect(r.forecast).toBeCloseTo(q5, 6);
    }
    const dir = path.join(tmp, 'dlinear-q');
    await model.forecaster.save(dir);
    const again = new PanelModel(await loadForecaster(dir));
    again.predict(panel).forEach((r, i) => expect(r.forecast).toBeCloseTo(rows[i].forecast, 5));
  }, 60000);
});

describe('per-series scalers saved with the model', () => {
  test('fitted on each training part, saved, and used on new data; a new series gets its own', async () => {
    // a = t, b = 2t. Training rows: the first 0.6·40 = 24. Naive errs by 1·slope and 2·slope (H = 2): MASE 1.5.
    const panel = panelOf({ a: range(40, (t) => t), b: range(40, (t) => 2 * t) });
    const model = new PanelModel('naive', { lookback: 3, horizon: 2, period: 1 });
    await model.fit(panel);
    const scalers = model.panel!.scalers!;
    expect(scalers.ids).toEqual(['a', 'b']);
    expect(scalers.mean[0]).toBeCloseTo(11.5, 10); // mean of 0..23
    expect(scalers.std[1]).toBeCloseTo(2 * Math.sqrt((24 * 24 - 1) / 12), 10);
    expect(scalers.maseScale).toEqual([1, 2]);
    await model.forecaster.save(path.join(tmp, 'naive'));
    const loaded = new PanelModel(await loadForecaster(path.join(tmp, 'naive')));
    // New data: every value doubled, and a new series z = t. Refitting would give MASE 1.5 everywhere; the saved
    // in-sample scale of a and b (the training file's) doubles their MASE; z is scaled by its own training part.
    const doubled = panelOf({ a: range(40, (t) => 2 * t), b: range(40, (t) => 4 * t), z: range(40, (t) => t) });
    const e = loaded.evaluate(doubled);
    expect(e.series.map((s) => s.mase)).toEqual([3, 3, 1.5].map((v) => expect.closeTo(v, 5)));
    expect(loaded.refitted).toBe(1);
  });
});

describe('per-series backtest', () => {
  test('naive on a = t and b = 2t: origins from 80 % of each series, stride 2; hand-computed rows and errors', async () => {
    const panel = panelOf({ a: range(40, (t) => t), b: range(30, (t) => 2 * t) });
    const model = new PanelModel('naive', { lookback: 3, horizon: 2, period: 1 });
    await model.fit(panel);
    const { evaluation, rows } = model.backtest(panel, { start: 0.8, stride: 2 });
    // a: first forecast row 32, then 34, 36, 38; b: 24, 26, 28. Each forecast repeats the row before its origin.
    expect(evaluation.series.map((s) => [s.id, s.windows])).toEqual([
      ['a', 4],
      ['b', 3],
    ]);
    expect(evaluation.series[0].mae).toBeCloseTo(1.5, 4);
    expect(evaluation.series[1].mae).toBeCloseTo(3, 4);
    expect(rows).toHaveLength((4 + 3) * 2);
    const t = (row: number): number => Date.UTC(2020, 0, 1) + row * HOUR;
    expect(rows[2]).toMatchObject({ id: 'a', time: t(34), origin: t(34), actual: 34 });
    expect(rows[3]).toMatchObject({ id: 'a', time: t(35), origin: t(34), actual: 35 });
    expect(rows[3].forecast).toBeCloseTo(33, 4);
    expect(() => model.backtest(panel, { stride: 0 })).toThrow(/--stride: must be a positive integer/);
  });
});
