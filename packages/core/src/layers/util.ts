import * as tf from '@tensorflow/tfjs';
import { GatewaveError } from '../errors';

/** The single input shape of a layer (layers here take one tensor). */
export function singleShape(inputShape: tf.Shape | tf.Shape[], layer: string): tf.Shape {
  if (Array.isArray(inputShape[0])) {
    if (inputShape.length !== 1)
      throw new GatewaveError('BAD_INPUT', `${layer}: expects one input tensor, got ${inputShape.length}.`);
    return inputShape[0] as tf.Shape;
  }
  return inputShape as tf.Shape;
}

/** The single input tensor of a layer call. */
export function singleInput(inputs: tf.Tensor | tf.Tensor[], layer: string): tf.Tensor {
  if (Array.isArray(inputs)) {
    if (inputs.length !== 1)
      throw new GatewaveError('BAD_INPUT', `${layer}: expects one input tensor, got ${inputs.length}.`);
    return inputs[0];
  }
  return inputs;
}

/** Uniform initialiser with bound 1/sqrt(fanIn), the default of a PyTorch Linear/Conv layer. */
export function fanInUniform(fanIn: number): ReturnType<typeof tf.initializers.randomUniform> {
  const limit = 1 / Math.sqrt(Math.max(1, fanIn));
  return tf.initializers.randomUniform({ minval: -limit, maxval: limit });
}
