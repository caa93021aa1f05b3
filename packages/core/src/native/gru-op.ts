/**
 * The whole-sequence GRU as one differentiable op on the `native` backend: one addon call forward, one backward
 * (tf.customGrad). Same equations, weight layout and gate order (z, r, h) as tfjs's GRUCell (reset gate before the
 * recurrent matmul; tfjs has no reset_after).
 */
import * as tf from '@tensorflow/tfjs';
import { GatewaveError } from '../errors';
import type { NativeAddon } from './addon';
import { f32, kernelHits, type CpuBackend } from './kernels';

/** Activations the fused op computes (tfjs activation class names). Activation codes of native/src/kernels.h. */
export const GRU_ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, sigmoid: 3, tanh: 6, hardSigmoid: 7 };

export interface FusedGruOptions {
  /** Output of every step `[batch, time, units]` (true) or of the last one `[batch, units]` (false). */
  returnSequences: boolean;
  /** Read the sequence from the end; outputs stay in processing order, as in tf.layers.gru. */
  goBackwards: boolean;
  /** Candidate activation (default 'tanh'). */
  activation?: string;
  /** Gate activation (default 'hardSigmoid', tfjs's default). */
  recurrentActivation?: string;
}

function values(backend: CpuBackend, t: tf.Tensor, what: string): Float32Array {
  const v = f32(backend, t);
  if (!v) throw new GatewaveError('NATIVE_GRU', `fusedGru: ${what} must be a float32 tensor on the native backend.`);
  return v;
}

/** The tensors of a GRU over a sequence: the input `x` `[batch, time, features]` and tf.layers.gru's weights. */
export interface GruTensors {
  x: tf.Tensor;
  /** `[features, 3*units]` */
  kernel: tf.Tensor;
  /** `[units, 3*units]` */
  recurrentKernel: tf.Tensor;
  /** `[3*units]`, or null without bias. */
  bias: tf.Tensor | null;
}

/** The addon's GRU geometry `[B, T, D, U, backwards, activation, recurrent activation]`, after checking every shape. */
function gruGeometry({ x, kernel, recurrentKernel, bias }: GruTensors, options: FusedGruOptions): number[] {
  if (x.rank !== 3)
    throw new GatewaveError('NATIVE_GRU', `fusedGru: x must be [batch, time, features], got [${x.shape}].`);
  const [B, T, D] = x.shape;
  const U = recurrentKernel.shape[0];
  const shapesOk =
    kernel.rank === 2 &&
    kernel.shape[0] === D &&
    kernel.shape[1] === 3 * U &&
    recurrentKernel.rank === 2 &&
    recurrentKernel.shape[1] === 3 * U &&
    (!bias || (bias.rank === 1 && bias.shape[0] === 3 * U));
  if (!shapesOk) {
    throw new GatewaveError(
      'NATIVE_GRU',
      `fusedGru: weights do not fit x [${x.shape}]: kernel [${kernel.shape}], recurrentKernel ` +
        `[${recurrentKernel.shape}], bias [${bias ? bias.shape : 'none'}]; expected [${D}, ${3 * U}], [${U}, ${3 * U}], [${3 * U}].`,
    );
  }
  const act = GRU_ACTIVATIONS[options.activation ?? 'tanh'];
  const recAct = GRU_ACTIVATIONS[options.recurrentActivation ?? 'hardSigmoid'];
  if (act === undefined || recAct === undefined) {
    throw new GatewaveError(
      'NATIVE_GRU',
      `fusedGru: activations must be one of ${Object.keys(GRU_ACTIVATIONS).join(', ')}; got ` +
        `${options.activation} / ${options.recurrentActivation}.`,
    );
  }
  if (T === 0 || B === 0) throw new GatewaveError('NATIVE_GRU', `fusedGru: empty input [${x.shape}].`);
  return [B, T, D, U, options.goBackwards ? 1 : 0, act, recAct];
}

/** What the forward pass keeps for the backward pass: the gate activations, pre-activations and previous states. */
interface GruTape {
  gates: Float32Array;
  pre: Float32Array;
  hprev: Float32Array;
}

