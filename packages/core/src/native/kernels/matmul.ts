/** BatchMatMul and _FusedMatMul on the addon's GEMM. */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from '../addon';
import { type CpuBackend, type KernelArgs, type Override, type TensorInfo, f32, named, size } from './common';
import { applyEpilogue, epilogueFor } from './epilogue';

function matmul(args: KernelArgs, addon: NativeAddon, fused: boolean): TensorInfo | null {
  const backend = args.backend as CpuBackend;
  const { a, b } = named(args);
  const av = f32(backend, a);
  const bv = f32(backend, b);
  if (!a || !b || !av || !bv || a.shape.length < 2 || b.shape.length < 2) return null;
  const transposeA = Boolean(args.attrs?.transposeA);
  const transposeB = Boolean(args.attrs?.transposeB);
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb || m === 0 || n === 0) return null;
  const batchA = size(a.shape.slice(0, -2));
  const batchB = size(b.shape.slice(0, -2));
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    return null;
  }
  const batch = Math.max(batchA, batchB);
  if (batchA === 0 || batchB === 0 || size(outer) !== batch) return null;
  const epilogue = fused ? epilogueFor(backend, args, n) : null;
  if (fused && !epilogue) return null;
  const out = new Float32Array(batch * m * n);
  addon.matmul(av, bv, out, batch, batchA, batchB, m, n, k, transposeA, transposeB);
  if (epilogue) applyEpilogue(addon, out, n, epilogue);
  return backend.makeTensorInfo([...outer, m, n], 'float32', out);
}

export const MATMUL_KERNELS: Record<string, Override> = {
  BatchMatMul: (args, addon) => matmul(args, addon, false),
  _FusedMatMul: (args, addon) => matmul(args, addon, true),
};
