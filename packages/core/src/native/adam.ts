/**
 * A fused Adam step for the `native` backend: one addon call per variable instead of about a dozen elementwise ops,
 * with the same float32 arithmetic, in the same order, as tfjs's AdamOptimizer. Other backends keep the stock code.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from './addon';
import { f32, kernelHits, type CpuBackend } from './kernels';

type NamedGradients = tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[];

interface Slot {
  originalName: string;
  variable: tf.Variable;
}

/** The fields of tfjs's AdamOptimizer that the fused step reads and updates. */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
  incrementIterations(): void;
}

const PATCHED = Symbol.for('gatewave.fusedAdam');

/** Replaces AdamOptimizer.prototype.applyGradients by one that fuses the update when `isActive()` says so. */
export function installFusedAdam(addon: NativeAddon, isActive: () => boolean): void {
  const proto = tf.AdamOptimizer.prototype as unknown as Record<PropertyKey, unknown>;
  if (proto[PATCHED]) return;
  const stock = proto.applyGradients as (this: tf.AdamOptimizer, g: NamedGradients) => void;
  proto.applyGradients = function applyGradients(this: tf.AdamOptimizer, variableGradients: NamedGradients): void {
    if (!isActive() || !fusedAdamStep(this as unknown as AdamInternals, variableGradients, addon)) {
      stock.call(this, variableGradients);
    }
  };
  proto[PATCHED] = true;
}

/** True when no other tensor shares t's data (tfjs's cpu backend counts the tensors on each data id). */
function soleOwner(backend: CpuBackend, t: tf.Tensor): boolean {
  const entry = backend.data.get(t.dataId) as { refCount?: number };
  return entry.refCount === 1;
}

function fusedAdamStep(opt: AdamInternals, variableGradients: NamedGradients, addon: NativeAddon): boolean {
  const list = Array.isArray(variableGradients);
  const names = list ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
  const gradientOf = (name: string, i: number): tf.Tensor | undefined =>
    list ? variableGradients[i].tensor : (variableGradients as tf.NamedTensorMap)[name];
  const registered = tf.engine().registeredVariables;
  // Only plain float32 variables and gradients: anything else takes the stock path as a whole.
  for (let i = 0; i < names.length; i++) {
    const value = registered[names[i]];
    const g = gradientOf(names[i], i);
    if (!value || value.dtype !== 'float32' || (g && (g.dtype !== 'float32' || g.size !== value.size))) return false;
  }
  const backend = tf.backend() as unknown as CpuBackend;
  tf.tidy(() => {
    const oneMinusAccBeta1 = tf.sub(1, opt.accBeta1).dataSync()[0];
    const oneMinusAccBeta2 = tf.sub(1, opt.accBeta2).dataSync()[0];
    const params = [
      opt.beta1,
      1 - opt.beta1,
      opt.beta2,
      1 - opt.beta2,
      oneMinusAccBeta1,
      oneMinusAccBeta2,
      -opt.learningRate,
      opt.epsilon,
    ];
    names.forEach((name, i) => {
      const value = registered[name];
      if (opt.accumulatedFirstMoment[i] == null) {
        opt.accumulatedFirstMoment[i] = {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
      }
      if (opt.accumulatedSecondMoment[i] == null) {
        opt.accumulatedSecondMoment[i] = {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        };
      }
      const gradient = gradientOf(name, i);
      if (gradient == null) return;
      const m = opt.accumulatedFirstMoment[i].variable;
      const v = opt.accumulatedSecondMoment[i].variable;
      const arrays = [value, m, v, gradient].map((t) => f32(backend, t));
      if (arrays.some((a) => a === null)) throw new Error(`fused Adam: ${name} has no float32 data`);
      const [vv, mv, sv, gv] = arrays as Float32Array[];
      const n = vv.length;
      const newValue = new Float32Array(n);
      // The moments are the optimizer's own: updated in place unless another tensor shares their data (a clone).
      const mInPlace = soleOwner(backend, m);
      const vInPlace = soleOwner(backend, v);
      const newM = mInPlace ? mv : new Float32Array(n);
      const newV = vInPlace ? sv : new Float32Array(n);
      addon.adam(vv, mv, sv, gv, newValue, newM, newV, params);
      if (!mInPlace) m.assign(tf.tensor(newM, m.shape, 'float32'));
      if (!vInPlace) v.assign(tf.tensor(newV, v.shape, 'float32'));
      value.assign(tf.tensor(newValue, value.shape, 'float32'));
    });
    opt.accBeta1.assign(tf.mul(opt.accBeta1, opt.beta1));
    opt.accBeta2.assign(tf.mul(opt.accBeta2, opt.beta2));
  });
  opt.incrementIterations();
  kernelHits.FusedAdam = (kernelHits.FusedAdam ?? 0) + 1;
  return true;
}
