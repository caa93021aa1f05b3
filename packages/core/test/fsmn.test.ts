import * as tf from '@tensorflow/tfjs';
import { ComplexFSMN, FSMN, FSMNConfig, setSeed } from '../src';
import { gradientCheck, randomTensor } from './gradcheck';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => setSeed(1234));

type W = { w1: number[][]; b1: number[]; w2: number[][]; mem: number[][] };

function weightsOf(layer: tf.layers.Layer, offset = 0): W {
  const [w1, b1, w2, mem] = layer
    .getWeights()
    .slice(offset, offset + 4)
    .map((w) => w.arraySync());
  return { w1, b1, w2, mem } as W;
}

/** Direct evaluation of y_t = x_t + p_t + Σ_i a_i p_{t−i·dil} + Σ_j c_j p_{t+j·dil} on one sequence [L][D]. */
function fsmnReference(seq: number[][], w: W, lorder: number, rorder: number, dil: number): number[][] {
  const D = seq[0].length;
  const p = seq.map((x) => {
    const h = w.b1.map((b, u) => Math.max(0, b + x.reduce((s, v, i) => s + v * w.w1[i][u], 0)));
    return Array.from({ length: D }, (_, k) => h.reduce((s, v, u) => s + v * w.w2[u][k], 0));
  });
  const a = (i: number) => w.mem[lorder - 1 - i];
  const c = (j: number) => w.mem[lorder - 1 + j];
  return seq.map((x, t) =>
    x.map((v, k) => {
      let y = v + p[t][k];
      for (let i = 0; i < lorder; i++) if (t - i * dil >= 0) y += a(i)[k] * p[t - i * dil][k];
      for (let j = 1; j <= rorder; j++) if (t + j * dil < seq.length) y += c(j)[k] * p[t + j * dil][k];
      return y;
    }),
  );
}

function maxDiff(a: number[][], b: number[][]): number {
  let m = 0;
  a.forEach((r, i) => r.forEach((v, k) => (m = Math.max(m, Math.abs(v - b[i][k])))));
  return m;
}

const settings: [string, FSMNConfig][] = [
  ['causal', { units: 6, lorder: 4 }],
  ['with rorder', { units: 5, lorder: 3, rorder: 2 }],
  ['dilated', { units: 4, lorder: 3, rorder: 1, dilation: 2 }],
];

