/**
 * Tensors saved for the backward pass, without a kernel call each, on the `native` backend.
 *
 * While tfjs records a gradient tape, every op keeps the inputs and outputs its gradient needs: the engine runs an
 * Identity kernel per tensor and records that clone on the tape as well (`Engine.saveTensorsForBackwardMode`). On a
 * small model those clones are a third of a training step's kernels (105 of 281 for TPGN on ETTh1 S), each paying the
 * engine's whole dispatch, and their tape nodes lengthen the tape that the backward pass filters.
 *
 * In a first-order gradient a saved tensor only feeds its op's gradient function, so here it is a second tensor on
 * the same data with one more reference, which is exactly what the cpu backend's Identity kernel returns, without
 * the kernel call or the tape node. Higher-order gradients (the tape already open when the forward pass starts) and
 * tensors on any other backend take the stock path.
 */
import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs's Engine that this uses. */
interface EngineInternals {
  state: { gradientDepth: number; tensorInfo: { get(dataId: object): { backend: unknown } | undefined } };
  saveTensorsForBackwardMode(tensors: tf.Tensor[]): tf.Tensor[];
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend: unknown): tf.Tensor;
  keep<T extends tf.Tensor>(t: T): T;
}

const PATCHED = Symbol.for('gatewave.sharedSavedTensors');
const SHAREABLE: ReadonlySet<string> = new Set(['float32', 'int32', 'bool']);

/** Patches the engine once; `backendOf()` names the backend instance whose tensors are shared (null: none now). */
export function installSharedSavedTensors(backendOf: () => unknown): void {
  const engine = tf.engine() as unknown as EngineInternals;
  const proto = Object.getPrototypeOf(engine) as Record<PropertyKey, unknown>;
  if (proto[PATCHED]) return;
  const stock = proto.saveTensorsForBackwardMode as EngineInternals['saveTensorsForBackwardMode'];
  proto.saveTensorsForBackwardMode = function saveTensorsForBackwardMode(
    this: EngineInternals,
    tensors: tf.Tensor[],
  ): tf.Tensor[] {
    const native = this.state.gradientDepth === 1 ? backendOf() : null;
    if (!native) return stock.call(this, tensors);
    return tensors.map((t) => shareData(this, t, native) ?? stock.call(this, [t])[0]);
  };
  proto[PATCHED] = true;
}

/** A kept tensor on `t`'s data with one more reference, or null when `t` is not a plain tensor of `native`. */
function shareData(engine: EngineInternals, t: tf.Tensor, native: unknown): tf.Tensor | null {
  const owner = engine.state.tensorInfo.get(t.dataId)?.backend;
  if (owner !== native || !SHAREABLE.has(t.dtype)) return null;
  (owner as { incRef(dataId: object): void }).incRef(t.dataId);
  return engine.keep(engine.makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }, owner));
}
