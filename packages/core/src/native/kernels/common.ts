/**
 * What every kernel override of the `native` backend shares: the kernel arguments, the view of tfjs's cpu backend,
 * the typed arrays behind tensors, and the hit counters the tests read.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon, Word32Array } from '../addon';

export type TensorInfo = tf.TensorInfo;
export type Attrs = Record<string, unknown>;

/** The parts of tfjs's MathBackendCPU that the kernels use. */
export interface CpuBackend {
  data: { get(dataId: object): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Word32Array): TensorInfo;
}

export interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined> | TensorInfo[];
  backend: unknown;
  attrs?: Attrs;
}

/** How many times each override ran natively (not counting fallbacks to the stock kernel); for tests. */
export const kernelHits: Record<string, number> = {};

/** Returns the kernel's outputs, or null to let the stock kernel run. */
export type Override = (args: KernelArgs, addon: NativeAddon) => TensorInfo | TensorInfo[] | null;

export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The Float32Array behind a float32 tensor on a cpu-style backend, or null. */
export function f32(backend: CpuBackend, t: TensorInfo | undefined): Float32Array | null {
  if (!t || t.dtype !== 'float32') return null;
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array && values.length === size(t.shape) ? values : null;
}

/** The array behind a float32 or int32 tensor (4-byte elements), or null. */
export function word32(backend: CpuBackend, t: TensorInfo | undefined): Word32Array | null {
  if (!t || (t.dtype !== 'float32' && t.dtype !== 'int32')) return null;
  const values = backend.data.get(t.dataId).values;
  if (!(values instanceof Float32Array || values instanceof Int32Array)) return null;
  return values.length === size(t.shape) ? values : null;
}

export function like(values: Word32Array, n: number): Word32Array {
  return values instanceof Int32Array ? new Int32Array(n) : new Float32Array(n);
}

export function named(args: KernelArgs): Record<string, TensorInfo | undefined> {
  return args.inputs as Record<string, TensorInfo | undefined>;
}

/** A kernel's input `x` and the array behind it, or null when either is missing (then the stock kernel runs). */
export interface KernelInput<A> {
  backend: CpuBackend;
  x: TensorInfo;
  xv: A;
}

/** The input `x` of a one-input kernel with its float32 or int32 values (see `word32`), or null. */
export function wordInput(args: KernelArgs): KernelInput<Word32Array> | null {
  const backend = args.backend as CpuBackend;
  const { x } = named(args);
  const xv = word32(backend, x);
  return x && xv ? { backend, x, xv } : null;
}

/** The input `x` of a one-input kernel with its float32 values (see `f32`), or null. */
export function floatInput(args: KernelArgs): KernelInput<Float32Array> | null {
  const backend = args.backend as CpuBackend;
  const { x } = named(args);
  const xv = f32(backend, x);
  return x && xv ? { backend, x, xv } : null;
}
