/**
 * Sliding windows over one scaled series, without copying it per window: window `i` reads input rows
 * `[start + i, start + i + lookback)` and target rows `[start + i + lookback, start + i + lookback + horizon)`;
 * batches are filled into reusable buffers on demand.
 */
export class WindowSet {
  /** Number of windows (stride 1). */
  readonly count: number;

  constructor(
    /** Scaled values, row-major `[rows, variables]`. */
    readonly data: Float32Array,
    /** Time features, row-major `[rows, timeFeatures]`. */
    readonly marks: Float32Array,
    readonly variables: number,
    readonly timeFeatures: number,
    readonly start: number,
    readonly end: number,
    readonly lookback: number,
    readonly horizon: number,
    /** Which variables are targets (indices into the variables). */
    readonly targetIdx: number[],
    /**
     * First input rows of the windows, when they are not `start, start + 1, ...`: windows pooled from many series
     * laid end to end in `data` (a panel), where no window may straddle two series. `start`/`end` are then ignored.
     */
    readonly origins?: Int32Array,
  ) {
    this.count = origins ? origins.length : Math.max(0, end - start - lookback - horizon + 1);
  }

  /** First input row of window `i`. */
  origin(i: number): number {
    return this.origins ? this.origins[i] : this.start + i;
  }

  /**
   * Copies the windows `indices` into `x` `[b, lookback, variables]`, `marks` `[b, lookback, timeFeatures]` and
   * `y` `[b, horizon, targets]` (each row-major); returns the batch size.
   */
  fill(indices: ArrayLike<number>, x: Float32Array, marks: Float32Array, y: Float32Array): number {
    const { lookback: L, horizon: H, variables: V, timeFeatures: T, targetIdx } = this;
    const K = targetIdx.length;
    for (let b = 0; b < indices.length; b++) {
      const s = this.origin(indices[b]);
      x.set(this.data.subarray(s * V, (s + L) * V), b * L * V);
      marks.set(this.marks.subarray(s * T, (s + L) * T), b * L * T);
      const yo = b * H * K;
      for (let h = 0; h < H; h++) {
        const row = (s + L + h) * V;
        for (let k = 0; k < K; k++) y[yo + h * K + k] = this.data[row + targetIdx[k]];
      }
    }
    return indices.length;
  }
}

/** The `lookback` rows before each of `origins` of a row-major `[rows, width]` array: `[origins, lookback, width]`. */
export function rowsBefore(a: Float32Array, width: number, origins: number[], lookback: number): Float32Array {
  const out = new Float32Array(origins.length * lookback * width);
  origins.forEach((o, b) => out.set(a.subarray((o - lookback) * width, o * width), b * lookback * width));
  return out;
}
