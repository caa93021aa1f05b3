import { tf, initBackend, setSeed } from '@gatewave/core';
import { buildFrcrn } from '../src';
import { TINY_FRCRN } from './frcrn-tiny';
import { negSiSnr, spectralLoss, targetWeights } from '../src/enhance/losses';
import { batchLoss, NonFiniteSteps, trainStep, type Batch, type LossWeights } from '../src/enhance/train-step';
import { validationKey, type ValidationSet } from '../src/enhance/validation';

beforeAll(async () => {
  await initBackend('cpu', { quiet: true });
  setSeed(5);
});

// zero-mean and orthogonal over whole periods: SI-SNR of s + g·n against s is exactly -20·log10(g)
const N = 512;
const s = Float32Array.from({ length: N }, (_, i) => Math.sin((2 * Math.PI * 8 * i) / N));
const n = Float32Array.from({ length: N }, (_, i) => Math.cos((2 * Math.PI * 8 * i) / N));
const plus = (g: number): Float32Array => s.map((v, i) => v + g * n[i]);
const row = (x: Float32Array): tf.Tensor2D => tf.tensor2d(x, [1, x.length]);
const rows = (xs: Float32Array[]): tf.Tensor2D =>
  tf.tensor2d(
    xs.flatMap((x) => Array.from(x)),
    [xs.length, N],
  );

describe('thresholded SI-SNR', () => {
  test('uncapped it is the plain SI-SNR; capped at C dB it is -10 log10(1 / (10^(-snr/10) + 10^(-C/10)))', () => {
    const clean = row(s);
    expect(negSiSnr(clean, row(plus(0.1))).dataSync()[0]).toBeCloseTo(-20, 3);
    expect(negSiSnr(clean, row(plus(0.1)), { capDb: 30 }).dataSync()[0]).toBeCloseTo(
      -10 * Math.log10(1 / (0.01 + 0.001)),
      3,
    ); // -19.586 dB
    // a perfect (rescaled) estimate: about -80 dB uncapped (the 1e-8 floors), exactly the cap when capped
    expect(negSiSnr(clean, row(s.map((v) => 3 * v))).dataSync()[0]).toBeLessThan(-60);
    expect(negSiSnr(clean, row(s.map((v) => 3 * v)), { capDb: 30 }).dataSync()[0]).toBeCloseTo(-30, 3);
  });

  test('the cap shrinks a nearly perfect item gradient by E / (E + tau T): about 1e-3 at 60 dB against a 30 dB cap', () => {
    const clean = row(s);
    const est = row(plus(0.001)); // 60 dB
    const norm = (capDb?: number): number => {
      const g = tf.grad((e: tf.Tensor) => negSiSnr(clean, e as tf.Tensor2D, { capDb }))(est);
      return g.norm().dataSync()[0];
    };
    const ratio = norm(30) / norm();
    expect(ratio).toBeGreaterThan(0.0009);
    expect(ratio).toBeLessThan(0.0011);
    // a poor item keeps almost all of its gradient (0 dB: E / (E + tau T) = 1 / 1.001)
    const g0 = (capDb?: number): number =>
      tf
        .grad((e: tf.Tensor) => negSiSnr(clean, e as tf.Tensor2D, { capDb }))(row(plus(1)))
        .norm()
        .dataSync()[0];
    expect(g0(30) / g0()).toBeCloseTo(1 / 1.001, 4);
  });
});

