/**
 * The PGN gate fused on the native backend (native/pgn-gate-op.ts) against its formula in double precision, central
 * finite differences, and the unfused tfjs ops (layers/pgn-gate.ts); and a whole PGN layer, output and all five
 * gradients, on native (fused) against stock cpu (unfused).
 */
import * as tf from '@tensorflow/tfjs';
import { GatewaveError, PGN, setSeed } from '../src';
import { causalUnfold, causalUnfoldOps, pgnGate, pgnGateOps } from '../src/layers/pgn-gate';
import { NATIVE_BACKEND, registerNativeBackend } from '../src/native';
import { kernelHits } from '../src/native/kernels';
import { values } from './values';

const status = registerNativeBackend();
const suite = status.ok ? describe : describe.skip;
if (!status.ok) console.warn(`native PGN gate tests skipped: ${status.reason}`);

const rows = 6;
const d = 3;
const zs = Float64Array.from(values(rows * 2 * d, 11), (v) => 4 * v); // gate and Ĥ in [-4, 4): tanh and σ curve
const hs = Float64Array.from(values(rows * d, 12), (v) => 2 * v);
const ws = Float64Array.from(values(rows * d, 13)); // the loss is Σ w·out, so d loss / d out = w

/** Σ w·out in double precision, straight from the formula σ(g)·h + (1 − σ(g))·tanh(ĥ). */
function lossInDouble(z: Float64Array, h: Float64Array): number {
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < d; j++) {
      const s = 1 / (1 + Math.exp(-z[r * 2 * d + j]));
      const out = s * h[r * d + j] + (1 - s) * Math.tanh(z[r * 2 * d + d + j]);
      sum += ws[r * d + j] * out;
    }
  }
  return sum;
}

/** Central differences of lossInDouble with respect to every element of z, then of h. */
function finiteDifferences(): { dz: number[]; dh: number[] } {
  const eps = 1e-6;
  const along = (v: Float64Array, loss: (p: Float64Array) => number) =>
    Array.from(v, (_, i) => {
      const up = Float64Array.from(v);
      const down = Float64Array.from(v);
      up[i] += eps;
      down[i] -= eps;
      return (loss(up) - loss(down)) / (2 * eps);
    });
  return { dz: along(zs, (p) => lossInDouble(p, hs)), dh: along(hs, (p) => lossInDouble(zs, p)) };
}

/** Output and gradients of Σ w·gate(z, h) with the given gate function on the active backend. */
function run(gate: (z: tf.Tensor, h: tf.Tensor) => tf.Tensor): {
  out: Float32Array;
  dz: Float32Array;
  dh: Float32Array;
} {
  return tf.tidy(() => {
    const z = tf.tensor3d(Float32Array.from(zs), [2, rows / 2, 2 * d]);
    const h = tf.tensor3d(Float32Array.from(hs), [2, rows / 2, d]);
    const w = tf.tensor3d(Float32Array.from(ws), [2, rows / 2, d]);
    const out = gate(z, h);
    const [dz, dh] = tf.grads((a: tf.Tensor, b: tf.Tensor) => gate(a, b).mul(w).sum())([z, h]);
    return {
      out: out.dataSync() as Float32Array,
      dz: dz.dataSync() as Float32Array,
      dh: dh.dataSync() as Float32Array,
    };
  });
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i])).toBeLessThan(tol * (1 + Math.abs(expected[i])));
  }
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

