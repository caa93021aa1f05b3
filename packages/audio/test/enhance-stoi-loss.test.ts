/** The differentiable STOI term of the enhancer's loss: against the STOI measure, its invariances, its gradient. */
import { tf, initBackend, Rng } from '@gatewave/core';
import { stoiLoss, stoiLossItems } from '../src/enhance/stoi-loss';
import { stoi } from '../src/metrics';
import { buildFrcrn } from '../src';
import { TINY_FRCRN } from './frcrn-tiny';
import { batchLoss } from '../src/enhance/train-step';
import { validationKey, type ValidationSet } from '../src/enhance/validation';

beforeAll(async () => {
  await initBackend('cpu', { quiet: true });
});

const SR = 16000;

/** 2 s of a speech-like signal: a gliding harmonic complex in syllables of 150-250 ms with pauses. */
function speechLike(seed: number): Float32Array {
  const rng = new Rng(seed);
  const x = new Float32Array(2 * SR);
  let t = 0;
  while (t < x.length) {
    const len = Math.floor((0.15 + 0.1 * rng.next()) * SR);
    const f0 = 100 + 120 * rng.next();
    let phase = 0;
    for (let i = 0; i < len && t + i < x.length; i++) {
      const env = Math.sin((Math.PI * i) / len) ** 2;
      phase += (2 * Math.PI * f0 * (1 + (0.2 * i) / len)) / SR;
      let v = 0;
      for (let h = 1; h <= 20; h++) v += Math.sin(h * phase) / h;
      x[t + i] = 0.3 * env * v;
    }
    t += len + Math.floor(0.05 * SR * rng.next());
  }
  return x;
}

function noisy(clean: Float32Array, snrDb: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const n = Float32Array.from(clean, () => rng.gauss());
  const ps = clean.reduce((a, v) => a + v * v, 0);
  const pn = n.reduce((a, v) => a + v * v, 0);
  const g = Math.sqrt(ps / pn / 10 ** (snrDb / 10));
  return clean.map((v, i) => v + g * n[i]);
}

const row = (x: Float32Array): tf.Tensor2D => tf.tensor2d(x, [1, x.length]);
const lossOf = (clean: Float32Array, est: Float32Array): number =>
  stoiLossItems(row(clean), row(est), SR).dataSync()[0];

test('1 − the term follows STOI: about 1 for the clean signal, lower with more noise, close to the measure', () => {
  const clean = speechLike(1);
  expect(lossOf(clean, clean)).toBeLessThan(1e-3);
  const snrs = [20, 5, -5];
  const surrogate = snrs.map((snr) => 1 - lossOf(clean, noisy(clean, snr, 2)));
  const measured = snrs.map((snr) => stoi(clean, noisy(clean, snr, 2), SR));
  expect(surrogate[0]).toBeGreaterThan(surrogate[1]);
  expect(surrogate[1]).toBeGreaterThan(surrogate[2]);
  surrogate.forEach((v, i) => expect(Math.abs(v - measured[i])).toBeLessThan(0.05)); // 0.996 / 0.914 / 0.760 against 0.996 / 0.911 / 0.718
});

test('it does not depend on the output level, and a batch gives each item its own value', () => {
  const clean = speechLike(3);
  const est = noisy(clean, 0, 4);
  const once = lossOf(clean, est);
  expect(
    lossOf(
      clean,
      est.map((v) => 3 * v),
    ),
  ).toBeCloseTo(once, 4);
  const both = stoiLossItems(
    tf.stack([row(clean).squeeze(), row(clean).squeeze()]) as tf.Tensor2D,
    tf.stack([row(est).squeeze(), row(clean).squeeze()]) as tf.Tensor2D,
    SR,
  ).dataSync();
  expect(both[0]).toBeCloseTo(once, 5);
  expect(both[1]).toBeLessThan(1e-3);
  // the batch mean over the items a weight keeps
  const weights = tf.tensor1d([1, 0]);
  const mean = stoiLoss(
    tf.stack([row(clean).squeeze(), row(clean).squeeze()]) as tf.Tensor2D,
    tf.stack([row(est).squeeze(), row(clean).squeeze()]) as tf.Tensor2D,
    { sampleRate: SR, weights },
  );
  expect(mean.dataSync()[0]).toBeCloseTo(once, 5);
});

test('shorter than one segment (30 frames, 375 ms): no term', () => {
  const clean = speechLike(5).subarray(0, 0.3 * SR);
  expect(lossOf(clean, noisy(clean, 0, 6))).toBe(0);
});

test('repeated calls give the same value and leave no tensors behind (the band matrix is built once)', () => {
  const clean = tf.tensor2d(speechLike(5).subarray(0, SR), [1, SR]);
  const est = tf.tensor2d(noisy(speechLike(5), 5, 6).subarray(0, SR), [1, SR]);
  const first = stoiLoss(clean, est, { sampleRate: SR });
  const value = first.dataSync()[0];
  first.dispose();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    const again = stoiLoss(clean, est, { sampleRate: SR });
    expect(again.dataSync()[0]).toBe(value);
    again.dispose();
  }
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([clean, est]);
});

test('its gradient matches finite differences along a random direction', () => {
  const clean = speechLike(7);
  const est = noisy(clean, 3, 8);
  const rng = new Rng(9);
  const v = Float32Array.from(est, () => rng.gauss() * 0.01);
  const f = (e: tf.Tensor) => stoiLossItems(row(clean), e as tf.Tensor2D, SR).sum() as tf.Scalar;
  const grad = tf.grad(f)(row(est)).dataSync() as Float32Array;
  let analytic = 0;
  grad.forEach((g, i) => (analytic += g * v[i]));
  const h = 1;
  const up = lossOf(
    clean,
    est.map((x, i) => x + h * v[i]),
  );
  const down = lossOf(
    clean,
    est.map((x, i) => x - h * v[i]),
  );
  const numeric = (up - down) / (2 * h);
  expect(Math.abs(analytic)).toBeGreaterThan(1e-5);
  expect(Math.abs(numeric - analytic)).toBeLessThan(0.05 * Math.abs(analytic));
});

test('batchLoss adds weight × the term of the scored output; the validation key names the weight', () => {
  const clean = speechLike(10).subarray(0, SR);
  const b = { clean: row(clean), noisy: row(noisy(clean, 0, 11)) };
  const w = { mask: 0, spectral: 0, limitDb: 0 }; // at a 0 dB limit the scored output is the input
  const model = buildFrcrn(TINY_FRCRN);
  const lossWith = (extra: object) => batchLoss(model, TINY_FRCRN, b, { ...w, ...extra }, false).loss.dataSync()[0];
  const term = stoiLossItems(b.clean, b.noisy, SR).dataSync()[0];
  expect(term).toBeGreaterThan(0.05);
  expect(lossWith({ stoi: 2 }) - lossWith({})).toBeCloseTo(2 * term, 3);
  model.dispose();
  const val: ValidationSet = { batches: [b], noisyNegSiSnr: 0, skipped: 0 };
  expect(validationKey(val, { ...w, stoi: 2 })).not.toBe(validationKey(val, w));
  expect(validationKey(val, { ...w, stoi: 0 })).toBe(validationKey(val, w));
});
