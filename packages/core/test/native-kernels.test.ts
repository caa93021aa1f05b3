/**
 * Every kernel the native backend overrides, against the stock `cpu` kernel on the same inputs: forward values and
 * gradients, on shapes that hit the edge cases (1×1, sizes that are not multiples of the GEMM blocks, batch > 1,
 * strides, padding modes, dilations). Each check also asserts that the native kernel ran (not its fallback).
 */
import * as tf from '@tensorflow/tfjs';
import { NATIVE_BACKEND, nativeAddon, nativeInfo, registerNativeBackend } from '../src/native';
import { kernelHits } from '../src/native/kernels';

const status = registerNativeBackend();
const suite = status.ok ? describe : describe.skip;
if (!status.ok) {
  // Visible in the test output: the native addon is not built here.
  // eslint-disable-next-line no-console
  console.warn(`native kernel tests skipped: ${status.reason}`);
}

type Out = tf.Tensor | tf.Tensor[];

/** Deterministic pseudo-random values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function rnd(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(values(shape.reduce((a, b) => a * b, 1), seed), shape);
}

async function runOn(backend: string, f: () => Out): Promise<{ shapes: number[][]; data: Float32Array[] }> {
  await tf.setBackend(backend);
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const result = { shapes: list.map((t) => t.shape), data: list.map((t) => Float32Array.from(t.dataSync())) };
  tf.dispose(list);
  return result;
}

function relErr(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Runs f on stock cpu and on native, checks shapes and values, and that `kernels` ran natively. */
async function expectSame(f: () => Out, kernels: string[], tol = 1e-4): Promise<void> {
  const before = kernels.map((k) => kernelHits[k] ?? 0);
  const native = await runOn(NATIVE_BACKEND, f);
  kernels.forEach((k, i) => {
    if ((kernelHits[k] ?? 0) <= before[i]) throw new Error(`native ${k} did not run`);
  });
  const stock = await runOn('cpu', f);
  expect(native.shapes).toEqual(stock.shapes);
  native.data.forEach((d, i) => {
    expect(d.length).toBe(stock.data[i].length);
    expect(relErr(d, stock.data[i])).toBeLessThanOrEqual(tol);
  });
}

/** Runs f on native and checks that none of `kernels` ran natively (the stock kernel handled it). */
async function expectFallback(f: () => Out, kernels: string[]): Promise<void> {
  const before = kernels.map((k) => kernelHits[k] ?? 0);
  const native = await runOn(NATIVE_BACKEND, f);
  kernels.forEach((k, i) => expect(kernelHits[k] ?? 0).toBe(before[i]));
  const stock = await runOn('cpu', f);
  native.data.forEach((d, i) => expect(relErr(d, stock.data[i])).toBeLessThanOrEqual(1e-6));
}

afterAll(async () => {
  await tf.setBackend('cpu');
});

suite('native backend', () => {
  test('reports its ISA path and threads; cpu stays stock', () => {
    const info = nativeInfo();
    expect(info.ok).toBe(true);
    expect(['avx512', 'avx2', 'sse', 'portable']).toContain(info.isa);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(tf.getKernel('BatchMatMul', 'cpu')!.kernelFunc).not.toBe(tf.getKernel('BatchMatMul', NATIVE_BACKEND)!.kernelFunc);
    expect(tf.getKernel('Max', 'cpu')!.kernelFunc).toBe(tf.getKernel('Max', NATIVE_BACKEND)!.kernelFunc);
    expect(registerNativeBackend()).toEqual({ ok: true });
  });
});

