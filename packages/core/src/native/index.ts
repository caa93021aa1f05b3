/**
 * The `native` backend: tfjs's stock CPU backend (a fresh MathBackendCPU, so that `cpu` itself stays stock) with
 * gatewave's compiled kernels on top: packed GEMM (AVX-512 / AVX2 / SSE chosen at run time), convolutions and their
 * gradients, fast copies, elementwise ops, a fused Adam step and a fused GRU. Any case an override does not handle
 * runs the stock kernel.
 *
 * The addon is built by `node-gyp` when the package installs; if it is missing, `registerNativeBackend` says why and
 * gatewave runs on `wasm`/`cpu`. Environment: `GATEWAVE_NATIVE=0` turns it off, `GATEWAVE_THREADS` sets the number
 * of threads (default: the CPUs this process may use), `GATEWAVE_ISA` forces a GEMM path (avx512, avx2, sse,
 * portable).
 */
import * as tf from '@tensorflow/tfjs';
import { GatewaveError } from '../errors';
import { setGruFusion } from '../layers/gru-fusion';
import { setPgnGateFusion } from '../layers/pgn-gate';
import { setNativeKernelsProvider, type NativeKernels } from '../layers/native-kernels';
import { fusedCausalUnfoldWith, fusedPgnGateWith } from './pgn-gate-op';
import { loadAddon, type AddonResult, type NativeAddon } from './addon';
import { installFusedAdam } from './adam';
import { installSharedSavedTensors } from './saved-tensors';
import { fusedGruWith, GRU_ACTIVATIONS, type FusedGruOptions } from './gru-op';
import { kernelHits, OVERRIDES, type KernelArgs } from './kernels';

export const NATIVE_BACKEND = 'native';

export interface NativeStatus {
  ok: boolean;
  reason?: string;
}

export interface NativeInfo extends NativeStatus {
  /** GEMM micro-kernel in use: 'avx512', 'avx2', 'sse' or 'portable'. */
  isa?: string;
  /** Threads of the addon's pool (GATEWAVE_THREADS). */
  threads?: number;
  /** The loaded addon file. */
  file?: string;
  /** Kernels the native backend overrides. */
  kernels?: string[];
}

export type { FusedGruOptions };

let loaded: AddonResult | null = null;
let registered: NativeStatus | null = null;

function addonResult(): AddonResult {
  if (!loaded) loaded = loadAddon();
  return loaded;
}

function disabledReason(): string | null {
  return process.env.GATEWAVE_NATIVE === '0' ? 'turned off by GATEWAVE_NATIVE=0' : null;
}

/** The addon if it is loaded and not turned off, else null. */
export function nativeAddon(): NativeAddon | null {
  if (disabledReason()) return null;
  const r = addonResult();
  return r.ok ? r.addon : null;
}

/**
 * Registers the tfjs backend `native` if the addon loads; idempotent, never throws. The backend is a fresh
 * MathBackendCPU (from the stock `cpu` backend's factory) with every stock `cpu` kernel and gatewave's overrides.
 */
