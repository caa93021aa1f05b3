import * as path from 'path';
import { tf } from '@gatewave/core';
import { ForecastError, createForecaster, forecastCsv, loadForecaster, timeSeriesFromArrays } from '@gatewave/forecast';
import { buildDLinear, buildGRU, buildTPGN } from '@gatewave/forecast';
import { hourly, modelTestSetup, normals } from './synthetic';
import { forecastLoss, targetsOf } from '../src/train';
import { headQuantiles, intervalsFromQuantiles } from '../src/intervals';

const tmp = modelTestSetup('quantiles');

test('levels: checked, and the median is added (it is the point forecast)', () => {
  expect(headQuantiles('0.1,0.9')).toEqual([0.1, 0.5, 0.9]);
  expect(headQuantiles([0.05, 0.5])).toEqual([0.05, 0.5]);
  expect(() => headQuantiles('0.9,0.1')).toThrow(/increasing order/);
  expect(() => headQuantiles('0.1,1.5')).toThrow(/strictly between 0 and 1/);
  expect(() => createForecaster('naive', { lookback: 24, horizon: 4, period: 24, quantiles: [0.1, 0.9] })).toThrow(
    ForecastError,
  );
  expect(() =>
    createForecaster('seasonal-naive', { lookback: 24, horizon: 4, period: 24, quantiles: [0.1, 0.9] }),
  ).toThrow(/no quantile heads; use --interval/);
});

test('pinball loss against hand-computed values; MSE without levels', () => {
  // One window, 2 steps, 1 target, Q = 2 levels (0.1, 0.9); y = [1, 0].
  const y = tf.tensor3d([1, 0], [1, 2, 1]);
  const out = tf.tensor3d([0, 2, 0, 2], [1, 2, 2]); // step 0: q0.1 = 0, q0.9 = 2; step 1: the same
  // e = y − q: step 0: 1, −1; step 1: 0, −2. ρ_0.1(1) = 0.1, ρ_0.9(−1) = 0.1, ρ_0.1(0) = 0, ρ_0.9(−2) = 0.2.
  expect(forecastLoss(out, y, [0.1, 0.9]).dataSync()[0]).toBeCloseTo((0.1 + 0.1 + 0 + 0.2) / 4, 6);
  expect(forecastLoss(tf.tensor3d([3, 0], [1, 2, 1]), y).dataSync()[0]).toBeCloseTo((4 + 0) / 2, 6);
  // The target's Q values are picked out of [B, H, V·Q] (value v·Q + q).
  const all = tf.tensor3d([0, 1, 2, 10, 11, 12], [1, 1, 6]); // V = 2 variables, Q = 3
  expect(Array.from(targetsOf(all, [1], 2, 3).dataSync())).toEqual([10, 11, 12]);
  expect(Array.from(targetsOf(all, [1, 0], 2, 3).dataSync())).toEqual([10, 11, 12, 0, 1, 2]);
});

test('central intervals from symmetric quantile pairs', () => {
  const ivs = intervalsFromQuantiles({ levels: [0.05, 0.1, 0.5, 0.9, 0.95], values: [[1], [2], [3], [4], [5]] });
  expect(ivs.map((i) => [i.level, i.lower[0], i.upper[0]])).toEqual([
    [80, 2, 4],
    [90, 1, 5],
  ]);
  expect(intervalsFromQuantiles({ levels: [0.1, 0.5, 0.8], values: [[1], [2], [3]] })).toEqual([]);
});

test('TPGN, DLinear and GRU heads give Q values per step and variable', () => {
  const x = tf.randomNormal([2, 48, 3]) as tf.Tensor3D;
  const m = tf.zeros([2, 48, 4]) as tf.Tensor3D;
  const q = [0.1, 0.5, 0.9];
  const nets = [
    buildTPGN({ lookback: 48, horizon: 24, period: 24, dModel: 2, norm: true, quantiles: q }, 3, 4),
    buildDLinear({ lookback: 48, horizon: 24, kernelSize: 25, quantiles: q }, 3, 4),
    buildGRU({ lookback: 48, horizon: 24, hidden: 8, quantiles: q }, 3, 4),
  ];
  for (const net of nets) {
    expect((net.apply([x, m]) as tf.Tensor).shape).toEqual([2, 24, 9]);
    net.dispose();
  }
});

test('DLinear heads on N(0, 1) noise learn its quantiles: 80 % between q0.1 and q0.9 on the test part', async () => {
  const n = 3000;
  const values = normals(n, 5);
  const series = timeSeriesFromArrays({ times: hourly(n), columns: ['y'], values });
  const model = createForecaster('dlinear', { lookback: 24, horizon: 4, period: 24, quantiles: [0.1, 0.9] });
  expect(model.quantiles).toEqual([0.1, 0.5, 0.9]);
  await model.fit(series, { target: 'y', epochs: 15, learningRate: 0.01, quiet: true, seed: 3 });
  const { probabilistic } = model.evaluate(series, 'test');
  expect(probabilistic!.quantiles).toEqual([0.1, 0.5, 0.9]);
  expect(probabilistic!.intervals[0].level).toBe(80);
  expect(Math.abs(probabilistic!.intervals[0].coverage - 80)).toBeLessThan(5);
  // The true 80 % interval of N(0, 1) is ±1.2816: width 2.563.
  expect(Math.abs(probabilistic!.intervals[0].width - 2.563) / 2.563).toBeLessThan(0.12);
  // Pinball loss of the true quantiles of N(0, 1) at 0.1, 0.5, 0.9: φ(z_τ) for each, mean ≈ (0.1755 + 0.3989 + 0.1755) / 3.
  expect(Math.abs(probabilistic!.pinball - 0.25)).toBeLessThan(0.03);

  const dir = path.join(tmp, 'dlinear-q');
  await model.save(dir);
  const again = await loadForecaster(dir);
  expect(again.quantiles).toEqual([0.1, 0.5, 0.9]);
  const f = again.predict(series);
  const f0 = model.predict(series);
  expect(Array.from(f.values)).toEqual(Array.from(f0.values));
  expect(f.quantiles!.map((q) => q.level)).toEqual([0.1, 0.5, 0.9]);
  expect(Array.from(f.quantiles![1].values)).toEqual(Array.from(f.values)); // the median is the forecast
  for (let h = 0; h < 4; h++) expect(f.quantiles![0].values[h]).toBeLessThanOrEqual(f.quantiles![2].values[h]);
  const lines = forecastCsv('date', [f], false).trim().split('\n');
  expect(lines[0]).toBe('date,y,y_lo80,y_hi80,y_q0.1,y_q0.5,y_q0.9');
  again.dispose();
  model.dispose();
});
