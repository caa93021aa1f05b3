import * as path from 'path';
import { tf } from '@gatewave/core';
import {
  DLinearForecaster,
  NaiveForecaster,
  SeasonalNaiveForecaster,
  TPGNForecaster,
  buildDLinear,
  buildTPGN,
  createForecaster,
  loadForecaster,
  movingAverageMatrix,
  readCsv,
  timeSeriesFromArrays,
  type TimeSeries,
} from '@gatewave/forecast';
import { SEATTLE_HOURLY as seattle } from './datasets';
import { modelTestSetup } from './synthetic';

const tmp = modelTestSetup('models');

/** Weights of a layer by the end of their name. */
function weightsByName(model: tf.LayersModel): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const w of model.weights) out[w.name.split('/').pop()!.replace(/_\d+$/, '')] = Array.from(w.read().dataSync());
  return out;
}

/**
 * TPGN's forward pass written out with loops from the paper's equations (models/TPGN.py), one sample at a time,
 * independently of the tensor code: reads the same weights.
 */
function referenceTPGN(
  w: Record<string, number[]>,
  x: number[][], // [L][V]
  marks: number[][], // [L][T]
  cfg: { R: number; P: number; d: number; predR: number; norm: boolean },
): number[][] {
  const { R, P, d, predR } = cfg;
  const L = R * P;
  const V = x[0].length;
  const T = marks[0].length;
  const F = 1 + T;
  const wwin = R - 1;
  const sig = (z: number): number => 1 / (1 + Math.exp(-z));
  const y: number[][] = Array.from({ length: predR * P }, () => new Array(V).fill(0));
  // Kernel shapes: hie [w, V·F, V·d]; gate [(V·F + V·d), 2·V·d]; long/col [V, R·d, d]; row [V, P·F, d]; head [V, 2d, predR].
  const hie = (k: number, i: number, o: number): number => w.hie_kernel[(k * V * F + i) * V * d + o];
  const gate = (i: number, o: number): number => w.gate_kernel[i * 2 * V * d + o];
  for (let v = 0; v < V; v++) {
    const col = x.map((r) => r[v]);
    let mean = 0;
    let std = 1;
    if (cfg.norm) {
      mean = col.reduce((a, b) => a + b, 0) / L;
      std = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / L + 1e-5);
    }
    const cell = (r: number, c: number): number[] =>
      r < 0 ? new Array(F).fill(0) : [(col[r * P + c] - mean) / std, ...marks[r * P + c]];
    // Variable v's dense layer over all R rows of d features (col, long): kernel [V, R·d, d], bias [V·d].
    const denseOverRows = (layer: 'col' | 'long', input: number[][]): number[] =>
      Array.from({ length: d }, (_, o2) => {
        let s = w[`${layer}_bias`][v * d + o2];
        for (let r = 0; r < R; r++)
          for (let o = 0; o < d; o++) s += w[`${layer}_kernel`][(v * R * d + r * d + o) * d + o2] * input[r][o];
        return s;
      });
    // Short-term branch (the same for every column).
    const s1: number[][] = [];
    for (let r = 0; r < R; r++) {
      const o1 = [];
      for (let o = 0; o < d; o++) {
        let s = w.row_bias[v * d + o];
        for (let c = 0; c < P; c++)
          cell(r, c).forEach((val, j) => (s += w.row_kernel[(v * P * F + c * F + j) * d + o] * val));
        o1.push(s);
      }
      s1.push(o1);
    }
    const s2 = denseOverRows('col', s1);
    for (let c = 0; c < P; c++) {
      // Long-term branch down column c: PGN over the rows.
      const out: number[][] = [];
      for (let r = 0; r < R; r++) {
        const H = [];
        for (let o = 0; o < d; o++) {
          let s = w.hie_bias[v * d + o];
          for (let k = 1; k <= wwin; k++)
            cell(r - k, c).forEach((val, j) => (s += hie(wwin - k, v * F + j, v * d + o) * val));
          H.push(s);
        }
        const xc = cell(r, c);
        const o2 = [];
        for (let o = 0; o < d; o++) {
          let g = w.gate_bias[v * d + o];
          let hh = w.gate_bias[V * d + v * d + o];
          xc.forEach((val, j) => {
            g += gate(v * F + j, v * d + o) * val;
            hh += gate(v * F + j, V * d + v * d + o) * val;
          });
          H.forEach((val, i) => {
            g += gate(V * F + v * d + i, v * d + o) * val;
            hh += gate(V * F + v * d + i, V * d + v * d + o) * val;
          });
          o2.push(sig(g) * H[o] + (1 - sig(g)) * Math.tanh(hh));
        }
        out.push(o2);
      }
      const long = denseOverRows('long', out);
      const both = [...s2, ...long];
      for (let pr = 0; pr < predR; pr++) {
        let s = w.head_bias[v * predR + pr];
        both.forEach((val, i) => (s += w.head_kernel[(v * 2 * d + i) * predR + pr] * val));
        y[pr * P + c][v] = s * std + mean;
      }
    }
  }
  return y;
}

