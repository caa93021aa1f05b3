/**
 * TPGN as one fused op on the native backend (models/tpgn-fused.ts) against the same layer as tfjs ops on the same
 * backend (`setTPGNFusion(false)`): output, the gradient of every weight and of the input, over one and several
 * variables, with and without the window normalisation, point and quantile heads; twice in a row, so the second pass
 * runs on pooled arrays that hold the first pass's values.
 */
import { NATIVE_BACKEND, registerNativeBackend, setSeed, tf } from '@gatewave/core';
import { buildTPGN, setTPGNFusion } from '@gatewave/forecast';
import { normals } from './synthetic';

const status = registerNativeBackend();
const suite = status.ok ? describe : describe.skip;
if (!status.ok) console.warn(`fused TPGN tests skipped: ${status.reason}`);

interface Case {
  V: number;
  L: number;
  H: number;
  d: number;
  quantiles?: number[];
  norm: boolean;
}

interface Pass {
  y: Float32Array;
  loss: number;
  grads: Float32Array[];
  dx: Float32Array;
  kernels: number;
}

/** Output, Σ w·y, and its gradients (every trainable weight, then x) with fusion on or off. */
async function pass(net: tf.LayersModel, x: tf.Tensor, m: tf.Tensor, w: tf.Tensor, fused: boolean): Promise<Pass> {
  setTPGNFusion(fused);
  const vars = net.trainableWeights.map((v) => v.read() as tf.Variable);
  const f = (xx: tf.Tensor) => tf.sum(tf.mul(net.apply([xx, m], { training: true }) as tf.Tensor, w)) as tf.Scalar;
  const profile = await tf.profile(() => tf.tidy(() => f(x)));
  const { value, grads } = tf.variableGrads(() => f(x), vars);
  const dx = tf.grad(f)(x);
  const y = net.apply([x, m]) as tf.Tensor;
  const out: Pass = {
    y: y.dataSync() as Float32Array,
    loss: value.dataSync()[0],
    grads: vars.map((v) => grads[v.name].dataSync() as Float32Array),
    dx: dx.dataSync() as Float32Array,
    kernels: profile.kernels.length,
  };
  tf.dispose([value, dx, y, ...Object.values(grads)]);
  return out;
}

/** Largest |a − b| / (scale + |b|) over two arrays of the same length. */
function maxRelative(a: Float32Array, b: Float32Array, scale: number): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (scale + Math.abs(b[i])));
  return worst;
}

function expectClose(fused: Pass, ops: Pass): void {
  expect(maxRelative(fused.y, ops.y, 1e-3)).toBeLessThan(1e-4);
  expect(Math.abs(fused.loss - ops.loss)).toBeLessThan(1e-4 * (1 + Math.abs(ops.loss)));
  fused.grads.forEach((g, i) => {
    const scale = 1e-2 * Math.max(...Array.from(ops.grads[i], Math.abs)); // relative to the largest element
    expect(maxRelative(g, ops.grads[i], scale)).toBeLessThan(1e-3);
  });
  expect(maxRelative(fused.dx, ops.dx, 1e-2 * Math.max(...Array.from(ops.dx, Math.abs)))).toBeLessThan(1e-3);
}

suite('fused TPGN on the native backend vs its tfjs ops', () => {
  beforeAll(async () => {
    await tf.setBackend(NATIVE_BACKEND);
  });
  afterAll(() => {
    setTPGNFusion(true);
  });

  const cases: Case[] = [
    { V: 1, L: 168, H: 168, d: 2, norm: true }, // the paper's ETTh1 S shape
    { V: 3, L: 96, H: 48, d: 8, norm: true }, // d = 8 over 96 steps, as in the M setting
    { V: 1, L: 48, H: 24, d: 2, norm: false },
    { V: 3, L: 72, H: 48, d: 3, norm: true },
    { V: 2, L: 48, H: 24, d: 2, quantiles: [0.1, 0.5, 0.9], norm: true },
    { V: 3, L: 48, H: 48, d: 2, quantiles: [0.2, 0.8], norm: false },
  ];
  test.each(cases)('V=$V L=$L H=$H d=$d quantiles=$quantiles norm=$norm', async (c) => {
    setSeed(7);
    const T = 4;
    const B = 5;
    const Q = c.quantiles?.length ?? 1;
    const config = { lookback: c.L, horizon: c.H, period: 24, dModel: c.d, norm: c.norm, quantiles: c.quantiles };
    const net = buildTPGN(config, c.V, T, undefined);
    // A level and scale per variable, so the normalisation has work to do.
    const x = tf.tidy(() =>
      tf
        .tensor3d(Float32Array.from(normals(B * c.L * c.V, 1)), [B, c.L, c.V], 'float32')
        .mul(3)
        .add(10),
    );
    const m = tf.tensor3d(Float32Array.from(normals(B * c.L * T, 2)), [B, c.L, T], 'float32');
    const w = tf.tensor3d(Float32Array.from(normals(B * c.H * c.V * Q, 3)), [B, c.H, c.V * Q], 'float32');
    const ops = await pass(net, x, m, w, false);
    for (let repeat = 0; repeat < 2; repeat++) {
      const fused = await pass(net, x, m, w, true);
      expectClose(fused, ops);
      expect(fused.kernels).toBeLessThan(ops.kernels / 2); // one op where the tfjs path runs dozens
    }
    tf.dispose([x, m, w]);
    net.dispose();
  });

  test('other backends run the tfjs ops', async () => {
    await tf.setBackend('cpu');
    setTPGNFusion(true);
    const net = buildTPGN({ lookback: 48, horizon: 24, period: 24, dModel: 2, norm: true }, 1, 4, undefined);
    const x = tf.ones([2, 48, 1]);
    const m = tf.zeros([2, 48, 4]);
    const profile = await tf.profile(() => net.apply([x, m]) as tf.Tensor);
    expect(profile.kernels.some((k) => k.name === 'BatchMatMul')).toBe(true);
    tf.dispose([x, m]);
    net.dispose();
    await tf.setBackend(NATIVE_BACKEND);
  });
});
