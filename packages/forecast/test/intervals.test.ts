import * as path from 'path';
import { ForecastError, createForecaster, forecastCsv, loadForecaster, timeSeriesFromArrays } from '@gatewave/forecast';
import {
  IntervalMetrics,
  calibrateIntervals,
  conformalQuantile,
  intervalsAround,
  parseIntervals,
  parseQuantiles,
  quantilesFromIntervals,
} from '../src/intervals';
import { hourly, modelTestSetup, normals } from './synthetic';

const tmp = modelTestSetup('intervals');

describe('parsing levels', () => {
  test('intervals: sorted, inside (0, 100), no repeats', () => {
    expect(parseIntervals('95, 80')).toEqual([80, 95]);
    expect(parseIntervals([50])).toEqual([50]);
    for (const bad of ['0,80', '80,100', '-5', 'abc', '', '80,80']) {
      expect(() => parseIntervals(bad)).toThrow(ForecastError);
    }
    expect(() => parseIntervals('80,100')).toThrow(
      /--interval: '80,100' must be interval levels in percent strictly between 0 and 100/,
    );
  });

  test('quantiles: inside (0, 1) and increasing', () => {
    expect(parseQuantiles('0.1,0.5,0.9')).toEqual([0.1, 0.5, 0.9]);
    expect(() => parseQuantiles('0,0.5')).toThrow(/strictly between 0 and 1/);
    expect(() => parseQuantiles('0.1,1')).toThrow(/strictly between 0 and 1/);
    expect(() => parseQuantiles('0.9,0.1')).toThrow(/increasing order/);
    expect(() => parseQuantiles('0.5,0.5')).toThrow(/increasing order/);
  });
});

describe('split-conformal quantile', () => {
  test('is the ceil((n + 1) a)-th smallest score', () => {
    const scores = [5, 3, 9, 1, 7, 2, 8, 4, 6]; // n = 9
    expect(conformalQuantile(scores, 80)).toBe(8); // ceil(10 · 0.8) = 8
    expect(conformalQuantile(scores, 50)).toBe(5); // ceil(10 · 0.5) = 5
    expect(conformalQuantile(scores, 90)).toBe(9); // ceil(10 · 0.9) = 9
    expect(
      conformalQuantile(
        Array.from({ length: 19 }, (_, i) => 19 - i),
        95,
      ),
    ).toBe(19); // ceil(20 · 0.95) = 19
  });

  test('too few scores for the level is an error that says how many are needed', () => {
    expect(() => conformalQuantile([1, 2, 3, 4, 5, 6, 7, 8, 9], 95)).toThrow(
      /9 validation window\(s\) cannot calibrate a 95 % interval \(it needs at least 19\)/,
    );
    expect(() => calibrateIntervals(new Float64Array(0), 0, [80])).toThrow(ForecastError);
  });

  test('calibrates each forecast step on its own', () => {
    // 4 windows × 2 steps: step 0 errors 1..4, step 1 errors 10..40. Level 60: rank ceil(5 · 0.6) = 3.
    const scores = Float64Array.from([1, 10, 2, 20, 3, 30, 4, 40]);
    const c = calibrateIntervals(scores, 4, [60]);
    expect(c.halfWidths).toEqual([[3, 30]]);
    const [iv] = intervalsAround([100, 200, 0, 0], c); // two forecasts of 2 steps after one another
    expect(Array.from(iv.lower)).toEqual([97, 170, -3, -30]);
    expect(Array.from(iv.upper)).toEqual([103, 230, 3, 30]);
  });
});

describe('interval metrics', () => {
  test('coverage, width, pinball loss and CRPS against hand-computed values', () => {
    const actual = [0, 1, 2, 3];
    const interval = { lower: [-1, 1.5, 1, 4], upper: [1, 2, 3, 5] }; // inside: yes, no, yes, no
    const m = new IntervalMetrics([80], [0.1, 0.5]);
    m.update(
      actual,
      [interval],
      [
        [3, 3, 3, 3],
        [0, 0, 0, 0],
      ],
    );
    const r = m.results();
    expect(r.intervals[0].coverage).toBeCloseTo(50, 12);
    expect(r.intervals[0].width).toBeCloseTo((2 + 0.5 + 2 + 1) / 4, 12);
    // τ = 0.1, q = 3: errors −3, −2, −1, 0 → 0.9 · (3 + 2 + 1) / 4 = 1.35; τ = 0.5, q = 0: 0.5 · 6 / 4 = 0.75.
    expect(r.pinball).toBeCloseTo((1.35 + 0.75) / 2, 12);
    expect(r.crps).toBeCloseTo(1.35 + 0.75, 12);
  });

  test('quantiles implied by intervals: both ends and the median, in order', () => {
    const c = calibrateIntervals(
      Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]),
      19,
      [50, 90],
    );
    const q = quantilesFromIntervals([100], intervalsAround([100], c));
    expect(q.levels).toEqual([0.05, 0.25, 0.5, 0.75, 0.95]);
    expect(q.values.map((v) => v[0])).toEqual([82, 90, 100, 110, 118]); // 90 %: rank 18; 50 %: rank 10
  });
});

