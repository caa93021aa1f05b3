/**
 * Kernel overrides of the `native` backend, one file per kernel family. Each override handles the common case in the
 * addon and returns null for anything else (another dtype, a broadcast it does not know, NCHW), in which case the
 * stock `cpu` kernel runs.
 */
import type { Override } from './common';
import { CONV_KERNELS } from './conv';
import { COPY_KERNELS } from './copies';
import { ELEMENTWISE_KERNELS } from './elementwise';
import { MATMUL_KERNELS } from './matmul';
import { REDUCE_KERNELS } from './reduce';

export { f32, kernelHits } from './common';
export type { CpuBackend, KernelArgs, Override } from './common';
export { broadcastGeometry } from './elementwise';

/** Kernel name -> override. */
export const OVERRIDES: Record<string, Override> = {
  ...MATMUL_KERNELS,
  ...CONV_KERNELS,
  ...COPY_KERNELS,
  ...REDUCE_KERNELS,
  ...ELEMENTWISE_KERNELS,
};
