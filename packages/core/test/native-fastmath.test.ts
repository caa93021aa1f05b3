/**
 * The native Tanh and Sigmoid kernels compute in float32 (native/src/fastmath.h), not in double as stock tfjs does.
 * These tests hold them to 1e-6 relative error against the exact values (Math.tanh and the logistic function in
 * double, on the same float32 inputs) over the whole range: tiny inputs, the switch between the series and the
 * exponential form, large |x|, the denormal tail of the sigmoid, ±Infinity and NaN. Gradients are checked against
 * the closed forms and by finite differences.
 */
import * as tf from '@tensorflow/tfjs';
import { gradientCheck } from './gradcheck';
import { NATIVE_BACKEND, registerNativeBackend } from '../src/native';
import { kernelHits } from '../src/native/kernels';

const status = registerNativeBackend();
const suite = status.ok ? describe : describe.skip;
if (!status.ok) console.warn(`native fast-math tests skipped: ${status.reason}`);

const FLT_MIN = 1.1754943508222875e-38;

/** float32 inputs covering every region of the float forms, both signs. */
function inputs(): Float32Array {
  const xs: number[] = [0, 0.625, Math.fround(0.625) - 2 ** -24, 44, 87.5, 88.7, 100, 1e6, 3e38];
  for (let e = -40; e <= 2; e += 0.25) xs.push(10 ** e); // 1e-40 (denormal) .. 100, log-spaced
  for (let i = 0; i <= 4000; i++) xs.push(-20 + i * 0.01); // dense over [-20, 20]
  for (let i = 0; i <= 200; i++) xs.push(0.6 + i * 0.00025); // around the series/exponential switch
  for (let i = 0; i <= 300; i++) xs.push(-110 + i * 0.7); // the sigmoid's underflow tail and beyond
  const both = xs.flatMap((x) => [x, -x]);
  return Float32Array.from(both);
}

function relativeErrors(got: Float32Array, x: Float32Array, exact: (v: number) => number): number {
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const want = exact(x[i]);
    const err = Math.abs(got[i] - want);
    // Below the smallest normal float32, a result can only be right to the denormal spacing.
    worst = Math.max(worst, Math.abs(want) < FLT_MIN ? (err > 2 ** -149 ? Infinity : 0) : err / Math.abs(want));
  }
  return worst;
}

async function onNative<T>(f: () => T): Promise<T> {
  await tf.setBackend(NATIVE_BACKEND);
  return f();
}

const logistic = (v: number) => 1 / (1 + Math.exp(-v));

afterAll(async () => {
  await tf.setBackend('cpu');
});

suite('native float32 tanh and sigmoid', () => {
  test.each([
    ['Tanh', tf.tanh, Math.tanh],
    ['Sigmoid', tf.sigmoid, logistic],
  ] as const)('%s is within 1e-6 relative of the exact value over the whole range', async (name, op, exact) => {
    const x = inputs();
    const before = kernelHits[name] ?? 0;
    const got = await onNative(() => tf.tidy(() => op(tf.tensor1d(x)).dataSync() as Float32Array));
    expect(kernelHits[name]).toBeGreaterThan(before);
    expect(relativeErrors(got, x, exact)).toBeLessThanOrEqual(1e-6);
    // A wrong constant in the float forms must show here: the check is not vacuous.
    expect(
      relativeErrors(
        got.map((v) => v * (1 + 4e-6)),
        x,
        exact,
      ),
    ).toBeGreaterThan(1e-6);
  });

  test('NaN stays NaN, ±Infinity saturate, -0 keeps its sign in tanh', async () => {
    const special = Float32Array.from([NaN, Infinity, -Infinity, -0]);
    const [t, s] = await onNative(() =>
      tf.tidy(() => [tf.tanh(tf.tensor1d(special)).dataSync(), tf.sigmoid(tf.tensor1d(special)).dataSync()]),
    );
    expect(Array.from(t)).toEqual([NaN, 1, -1, -0]);
    expect(Array.from(s)).toEqual([NaN, 1, 0, 0.5]);
  });

  test('the fused matmul epilogue (sigmoid) uses the same float form', async () => {
    const a = tf.tensor2d([[3, -2, 0.5]]);
    const b = tf.tensor2d([[1], [2], [-4]]);
    const y = await onNative(() =>
      tf.tidy(() => tf.fused.matMul({ a, b, activation: 'sigmoid' }).dataSync() as Float32Array),
    );
    expect(Math.abs(y[0] - logistic(-3)) / logistic(-3)).toBeLessThanOrEqual(1e-6);
    tf.dispose([a, b]);
  });

  test.each([
    ['tanh', tf.tanh, (v: number) => 1 - Math.tanh(v) ** 2],
    ['sigmoid', tf.sigmoid, (v: number) => logistic(v) * (1 - logistic(v))],
  ] as const)('%s gradient: closed form to 1e-6 and a finite-difference check', async (_name, op, derivative) => {
    const xs = Float32Array.from({ length: 401 }, (_, i) => -10 + i * 0.05);
    const g = await onNative(() =>
      tf.tidy(() =>
        tf
          .grad((x: tf.Tensor) => op(x).sum())(tf.tensor1d(xs))
          .dataSync(),
      ),
    );
    let worst = 0;
    for (let i = 0; i < xs.length; i++) worst = Math.max(worst, Math.abs(g[i] - derivative(xs[i])));
    expect(worst).toBeLessThanOrEqual(1e-6);
    // Central differences along random directions (float32 round-off keeps this at about 1e-5 on either backend).
    const fdInput = () =>
      tf.tensor2d(
        Float32Array.from({ length: 100 }, (_, i) => -3 + i * 0.06),
        [10, 10],
      );
    const worstFd = await onNative(() => tf.tidy(() => gradientCheck((x) => op(x), [], fdInput(), { eps: 5e-2 })));
    expect(worstFd).toBeLessThan(1e-3);
  });
});