describe('near-silent targets', () => {
  const noisy = rows([plus(1), plus(1), plus(1), new Float32Array(N)]);
  const scaled = (g: number): Float32Array => s.map((v) => g * v);
  // targets: the speech (0 dB SNR), the speech at -30 dB and at -46 dB against the input, digital silence (input too)
  const clean = rows([s, scaled(0.045), scaled(0.007), new Float32Array(N)]);

  test('targets 40 dB below their input or under -100 dBFS get weight 0', () => {
    expect(Array.from(targetWeights(clean, noisy).dataSync())).toEqual([1, 1, 0, 0]);
  });

  test('a silent target no longer blows up spectral convergence: the loss is the loss of the other items', () => {
    const both = rows([s, new Float32Array(N)]);
    const input = rows([plus(0.3), plus(0.3)]);
    const est = rows([plus(0.2), plus(0.01)]);
    const unguarded = spectralLoss(both, est).dataSync()[0];
    expect(unguarded).toBeGreaterThan(1e3); // what gave a training step a loss of about 10^5
    const weights = targetWeights(both, input);
    expect(Array.from(weights.dataSync())).toEqual([1, 0]);
    const alone = spectralLoss(row(s), row(plus(0.2))).dataSync()[0];
    expect(spectralLoss(both, est, { weights }).dataSync()[0]).toBeCloseTo(alone, 5);
    expect(negSiSnr(both, est, { weights }).dataSync()[0]).toBeCloseTo(
      negSiSnr(row(s), row(plus(0.2))).dataSync()[0],
      4,
    );
    // no item left: no loss, no step
    expect(spectralLoss(both, est, { weights: tf.tensor1d([0, 0]) }).dataSync()[0]).toBe(0);
  });

  test('batchLoss of a model on [item, silent-target item] equals its loss on [item] alone, every term on', () => {
    const tiny = TINY_FRCRN;
    const model = buildFrcrn(tiny);
    const w = { mask: 1, spectral: 10, siSnrCapDb: 30 };
    const pair = batchLoss(
      model,
      tiny,
      { clean: rows([s, new Float32Array(N)]), noisy: rows([plus(0.5), n]) },
      w,
      false,
    );
    const one = batchLoss(model, tiny, { clean: row(s), noisy: row(plus(0.5)) }, w, false);
    expect(pair.loss.dataSync()[0]).toBeCloseTo(one.loss.dataSync()[0], 4);
    expect(pair.negSiSnr.dataSync()[0]).toBeCloseTo(one.negSiSnr.dataSync()[0], 4);
    expect(Number.isFinite(one.loss.dataSync()[0])).toBe(true);
    model.dispose();
  });
});

test('validation key: unchanged without a cap and skipped items (old checkpoints keep theirs), changed by either', () => {
  const val: ValidationSet = {
    batches: [{ clean: rows([s]), noisy: rows([plus(0.3)]) }],
    noisyNegSiSnr: 0,
    skipped: 0,
  };
  const base = validationKey(val, { mask: 0, spectral: 10 });
  expect(validationKey(val, { mask: 0, spectral: 10, siSnrCapDb: 0 })).toBe(base);
  expect(validationKey(val, { mask: 0, spectral: 10, siSnrCapDb: 30 })).not.toBe(base);
  expect(validationKey({ ...val, skipped: 1 }, { mask: 0, spectral: 10 })).not.toBe(base);
});

/** batchLoss of a fresh tiny model made with `seed`, on `b` with weights `w`. */
function lossOfModel(seed: number, b: Batch, w: LossWeights): number {
  setSeed(seed);
  const model = buildFrcrn(TINY_FRCRN);
  const l = batchLoss(model, TINY_FRCRN, b, w, false).loss.dataSync()[0];
  model.dispose();
  return l;
}

test('batchLoss at a 0 dB limit scores the input whatever the model; at 100 dB the output; the key names the limit', () => {
  const w = { mask: 0, spectral: 10, siSnrCapDb: 30 };
  const b = { clean: row(s), noisy: row(plus(0.5)) };
  const lossOf = (seed: number, limitDb?: number): number => lossOfModel(seed, b, { ...w, limitDb });
  expect(lossOf(1)).not.toBeCloseTo(lossOf(2), 2); // two models differ...
  expect(lossOf(1, 0)).toBeCloseTo(lossOf(2, 0), 4); // ...but not at 0 dB, where the output is the input
  expect(lossOf(1, 100)).toBeCloseTo(lossOf(1), 2); // 1e-5 of the input mixed back
  const val: ValidationSet = { batches: [b], noisyNegSiSnr: 0, skipped: 0 };
  expect(validationKey(val, { ...w, limitDb: 10 })).not.toBe(validationKey(val, w));
  expect(validationKey(val, { ...w, limitDb: 10 })).not.toBe(validationKey(val, { ...w, limitDb: 12 }));
});

