import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { GatewaveError } from './errors';
import { NATIVE_BACKEND, registerNativeBackend } from './native';

/**
 * The backends gatewave can run on, fastest first:
 * - `tensorflow-gpu`: libtensorflow with CUDA via `@tensorflow/tfjs-node-gpu`;
 * - `tensorflow`: libtensorflow on CPU via `@tensorflow/tfjs-node`;
 * - `native`: stock tfjs `cpu` with gatewave's own native kernels (GEMM, conv, fused GRU);
 * - `wasm`: tfjs WebAssembly (SIMD); fast inference, but it has no `Conv2DBackpropFilter`, so it cannot train
 *   convolutional models;
 * - `cpu`: stock tfjs JavaScript kernels.
 */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'native' | 'wasm' | 'cpu';

export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'native', 'wasm', 'cpu'];

export interface BackendOptions {
  /**
   * `train` (default) skips backends that cannot train the model (wasm has no conv filter gradient);
   * `infer` allows them.
   */
  purpose?: 'train' | 'infer';
  /**
   * The model needs convolution gradients: Conv2D (CRNN) or depthwise convolutions (FSMN). tfjs 4.22's wasm backend
   * has neither `Conv2DBackpropFilter` nor `DepthwiseConv2dNativeBackpropInput`, so such models cannot train there.
   * PGN, GRU and dense models can. Only matters with `purpose: 'train'`. Default true.
   */
  convolutional?: boolean;
  /** Do not log the choice. */
  quiet?: boolean;
}

export interface BackendInfo {
  /** The gatewave name of the active backend. */
  name: BackendName;
  /** The tfjs backend name (`tensorflow`, `native`, `wasm`, `cpu`). */
  tfBackend: string;
  /** Why faster backends were skipped, in order. */
  skipped: { name: BackendName; reason: string }[];
}

let active: BackendInfo | null = null;

// tfjs-backend-wasm registers itself above `cpu` and initialises asynchronously, so code that made a tensor before
// awaiting initBackend()/tf.ready() would fail with "backend 'wasm' has not yet been initialized". Keep wasm
// available, but below cpu in tfjs's own default order; initBackend still chooses it where it is the fastest.
// The stock cpu backend also prints an "install tfjs-node" banner on first use; gatewave reports the backend itself
// (and tfjs-node cannot be installed offline), so cpu instances are made without it.
if (!tf.engine().backendName) {
  const wasmFactory = tf.findBackendFactory('wasm');
  if (wasmFactory) {
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', wasmFactory, 0);
  }
  const cpuFactory = tf.findBackendFactory('cpu');
  if (cpuFactory) {
    tf.removeBackend('cpu');
    tf.registerBackend(
      'cpu',
      () => {
        const backend = cpuFactory() as tf.KernelBackend & { firstUse?: boolean };
        backend.firstUse = false;
        return backend;
      },
      1,
    );
  }
}

function tryRequire(id: string): string | null {
  try {
    require(id); // eslint-disable-line @typescript-eslint/no-require-imports -- probing an optional package by name
    return null;
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0];
    return (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && msg.includes(id)
      ? `${id} is not installed`
      : `${id} failed to load: ${msg}`;
  }
}

async function attempt(name: BackendName, opts: BackendOptions): Promise<string | null> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
      const why = tryRequire(pkg);
      if (why) return why;
      // The root overrides may alias @tensorflow/tfjs-node to plain tfjs: then no `tensorflow` backend appears.
      if (!tf.findBackendFactory('tensorflow')) return `${pkg} loaded but registered no 'tensorflow' backend`;
      if (!(await tf.setBackend('tensorflow'))) return `the 'tensorflow' backend from ${pkg} failed to initialise`;
      return null;
    }
    case 'native': {
      const status = registerNativeBackend();
      if (!status.ok) return status.reason ?? 'native addon unavailable';
      if (!(await tf.setBackend(NATIVE_BACKEND))) return 'the native backend failed to initialise';
      return null;
    }
    case 'wasm': {
      if ((opts.purpose ?? 'train') === 'train' && (opts.convolutional ?? true)) {
        return 'wasm cannot train convolutional models (tfjs 4.22 wasm has no Conv2DBackpropFilter / DepthwiseConv2dNativeBackpropInput)';
      }
      try {
        if (!(await tf.setBackend('wasm'))) return 'the wasm backend failed to initialise';
      } catch (err) {
        return `the wasm backend failed to initialise: ${(err as Error).message}`;
      }
      return null;
    }
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) return 'the cpu backend failed to initialise';
      return null;
  }
}

function parseName(value: string, where: string): BackendName {
  if ((BACKEND_ORDER as readonly string[]).includes(value)) return value as BackendName;
  throw new GatewaveError(
    'BAD_BACKEND',
    `${where}: unknown backend '${value}'; use one of ${BACKEND_ORDER.join(', ')}.`,
  );
}

/**
 * Picks and activates the fastest working backend, or the one named by `preferred` or by the environment variable
 * `GATEWAVE_BACKEND` (which wins). A forced backend that fails to start is an error; in automatic mode a missing
 * package is a fallback. Logs the choice to stderr unless `quiet`.
 */
export async function initBackend(preferred?: BackendName, options: BackendOptions = {}): Promise<BackendInfo> {
  const env = process.env.GATEWAVE_BACKEND;
  const forced = env ? parseName(env, 'GATEWAVE_BACKEND') : preferred ? parseName(preferred, 'initBackend') : undefined;
  const skipped: BackendInfo['skipped'] = [];
  const order = forced ? [forced] : BACKEND_ORDER;
  for (const name of order) {
    const why = await attempt(name, forced ? { ...options, purpose: 'infer' } : options);
    if (why === null) {
      await tf.ready();
      active = { name, tfBackend: tf.getBackend(), skipped };
      if (!options.quiet) {
        const note = skipped.length ? ` (skipped: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : '';
        process.stderr.write(`gatewave: backend ${name}${forced ? ' (forced)' : ''}${note}\n`);
      }
      return active;
    }
    if (forced) {
      throw new GatewaveError('BACKEND_UNAVAILABLE', `backend '${forced}' was requested but is unavailable: ${why}.`);
    }
    skipped.push({ name, reason: why });
  }
  throw new GatewaveError(
    'BACKEND_UNAVAILABLE',
    `no backend could be started: ${skipped.map((s) => s.reason).join('; ')}`,
  );
}

/** The backend chosen by the last `initBackend`, or null before it was called. */
export function activeBackend(): BackendInfo | null {
  return active;
}
