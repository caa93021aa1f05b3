import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf, initBackend, saveModel, setSeed } from '@gatewave/core';
import {
  buildFrcrn,
  countParameters,
  FRCRN_SMALL,
  FRCRN_FULL,
  ComplexConv2D,
  FrcrnEnhancer,
  loadFrcrnEnhancer,
  type FrcrnConfig,
} from '../src';
import { negSiSnr } from '../src/enhance/train';
import { TINY_FRCRN } from './frcrn-tiny';

const tiny: FrcrnConfig = TINY_FRCRN;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-frcrn-'));
beforeAll(async () => {
  await initBackend(undefined, { quiet: true });
  setSeed(3);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('complex convolution follows Re = Wr*xr − Wi*xi, Im = Wr*xi + Wi*xr', () => {
  const layer = new ComplexConv2D({ filters: 3, kernelSize: [2, 3], freqStride: 2, transpose: false });
  const x = tf.randomNormal([1, 4, 9, 4]) as tf.Tensor4D; // 2 complex input channels
  const y = layer.apply(x) as tf.Tensor4D;
  expect(y.shape).toEqual([1, 4, 5, 6]);
  const [wr, wi] = layer.getWeights().slice(0, 2) as tf.Tensor4D[];
  const [xr, xi] = tf.split(x, 2, 3) as tf.Tensor4D[];
  const conv = (a: tf.Tensor4D, k: tf.Tensor4D): tf.Tensor4D => tf.conv2d(a, k, [1, 2], 'same');
  const re = conv(xr, wr).sub(conv(xi, wi));
  const im = conv(xi, wr).add(conv(xr, wi));
  const [yr, yi] = tf.split(y, 2, 3);
  expect(tf.max(tf.abs(yr.sub(re))).arraySync()).toBeLessThan(1e-5);
  expect(tf.max(tf.abs(yi.sub(im))).arraySync()).toBeLessThan(1e-5);
});

test('configs: small is small, full is paper-sized; the mask is bounded and shaped like the spectrum', () => {
  const small = buildFrcrn(FRCRN_SMALL);
  expect(countParameters(small)).toBeLessThan(100_000);
  const m = small.predict(tf.randomNormal([1, 7, 321, 2]).mul(10)) as tf.Tensor;
  expect(m.shape).toEqual([1, 7, 321, 2]);
  expect(tf.max(tf.abs(m)).arraySync()).toBeLessThanOrEqual(1);
  const full = buildFrcrn(FRCRN_FULL);
  expect(countParameters(full)).toBeGreaterThan(4_000_000);
  expect(countParameters(full)).toBeLessThan(8_000_000);
  full.dispose();
  small.dispose();
});

test('negSiSnr: a clean estimate scores far better than a noisy one, and is scale invariant', () => {
  const s = tf.tensor2d([[1, -2, 3, -1, 0.5, 2]]);
  const noisy = s.add(tf.tensor2d([[0.5, 0.5, -0.5, 0.5, -0.5, 0.2]])) as tf.Tensor2D;
  expect(negSiSnr(s, s.mul(4) as tf.Tensor2D).arraySync()).toBeLessThan(-60);
  expect(negSiSnr(s, noisy).arraySync()).toBeGreaterThan(-15);
});

test('training steps reduce the loss on a fixed batch; save/load gives the same enhancement', async () => {
  const model = buildFrcrn(tiny);
  const enh = new FrcrnEnhancer(model, tiny);
  const n = 2000;
  const clean = Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin(i / 6) * Math.sin(i / 300));
  const noisy = clean.map((v, i) => v + 0.2 * Math.sin(i * 2.9 + 1));
  const { stftTensor, istftTensor, makeWindow } = await import('../src');
  const opts = { winLength: 64, hopLength: 32, nFft: 64, window: makeWindow('sqrt-hann', 64) };
  const c = tf.tensor2d(clean, [1, n]);
  const x = tf.tensor2d(noisy, [1, n]);
  const opt = tf.train.adam(3e-3);
  const loss = (): tf.Scalar => {
    const X = stftTensor(x, opts);
    const mask = model.apply(tf.stack([X.re, X.im], 3), { training: true }) as tf.Tensor4D;
    const [mr, mi] = tf.unstack(mask, 3);
    const y = istftTensor(
      { re: mr.mul(X.re).sub(mi.mul(X.im)) as tf.Tensor3D, im: mr.mul(X.im).add(mi.mul(X.re)) as tf.Tensor3D },
      n,
      opts,
    );
    return negSiSnr(c, y);
  };
  const first = loss().arraySync();
  for (let i = 0; i < 25; i++) opt.minimize(loss);
  expect(loss().arraySync()).toBeLessThan(first - 1);
  const before = await enh.enhance(noisy);
  expect(before).toHaveLength(n);
  const dir = path.join(tmp, 'm');
  await saveModel(model, dir, { kind: 'frcrn', config: tiny });
  const loaded = await loadFrcrnEnhancer(dir);
  const after = await loaded.enhance(noisy);
  let d = 0;
  for (let i = 0; i < n; i++) d = Math.max(d, Math.abs(before[i] - after[i]));
  expect(d).toBeLessThan(1e-5);
});
