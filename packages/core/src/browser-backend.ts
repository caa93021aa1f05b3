/**
 * Backend choice in a browser: webgpu, then webgl, then wasm, then cpu; the first that starts wins, and the choice
 * is reported as in Node (`gatewave: backend webgl (skipped: webgpu: ...)`). No Node module is imported here.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { GatewaveError } from './errors';

export type BrowserBackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export const BROWSER_BACKEND_ORDER: readonly BrowserBackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface BrowserBackendOptions {
  /** Do not log the choice. */
  quiet?: boolean;
  /**
   * URL of the folder that serves tfjs-backend-wasm's `.wasm` files (tfjs-backend-wasm.wasm, -simd.wasm,
   * -threaded-simd.wasm), ending in `/`. Default: beside the page.
   */
  wasmPath?: string;
  /** Where the report goes (default: console.info). */
  log?: (line: string) => void;
}

export interface BrowserBackendInfo {
  name: BrowserBackendName;
  tfBackend: string;
  skipped: { name: BrowserBackendName; reason: string }[];
}

let active: BrowserBackendInfo | null = null;

async function attempt(name: BrowserBackendName, options: BrowserBackendOptions): Promise<string | null> {
  if (name === 'webgpu' && !(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) {
    return 'this browser has no WebGPU (navigator.gpu is undefined)';
  }
  if (!tf.findBackendFactory(name)) return `tfjs has no '${name}' backend registered`;
  if (name === 'wasm' && options.wasmPath) setWasmPaths(options.wasmPath);
  try {
    if (!(await tf.setBackend(name))) return `the ${name} backend failed to initialise`;
    // A context that starts but cannot compute (blocked GPU, lost context) shows up on the first kernel.
    const probe = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)));
    const value = (await probe.data())[0];
    probe.dispose();
    if (value !== 3) return `the ${name} backend computed 1 + 2 = ${value}`;
  } catch (err) {
    return `the ${name} backend failed to initialise: ${(err as Error).message}`;
  }
  return null;
}

function parseName(value: string, where: string): BrowserBackendName {
  if ((BROWSER_BACKEND_ORDER as readonly string[]).includes(value)) return value as BrowserBackendName;
  throw new GatewaveError(
    'BAD_BACKEND',
    `${where}: unknown backend '${value}'; in a browser use one of ${BROWSER_BACKEND_ORDER.join(', ')}.`,
  );
}

/**
 * Picks and activates the fastest working browser backend, or the one named by `preferred` (then a failure is an
 * error). Reports the choice through `options.log` (console.info) unless `quiet`.
 */
export async function initBackend(
  preferred?: BrowserBackendName,
  options: BrowserBackendOptions = {},
): Promise<BrowserBackendInfo> {
  const forced = preferred ? parseName(preferred, 'initBackend') : undefined;
  const skipped: BrowserBackendInfo['skipped'] = [];
  for (const name of forced ? [forced] : BROWSER_BACKEND_ORDER) {
    const why = await attempt(name, options);
    if (why === null) {
      active = { name, tfBackend: tf.getBackend(), skipped };
      if (!options.quiet) {
        const note = skipped.length ? ` (skipped: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : '';
        (options.log ?? ((line: string) => console.info(line)))(
          `gatewave: backend ${name}${forced ? ' (forced)' : ''}${note}`,
        );
      }
      return active;
    }
    if (forced)
      throw new GatewaveError('BACKEND_UNAVAILABLE', `backend '${forced}' was requested but is unavailable: ${why}.`);
    skipped.push({ name, reason: why });
  }
  throw new GatewaveError(
    'BACKEND_UNAVAILABLE',
    `no backend could be started: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`,
  );
}

/** The backend chosen by the last `initBackend`, or null before it was called. */
export function activeBackend(): BrowserBackendInfo | null {
  return active;
}