suite('matmul kernels vs stock cpu', () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[1, 1], [1, 1], false, false],
    [[7, 13], [13, 5], false, false],
    [[13, 7], [13, 5], true, false],
    [[7, 13], [5, 13], false, true],
    [[13, 7], [5, 13], true, true],
    [[3, 4, 37], [3, 37, 29], false, false],
    [[1, 4, 37], [3, 37, 29], false, false],
    [[2, 3, 9, 4], [2, 3, 4, 11], false, false],
    [[130, 203], [203, 150], false, false], // threaded, edge tiles
    [[33, 300], [65, 300], false, true],
  ];
  test.each(cases)('BatchMatMul %j x %j transposeA=%s transposeB=%s, and gradients', async (sa, sb, ta, tb) => {
    const a = () => rnd(sa, 1);
    const b = () => rnd(sb, 2);
    await expectSame(() => tf.matMul(a(), b(), ta, tb), ['BatchMatMul']);
    // tfjs 4.22 has no gradient for a broadcast batch dimension (stock cpu throws too).
    if (sa.length > 2 && sa[0] !== sb[0]) return;
    await expectSame(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, ta, tb).square().sum())([a(), b()]), [
      'BatchMatMul',
    ]);
  });

  test.each([
    ['relu', [16]],
    ['linear', [1]],
    ['sigmoid', [16]],
    ['relu6', [16]],
    ['elu', [16]],
    ['leakyrelu', [16]],
    ['prelu', [16]],
  ])('_FusedMatMul with bias %j and activation %s', async (activation, biasShape) => {
    await expectSame(
      () =>
        tf.fused.matMul({
          a: rnd([2, 9, 21], 3).mul(4),
          b: rnd([21, 16], 4),
          bias: rnd(biasShape as number[], 5),
          activation: activation as tf.fused.Activation,
          preluActivationWeights: activation === 'prelu' ? rnd([16], 6) : undefined,
          leakyreluAlpha: 0.3,
        }),
      ['_FusedMatMul'],
    );
  });

  test('fused matmul gradients (bias + relu)', async () => {
    const f = (a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor) =>
      tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation: 'relu' }).sum();
    await expectSame(() => tf.grads(f)([rnd([17, 33], 7), rnd([33, 19], 8), rnd([19], 9)]), ['BatchMatMul']);
  });

  test('every GEMM micro-kernel this CPU has (avx512, avx2, sse, portable) matches stock cpu', async () => {
    const addon = nativeAddon()!;
    const chosen = addon.info().isa;
    const tried: string[] = [];
    try {
      for (const isa of ['avx512', 'avx2', 'sse', 'portable']) {
        if (!addon.setIsa(isa)) continue;
        tried.push(isa);
        expect(addon.info().isa).toBe(isa);
        await expectSame(() => tf.matMul(rnd([45, 77], 1), rnd([77, 39], 2)), ['BatchMatMul']);
        await expectSame(() => tf.matMul(rnd([3, 130, 61], 3), rnd([3, 70, 61], 4), false, true), ['BatchMatMul']);
        await expectSame(() => tf.conv2d(rnd([2, 9, 8, 5], 5) as tf.Tensor4D, rnd([3, 3, 5, 13], 6) as tf.Tensor4D, 1, 'same'), ['Conv2D']);
      }
    } finally {
      addon.setIsa(chosen);
    }
    expect(tried).toContain('portable');
    expect(tried).toContain(chosen);
    expect(addon.setIsa('no-such-isa')).toBe(false);
  });

  test('unhandled cases fall back to the stock kernel', async () => {
    await expectFallback(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]], undefined, 'int32'), tf.tensor2d([[5], [6]], undefined, 'int32')), [
      'BatchMatMul',
    ]);
    // A bias that broadcasts along rows is not handled natively.
    await expectFallback(
      () => tf.fused.matMul({ a: rnd([5, 3], 1), b: rnd([3, 4], 2), bias: rnd([5, 1], 3), activation: 'relu' }),
      ['_FusedMatMul'],
    );
  });
});

