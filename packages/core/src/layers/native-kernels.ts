/**
 * The native addon's kernels for ops fused outside core (forecast's TPGN), without importing the addon: the
 * `native` backend installs a provider when it registers (native/index.ts); in the browser, or while another backend
 * is active, `nativeKernels()` is null and callers run their tfjs ops.
 */
import type { NativeAddon } from '../native/addon';

/** Products, bias rows, sums, transposes, the PGN gate and the causal unfold (contracts: native/src/addon.cc). */
export type NativeKernels = Pick<
  NativeAddon,
  'matmul' | 'epilogue' | 'reduce' | 'transpose' | 'pgnGate' | 'pgnGateGrad' | 'causalUnfold'
>;

let provider: (() => NativeKernels | null) | null = null;

/** Installs (or, with null, removes) the function that gives the kernels when they can run now. */
export function setNativeKernelsProvider(fn: (() => NativeKernels | null) | null): void {
  provider = fn;
}

/** The addon's kernels while the `native` backend is active, else null. */
export function nativeKernels(): NativeKernels | null {
  return provider ? provider() : null;
}
