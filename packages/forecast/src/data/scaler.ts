/**
 * Standard (z-score) scaling per column: `z = (x − mean) / std`, with mean and population std (ddof 0, as
 * scikit-learn's StandardScaler) fitted on the training rows only. A constant column gets std 1.
 */
export class StandardScaler {
  constructor(
    readonly mean: number[],
    readonly std: number[],
  ) {}

  /** Fits on rows `[0, rows)` of a row-major `[*, C]` matrix. */
  static fit(values: ArrayLike<number>, C: number, rows: number): StandardScaler {
    const mean = new Array<number>(C).fill(0);
    const std = new Array<number>(C).fill(0);
    for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) mean[c] += values[r * C + c];
    for (let c = 0; c < C; c++) mean[c] /= rows;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < C; c++) {
        const d = values[r * C + c] - mean[c];
        std[c] += d * d;
      }
    }
    for (let c = 0; c < C; c++) {
      std[c] = Math.sqrt(std[c] / rows);
      if (!(std[c] > 0)) std[c] = 1;
    }
    return new StandardScaler(mean, std);
  }

  /** Scales a row-major `[*, C]` matrix into float32. */
  transform(values: ArrayLike<number>): Float32Array {
    const C = this.mean.length;
    const out = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = (values[i] - this.mean[i % C]) / this.std[i % C];
    return out;
  }

  /** Undoes the scaling of a row-major `[*, k]` matrix whose columns are the scaler's columns `columnIdx`. */
  inverse(values: ArrayLike<number>, columnIdx: number[] = this.mean.map((_, i) => i)): Float64Array {
    const k = columnIdx.length;
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const c = columnIdx[i % k];
      out[i] = values[i] * this.std[c] + this.mean[c];
    }
    return out;
  }

  toJSON(): { mean: number[]; std: number[] } {
    return { mean: this.mean, std: this.std };
  }
}