describe('FSMN', () => {
  test.each(settings)('equals a direct evaluation of the equation (%s)', (_n, cfg) => {
    const layer = new FSMN(cfg);
    const x = randomTensor([2, 9, 3], 4);
    const y = (layer.apply(x) as tf.Tensor).arraySync() as number[][][];
    const w = weightsOf(layer);
    (x.arraySync() as number[][][]).forEach((seq, b) => {
      expect(maxDiff(y[b], fsmnReference(seq, w, cfg.lorder, cfg.rorder ?? 0, cfg.dilation ?? 1))).toBeLessThan(1e-5);
    });
  });

  test('rorder 0 is causal; rorder > 0 looks ahead exactly rorder·dilation steps', () => {
    const causal = new FSMN({ units: 4, lorder: 3 });
    const ahead = new FSMN({ units: 4, lorder: 3, rorder: 1, dilation: 2 });
    const x = randomTensor([1, 10, 2], 8);
    const changed = x.arraySync() as number[][][];
    changed[0][6] = [5, -5];
    const xc = tf.tensor(changed);
    const c1 = (causal.apply(x) as tf.Tensor).arraySync() as number[][][];
    const c2 = (causal.apply(xc) as tf.Tensor).arraySync() as number[][][];
    for (let t = 0; t < 6; t++) expect(c2[0][t]).toEqual(c1[0][t]);
    const a1 = (ahead.apply(x) as tf.Tensor).arraySync() as number[][][];
    const a2 = (ahead.apply(xc) as tf.Tensor).arraySync() as number[][][];
    for (let t = 0; t < 4; t++) expect(a2[0][t]).toEqual(a1[0][t]);
    expect(a2[0][4]).not.toEqual(a1[0][4]); // t = 4 sees p_6 through c_1 with dilation 2
    expect(a2[0][5]).toEqual(a1[0][5]); // t = 5 sees p_7, not p_6
  });

  test.each(settings)('gradient matches finite differences (%s)', (_n, cfg) => {
    const layer = new FSMN(cfg);
    const x = randomTensor([2, 7, 3], 9);
    layer.apply(x);
    expect(gradientCheck((i) => layer.apply(i) as tf.Tensor, layer.trainableWeights, x)).toBeLessThan(1e-3);
  });

  test("axis 'frequency' runs the memory along the frequency axis of [batch, time, freq, channels]", () => {
    const layer = new FSMN({ units: 4, lorder: 2, rorder: 1, axis: 'frequency' });
    const x = randomTensor([2, 3, 5, 2], 13); // [batch, time, freq, channels]
    const y = (layer.apply(x) as tf.Tensor).arraySync() as number[][][][];
    const w = weightsOf(layer);
    (x.arraySync() as number[][][][]).forEach((frames, b) =>
      frames.forEach((bins, t) => expect(maxDiff(y[b][t], fsmnReference(bins, w, 2, 1, 1))).toBeLessThan(1e-5)),
    );
  });

  test("axis 'time' on rank 4 runs along time for each frequency", () => {
    const layer = new FSMN({ units: 3, lorder: 3 });
    const x = randomTensor([1, 6, 4, 2], 17);
    const y = (layer.apply(x) as tf.Tensor).arraySync() as number[][][][];
    const w = weightsOf(layer);
    const xs = x.arraySync() as number[][][][];
    for (let f = 0; f < 4; f++) {
      const seq = xs[0].map((frame) => frame[f]);
      const ref = fsmnReference(seq, w, 3, 0, 1);
      expect(
        maxDiff(
          y[0].map((frame) => frame[f]),
          ref,
        ),
      ).toBeLessThan(1e-5);
    }
  });

  test('rejects bad arguments with the argument named', () => {
    expect(() => new FSMN({ units: 4, lorder: 0 })).toThrow(/FSMN lorder: must be a positive integer, got 0/);
    expect(() => new FSMN({ units: -2, lorder: 1 })).toThrow(/FSMN units/);
    expect(() => new FSMN({ units: 2, lorder: 1, rorder: -1 })).toThrow(/FSMN rorder/);
    expect(() => new FSMN({ units: 2, lorder: 1, dilation: 0 })).toThrow(/FSMN dilation/);
    expect(() => new FSMN({ units: 2, lorder: 1, axis: 'space' as never })).toThrow(/FSMN axis/);
    expect(() => new FSMN({ units: 2, lorder: 1 }).apply(tf.zeros([3, 4]))).toThrow(/FSMN input: expects rank 3/);
    expect(() => new FSMN({ units: 2, lorder: 1, axis: 'frequency' }).apply(tf.zeros([1, 3, 4]))).toThrow(/rank-4/);
    expect(() => new FSMN({ units: 2, lorder: 1, projection: 5 }).apply(tf.zeros([1, 3, 4]))).toThrow(
      /FSMN projection/,
    );
  });

  test('getConfig round-trips every argument', () => {
    const args = { units: 3, projection: 4, lorder: 2, rorder: 1, dilation: 2, axis: 'frequency', name: 'fs' } as const;
    const layer = new FSMN(args);
    const cfg = layer.getConfig();
    expect(cfg).toMatchObject(args);
    expect((FSMN.fromConfig(FSMN, cfg) as FSMN).getConfig()).toEqual(cfg);
  });
});

describe('ComplexFSMN', () => {
  test('combines two real FSMNs as Yr = F_re(Xr) − F_im(Xi), Yi = F_re(Xi) + F_im(Xr)', () => {
    const cfg = { lorder: 3, rorder: 1 };
    const layer = new ComplexFSMN({ units: 5, ...cfg });
    const x = randomTensor([2, 6, 4], 23); // D = 2: [re0, re1, im0, im1]
    const y = (layer.apply(x) as tf.Tensor).arraySync() as number[][][];
    const wRe = weightsOf(layer, 0);
    const wIm = weightsOf(layer, 4);
    (x.arraySync() as number[][][]).forEach((seq, b) => {
      const xr = seq.map((v) => v.slice(0, 2));
      const xi = seq.map((v) => v.slice(2));
      const F = (s: number[][], w: W) => fsmnReference(s, w, 3, 1, 1);
      const reRe = F(xr, wRe),
        imIm = F(xi, wIm),
        reIm = F(xi, wRe),
        imRe = F(xr, wIm);
      const expected = seq.map((_, t) => [
        ...reRe[t].map((v, k) => v - imIm[t][k]),
        ...reIm[t].map((v, k) => v + imRe[t][k]),
      ]);
      expect(maxDiff(y[b], expected)).toBeLessThan(1e-5);
    });
  });

  test('gradient matches finite differences, also along frequency', () => {
    const layer = new ComplexFSMN({ units: 3, lorder: 2, rorder: 1 });
    const x = randomTensor([2, 5, 4], 29);
    layer.apply(x);
    expect(gradientCheck((i) => layer.apply(i) as tf.Tensor, layer.trainableWeights, x)).toBeLessThan(1e-3);
    const freq = new ComplexFSMN({ units: 3, lorder: 2, axis: 'frequency' });
    const x4 = randomTensor([1, 2, 5, 4], 31);
    freq.apply(x4);
    expect(gradientCheck((i) => freq.apply(i) as tf.Tensor, freq.trainableWeights, x4)).toBeLessThan(1e-3);
  });

  test('rejects an odd last dimension', () => {
    expect(() => new ComplexFSMN({ units: 2, lorder: 1 }).apply(tf.zeros([1, 3, 5]))).toThrow(/must be even, got 5/);
  });
});
