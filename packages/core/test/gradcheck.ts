import * as tf from '@tensorflow/tfjs';

/**
 * Directional finite-difference check of the gradient of `loss = Σ f(x, θ) ⊙ R` (R fixed random weights) with
 * respect to the input `x` and every trainable weight of `layer`. For each of `directions` random unit directions v
 * over all of them, compares `(loss(θ + εv) − loss(θ − εv)) / 2ε` with `∇loss · v`. The difference of the two
 * perturbed outputs is summed in float64 on the JS side to keep float32 round-off out of the comparison.
 * Returns the worst relative error.
 */
export function gradientCheck(
  forward: (x: tf.Tensor) => tf.Tensor,
  layerWeights: tf.LayerVariable[],
  x: tf.Tensor,
  options: { eps?: number; directions?: number; seed?: number } = {},
): number {
  const eps = options.eps ?? 1e-2;
  const directions = options.directions ?? 4;
  let seed = options.seed ?? 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  const out0 = forward(x);
  const R = tf.tensor(Array.from({ length: out0.size }, rand), out0.shape);
  const rVals = R.dataSync();
  out0.dispose();

  const vars = layerWeights.map((w) => w.read() as tf.Variable);
  const lossFn = (input: tf.Tensor) => tf.sum(tf.mul(forward(input), R)) as tf.Scalar;
  // Analytic gradients: input via tf.grad, weights via variableGrads.
  const gx = tf.grad((input: tf.Tensor) => lossFn(input))(x);
  const grads = vars.length ? tf.variableGrads(() => lossFn(x), vars).grads : {};
  const gxVals = gx.dataSync();
  const gwVals = vars.map((v) => grads[v.name].dataSync());

  let worst = 0;
  for (let d = 0; d < directions; d++) {
    const vx = Float32Array.from({ length: x.size }, rand);
    const vw = vars.map((v) => Float32Array.from({ length: v.size }, rand));
    let norm = 0;
    vx.forEach((a) => (norm += a * a));
    vw.forEach((arr) => arr.forEach((a) => (norm += a * a)));
    norm = Math.sqrt(norm);
    let analytic = 0;
    for (let i = 0; i < vx.length; i++) analytic += (gxVals[i] * vx[i]) / norm;
    vw.forEach((arr, k) => arr.forEach((a, i) => (analytic += (gwVals[k][i] * a) / norm)));

    const original = vars.map((v) => v.clone());
    const shifted = (sign: number): Float32Array => {
      vars.forEach((v, k) => v.assign(original[k].add(tf.tensor(vw[k], v.shape).mul((sign * eps) / norm))));
      const xs = x.add(tf.tensor(vx, x.shape).mul((sign * eps) / norm));
      const out = forward(xs).dataSync() as Float32Array;
      return out;
    };
    const plus = shifted(1);
    const minus = shifted(-1);
    vars.forEach((v, k) => v.assign(original[k]));
    original.forEach((t) => t.dispose());
    let diff = 0;
    for (let i = 0; i < plus.length; i++) diff += (plus[i] - minus[i]) * rVals[i];
    const numeric = diff / (2 * eps);
    const rel = Math.abs(numeric - analytic) / Math.max(Math.abs(numeric), Math.abs(analytic), 1e-6);
    worst = Math.max(worst, rel);
  }
  return worst;
}

/** Seeded uniform tensor in [-scale, scale). */
export function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.randomUniform(shape, -scale, scale, 'float32', seed);
}