describe('conformal intervals around models, on series with known noise', () => {
  test('seasonal-naive on a sine plus N(0, 1): 80 % intervals cover 80 ± 3 % of test points, width as theory says', async () => {
    const n = 8000;
    const noise = normals(n, 7);
    const values = Array.from({ length: n }, (_, t) => 10 * Math.sin((2 * Math.PI * t) / 24) + noise[t]);
    const series = timeSeriesFromArrays({ times: hourly(n), columns: ['y'], values });
    const model = createForecaster('seasonal-naive', { lookback: 48, horizon: 24, period: 24 });
    await model.fit(series, { target: 'y', split: [0.5, 0.25, 0.25], intervals: [80, 95] });
    // The error is ε_t − ε_{t−24} ~ N(0, 2): the 80 % half-width is z_0.9 · √2 = 1.8124, the 95 % one z_0.975 · √2 = 2.7718.
    const [w80, w95] = model.pipeline!.intervals!.halfWidths;
    for (const w of w80) expect(Math.abs(w - 1.8124) / 1.8124).toBeLessThan(0.08);
    for (const w of w95) expect(Math.abs(w - 2.7718) / 2.7718).toBeLessThan(0.1);
    const { probabilistic } = model.evaluate(series, 'test');
    expect(probabilistic!.intervals[0].level).toBe(80);
    expect(Math.abs(probabilistic!.intervals[0].coverage - 80)).toBeLessThan(3);
    expect(Math.abs(probabilistic!.intervals[1].coverage - 95)).toBeLessThan(2);
  });

  test('naive on a random walk: every forecast step is calibrated on its own (widths grow as √h)', async () => {
    const n = 8000;
    const steps = normals(n, 11);
    const values = new Float64Array(n);
    for (let t = 1; t < n; t++) values[t] = values[t - 1] + steps[t];
    const series = timeSeriesFromArrays({ times: hourly(n), columns: ['y'], values });
    const H = 16;
    const model = createForecaster('naive', { lookback: 24, horizon: H, period: 24 });
    await model.fit(series, { target: 'y', split: [0.5, 0.25, 0.25], intervals: [80] });
    const w = model.pipeline!.intervals!.halfWidths[0];
    // The h-step error is a sum of h N(0, 1) steps: half-width z_0.9 · √h.
    expect(Math.abs(w[0] - 1.2816) / 1.2816).toBeLessThan(0.1);
    expect(Math.abs(w[H - 1] - 1.2816 * 4) / (1.2816 * 4)).toBeLessThan(0.15);
    // Coverage per step on the test part (one width for all steps would over-cover step 1 and under-cover step 16).
    const forecasts = model.historicalForecasts(series, { start: 0.75, stride: 1 });
    for (const h of [0, H - 1]) {
      let inside = 0;
      for (const f of forecasts) {
        const y = values[f.origin + h];
        if (f.intervals![0].lower[h] <= y && y <= f.intervals![0].upper[h]) inside++;
      }
      expect(Math.abs((100 * inside) / forecasts.length - 80)).toBeLessThan(4);
    }
    expect(Math.abs(model.evaluate(series, 'test').probabilistic!.intervals[0].coverage - 80)).toBeLessThan(3);
  });

  test('DLinear trained briefly: intervals are saved with the model and come back on predict and in the CSV', async () => {
    const n = 1200;
    const noise = normals(n, 3);
    const values = Array.from({ length: n }, (_, t) => 5 * Math.sin((2 * Math.PI * t) / 24) + 0.5 * noise[t]);
    const series = timeSeriesFromArrays({ times: hourly(n), columns: ['y'], values });
    const model = createForecaster('dlinear', { lookback: 48, horizon: 12, period: 24 });
    await model.fit(series, { target: 'y', epochs: 2, quiet: true, seed: 1, intervals: [80, 95] });
    const dir = path.join(tmp, 'dlinear');
    await model.save(dir);
    const again = await loadForecaster(dir);
    expect(again.pipeline!.intervals).toEqual(model.pipeline!.intervals);
    const f = again.predict(series);
    expect(f.intervals!.map((i) => i.level)).toEqual([80, 95]);
    for (let h = 0; h < 12; h++) {
      expect(f.intervals![1].lower[h]).toBeLessThanOrEqual(f.intervals![0].lower[h]);
      expect(f.intervals![0].lower[h]).toBeLessThan(f.values[h]);
      expect(f.values[h]).toBeLessThan(f.intervals![0].upper[h]);
      expect(f.intervals![0].upper[h]).toBeLessThanOrEqual(f.intervals![1].upper[h]);
      expect(f.intervals![0].upper[h] - f.values[h]).toBeCloseTo(model.pipeline!.intervals!.halfWidths[0][h], 5);
    }
    const lines = forecastCsv('date', [f], false).trim().split('\n');
    expect(lines[0]).toBe('date,y,y_lo80,y_hi80,y_lo95,y_hi95');
    expect(lines).toHaveLength(13);
    again.dispose();
    model.dispose();
  });
});