/** The gradient function of one forward pass: dx, dW, dR (and dB with a bias) from dy and the saved x, W, R. */
function gruGradient(
  addon: NativeAddon,
  geometry: number[],
  sequence: boolean,
  hasBias: boolean,
  tape: GruTape,
): (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] {
  const [B, T, D, U] = geometry;
  return (dy, saved) => {
    const be = tf.backend() as unknown as CpuBackend;
    const [xsSaved, wSaved, rSaved] = saved;
    const dyv = values(be, dy, 'dy');
    const dx = new Float32Array(B * T * D);
    const dW = new Float32Array(D * 3 * U);
    const dR = new Float32Array(U * 3 * U);
    const dB = hasBias ? new Float32Array(3 * U) : null;
    addon.gruBackward(
      geometry,
      values(be, xsSaved, 'x'),
      values(be, wSaved, 'kernel'),
      values(be, rSaved, 'recurrentKernel'),
      tape.gates,
      tape.pre,
      tape.hprev,
      dyv,
      sequence,
      dx,
      dW,
      dR,
      dB,
    );
    kernelHits.FusedGruBackward = (kernelHits.FusedGruBackward ?? 0) + 1;
    const grads: tf.Tensor[] = [tf.tensor3d(dx, [B, T, D]), tf.tensor2d(dW, [D, 3 * U]), tf.tensor2d(dR, [U, 3 * U])];
    if (dB) grads.push(tf.tensor1d(dB));
    return grads;
  };
}

/**
 * Runs a GRU over `x` `[batch, time, features]` from a zero state, as one differentiable op. Needs the addon (see
 * registerNativeBackend).
 */
export function fusedGruWith(addon: NativeAddon, tensors: GruTensors, options: FusedGruOptions): tf.Tensor {
  const geometry = gruGeometry(tensors, options);
  const [B, T, , U] = geometry;
  const sequence = options.returnSequences;

  // The inputs the backward pass reads are handed to `save` (which keeps them): inside a model, `x` is an
  // intermediate tensor that the layers' tidy scopes dispose before the gradient runs.
  const forward = (xs: tf.Tensor, w: tf.Tensor, r: tf.Tensor, b: tf.Tensor | null, save: tf.GradSaveFunc) => {
    save([xs, w, r]);
    const backend = tf.backend() as unknown as CpuBackend;
    const xv = values(backend, xs, 'x');
    const wv = values(backend, w, 'kernel');
    const rv = values(backend, r, 'recurrentKernel');
    const bv = b ? values(backend, b, 'bias') : null;
    const hseq = new Float32Array(B * T * U);
    const tape = {
      gates: new Float32Array(B * T * 3 * U),
      pre: new Float32Array(B * T * 2 * U),
      hprev: new Float32Array(B * T * U),
    };
    addon.gruForward(geometry, xv, wv, rv, bv, hseq, tape.gates, tape.pre, tape.hprev);
    kernelHits.FusedGru = (kernelHits.FusedGru ?? 0) + 1;
    let value: tf.Tensor;
    if (sequence) {
      value = tf.tensor3d(hseq, [B, T, U]);
    } else {
      const last = new Float32Array(B * U);
      for (let i = 0; i < B; i++) last.set(hseq.subarray((i * T + T - 1) * U, (i * T + T) * U), i * U);
      value = tf.tensor2d(last, [B, U]);
    }
    return { value, gradFunc: gruGradient(addon, geometry, sequence, b !== null, tape) };
  };

  const { x, kernel, recurrentKernel, bias } = tensors;
  if (bias) {
    const op = tf.customGrad((xs, w, r, b, save) =>
      forward(xs as tf.Tensor, w as tf.Tensor, r as tf.Tensor, b as tf.Tensor, save as tf.GradSaveFunc),
    );
    return op(x, kernel, recurrentKernel, bias);
  }
  const op = tf.customGrad((xs, w, r, save) =>
    forward(xs as tf.Tensor, w as tf.Tensor, r as tf.Tensor, null, save as tf.GradSaveFunc),
  );
  return op(x, kernel, recurrentKernel);
}