test('batchLoss with a share of wiener: at share 1 it scores the wiener output whatever the model; the key names it', () => {
  const w = { mask: 0, spectral: 0 };
  const wienerOut = s.map((v, i) => v + 0.05 * Math.sin(i * 1.7));
  const b = { clean: row(s), noisy: row(plus(0.5)), wiener: row(wienerOut) };
  const lossOf = (seed: number, wienerShare?: number): number => lossOfModel(seed, b, { ...w, wienerShare });
  expect(lossOf(1)).not.toBeCloseTo(lossOf(2), 2); // two models differ...
  expect(lossOf(1, 1)).toBeCloseTo(lossOf(2, 1), 3); // ...but not when all of the output is wiener's
  // and that loss is -SI-SNR of the wiener output itself (through the STFT and back)
  expect(lossOf(1, 1)).toBeCloseTo(negSiSnr(row(s), row(wienerOut)).dataSync()[0], 2);
  const model = buildFrcrn(TINY_FRCRN);
  expect(() =>
    batchLoss(model, TINY_FRCRN, { clean: b.clean, noisy: b.noisy }, { ...w, wienerShare: 0.3 }, false),
  ).toThrow(/a loss with a share of wiener needs the batch's wiener output/);
  model.dispose();
  const val: ValidationSet = { batches: [b], noisyNegSiSnr: 0, skipped: 0 };
  expect(validationKey(val, { ...w, wienerShare: 0.3 })).not.toBe(validationKey(val, w));
  expect(validationKey(val, { ...w, wienerShare: 0 })).toBe(validationKey(val, w));
});

test('validation key: FNV-1a over the samples as float32 bits (a pinned value, so old checkpoints keep their keys)', () => {
  const val: ValidationSet = { batches: [{ clean: row(s), noisy: row(plus(0.3)) }], noisyNegSiSnr: 0, skipped: 0 };
  // the word-by-word FNV-1a of the format: per tensor its length then its bits, then the weights' bits
  let h = 0x811c9dc5;
  const mix = (v: number) => (h = Math.imul(h ^ v, 0x01000193) >>> 0);
  for (const x of [s, plus(0.3)]) {
    const bits = new Uint32Array(Float32Array.from(x).buffer);
    mix(bits.length);
    bits.forEach(mix);
  }
  new Uint32Array(Float32Array.from([0, 10]).buffer).forEach(mix);
  expect(validationKey(val, { mask: 0, spectral: 10 })).toBe(h.toString(16).padStart(8, '0'));
});

describe('trainStep and NonFiniteSteps', () => {
  const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
  test('a batch whose loss is not finite is skipped: null, and the weights and Adam moments stay as they were', async () => {
    setSeed(3);
    const model = buildFrcrn(TINY_FRCRN);
    const opt = tf.train.adam(0.01);
    const w = { mask: 0, spectral: 10, siSnrCapDb: 30 };
    const good = { clean: row(s), noisy: row(plus(0.5)) };
    const loss = await trainStep(model, opt, TINY_FRCRN, good, w, 5);
    expect(Number.isFinite(loss)).toBe(true);
    const before = weightsOf(model);
    const moments = (await opt.getWeights()).map((x) => Array.from(x.tensor.dataSync()));
    const bad = { clean: row(s), noisy: row(plus(0.5).map((v, i) => (i === 100 ? NaN : v))) };
    expect(await trainStep(model, opt, TINY_FRCRN, bad, w, 5)).toBeNull();
    expect(weightsOf(model)).toEqual(before);
    expect((await opt.getWeights()).map((x) => Array.from(x.tensor.dataSync()))).toEqual(moments);
    // and a good batch still trains
    expect(Number.isFinite(await trainStep(model, opt, TINY_FRCRN, good, w, 5))).toBe(true);
    expect(weightsOf(model)).not.toEqual(before);
    model.dispose();
  });

  test('skipped steps are counted; the third in a row is divergence, an error that says where', () => {
    const g = new NonFiniteSteps(3);
    g.record(null, 'a');
    g.record(null, 'b');
    g.record(1.5, 'c'); // a finite step ends the row
    g.record(null, 'd');
    g.record(null, 'e');
    expect(g.total).toBe(4);
    expect(() => g.record(null, 'epoch 5, step 82')).toThrow(
      /not finite at 3 steps in a row \(the last at epoch 5, step 82\)/,
    );
  });
});