suite('convolution kernels vs stock cpu', () => {
  type ConvCase = {
    x: number[];
    f: number[];
    strides: number | [number, number];
    pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
    dilations?: number | [number, number];
  };
  const cases: ConvCase[] = [
    { x: [1, 1, 1, 1], f: [1, 1, 1, 1], strides: 1, pad: 'valid' },
    { x: [2, 5, 6, 16], f: [1, 1, 16, 33], strides: 1, pad: 'same' }, // pointwise: a plain GEMM
    { x: [2, 7, 9, 3], f: [3, 3, 3, 5], strides: 1, pad: 'same' },
    { x: [3, 11, 8, 4], f: [3, 2, 4, 6], strides: 2, pad: 'valid' },
    { x: [2, 9, 10, 5], f: [3, 3, 5, 7], strides: [2, 1], pad: 'same' },
    { x: [1, 8, 7, 2], f: [2, 3, 2, 3], strides: 1, pad: [[0, 0], [1, 2], [2, 1], [0, 0]] },
    { x: [2, 6, 5, 7], f: [1, 1, 7, 4], strides: 2, pad: 'valid' }, // 1x1 with stride: im2col path
    { x: [1, 24, 24, 64], f: [3, 3, 64, 8], strides: 1, pad: 'same' }, // several im2col chunks per image
  ];
  test.each(cases)('Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter: %j', async (c) => {
    const conv = (x: tf.Tensor, f: tf.Tensor) =>
      tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides, c.pad as 'same');
    await expectSame(() => conv(rnd(c.x, 11), rnd(c.f, 12)), ['Conv2D']);
    await expectSame(
      () => tf.grads((x: tf.Tensor, f: tf.Tensor) => conv(x, f).square().sum())([rnd(c.x, 11), rnd(c.f, 12)]),
      ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'],
    );
  });

  test.each([
    [[2, 9, 9, 3], [3, 3, 3, 4], 2, 'same'],
    [[1, 10, 7, 2], [3, 2, 2, 3], [2, 3], 'valid'],
  ])('dilated Conv2D %j * %j dilations %j (%s)', async (xs, fs, dilations, pad) => {
    await expectSame(
      () => tf.conv2d(rnd(xs as number[], 13) as tf.Tensor4D, rnd(fs as number[], 14) as tf.Tensor4D, 1, pad as 'same', 'NHWC', dilations as number),
      ['Conv2D'],
    );
  });

  test.each(['linear', 'relu', 'leakyrelu', 'prelu', 'sigmoid'])('FusedConv2D with bias and %s, and its gradients', async (activation) => {
    const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
      tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: w as tf.Tensor4D,
        strides: 1,
        pad: 'same',
        bias: b,
        activation: activation as tf.fused.Activation,
        preluActivationWeights: activation === 'prelu' ? tf.fill([6], 0.1) : undefined,
        leakyreluAlpha: 0.25,
      });
    await expectSame(() => f(rnd([2, 6, 7, 3], 15), rnd([3, 3, 3, 6], 16), rnd([6], 17)), ['FusedConv2D']);
    await expectSame(
      () => tf.grads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => f(x, w, b).sum())([rnd([2, 6, 7, 3], 15), rnd([3, 3, 3, 6], 16), rnd([6], 17)]),
      ['Conv2DBackpropInput', 'Conv2DBackpropFilter'],
    );
  });

  test('Conv2DBackpropInput through conv2dTranspose (stride 2, same)', async () => {
    await expectSame(
      () => tf.conv2dTranspose(rnd([2, 4, 5, 6], 18) as tf.Tensor4D, rnd([3, 3, 3, 6], 19) as tf.Tensor4D, [2, 8, 10, 3], 2, 'same'),
      ['Conv2DBackpropInput'],
    );
  });

  const dwCases: [number[], number[], number | [number, number], 'same' | 'valid', number | [number, number]][] = [
    [[1, 1, 1, 1], [1, 1, 1, 1], 1, 'valid', 1],
    [[2, 8, 9, 3], [3, 3, 3, 1], 1, 'same', 1],
    [[2, 8, 9, 3], [3, 3, 3, 2], 2, 'same', 1],
    [[1, 11, 7, 4], [2, 3, 4, 3], [2, 1], 'valid', 1],
    [[2, 16, 1, 5], [4, 1, 5, 1], 1, 'valid', 1], // FSMN-like: a depthwise filter over time
  ];
  test.each(dwCases)('DepthwiseConv2dNative and its gradients: x %j filter %j strides %j %s', async (xs, fs, strides, pad) => {
    const dw = (x: tf.Tensor, f: tf.Tensor) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, strides, pad);
    await expectSame(() => dw(rnd(xs, 21), rnd(fs, 22)), ['DepthwiseConv2dNative']);
    await expectSame(
      () => tf.grads((x: tf.Tensor, f: tf.Tensor) => dw(x, f).square().sum())([rnd(xs, 21), rnd(fs, 22)]),
      ['DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'],
    );
  });

  // Stock tfjs ignores dilations in the depthwise backprop kernels (its gradient refuses dilations > 1), so the
  // reference here is the stock kernel on the equivalent undilated filter: zeros between the taps.
  function dilate(f: tf.Tensor, [dh, dw]: number[]): tf.Tensor {
    const [fh, fw, c, m] = f.shape;
    const v = f.arraySync() as number[][][][];
    const out = tf.buffer([(fh - 1) * dh + 1, (fw - 1) * dw + 1, c, m]);
    for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) for (let k = 0; k < c; k++) for (let l = 0; l < m; l++) out.set(v[i][j][k][l], i * dh, j * dw, k, l);
    return out.toTensor();
  }
  test.each([
    [[2, 9, 8, 3], [3, 3, 3, 2], 'same', [2, 2]],
    [[1, 12, 6, 4], [3, 2, 4, 1], 'valid', [3, 1]],
  ])('dilated depthwise forward and backprop kernels: x %j filter %j %s dilations %j', async (xs, fs, pad, dil) => {
    const xShape = xs as number[];
    const fShape = fs as number[];
    const d = dil as [number, number];
    const x = () => rnd(xShape, 23) as tf.Tensor4D;
    const f = () => rnd(fShape, 24) as tf.Tensor4D;
    await expectSame(() => tf.depthwiseConv2d(x(), f(), 1, pad as 'same', 'NHWC', d), ['DepthwiseConv2dNative']);
    const yShape = tf.tidy(() => tf.depthwiseConv2d(x(), f(), 1, pad as 'same', 'NHWC', d).shape);
    const dy = () => rnd(yShape, 25);
    const attrs = (extra: object, dilations: number[]) =>
      ({ strides: [1, 1], pad, dilations, dimRoundingMode: undefined, ...extra }) as unknown as tf.NamedAttrMap;
    const run = (name: string, inputs: tf.NamedTensorMap, a: tf.NamedAttrMap) => tf.engine().runKernel(name, inputs, a) as tf.Tensor;
    // Backprop input: dilated native kernel vs stock kernel on the dilated-out filter.
    const before = kernelHits.DepthwiseConv2dNativeBackpropInput ?? 0;
    const native = await runOn(NATIVE_BACKEND, () =>
      run('DepthwiseConv2dNativeBackpropInput', { dy: dy(), filter: f() }, attrs({ inputShape: xShape }, d)),
    );
    expect(kernelHits.DepthwiseConv2dNativeBackpropInput).toBeGreaterThan(before);
    const stock = await runOn('cpu', () =>
      run('DepthwiseConv2dNativeBackpropInput', { dy: dy(), filter: dilate(f(), d) }, attrs({ inputShape: xShape }, [1, 1])),
    );
    expect(relErr(native.data[0], stock.data[0])).toBeLessThanOrEqual(1e-4);
    // Backprop filter: the stock kernel's gradient for the dilated-out filter, taken at the taps.
    const bigShape = [(fShape[0] - 1) * d[0] + 1, (fShape[1] - 1) * d[1] + 1, fShape[2], fShape[3]];
    const nativeF = await runOn(NATIVE_BACKEND, () =>
      run('DepthwiseConv2dNativeBackpropFilter', { x: x(), dy: dy() }, attrs({ filterShape: fShape }, d)),
    );
    const stockF = await runOn('cpu', () => {
      const big = run('DepthwiseConv2dNativeBackpropFilter', { x: x(), dy: dy() }, attrs({ filterShape: bigShape }, [1, 1]));
      return tf.stridedSlice(big, [0, 0, 0, 0], bigShape, [d[0], d[1], 1, 1]);
    });
    expect(nativeF.shapes[0]).toEqual(stockF.shapes[0]);
    expect(relErr(nativeF.data[0], stockF.data[0])).toBeLessThanOrEqual(1e-4);
  });

  test('FusedDepthwiseConv2D with bias and relu', async () => {
    await expectSame(
      () =>
        tf.fused.depthwiseConv2d({
          x: rnd([2, 7, 6, 4], 26) as tf.Tensor4D,
          filter: rnd([3, 3, 4, 2], 27) as tf.Tensor4D,
          strides: 1,
          pad: 'same',
          bias: rnd([8], 28),
          activation: 'relu',
        }),
      ['FusedDepthwiseConv2D'],
    );
  });

  test('NCHW convolutions fall back to the stock kernel', async () => {
    // tfjs's cpu Conv2D handles NCHW; the native one leaves it to the stock kernel.
    await expectFallback(() => tf.conv2d(rnd([1, 2, 5, 5], 29) as tf.Tensor4D, rnd([3, 3, 2, 3], 30) as tf.Tensor4D, 1, 'same', 'NCHW'), ['Conv2D']);
  });
});