suite('PGN gate fused on the native backend', () => {
  test('runs fused, and equals the formula in double (1e-6) and central finite differences (1e-5)', async () => {
    await tf.setBackend(NATIVE_BACKEND);
    const hits = [kernelHits.FusedPgnGate ?? 0, kernelHits.FusedPgnGateBackward ?? 0];
    const fused = run(pgnGate);
    expect(kernelHits.FusedPgnGate).toBeGreaterThan(hits[0]);
    expect(kernelHits.FusedPgnGateBackward).toBeGreaterThan(hits[1]);
    const outInDouble = Array.from({ length: rows * d }, (_, i) => {
      const r = Math.floor(i / d);
      const j = i % d;
      const s = 1 / (1 + Math.exp(-zs[r * 2 * d + j]));
      return s * hs[i] + (1 - s) * Math.tanh(zs[r * 2 * d + d + j]);
    });
    expectClose(fused.out, outInDouble, 1e-6);
    const fd = finiteDifferences();
    expectClose(fused.dz, fd.dz, 1e-5);
    expectClose(fused.dh, fd.dh, 1e-5);
  });

  test('equals the unfused ops on the same backend (1e-6), which the cpu backend runs', async () => {
    await tf.setBackend(NATIVE_BACKEND);
    const fused = run(pgnGate);
    const ops = run(pgnGateOps);
    expectClose(fused.out, ops.out, 1e-6);
    expectClose(fused.dz, ops.dz, 1e-6);
    expectClose(fused.dh, ops.dh, 1e-6);
    await tf.setBackend('cpu');
    const hits = kernelHits.FusedPgnGate ?? 0;
    const onCpu = run(pgnGate);
    expect(kernelHits.FusedPgnGate ?? 0).toBe(hits);
    expectClose(onCpu.dz, fused.dz, 1e-5);
  });

  // The addon gathers each block of rows (at most 512 values) into contiguous spans, runs rows longer than that in
  // place, and splits many rows among the threads: each size below takes one of those paths, with a partial block.
  test.each([
    [700, 2],
    [300, 7],
    [3, 600],
    [5000, 8],
  ])('%i rows of d = %i: fused equals the unfused ops (1e-6), output and both gradients', async (n, width) => {
    await tf.setBackend(NATIVE_BACKEND);
    const compare = (gate: (z: tf.Tensor, h: tf.Tensor) => tf.Tensor) =>
      tf.tidy(() => {
        const z = tf.tensor2d(
          values(n * 2 * width, n).map((v) => 4 * v),
          [n, 2 * width],
        );
        const h = tf.tensor2d(
          values(n * width, n + 1).map((v) => 2 * v),
          [n, width],
        );
        const w = tf.tensor2d(values(n * width, n + 2), [n, width]);
        const [dz, dh] = tf.grads((a: tf.Tensor, b: tf.Tensor) => gate(a, b).mul(w).sum())([z, h]);
        return [gate(z, h), dz, dh].map((t) => t.dataSync() as Float32Array);
      });
    const fused = compare(pgnGate);
    const ops = compare(pgnGateOps);
    fused.forEach((v, i) => {
      expect(v.length).toBe(ops[i].length);
      const worst = Math.max(...v.map((x, j) => Math.abs(x - ops[i][j]) / (1 + Math.abs(ops[i][j]))));
      expect(worst).toBeLessThan(1e-6);
    });
  });

  test('a PGN layer (3 groups): output and all five gradients on native equal stock cpu (1e-5)', async () => {
    const x = Float32Array.from(values(2 * 5 * 6, 21), (v) => 2 * v);
    const onBackend = async (backend: string) => {
      await tf.setBackend(backend);
      setSeed(5);
      const layer = new PGN({ units: 4, groups: 3, window: 2 });
      layer.build([null, 5, 6]);
      const input = tf.tensor3d(x, [2, 5, 6]);
      const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(
        () => (layer.apply(input) as tf.Tensor).square().sum() as tf.Scalar,
        weights,
      );
      const dx = tf.grad((a: tf.Tensor) => (layer.apply(a) as tf.Tensor).square().sum())(input);
      const result = [value, dx, ...weights.map((w) => grads[w.name])].map((t) => Float32Array.from(t.dataSync()));
      tf.dispose([input, value, dx, ...Object.values(grads)]);
      return result;
    };
    const stock = await onBackend('cpu');
    const native = await onBackend(NATIVE_BACKEND);
    expect(native).toHaveLength(6);
    native.forEach((v, i) => expectClose(v, stock[i], 1e-5));
  });

  // Tap j of step t is x_{t−w+j}; w > time leaves whole rows of zeros; the gradient sums each step's w copies.
  test.each([
    [[1, 2, 7, 5], 6],
    [[3, 4, 4, 2], 3],
    [[2, 3, 3, 1], 5],
    [[1, 1, 4, 3], 1],
  ])(
    'causal unfold of %j, w = %i: fused equals the formula and the unfolding ops, and so does its gradient',
    async (shape, w) => {
      await tf.setBackend(NATIVE_BACKEND);
      const [G, B, T, F] = shape;
      const n = G * B * T * F;
      const xs = values(n, 31 + w);
      const dys = values(n * w, 41 + w);
      const expected = new Float32Array(n * w);
      const expectedDx = new Float64Array(n);
      for (let r = 0; r < G * B; r++)
        for (let t = 0; t < T; t++)
          for (let j = 0; j < w; j++)
            for (let f = 0; f < F; f++) {
              const s = t - w + j;
              const at = ((r * T + t) * w + j) * F + f;
              if (s < 0) continue;
              expected[at] = xs[(r * T + s) * F + f];
              expectedDx[(r * T + s) * F + f] += dys[at];
            }
      const unfoldWith = (unfold: (x: tf.Tensor4D, w: number) => tf.Tensor4D) =>
        tf.tidy(() => {
          const x = tf.tensor4d(xs, shape as [number, number, number, number]);
          const dy = tf.tensor4d(dys, [G, B, T, w * F]);
          const dx = tf.grad((a: tf.Tensor) =>
            unfold(a as tf.Tensor4D, w)
              .mul(dy)
              .sum(),
          )(x);
          return [unfold(x, w), dx].map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array }));
        });
      const hits = kernelHits.FusedCausalUnfoldBackward ?? 0;
      const [out, dx] = unfoldWith(causalUnfold);
      expect(kernelHits.FusedCausalUnfoldBackward).toBeGreaterThan(hits);
      expect(out.shape).toEqual([G, B, T, w * F]);
      expect(Array.from(out.data)).toEqual(Array.from(expected));
      expectClose(dx.data, expectedDx, 1e-6);
      const [opsOut, opsDx] = unfoldWith(causalUnfoldOps);
      expect(Array.from(opsOut.data)).toEqual(Array.from(expected));
      expectClose(opsDx.data, dx.data, 1e-6);
    },
  );

  test('mismatched shapes fail with a GatewaveError that says what they were', async () => {
    await tf.setBackend(NATIVE_BACKEND);
    const z = tf.zeros([2, 3, 5]);
    const h = tf.zeros([2, 3, 3]);
    expect(() => pgnGate(z, h)).toThrow(GatewaveError);
    expect(() => pgnGate(z, h)).toThrow(/z .*\[2,3,5\].* h .*\[2,3,3\]/);
    tf.dispose([z, h]);
  });
});
