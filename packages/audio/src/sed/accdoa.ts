/**
 * ACCDOA output (activity-coupled direction of arrival; Shimada et al. 2021, the output of the DCASE 2021-2023 SELD
 * baselines): one head of 3·K units, a vector (x, y, z) per class and frame whose length is the class's activity and
 * whose direction is its DOA. Trained with the mean squared error against the reference vectors (the unit direction
 * of an active event, zero when the class is idle); a class is active where the length exceeds the threshold.
 */
import { tf } from '@gatewave/core';
import { AudioError } from '../errors';

/** A detector's outputs: 'two-head' (sigmoid activities + tanh DOA, the DCASE 2019 baseline) or 'accdoa'. */
export type DetectorOutput = 'two-head' | 'accdoa';

export const DETECTOR_OUTPUTS: readonly DetectorOutput[] = ['two-head', 'accdoa'];

/**
 * ACCDOA training loss: `mean(w · (v̂ − v)²)` over every (frame, class, axis) entry, where `v` (`doaTrue`,
 * `[..., 3K]`, x for every class, then y, then z) is the unit direction of the class's active event and 0 where it is
 * idle (what `eventTargets` gives), and `v̂` the network's vectors. `w` is 1, or with `positiveWeights` (one per class)
 * `positiveWeights[k]` for the entries of class k in frames where it is active (`sedTrue`, `[..., K]`) and 1 elsewhere.
 */
export function accdoaLoss(
  sedTrue: tf.Tensor,
  doaTrue: tf.Tensor,
  pred: tf.Tensor,
  positiveWeights?: readonly number[],
): tf.Scalar {
  return tf.tidy(() => {
    const se = tf.square(tf.sub(pred, doaTrue));
    if (!positiveWeights) return tf.mean(se) as tf.Scalar;
    const extra = tf.mul(sedTrue, tf.sub(tf.tensor1d(positiveWeights as number[]), 1));
    const w = tf.add(1, tf.concat([extra, extra, extra], -1));
    return tf.mean(tf.mul(w, se)) as tf.Scalar;
  });
}

/**
 * Activities of ACCDOA vectors `[frames, 3K]` (x for every class, then y, then z): `min(1, ‖v‖)` per frame and
 * class, `[frames, K]`, so that the usual threshold, hysteresis and event rules apply to them unchanged.
 */
export function accdoaActivity(vectors: Float32Array, frames: number, K: number): Float32Array {
  if (vectors.length !== frames * 3 * K)
    throw new AudioError('BAD_ARGUMENT', `ACCDOA output has ${vectors.length} values, expected ${frames * 3 * K}.`);
  const activity = new Float32Array(frames * K);
  for (let t = 0; t < frames; t++) {
    for (let k = 0; k < K; k++) {
      const o = t * 3 * K + k;
      const n = Math.hypot(vectors[o], vectors[o + K], vectors[o + 2 * K]);
      activity[t * K + k] = Math.min(1, n);
    }
  }
  return activity;
}

/** Checks an output kind against a recording format (ACCDOA needs directions: not mono). */
export function checkDetectorOutput(output: string, format: string): DetectorOutput {
  if (!(DETECTOR_OUTPUTS as readonly string[]).includes(output))
    throw new AudioError('BAD_ARGUMENT', `output must be one of ${DETECTOR_OUTPUTS.join(', ')}, got "${output}".`);
  if (output === 'accdoa' && format === 'mono')
    throw new AudioError('BAD_ARGUMENT', 'an ACCDOA output needs directions: use a foa or mic4 detector, not mono.');
  return output as DetectorOutput;
}