describe('TPGN', () => {
  for (const norm of [true, false]) {
    test(`matches a loop-by-loop reference of the paper's forward pass (2 variables, norm ${norm})`, () => {
      const R = 3;
      const P = 4;
      const d = 2;
      const predR = 2;
      const V = 2;
      const T = 4;
      void tf.setBackend('cpu'); // cpu registers synchronously
      const net = buildTPGN({ lookback: R * P, horizon: predR * P, period: P, dModel: d, norm }, V, T);
      const x = Array.from({ length: R * P }, (_, t) => [Math.sin(t / 2) * 3 + 5, Math.cos(t / 3) - t / 10]);
      const marks = Array.from({ length: R * P }, (_, t) => [t / 11 - 0.5, ((t * 7) % 5) / 4 - 0.5, 0.1, -0.2]);
      const got = (net.predict([tf.tensor3d([x]), tf.tensor3d([marks])]) as tf.Tensor).arraySync() as number[][][];
      const want = referenceTPGN(weightsByName(net), x, marks, { R, P, d, predR, norm });
      expect(got[0].length).toBe(predR * P);
      for (let h = 0; h < predR * P; h++) for (let v = 0; v < V; v++) expect(got[0][h][v]).toBeCloseTo(want[h][v], 4);
      net.dispose();
    });
  }

  test('variables do not mix: changing variable 1 leaves the forecast of variable 0 unchanged', () => {
    // Per-variable weights (block-diagonal PGN groups, batched maps): no path from one variable to another.
    const net = buildTPGN({ lookback: 8, horizon: 4, period: 4, dModel: 2, norm: false }, 2, 4);
    const x = tf.randomNormal([1, 8, 2], 0, 1, 'float32', 1);
    const m = tf.randomNormal([1, 8, 4], 0, 1, 'float32', 2);
    const x2 = x.add(tf.tensor3d([Array.from({ length: 8 }, () => [0, 1])]));
    const a = net.predict([x, m]) as tf.Tensor;
    const b = net.predict([x2, m]) as tf.Tensor;
    const diff = a.sub(b).abs().max(1).arraySync() as number[][];
    expect(diff[0][0]).toBe(0);
    expect(diff[0][1]).toBeGreaterThan(1e-4);
  });

  test('says clearly when lookback or horizon is not a multiple of the period', () => {
    expect(() => new TPGNForecaster({ lookback: 100, horizon: 24, period: 24 })).toThrow(
      /--lookback 100 is not a multiple of --period 24/,
    );
    expect(() => new TPGNForecaster({ lookback: 168, horizon: 30, period: 24 })).toThrow(
      /--horizon 30 is not a multiple/,
    );
    expect(() => new TPGNForecaster({ lookback: 24, horizon: 24, period: 24 })).toThrow(/at least two periods/);
  });
});

describe('baselines', () => {
  const h = 3600e3;
  const n = 400;
  const series = timeSeriesFromArrays({
    times: Array.from({ length: n }, (_, i) => i * h),
    columns: ['OT'],
    values: Array.from({ length: n }, (_, i) => 10 + 5 * Math.sin((2 * Math.PI * i) / 24) + i / 50),
  });

  test('naive repeats the last value, seasonal-naive the last period (exact)', async () => {
    const naive = new NaiveForecaster({ lookback: 48, horizon: 30, period: 24 });
    await naive.fit(series);
    const f = naive.predict(series);
    expect(f.origin).toBe(n);
    expect(f.times[0]).toBe(n * h);
    const last = series.values[n - 1];
    f.values.forEach((v) => expect(v).toBeCloseTo(last, 4));
    const sn = new SeasonalNaiveForecaster({ lookback: 48, horizon: 30, period: 24 });
    await sn.fit(series);
    const g = sn.predict(series);
    for (let k = 0; k < 30; k++) expect(g.values[k]).toBeCloseTo(series.values[n - 24 + (k % 24)], 4);
    // Backtest on a pure seasonal series (no trend) is exact for seasonal-naive.
    const pure = timeSeriesFromArrays({
      times: series.times,
      columns: ['OT'],
      values: Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * i) / 24)),
    });
    await sn.fit(pure);
    const bt = sn.backtest(pure, { start: 0.8, stride: 24 });
    expect(bt.forecasts.length).toBe(Math.floor((n - 30 - Math.floor(0.8 * n)) / 24) + 1);
    expect(bt.original.mae).toBeLessThan(1e-5);
    // The paper's test loader keeps whole batches only (drop_last=True, batch 32).
    const all = naive.evaluate(series, 'test');
    expect(all.windows).toBe(Math.floor(n * 0.2) + 48 - 48 - 30 + 1);
    expect(naive.evaluate(series, 'test', { dropLastBatch: 32 }).windows).toBe(Math.floor(all.windows / 32) * 32);
  });

  test('DLinear: the moving-average matrix equals a padded centred mean', () => {
    const L = 10;
    const k = 5;
    const A = movingAverageMatrix(L, k);
    const xs = Array.from({ length: L }, (_, i) => (i * 7) % 5);
    for (let t = 0; t < L; t++) {
      let want = 0;
      for (let j = -2; j <= 2; j++) want += xs[Math.min(L - 1, Math.max(0, t + j))] / k;
      let got = 0;
      for (let s = 0; s < L; s++) got += xs[s] * A[s * L + t];
      expect(got).toBeCloseTo(want, 6);
    }
    const net = buildDLinear({ lookback: 12, horizon: 6, kernelSize: 5 }, 3, 4);
    expect((net.outputs[0].shape as number[]).slice(1)).toEqual([6, 3]);
    net.dispose();
  });
});

