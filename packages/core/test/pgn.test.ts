import * as tf from '@tensorflow/tfjs';
import { PGN, GatewaveError, setSeed } from '../src';
import { gradientCheck, randomTensor } from './gradcheck';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => setSeed(1234));

/** Slow reference: loops over batch, time, lags and groups, exactly as the PGN equations read. */
function pgnReference(layer: PGN, x: number[][][]): number[][][] {
  const cfg = layer.getConfig();
  const groups = cfg.groups as number;
  const shared = cfg.shareGroups as boolean;
  const d = cfg.units as number;
  const [hk, hb, gk, gb] = layer.getWeights().map((w) => w.arraySync()) as [
    number[][][],
    number[],
    number[][],
    number[],
  ];
  const w = hk.length;
  const F = x[0][0].length;
  const Fg = F / groups;
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  return x.map((seq) =>
    seq.map((_, t) => {
      const out: number[] = [];
      for (let g = 0; g < groups; g++) {
        const wg = shared ? 0 : g; // weight block
        const H: number[] = [];
        for (let u = 0; u < d; u++) {
          let h = hb[wg * d + u];
          for (let k = 1; k <= w; k++) {
            if (t - k < 0) continue;
            for (let f = 0; f < Fg; f++) h += hk[w - k][wg * Fg + f][wg * d + u] * seq[t - k][g * Fg + f];
          }
          H.push(h);
        }
        const G = shared ? 1 : groups;
        for (let u = 0; u < d; u++) {
          // gate input [x (G·Fg) ; H (G·d)], outputs [gate (G·d) ; Ĥ (G·d)]
          let zg = gb[wg * d + u];
          let zh = gb[G * d + wg * d + u];
          for (let f = 0; f < Fg; f++) {
            zg += gk[wg * Fg + f][wg * d + u] * seq[t][g * Fg + f];
            zh += gk[wg * Fg + f][G * d + wg * d + u] * seq[t][g * Fg + f];
          }
          for (let v = 0; v < d; v++) {
            zg += gk[G * Fg + wg * d + v][wg * d + u] * H[v];
            zh += gk[G * Fg + wg * d + v][G * d + wg * d + u] * H[v];
          }
          const s = sig(zg);
          out.push(s * H[u] + (1 - s) * Math.tanh(zh));
        }
      }
      return out;
    }),
  );
}

function maxAbsDiff(a: number[][][], b: number[][][]): number {
  let m = 0;
  a.forEach((s, i) => s.forEach((r, j) => r.forEach((v, k) => (m = Math.max(m, Math.abs(v - b[i][j][k]))))));
  return m;
}

/** 0/1 block-diagonal mask `[rows·groups, cols·groups]`: the dense form that grouped PGN maps used to be. */
function blockMask(groups: number, rows: number, cols: number): tf.Tensor2D {
  const m = new Float32Array(rows * groups * cols * groups);
  for (let g = 0; g < groups; g++) {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m[(g * rows + r) * cols * groups + g * cols + c] = 1;
  }
  return tf.tensor2d(m, [rows * groups, cols * groups]);
}

/**
 * PGN with G weight groups computed densely: the stored weights times block-diagonal masks, one [b·t, w·F] × [w·F,
 * G·d] product for the HIE and one [b·t, (F + G·d)] × [.., 2·G·d] for the gate (the previous implementation).
 */