suite('copy kernels vs stock cpu', () => {
  test.each([
    [[4, 5, 6], [1, 2, 0], [2, 3, 6]],
    [[4, 5, 6], [0, 1, 2], [4, 3, 3]],
    [[3, 1, 7, 2], [1, 0, 2, 1], [2, 1, 4, 1]],
    [[9, 8], [2, 3], [5, 4]],
  ])('Slice of %j from %j size %j (float32 and int32)', async (shape, begin, size) => {
    await expectSame(() => tf.slice(rnd(shape, 31), begin, size), ['Slice']);
    await expectSame(() => tf.slice(rnd(shape, 31).mul(100).toInt(), begin, size), ['Slice']);
  });

  test('Slice gradient and a contiguous slice (a view, as in the stock kernel)', async () => {
    await expectSame(() => tf.grads((x: tf.Tensor) => tf.slice(x, [0, 1, 1], [2, 2, 3]).square().sum())([rnd([3, 4, 5], 32)]), ['Slice']);
    await expectFallback(() => tf.slice(rnd([4, 5], 33), [1, 0], [2, 5]), ['Slice']);
  });

  test.each([
    [[4, 6, 5], [2, 3, 1], 1],
    [[4, 6, 5], 5, 2],
    [[3, 7], [3, 4], -1],
  ])('SplitV of %j into %j along %i', async (shape, splits, axis) => {
    await expectSame(() => tf.split(rnd(shape, 34), splits, axis), ['SplitV']);
    await expectSame(() => tf.split(rnd(shape, 34).mul(50).toInt(), splits, axis), ['SplitV']);
  });

  test.each([0, 1, 2, -1])('Concat along axis %i (float32 and int32) and its gradient', async (axis) => {
    const shapes = [[2, 3, 4], [2, 3, 4], [2, 3, 4]].map((s) => {
      const t = s.slice();
      t[axis < 0 ? 2 : axis] = [1, 2, 3][axis < 0 ? 2 : axis];
      return t;
    });
    const parts = () => shapes.map((s, i) => rnd(s, 40 + i));
    await expectSame(() => tf.concat(parts(), axis), axis === 0 ? [] : ['Concat']);
    await expectSame(() => tf.concat(parts().map((p) => p.mul(10).toInt()), axis), axis === 0 ? [] : ['Concat']);
    await expectSame(() => tf.grads((...xs: tf.Tensor[]) => tf.concat(xs, axis).square().sum())(parts()), []);
  });

  test.each([
    [[5, 7], [1, 0]],
    [[3, 4, 5], [1, 0, 2]],
    [[3, 4, 5], [0, 2, 1]],
    [[3, 4, 5], [2, 1, 0]],
    [[2, 3, 1, 5], [0, 3, 1, 2]],
    [[2, 3, 4, 5], [3, 2, 0, 1]],
    [[1, 33, 1, 17], [3, 1, 2, 0]],
  ])('Transpose %j by %j (float32 and int32)', async (shape, perm) => {
    await expectSame(() => tf.transpose(rnd(shape, 50), perm), ['Transpose']);
    await expectSame(() => tf.transpose(rnd(shape, 50).mul(100).toInt(), perm), ['Transpose']);
  });
});