describe('training, save and load on real data (Seattle hourly normals, from vega-datasets)', () => {
  /** The first `n` hours of the Seattle series (all its columns, or `columns`), as views over the read arrays. */
  async function seattleHours(n: number, columns?: string[]): Promise<TimeSeries> {
    const full = await readCsv(seattle, columns ? { columns } : {});
    const values = full.values.subarray(0, n * full.columns.length);
    return { ...full, length: n, times: full.times.subarray(0, n), values };
  }

  test('TPGN trains (validation loss falls), is reproducible with a seed, and round-trips through save/load', async () => {
    await tf.setBackend('wasm');
    // The first 1200 hours keep the test fast.
    const series = await seattleHours(1200, ['temperature']);
    const fit = async (): Promise<TPGNForecaster> => {
      const m = new TPGNForecaster({ lookback: 48, horizon: 24, period: 24, dModel: 2, norm: true });
      await m.fit(series, { target: 'temperature', epochs: 3, patience: 3, quiet: true, seed: 7 });
      return m;
    };
    const a = await fit();
    const b = await fit();
    const hist = a.training!.history;
    expect(hist.length).toBe(3);
    expect(Math.min(...hist.map((e) => e.valLoss))).toBeLessThan(hist[0].valLoss);
    expect(a.training!.bestValLoss).toBe(Math.min(...hist.map((e) => e.valLoss)));
    expect(Array.from(a.predict(series).values)).toEqual(Array.from(b.predict(series).values));
    // Learning-rate schedule of the paper: lr0, lr0, 0.9·lr0, ...
    [1e-3, 1e-3, 0.9e-3].forEach((lr, i) => expect(hist[i].learningRate).toBeCloseTo(lr, 12));

    const dir = path.join(tmp, 'tpgn');
    await a.save(dir);
    const loaded = await loadForecaster(dir);
    expect(loaded.kind).toBe('tpgn');
    expect(Array.from(loaded.predict(series).values)).toEqual(Array.from(a.predict(series).values));
    expect(loaded.evaluate(series).scaled.mse).toBeCloseTo(a.evaluate(series).scaled.mse, 10);
    // Better than naive on this strongly daily series.
    const naive = createForecaster('naive', { lookback: 48, horizon: 24, period: 24 });
    await naive.fit(series, { target: 'temperature' });
    expect(a.evaluate(series).scaled.mse).toBeLessThan(naive.evaluate(series).scaled.mse);
    a.dispose();
    b.dispose();
    loaded.dispose();
    await tf.setBackend('cpu');
  });

  test('DLinear saves and loads; a model refuses data without its columns', async () => {
    const series = await seattleHours(900);
    const m = new DLinearForecaster({ lookback: 48, horizon: 24, period: 24 });
    await m.fit(series, { target: 'temperature', features: 'M', epochs: 1, quiet: true, seed: 1 });
    expect(m.pipeline!.inputColumns).toEqual(['pressure', 'wind', 'temperature']);
    const dir = path.join(tmp, 'dlinear');
    await m.save(dir);
    const loaded = await loadForecaster(dir);
    expect(Array.from(loaded.predict(series).values)).toEqual(Array.from(m.predict(series).values));
    const onlyTemp = await readCsv(seattle, { columns: ['temperature'] });
    expect(() => loaded.predict(onlyTemp)).toThrow(/lacks pressure, wind/);
    m.dispose();
    loaded.dispose();
  });

  test('GRU baseline in MS mode: all columns in, the target out; trains and forecasts', async () => {
    const series = await seattleHours(300);
    await tf.setBackend('wasm');
    const m = createForecaster('gru', { lookback: 12, horizon: 12, period: 24, hidden: 8 });
    const r = await m.fit(series, { target: 'temperature', features: 'MS', epochs: 1, quiet: true, seed: 3 });
    expect(r.training!.epochs).toBe(1);
    expect(Number.isFinite(r.training!.bestValLoss)).toBe(true);
    expect(m.pipeline!.targetColumns).toEqual(['temperature']);
    const f = m.predict(series);
    expect(f.columns).toEqual(['temperature']);
    expect(f.values.length).toBe(12);
    f.values.forEach((v) => expect(Number.isFinite(v)).toBe(true));
    m.dispose();
    await tf.setBackend('cpu');
  });
});
