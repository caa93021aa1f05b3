/**
 * The argument checks that the N-API bindings share (binding.h: `longs` with a count, `length`, `fail`): each binding
 * throws its own message for a bad argument, and computes the known result for a good one.
 */
import { kernelsIfCurrent, nativeAddon, registerNativeBackend } from '../src/native';
import type { NativeAddon } from '../src/native/addon';

const status = registerNativeBackend();
const suite = status.ok ? describe : describe.skip;
const addon = nativeAddon();
const f32 = (...v: number[]): Float32Array => Float32Array.from(v);

/** Calls the binding and returns what it threw (fails when it does not throw). */
function thrown(call: () => void): { code?: string; message: string } {
  try {
    call();
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('the binding did not throw');
}

suite('native binding arguments', () => {
  const a = addon!;

  test('copies: one entry per axis, or the binding names what is missing', () => {
    const out = new Float32Array(5);
    a.tile(f32(1, 2), [2], [2], out);
    expect(Array.from(out.subarray(0, 4))).toEqual([1, 2, 1, 2]);
    expect(thrown(() => a.tile(f32(1, 2), [2], [2, 1], out))).toMatchObject({
      code: 'GATEWAVE_NATIVE',
      message: 'gatewave native: tile needs one repeat count per axis',
    });
    a.reverse(f32(1, 2, 3), [3], [1], out);
    expect(Array.from(out.subarray(0, 3))).toEqual([3, 2, 1]);
    expect(thrown(() => a.reverse(f32(1, 2, 3), [3], [1, 0], out)).message).toBe(
      'gatewave native: reverse needs one flag per axis',
    );
    a.slice(f32(1, 2, 3, 4), [4], [1], [2], out);
    expect(Array.from(out.subarray(0, 2))).toEqual([2, 3]);
    expect(thrown(() => a.slice(f32(1, 2, 3, 4), [4], [1, 0], [2], out)).message).toBe(
      'gatewave native: slice begin/size must have the rank of x',
    );
    expect(thrown(() => a.slice(f32(1, 2, 3, 4), [4], [1], [2, 1], out)).message).toBe(
      'gatewave native: slice begin/size must have the rank of x',
    );
    expect(thrown(() => a.slice(f32(1, 2, 3, 4), [4], [3], [2], out)).message).toBe(
      'gatewave native: slice out of bounds',
    );
    a.pad(f32(1, 2), [2], [1], [2], f32(9), out);
    expect(Array.from(out)).toEqual([9, 1, 2, 9, 9]);
    expect(thrown(() => a.pad(f32(1, 2), [2], [1], [2, 0], f32(9), out)).message).toBe(
      'gatewave native: pad needs before and after paddings for every axis',
    );
    expect(thrown(() => a.tile(f32(1, 2), 2 as unknown as number[], [2], out)).message).toBe(
      'gatewave native: argument 1 must be an array of numbers',
    );
  });

  test('geometry arrays: conv needs at least 15 numbers, maxPool exactly 12', () => {
    const x = f32(1, 2, 3, 4);
    expect(thrown(() => a.conv(0, [1, 2, 2, 1], x, f32(1), new Float32Array(4))).message).toBe(
      'gatewave native: conv geometry needs 15 numbers',
    );
    // 1x2x2x1 input, 2x2 window, stride 1, no padding: one output, the maximum.
    const pool = [1, 2, 2, 1, 1, 1, 2, 2, 1, 1, 0, 0];
    const y = new Float32Array(1);
    a.maxPool(0, pool, x, null, y);
    expect(y[0]).toBe(4);
    for (const geometry of [pool.slice(0, 11), [...pool, 0]]) {
      expect(thrown(() => a.maxPool(0, geometry, x, null, y)).message).toBe(
        'gatewave native: maxPool geometry needs 12 numbers',
      );
    }
  });

  test('lengths read from the first array: batchNorm and adam name a plain array', () => {
    const out = new Float32Array(2);
    a.batchNorm(f32(1, 3), 1, f32(2), f32(1), null, null, 0, out);
    expect(Array.from(out)).toEqual([-1, 1]);
    expect(
      thrown(() => a.batchNorm([1, 3] as unknown as Float32Array, 1, f32(2), f32(1), null, null, 0, out)),
    ).toMatchObject({
      code: 'GATEWAVE_NATIVE',
      message: 'gatewave native: x must be a Float32Array',
    });
    expect(thrown(() => a.batchNorm(f32(1, 2, 3), 2, f32(2), f32(1), null, null, 0, out)).message).toBe(
      'gatewave native: batchNorm channels must divide the size of x',
    );
    const v = () => new Float32Array(1);
    expect(
      thrown(() =>
        a.adam(
          [1] as unknown as Float32Array,
          v(),
          v(),
          v(),
          v(),
          v(),
          v(),
          [0.9, 0.1, 0.999, 0.001, 0.1, 0.001, -0.1, 1e-8],
        ),
      ).message,
    ).toBe('gatewave native: value must be a Float32Array');
  });

  test('matmul with accumulate adds the products to out, on the calling thread and split over a batch', () => {
    const out = f32(1, 1, 1, 1);
    a.matmul(f32(1, 2, 3, 4), f32(5, 6, 7, 8), out, 1, 1, 1, 2, 2, 2, false, false, true);
    expect(Array.from(out)).toEqual([20, 23, 44, 51]);
    a.matmul(f32(1, 2, 3, 4), f32(5, 6, 7, 8), out, 1, 1, 1, 2, 2, 2, false, false);
    expect(Array.from(out)).toEqual([19, 22, 43, 50]); // without the flag: overwritten
    a.matmul(f32(1, 2, 3, 4), f32(5, 7, 6, 8), out, 1, 1, 1, 2, 2, 2, false, true, false);
    expect(Array.from(out)).toEqual([19, 22, 43, 50]);
    // 8 products of 64x64x32 (enough work to be split over the threads when there are several), N = 32 and N = 8.
    for (const n of [32, 8]) {
      const [batch, m, k] = [8, 64, 64];
      const x = Float32Array.from({ length: batch * m * k }, (_, i) => ((i * 7919) % 23) / 23 - 0.5);
      const y = Float32Array.from({ length: batch * k * n }, (_, i) => ((i * 104729) % 19) / 19 - 0.5);
      const plain = new Float32Array(batch * m * n);
      a.matmul(x, y, plain, batch, batch, batch, m, n, k, false, false);
      const acc = new Float32Array(batch * m * n).fill(2);
      a.matmul(x, y, acc, batch, batch, batch, m, n, k, false, false, true);
      const worst = plain.reduce((w, v, i) => Math.max(w, Math.abs(acc[i] - (v + 2))), 0);
      expect(worst).toBeLessThan(1e-5);
      expect(plain.some((v) => Math.abs(v) > 0.5)).toBe(true);
    }
  });

  test('the kernels for fused ops are offered only by an addon whose matmul accumulates', () => {
    expect(kernelsIfCurrent(a)).toBe(a);
    // An older build ignores the flag and overwrites: its kernels are not offered (fused ops run as tfjs ops).
    const old = {
      ...a,
      matmul: (...args: Parameters<NativeAddon['matmul']>) => {
        const [x, y, out, batch, batchA, batchB, m, n, k, tA, tB] = args;
        a.matmul(x, y, out, batch, batchA, batchB, m, n, k, tA, tB);
      },
    };
    expect(kernelsIfCurrent(old as unknown as NativeAddon)).toBeNull();
  });
});