suite('elementwise kernels vs stock cpu', () => {
  const binaries: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ['Add', tf.add],
    ['Sub', tf.sub],
    ['Multiply', tf.mul],
    ['RealDiv', tf.div],
    ['SquaredDifference', tf.squaredDifference],
    ['Maximum', tf.maximum],
    ['Minimum', tf.minimum],
  ];
  test.each(binaries)('%s: same shape, scalar on either side, a row broadcast on either side', async (name, op) => {
    await expectSame(() => op(rnd([7, 9], 60), rnd([7, 9], 61)), [name]);
    await expectSame(() => op(rnd([7, 9], 60), tf.scalar(0.7)), [name]);
    await expectSame(() => op(tf.scalar(-1.3), rnd([7, 9], 61)), [name]);
    await expectSame(() => op(rnd([2, 7, 9], 60), rnd([9], 62)), [name]);
    await expectSame(() => op(rnd([1, 7, 9], 63), rnd([4, 7, 9], 61)), [name]);
  });

  test('binary broadcasts it does not handle, and int32, fall back', async () => {
    await expectFallback(() => tf.add(rnd([3, 1], 64), rnd([1, 4], 65)), ['Add']);
    await expectFallback(() => tf.mul(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([4, 5, 6], 'int32')), ['Multiply']);
  });

  const unaries: [string, (x: tf.Tensor) => tf.Tensor][] = [
    ['Relu', tf.relu],
    ['Relu6', tf.relu6],
    ['Sigmoid', tf.sigmoid],
    ['Tanh', tf.tanh],
    ['Exp', tf.exp],
    ['Neg', tf.neg],
    ['Square', tf.square],
    ['Sqrt', (x) => tf.sqrt(tf.abs(x))],
    ['Abs', tf.abs],
    ['Elu', tf.elu],
    ['LeakyRelu', (x) => tf.leakyRelu(x, 0.15)],
    ['Step', (x) => tf.step(x, 0.3)],
  ];
  test.each(unaries)('%s and its gradient', async (name, op) => {
    await expectSame(() => op(rnd([5, 11], 70).mul(4)), [name]);
    await expectSame(() => tf.grads((x: tf.Tensor) => op(x).sum())([rnd([5, 11], 71).mul(4)]), []);
  });
});