function denseMaskedPGN(x: tf.Tensor3D, weights: tf.Tensor[], G: number, d: number, w: number): tf.Tensor {
  const [hk, hb, gk, gb] = weights;
  const [batch, time, F] = x.shape;
  const Fg = F / G;
  const hieMask = tf.tile(blockMask(G, Fg, d).expandDims(0), [w, 1, 1]);
  const gateMask = tf.concat([
    tf.concat([blockMask(G, Fg, d), blockMask(G, Fg, d)], 1),
    tf.concat([blockMask(G, d, d), blockMask(G, d, d)], 1),
  ]);
  const padded = tf.pad(x, [
    [0, 0],
    [w, 0],
    [0, 0],
  ]);
  const taps = Array.from({ length: w }, (_, j) => padded.slice([0, j, 0], [-1, time, -1]));
  const unfolded = tf.concat(taps, 2).reshape([batch * time, w * F]);
  const H = tf.matMul(unfolded, hk.mul(hieMask).reshape([w * F, G * d])).add(hb);
  const z = tf.matMul(tf.concat([x.reshape([batch * time, F]), H], 1), gk.mul(gateMask)).add(gb);
  const [g, hHat] = tf.split(z, 2, 1);
  const s = tf.sigmoid(g);
  return s
    .mul(H)
    .add(tf.scalar(1).sub(s).mul(tf.tanh(hHat)))
    .reshape([batch, time, G * d]);
}

