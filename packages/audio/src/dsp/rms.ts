/** Sum of the squares of a signal's samples. */
export function sumOfSquares(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}

/** Root mean square of a signal (0 for an empty one). */
export function rms(x: Float32Array): number {
  return Math.sqrt(sumOfSquares(x) / Math.max(1, x.length));
}
