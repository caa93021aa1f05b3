import { tf } from '@gatewave/core';

/** Uniform initialiser with bound 1/√fanIn: PyTorch's default for Linear and Conv1d weights and biases. */
export function torchUniform(
  fanIn: number,
): tf.serialization.Serializable & ReturnType<typeof tf.initializers.randomUniform> {
  const limit = 1 / Math.sqrt(Math.max(1, fanIn));
  return tf.initializers.randomUniform({ minval: -limit, maxval: limit });
}

/** Shape `[batch, time, features]` of the first of a layer's inputs. */
export function shapeOf(inputShape: tf.Shape | tf.Shape[], index = 0): tf.Shape {
  return (Array.isArray(inputShape[0]) ? (inputShape as tf.Shape[])[index] : inputShape) as tf.Shape;
}

/** Output shape `[batch, horizon, V·outputs]` of a forecasting layer whose first input is `[batch, time, V]`. */
export function forecastOutputShape(inputShape: tf.Shape | tf.Shape[], horizon: number, outputs: number): tf.Shape {
  const x = shapeOf(inputShape, 0);
  return [x[0], horizon, (x[2] as number) * outputs];
}

/**
 * Per-window normalisation of the paper's code (`norm = 1`): over the time axis of `x` `[batch, time, vars]`,
 * mean μ and σ = √(var + 1e−5) (population variance); returns the normalised input and both statistics `[batch, 1, vars]`.
 */
export function windowNorm(x: tf.Tensor): { normed: tf.Tensor; mean: tf.Tensor; std: tf.Tensor } {
  const mean = tf.mean(x, 1, true);
  const centred = tf.sub(x, mean);
  const std = tf.sqrt(tf.add(tf.mean(tf.square(centred), 1, true), 1e-5));
  return { normed: tf.div(centred, std), mean, std };
}