describe('PGN', () => {
  const cases: { name: string; cfg: ConstructorParameters<typeof PGN>[0]; features: number; time: number }[] = [
    { name: 'full history', cfg: { units: 4 }, features: 3, time: 7 },
    { name: 'window 3', cfg: { units: 5, window: 3 }, features: 2, time: 9 },
    { name: 'grouped', cfg: { units: 3, groups: 3, window: 4 }, features: 6, time: 6 },
    { name: 'shared groups', cfg: { units: 2, groups: 2, shareGroups: true }, features: 4, time: 5 },
    { name: 'window 1', cfg: { units: 2, window: 1 }, features: 3, time: 4 },
    { name: 'window longer than the input', cfg: { units: 2, window: 9 }, features: 2, time: 5 },
  ];

  test.each(cases)('matches a loop-over-time reference ($name)', ({ cfg, features, time }) => {
    const layer = new PGN(cfg);
    const x = randomTensor([2, time, features], 11);
    const y = layer.apply(x) as tf.Tensor;
    const groups = cfg.groups ?? 1;
    expect(y.shape).toEqual([2, time, cfg.units * groups]);
    const ref = pgnReference(layer, x.arraySync() as number[][][]);
    expect(maxAbsDiff(y.arraySync() as number[][][], ref)).toBeLessThan(1e-5);
  });

  test('grouped maps equal the dense block-masked maps: output and every gradient to 1e-5', () => {
    const [G, d, w, Fg] = [4, 3, 3, 5];
    const layer = new PGN({ units: d, groups: G, window: w });
    const x = randomTensor([3, 6, G * Fg], 31) as tf.Tensor3D;
    layer.apply(x);
    const R = randomTensor([3, 6, G * d], 32);
    const weights = layer.trainableWeights.map((v) => v.read());
    const loss = (y: tf.Tensor) => tf.sum(tf.mul(y, R)) as tf.Scalar;
    const dense = tf.grads((xi: tf.Tensor, ...ws: tf.Tensor[]) => loss(denseMaskedPGN(xi as tf.Tensor3D, ws, G, d, w)));
    const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
    expect(maxDiff(layer.apply(x) as tf.Tensor, denseMaskedPGN(x, weights, G, d, w))).toBeLessThan(1e-5);
    const gDense = dense([x, ...weights]);
    const gGrouped = tf.tidy(() => {
      // The layer's weights are variables: their gradients come from variableGrads, the input's from tf.grad.
      const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
      const { grads } = tf.variableGrads(() => loss(layer.apply(x) as tf.Tensor), vars);
      const gx = tf.grad((xi: tf.Tensor) => loss(layer.apply(xi) as tf.Tensor))(x);
      return [gx, ...vars.map((v) => grads[v.name])];
    });
    expect(gGrouped).toHaveLength(5);
    gGrouped.forEach((g, i) => {
      expect(g.shape).toEqual(gDense[i].shape);
      expect(maxDiff(g, gDense[i])).toBeLessThan(1e-5);
    });
    // The off-diagonal blocks get no gradient in either form; the diagonal ones do.
    expect(tf.max(tf.abs(gGrouped[1])).dataSync()[0]).toBeGreaterThan(1e-3);
  });

  test('is causal: changing x after t leaves outputs up to t unchanged', () => {
    const layer = new PGN({ units: 4, groups: 2 });
    const x = randomTensor([1, 8, 4], 3);
    const y1 = (layer.apply(x) as tf.Tensor).arraySync() as number[][][];
    const changed = x.arraySync() as number[][][];
    for (let t = 5; t < 8; t++) changed[0][t] = changed[0][t].map((v) => v + 10);
    const y2 = (layer.apply(tf.tensor(changed)) as tf.Tensor).arraySync() as number[][][];
    for (let t = 0; t < 5; t++) expect(y2[0][t]).toEqual(y1[0][t]);
    expect(Math.abs(y2[0][5][0] - y1[0][5][0])).toBeGreaterThan(1e-4);
  });

  test('window w: out_t ignores x older than t − w', () => {
    const layer = new PGN({ units: 3, window: 2 });
    const x = randomTensor([1, 6, 2], 5);
    const y1 = (layer.apply(x) as tf.Tensor).arraySync() as number[][][];
    const changed = x.arraySync() as number[][][];
    changed[0][0] = [9, -9];
    const y2 = (layer.apply(tf.tensor(changed)) as tf.Tensor).arraySync() as number[][][];
    expect(y2[0][3]).toEqual(y1[0][3]); // t = 3 sees x_1, x_2 (and x_3)
    expect(y2[0][2]).not.toEqual(y1[0][2]); // t = 2 sees x_0
  });

  test.each([
    ['default', { units: 3 }, 3],
    ['grouped', { units: 2, groups: 2, window: 3 }, 4],
  ])('gradient matches finite differences (%s)', (_n, cfg, features) => {
    const layer = new PGN(cfg as ConstructorParameters<typeof PGN>[0]);
    const x = randomTensor([2, 5, features as number], 21);
    layer.apply(x);
    const err = gradientCheck((input) => layer.apply(input) as tf.Tensor, layer.trainableWeights, x);
    expect(err).toBeLessThan(1e-3);
  });

  test('getConfig round-trips every argument', () => {
    const layer = new PGN({ units: 3, window: 2, groups: 2, shareGroups: true, name: 'pgn_x' });
    const cfg = layer.getConfig();
    expect(cfg).toMatchObject({ units: 3, window: 2, groups: 2, shareGroups: true, name: 'pgn_x' });
    const copy = PGN.fromConfig(PGN, cfg) as PGN;
    expect(copy.getConfig()).toEqual(cfg);
  });

  test('rejects bad arguments with the argument named', () => {
    expect(() => new PGN({ units: -1 })).toThrow(/PGN units: must be a positive integer, got -1/);
    expect(() => new PGN({ units: 2, window: 0 })).toThrow(/PGN window/);
    expect(() => new PGN({ units: 2, groups: 1.5 })).toThrow(/PGN groups/);
    const layer = new PGN({ units: 2 });
    expect(() => layer.apply(tf.zeros([2, 3]))).toThrow(GatewaveError);
    expect(() => new PGN({ units: 2 }).apply(tf.zeros([1, 4, 2, 1]))).toThrow(/rank 3/);
    expect(() => new PGN({ units: 2, groups: 2 }).apply(tf.zeros([1, 4, 3]))).toThrow(/3 features do not split into 2/);
  });
});

test('PGN trains on the wasm backend (no convolution gradient needed)', async () => {
  await tf.setBackend('wasm');
  try {
    setSeed(3);
    const layer = new PGN({ units: 3, groups: 2 });
    const x = randomTensor([2, 5, 4], 7);
    layer.apply(x);
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar, vars);
    expect(Object.keys(grads)).toHaveLength(4);
    expect(Math.abs(tf.sum(grads[vars[0].name]).dataSync()[0])).toBeGreaterThan(0);
  } finally {
    await tf.setBackend('cpu');
  }
});
