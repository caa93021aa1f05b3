/**
 * Loader for the native CPU kernels. Until the addon is built this reports it as unavailable and gatewave falls
 * back to the stock backends.
 */
export const NATIVE_BACKEND = 'native';

export interface NativeStatus {
  ok: boolean;
  reason?: string;
}

/** Registers the `native` backend if the addon loads; never throws. */
export function registerNativeBackend(): NativeStatus {
  return { ok: false, reason: 'the native addon is not part of this build' };
}
