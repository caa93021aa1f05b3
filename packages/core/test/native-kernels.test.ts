/**
 * Every kernel the native backend overrides, against the stock `cpu` kernel on the same inputs: forward values and
 * gradients, on shapes that hit the edge cases (1×1, sizes that are not multiples of the GEMM blocks, batch > 1,
 * strides, padding modes, dilations). Each check also asserts that the native kernel ran (not its fallback).
 * Over 450 lines on purpose: one suite per kernel family, all through the same harness (runOn, relErr, the hit
 * counters), so that this file stays the one list of every kernel the backend overrides.
 */
import * as tf from '@tensorflow/tfjs';
import { values } from './values';
import { NATIVE_BACKEND, nativeAddon, nativeInfo, registerNativeBackend } from '../src/native';
import { kernelHits } from '../src/native/kernels';

const status = registerNativeBackend();
const suite = status.ok ? describe : describe.skip;
if (!status.ok) {
  // Visible in the test output: the native addon is not built here.
  console.warn(`native kernel tests skipped: ${status.reason}`);
}

type Out = tf.Tensor | tf.Tensor[];

function rnd(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(
    values(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
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
    // NaN must be NaN on both sides (and then counts as equal)
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) {
      if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Infinity;
      continue;
    }
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

/** tfjs ops that run the kernel of their own name (tf.greater runs Greater), as [kernel name, op] rows. */
function opsNamedAsKernels<Op>(opNames: string[]): [string, Op][] {
  const ops = tf as unknown as Record<string, Op>;
  return opNames.map((n) => [n[0].toUpperCase() + n.slice(1), ops[n]]);
}

suite('native backend', () => {
  test('reports its ISA path and threads; cpu stays stock', () => {
    const info = nativeInfo();
    expect(info.ok).toBe(true);
    expect(['avx512', 'avx2', 'sse', 'portable']).toContain(info.isa);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(tf.getKernel('BatchMatMul', 'cpu')!.kernelFunc).not.toBe(
      tf.getKernel('BatchMatMul', NATIVE_BACKEND)!.kernelFunc,
    );
    expect(tf.getKernel('Cos', 'cpu')!.kernelFunc).toBe(tf.getKernel('Cos', NATIVE_BACKEND)!.kernelFunc);
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
    // N <= 16 (gemm-small.cc): rows of 16 lanes four at a time plus a tail row; with A transposed and M >= 16,
    // 16-row groups (the last overlapping), four columns at a time plus tail columns; K long and short.
    [[37, 30], [30, 2], false, false],
    [[700, 30], [700, 2], true, false],
    [[700, 7], [700, 4], true, false],
    [[300, 33], [13, 300], true, true],
    [[40, 18], [3, 40], true, true],
    [[33, 5], [16, 5], false, true],
    [[2, 19, 17], [2, 17, 16], false, false],
    [[3, 41, 3], [3, 3, 1], false, false],
  ];
  test.each(cases)('BatchMatMul %j x %j transposeA=%s transposeB=%s, and gradients', async (sa, sb, ta, tb) => {
    const a = () => rnd(sa, 1);
    const b = () => rnd(sb, 2);
    await expectSame(() => tf.matMul(a(), b(), ta, tb), ['BatchMatMul']);
    // tfjs 4.22 has no gradient for a broadcast batch dimension (stock cpu throws too).
    if (sa.length > 2 && sa[0] !== sb[0]) return;
    await expectSame(
      () => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, ta, tb).square().sum())([a(), b()]),
      ['BatchMatMul'],
    );
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
        await expectSame(
          () => tf.conv2d(rnd([2, 9, 8, 5], 5) as tf.Tensor4D, rnd([3, 3, 5, 13], 6) as tf.Tensor4D, 1, 'same'),
          ['Conv2D'],
        );
      }
    } finally {
      addon.setIsa(chosen);
    }
    expect(tried).toContain('portable');
    expect(tried).toContain(chosen);
    expect(addon.setIsa('no-such-isa')).toBe(false);
  });

  test('unhandled cases fall back to the stock kernel', async () => {
    await expectFallback(
      () =>
        tf.matMul(
          tf.tensor2d(
            [
              [1, 2],
              [3, 4],
            ],
            undefined,
            'int32',
          ),
          tf.tensor2d([[5], [6]], undefined, 'int32'),
        ),
      ['BatchMatMul'],
    );
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
    {
      x: [1, 8, 7, 2],
      f: [2, 3, 2, 3],
      strides: 1,
      pad: [
        [0, 0],
        [1, 2],
        [2, 1],
        [0, 0],
      ],
    },
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
      () =>
        tf.conv2d(
          rnd(xs as number[], 13) as tf.Tensor4D,
          rnd(fs as number[], 14) as tf.Tensor4D,
          1,
          pad as 'same',
          'NHWC',
          dilations as number,
        ),
      ['Conv2D'],
    );
  });

  test.each(['linear', 'relu', 'leakyrelu', 'prelu', 'sigmoid'])(
    'FusedConv2D with bias and %s, and its gradients',
    async (activation) => {
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
        () =>
          tf.grads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => f(x, w, b).sum())([
            rnd([2, 6, 7, 3], 15),
            rnd([3, 3, 3, 6], 16),
            rnd([6], 17),
          ]),
        ['Conv2DBackpropInput', 'Conv2DBackpropFilter'],
      );
    },
  );

  test('Conv2DBackpropInput through conv2dTranspose (stride 2, same)', async () => {
    await expectSame(
      () =>
        tf.conv2dTranspose(
          rnd([2, 4, 5, 6], 18) as tf.Tensor4D,
          rnd([3, 3, 3, 6], 19) as tf.Tensor4D,
          [2, 8, 10, 3],
          2,
          'same',
        ),
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
  test.each(dwCases)(
    'DepthwiseConv2dNative and its gradients: x %j filter %j strides %j %s',
    async (xs, fs, strides, pad) => {
      const dw = (x: tf.Tensor, f: tf.Tensor) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, strides, pad);
      await expectSame(() => dw(rnd(xs, 21), rnd(fs, 22)), ['DepthwiseConv2dNative']);
      await expectSame(
        () => tf.grads((x: tf.Tensor, f: tf.Tensor) => dw(x, f).square().sum())([rnd(xs, 21), rnd(fs, 22)]),
        ['DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'],
      );
    },
  );

  // Stock tfjs ignores dilations in the depthwise backprop kernels (its gradient refuses dilations > 1), so the
  // reference here is the stock kernel on the equivalent undilated filter: zeros between the taps.
  function dilate(f: tf.Tensor, [dh, dw]: number[]): tf.Tensor {
    const [fh, fw, c, m] = f.shape;
    const v = f.arraySync() as number[][][][];
    const out = tf.buffer([(fh - 1) * dh + 1, (fw - 1) * dw + 1, c, m]);
    for (let i = 0; i < fh; i++)
      for (let j = 0; j < fw; j++)
        for (let k = 0; k < c; k++) for (let l = 0; l < m; l++) out.set(v[i][j][k][l], i * dh, j * dw, k, l);
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
    const run = (name: string, inputs: tf.NamedTensorMap, a: tf.NamedAttrMap) =>
      tf.engine().runKernel(name, inputs, a) as tf.Tensor;
    // Backprop input: dilated native kernel vs stock kernel on the dilated-out filter.
    const before = kernelHits.DepthwiseConv2dNativeBackpropInput ?? 0;
    const native = await runOn(NATIVE_BACKEND, () =>
      run('DepthwiseConv2dNativeBackpropInput', { dy: dy(), filter: f() }, attrs({ inputShape: xShape }, d)),
    );
    expect(kernelHits.DepthwiseConv2dNativeBackpropInput).toBeGreaterThan(before);
    const stock = await runOn('cpu', () =>
      run(
        'DepthwiseConv2dNativeBackpropInput',
        { dy: dy(), filter: dilate(f(), d) },
        attrs({ inputShape: xShape }, [1, 1]),
      ),
    );
    expect(relErr(native.data[0], stock.data[0])).toBeLessThanOrEqual(1e-4);
    // Backprop filter: the stock kernel's gradient for the dilated-out filter, taken at the taps.
    const bigShape = [(fShape[0] - 1) * d[0] + 1, (fShape[1] - 1) * d[1] + 1, fShape[2], fShape[3]];
    const nativeF = await runOn(NATIVE_BACKEND, () =>
      run('DepthwiseConv2dNativeBackpropFilter', { x: x(), dy: dy() }, attrs({ filterShape: fShape }, d)),
    );
    const stockF = await runOn('cpu', () => {
      const big = run(
        'DepthwiseConv2dNativeBackpropFilter',
        { x: x(), dy: dy() },
        attrs({ filterShape: bigShape }, [1, 1]),
      );
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
    await expectFallback(
      () => tf.conv2d(rnd([1, 2, 5, 5], 29) as tf.Tensor4D, rnd([3, 3, 2, 3], 30) as tf.Tensor4D, 1, 'same', 'NCHW'),
      ['Conv2D'],
    );
  });
});

suite('copy kernels vs stock cpu', () => {
  test.each([
    { shape: [4, 5, 6], begin: [1, 2, 0], size: [2, 3, 6] },
    { shape: [4, 5, 6], begin: [0, 1, 2], size: [4, 3, 3] },
    { shape: [3, 1, 7, 2], begin: [1, 0, 2, 1], size: [2, 1, 4, 1] },
    { shape: [9, 8], begin: [2, 3], size: [5, 4] },
  ])('Slice of $shape from $begin size $size (float32 and int32)', async ({ shape, begin, size }) => {
    await expectSame(() => tf.slice(rnd(shape, 31), begin, size), ['Slice']);
    await expectSame(() => tf.slice(rnd(shape, 31).mul(100).toInt(), begin, size), ['Slice']);
  });

  test('Slice gradient and a contiguous slice (a view, as in the stock kernel)', async () => {
    await expectSame(
      () => tf.grads((x: tf.Tensor) => tf.slice(x, [0, 1, 1], [2, 2, 3]).square().sum())([rnd([3, 4, 5], 32)]),
      ['Slice'],
    );
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
    const shapes = [
      [2, 3, 4],
      [2, 3, 4],
      [2, 3, 4],
    ].map((s) => {
      const t = s.slice();
      t[axis < 0 ? 2 : axis] = [1, 2, 3][axis < 0 ? 2 : axis];
      return t;
    });
    const parts = () => shapes.map((s, i) => rnd(s, 40 + i));
    await expectSame(() => tf.concat(parts(), axis), axis === 0 ? [] : ['Concat']);
    await expectSame(
      () =>
        tf.concat(
          parts().map((p) => p.mul(10).toInt()),
          axis,
        ),
      axis === 0 ? [] : ['Concat'],
    );
    await expectSame(() => tf.grads((...xs: tf.Tensor[]) => tf.concat(xs, axis).square().sum())(parts()), []);
  });

  test.each([
    { shape: [5, 7], perm: [1, 0] },
    { shape: [3, 4, 5], perm: [1, 0, 2] },
    { shape: [3, 4, 5], perm: [0, 2, 1] },
    { shape: [3, 4, 5], perm: [2, 1, 0] },
    { shape: [2, 3, 1, 5], perm: [0, 3, 1, 2] },
    { shape: [2, 3, 4, 5], perm: [3, 2, 0, 1] },
    { shape: [1, 33, 1, 17], perm: [3, 1, 2, 0] },
  ])('Transpose $shape by $perm (float32 and int32)', async ({ shape, perm }) => {
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

  test.each(binaries)('%s: general broadcasts (column, outer, middle axes) and their gradients', async (name, op) => {
    await expectSame(() => op(rnd([3, 1], 64), rnd([1, 4], 65)), [name]);
    await expectSame(() => op(rnd([4, 1], 66), rnd([4, 37], 67)), [name]);
    await expectSame(() => op(rnd([5, 6, 7], 68), rnd([5, 1, 7], 69)), [name]);
    await expectSame(() => op(rnd([2, 1, 3, 1], 72), rnd([1, 4, 1, 5], 73)), [name]);
    await expectSame(() => op(rnd([1, 1, 1, 6], 74), rnd([2, 3, 4, 6], 75)), [name]);
    // (tfjs's own gradients of SquaredDifference, Maximum and Minimum do not reduce broadcast axes)
    if (['Add', 'Sub', 'Multiply', 'RealDiv'].includes(name)) {
      await expectSame(
        () =>
          tf.grads((a: tf.Tensor, b: tf.Tensor) => op(a, b).square().sum())([
            rnd([4, 1, 6], 76),
            rnd([1, 5, 6], 77).add(3),
          ]),
        [name, 'Sum'],
      );
    }
  });

  test('int32 binaries fall back to the stock kernel', async () => {
    await expectFallback(() => tf.mul(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([4, 5, 6], 'int32')), ['Multiply']);
  });

  const comparisons = opsNamedAsKernels<(a: tf.Tensor, b: tf.Tensor) => tf.Tensor>([
    'greater',
    'greaterEqual',
    'less',
    'lessEqual',
    'equal',
    'notEqual',
  ]);
  test.each(comparisons)('%s (bool output, broadcasts, ties and NaN)', async (name, op) => {
    const withTies = () => tf.tensor2d([0, 1, NaN, -2, 3, 3, 0.5, NaN], [2, 4]);
    const other = () => tf.tensor2d([0, 2, 1, NaN, 3, -3, 0.5, 7], [2, 4]);
    for (const f of [
      () => op(withTies(), other()),
      () => op(withTies(), tf.scalar(0.5)),
      () => op(rnd([3, 1, 5], 78), rnd([4, 1], 79)),
    ]) {
      await expectSame(() => f().cast('float32'), [name]);
      await runOn(NATIVE_BACKEND, () => {
        expect(f().dtype).toBe('bool');
        return tf.scalar(0);
      });
    }
  });

  test('Select (where) on float32 and int32, and the leakyRelu gradient it serves', async () => {
    const cond = () => tf.greater(rnd([6, 7], 80), 0);
    await expectSame(() => tf.where(cond(), rnd([6, 7], 81), rnd([6, 7], 82)), ['Select']);
    await expectSame(
      () => tf.where(cond(), rnd([6, 7], 81).mul(9).toInt(), rnd([6, 7], 82).mul(9).toInt()),
      ['Select'],
    );
    await expectSame(
      () => tf.grads((x: tf.Tensor) => tf.leakyRelu(x, 0.01).mul(x).sum())([rnd([4, 9, 5], 83)]),
      ['Select'],
    );
  });

  const unaries: [string, (x: tf.Tensor) => tf.Tensor][] = [
    ...opsNamedAsKernels<(x: tf.Tensor) => tf.Tensor>(['relu', 'relu6', 'sigmoid', 'tanh', 'exp', 'neg', 'square']),
    ['Sqrt', (x) => tf.sqrt(tf.abs(x))],
    ...opsNamedAsKernels<(x: tf.Tensor) => tf.Tensor>(['abs', 'elu']),
    ['LeakyRelu', (x) => tf.leakyRelu(x, 0.15)],
    ['Step', (x) => tf.step(x, 0.3)],
  ];
  test.each(unaries)('%s and its gradient', async (name, op) => {
    await expectSame(() => op(rnd([5, 11], 70).mul(4)), [name]);
    await expectSame(() => tf.grads((x: tf.Tensor) => op(x).sum())([rnd([5, 11], 71).mul(4)]), []);
  });
});

suite('reductions vs stock cpu', () => {
  const ops: [string, (x: tf.Tensor, axis?: number | number[], keepDims?: boolean) => tf.Tensor][] = [
    ['Sum', tf.sum],
    ['Mean', tf.mean],
    ['Max', tf.max],
    ['Min', tf.min],
  ];
  const axes: { shape: number[]; axis: number | number[] | undefined }[] = [
    { shape: [4, 7, 9, 5], axis: [0, 1, 2] }, // bias / batch-norm gradients: all leading axes
    { shape: [4, 7, 9, 5], axis: -1 },
    { shape: [4, 7, 9, 5], axis: [1, 3] },
    { shape: [4, 7, 9, 5], axis: [0, 2] },
    { shape: [4, 7, 9, 5], axis: undefined }, // everything
    { shape: [4, 1, 9, 1], axis: [0, 1] }, // size-1 axes on both sides
    { shape: [300, 17], axis: 0 },
    { shape: [3, 5, 6, 4], axis: 2 }, // kept, reduced, kept (a batched bias gradient)
    { shape: [3, 1000], axis: 1 },
    { shape: [6], axis: 0 },
    { shape: [2, 3], axis: [] },
  ];
  test.each(ops)('%s over leading, trailing, inner and mixed axes, keepDims', async (name, op) => {
    for (const { shape, axis } of axes) {
      await expectSame(() => op(rnd(shape, 90).mul(3), axis), [name]);
      await expectSame(() => op(rnd(shape, 91), axis, true), [name]);
    }
  });

  test('Max and Min propagate NaN, as the stock kernels do', async () => {
    const x = () => tf.tensor2d([1, NaN, 3, -1, 2, 0], [2, 3]);
    for (const [name, op] of [
      ['Max', tf.max],
      ['Min', tf.min],
    ] as const) {
      await expectSame(() => op(x(), 0), [name]);
      await expectSame(() => op(x(), 1), [name]);
      const v = (await runOn(NATIVE_BACKEND, () => op(x(), 0))).data[0];
      expect(Number.isNaN(v[1])).toBe(true);
      expect(v[0]).toBe(name === 'Max' ? 1 : -1);
    }
  });

  test('gradients that sum over broadcast axes (bias add, batch norm) match', async () => {
    await expectSame(
      () => tf.grads((x: tf.Tensor, b: tf.Tensor) => x.add(b).square().mean())([rnd([3, 8, 11, 6], 92), rnd([6], 93)]),
      ['Sum', 'Mean'],
    );
    const moments = () => tf.moments(rnd([3, 8, 11, 6], 94), [0, 1, 2]);
    await expectSame(() => [moments().mean, moments().variance], ['Mean']);
  });

  test('int32 and empty reductions fall back', async () => {
    await expectFallback(() => tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 0), ['Sum']);
    await expectFallback(() => tf.max(tf.tensor2d([], [0, 3]), 1), ['Max']);
  });
});

suite('pad, tile, unpack, reverse vs stock cpu', () => {
  // zero or more values added before and after each axis
  const pads: { shape: number[]; before: number[]; after: number[]; value: number }[] = [
    { shape: [4, 9], before: [0, 3], after: [0, 2], value: 0 },
    { shape: [2, 5, 3], before: [1, 4, 0], after: [0, 0, 0], value: 0 },
    { shape: [2, 3, 4, 2], before: [0, 0, 0, 0], after: [0, 0, 1, 0], value: 0 },
    { shape: [2, 3, 4, 2], before: [1, 0, 2, 1], after: [2, 1, 0, 1], value: -1.5 },
    { shape: [7], before: [2], after: [5], value: 3 },
  ];
  test.each(pads)(
    'PadV2 $shape by $before/$after with $value, and its gradient',
    async ({ shape, before, after, value }) => {
      const paddings = before.map((b, axis): [number, number] => [b, after[axis]]);
      await expectSame(() => tf.pad(rnd(shape, 100), paddings, value), ['PadV2']);
      await expectSame(() => tf.pad(rnd(shape, 100).mul(50).toInt(), paddings, value), ['PadV2']);
      await expectSame(
        () => tf.grads((x: tf.Tensor) => tf.pad(x, paddings, value).square().sum())([rnd(shape, 101)]),
        [],
      );
    },
  );

  test.each([
    { shape: [1, 1, 1, 6], reps: [3, 4, 5, 1] },
    { shape: [2, 3], reps: [2, 3] },
    { shape: [3, 1, 2], reps: [1, 4, 1] },
    { shape: [5], reps: [3] },
    { shape: [2, 2], reps: [1, 1] },
    { shape: [2, 3], reps: [0, 2] },
  ])('Tile $shape by $reps (float32 and int32)', async ({ shape, reps }) => {
    await expectSame(() => tf.tile(rnd(shape, 102), reps), ['Tile']);
    await expectSame(() => tf.tile(rnd(shape, 103).mul(50).toInt(), reps), ['Tile']);
  });

  test.each([
    [[4, 7, 9, 2], 3],
    [[4, 7, 9, 2], 0],
    [[3, 5, 4], 1],
    [[6], 0],
  ])('Unpack %j along %d, and its gradient', async (shape, axis) => {
    await expectSame(() => tf.unstack(rnd(shape, 104), axis), ['Unpack']);
    await expectSame(() => tf.grads((x: tf.Tensor) => tf.unstack(x, axis)[0].mul(2).sum())([rnd(shape, 105)]), []);
  });

  test.each([
    { shape: [8, 5, 12], dims: [1] },
    { shape: [8, 5, 12], dims: [2] },
    { shape: [8, 5, 12], dims: [0, 2] },
    { shape: [2, 3, 4, 5], dims: [1, 2] },
    { shape: [1, 7, 1], dims: [1] },
    { shape: [9], dims: [0] },
  ])('Reverse $shape along $dims (float32 and int32)', async ({ shape, dims }) => {
    await expectSame(() => tf.reverse(rnd(shape, 106), dims), ['Reverse']);
    await expectSame(() => tf.reverse(rnd(shape, 107).mul(50).toInt(), dims), ['Reverse']);
  });
});

suite('pooling and batch norm vs stock cpu', () => {
  test.each([
    [[2, 20, 16, 5], [5, 4], [5, 4], 'valid'],
    [[2, 9, 8, 3], [1, 4], [1, 4], 'valid'],
    [[2, 9, 8, 3], [3, 3], [2, 2], 'same'],
    [[1, 7, 7, 4], [3, 2], [1, 1], 'same'],
    [[3, 6, 5, 2], [2, 3], [2, 1], 'valid'],
  ] as [number[], [number, number], [number, number], 'valid' | 'same'][])(
    'MaxPool %j window %j stride %j %s, and MaxPoolGrad',
    async (shape, size, strides, pad) => {
      await expectSame(() => tf.maxPool(rnd(shape, 110) as tf.Tensor4D, size, strides, pad), ['MaxPool']);
      await expectSame(
        () =>
          tf.grads((x: tf.Tensor) =>
            tf
              .maxPool(x as tf.Tensor4D, size, strides, pad)
              .mul(rnd([1], 112).add(2))
              .sum(),
          )([rnd(shape, 111)]),
        ['MaxPoolGrad'],
      );
    },
  );

  test('MaxPool with ties and NaN picks what the stock kernel picks', async () => {
    const x = () => tf.tensor4d([1, 1, NaN, 0, 2, 2, 2, NaN, -1, 5, 5, 3, NaN, NaN, NaN, NaN], [1, 4, 4, 1]);
    await expectSame(() => tf.maxPool(x(), 2, 2, 'valid'), ['MaxPool']);
    await expectSame(
      () => tf.grads((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid').sum())([x()]),
      ['MaxPoolGrad'],
    );
    await expectSame(
      () => tf.grads((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 1, 'same').sum())([x()]),
      ['MaxPoolGrad'],
    );
  });

  test('FusedBatchNorm with per-channel and scalar parameters, with and without offset and scale', async () => {
    const x = () => rnd([3, 5, 7, 6], 120).mul(3);
    const p = (seed: number, shift = 0) => rnd([6], seed).add(shift);
    await expectSame(() => tf.batchNorm(x(), p(121), p(122, 2), p(123), p(124)), ['FusedBatchNorm']);
    await expectSame(() => tf.batchNorm(x(), p(121), p(122, 2)), ['FusedBatchNorm']);
    const one = (v: number) => tf.tensor1d([v]);
    await expectSame(() => tf.batchNorm(x(), one(0.3), one(1.7), p(123), one(2), 0.01), ['FusedBatchNorm']);
    await expectSame(
      () =>
        tf.grads((t: tf.Tensor, s: tf.Tensor) => tf.batchNorm(t, p(121), p(122, 2), p(123), s).square().sum())([
          x(),
          p(124),
        ]),
      ['FusedBatchNorm'],
    );
    // parameters that broadcast along another axis than the last are the stock kernel's case
    await expectFallback(
      () => tf.batchNorm(rnd([6, 4], 125), rnd([6, 1], 126), rnd([6, 1], 127).add(2)),
      ['FusedBatchNorm'],
    );
  });
});