export function registerNativeBackend(): NativeStatus {
  const off = disabledReason();
  if (off) return { ok: false, reason: off };
  if (registered) return registered;
  try {
    const r = addonResult();
    if (!r.ok) return (registered = { ok: false, reason: r.reason });
    const addon = r.addon;
    const cpuFactory = tf.findBackendFactory('cpu');
    if (!cpuFactory) return (registered = { ok: false, reason: "tfjs has no 'cpu' backend to build on" });
    if (!tf.findBackendFactory(NATIVE_BACKEND)) {
      // Priority 0: never picked by tfjs on its own; initBackend (or tf.setBackend) chooses it.
      tf.registerBackend(
        NATIVE_BACKEND,
        () => {
          const backend = cpuFactory() as tf.KernelBackend & { firstUse?: boolean };
          backend.firstUse = false; // its "install tfjs-node for speed" banner does not apply here
          return backend;
        },
        0,
      );
    }
    for (const config of tf.getKernelsForBackend('cpu')) {
      if (tf.getKernel(config.kernelName, NATIVE_BACKEND)) continue;
      const override = OVERRIDES[config.kernelName];
      const stock = config.kernelFunc;
      const name = config.kernelName;
      const kernelFunc: tf.KernelFunc = override
        ? (args) => {
            const out = override(args as unknown as KernelArgs, addon);
            if (out === null) return stock(args);
            kernelHits[name] = (kernelHits[name] ?? 0) + 1;
            return out;
          }
        : stock;
      tf.registerKernel({ ...config, backendName: NATIVE_BACKEND, kernelFunc });
    }
    installFusedAdam(addon, () => tf.getBackend() === NATIVE_BACKEND && !disabledReason());
    installSharedSavedTensors(() => (tf.getBackend() === NATIVE_BACKEND && !disabledReason() ? tf.backend() : null));
    setGruFusion({ canFuse: canFuseGru, run: fusedGru });
    setPgnGateFusion({
      canFuse: () => tf.getBackend() === NATIVE_BACKEND && !disabledReason(),
      run: (z, h) => fusedPgnGateWith(addon, z, h),
      unfold: (x, w) => fusedCausalUnfoldWith(addon, x, w),
    });
    const kernels = kernelsIfCurrent(addon);
    setNativeKernelsProvider(() => (tf.getBackend() === NATIVE_BACKEND && !disabledReason() ? kernels : null));
    registered = { ok: true };
  } catch (err) {
    registered = { ok: false, reason: `the native backend failed to register: ${(err as Error).message}` };
  }
  return registered;
}

/**
 * The addon as `NativeKernels` if its matmul honours `accumulate` (a build older than that flag ignores it, and ops
 * fused on these kernels would then compute wrong values: they run as tfjs ops instead), else null.
 */
export function kernelsIfCurrent(addon: NativeAddon): NativeKernels | null {
  const out = Float32Array.of(1);
  addon.matmul(Float32Array.of(2), Float32Array.of(3), out, 1, 1, 1, 1, 1, 1, false, false, true);
  return out[0] === 7 ? addon : null;
}

/** What the native backend runs on (ISA path, threads) or why it is unavailable. */
export function nativeInfo(): NativeInfo {
  const off = disabledReason();
  if (off) return { ok: false, reason: off };
  const r = addonResult();
  if (!r.ok) return { ok: false, reason: r.reason };
  const { isa, threads } = r.addon.info();
  return { ok: true, isa, threads, file: r.file, kernels: Object.keys(OVERRIDES) };
}

/** True when `fusedGru` can run now: the active backend is `native` and the activations are supported. */
export function canFuseGru(activation = 'tanh', recurrentActivation = 'hardSigmoid'): boolean {
  return (
    tf.getBackend() === NATIVE_BACKEND &&
    nativeAddon() !== null &&
    activation in GRU_ACTIVATIONS &&
    recurrentActivation in GRU_ACTIVATIONS
  );
}

/**
 * A GRU over a whole sequence `x` `[batch, time, features]` from a zero state, as one differentiable op (one
 * forward and one backward call into the addon). Weights as tf.layers.gru: `kernel` `[features, 3*units]`,
 * `recurrentKernel` `[units, 3*units]`, `bias` `[3*units]` or null, gates ordered z, r, h. Needs the `native`
 * backend to be active (see `canFuseGru`).
 */
export function fusedGru(
  x: tf.Tensor,
  kernel: tf.Tensor,
  recurrentKernel: tf.Tensor,
  bias: tf.Tensor | null,
  options: FusedGruOptions,
): tf.Tensor {
  const addon = nativeAddon();
  if (!addon || tf.getBackend() !== NATIVE_BACKEND) {
    throw new GatewaveError(
      'NATIVE_UNAVAILABLE',
      `fusedGru needs the '${NATIVE_BACKEND}' backend to be active (now '${tf.getBackend()}'); ` +
        `call initBackend('native') first${addon ? '' : ` (${nativeInfo().reason})`}.`,
    );
  }
  return fusedGruWith(addon, { x, kernel, recurrentKernel, bias }, options);
}
