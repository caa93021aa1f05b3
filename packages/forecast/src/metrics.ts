/**
 * Forecast error figures, accumulated over any number of forecasts (`update` once per batch or forecast, then
 * `results`). With e = ŷ − y over all n forecast points and target columns:
 * - MSE = (1/n) Σ e²
 * - MAE = (1/n) Σ |e|
 * - RMSE = √MSE
 * - MAPE = (100/n') Σ |e| / |y|, over the n' points with y ≠ 0 (in %; NaN when every y is 0)
 * - sMAPE = (100/n) Σ 2|e| / (|y| + |ŷ|), a term with |y| + |ŷ| = 0 counting 0 (in %, between 0 and 200)
 * - MASE = mean over target columns c of MAE_c / s_c, where s_c = (1/(T−m)) Σ_{t>m} |y_t − y_{t−m}| is the
 *   in-sample mean absolute error of the seasonal-naive forecast (season m) on the training rows of column c, in the
 *   same units as the errors. NaN when no scale is given.
 */
export interface MetricValues {
  mse: number;
  mae: number;
  rmse: number;
  mape: number;
  smape: number;
  mase: number;
  /** Number of forecast points (forecast steps × target columns). */
  points: number;
}

export class ForecastMetrics {
  private n = 0;
  private sumSq = 0;
  private sumAbs = 0;
  private sumApe = 0;
  private nApe = 0;
  private sumSape = 0;
  private readonly absByColumn: Float64Array;
  private readonly nByColumn: Float64Array;

  /**
   * @param columns number of target columns in each row of the arrays passed to `update`
   * @param maseScale per column, the seasonal-naive in-sample MAE (see `seasonalNaiveScale`); omit for MASE = NaN
   */
  constructor(
    readonly columns: number,
    private readonly maseScale?: number[],
  ) {
    this.absByColumn = new Float64Array(columns);
    this.nByColumn = new Float64Array(columns);
  }

  /** Adds forecasts and actuals, row-major `[*, columns]`, of equal length. */
  update(predicted: ArrayLike<number>, actual: ArrayLike<number>): this {
    if (predicted.length !== actual.length) {
      throw new RangeError(`ForecastMetrics.update: ${predicted.length} forecasts but ${actual.length} actuals.`);
    }
    const C = this.columns;
    for (let i = 0; i < predicted.length; i++) {
      const p = predicted[i];
      const y = actual[i];
      const e = p - y;
      const a = Math.abs(e);
      this.sumSq += e * e;
      this.sumAbs += a;
      if (y !== 0) {
        this.sumApe += a / Math.abs(y);
        this.nApe++;
      }
      const den = Math.abs(y) + Math.abs(p);
      if (den > 0) this.sumSape += (2 * a) / den;
      this.absByColumn[i % C] += a;
      this.nByColumn[i % C]++;
    }
    this.n += predicted.length;
    return this;
  }

  results(): MetricValues {
    const n = this.n;
    const mse = this.sumSq / n;
    let mase = NaN;
    if (this.maseScale) {
      let s = 0;
      for (let c = 0; c < this.columns; c++) s += this.absByColumn[c] / this.nByColumn[c] / this.maseScale[c];
      mase = s / this.columns;
    }
    return {
      mse,
      mae: this.sumAbs / n,
      rmse: Math.sqrt(mse),
      mape: this.nApe ? (100 * this.sumApe) / this.nApe : NaN,
      smape: (100 * this.sumSape) / n,
      mase,
      points: n,
    };
  }
}

/** s = (1/(T−m)) Σ_{t=m..T−1} |y_t − y_{t−m}| for column `c` of rows `[0, rows)` of a row-major `[*, C]` matrix. */
export function seasonalNaiveScale(
  values: ArrayLike<number>,
  C: number,
  c: number,
  rows: number,
  season: number,
): number {
  const m = Math.max(1, Math.min(season, rows - 1));
  let s = 0;
  for (let t = m; t < rows; t++) s += Math.abs(values[t * C + c] - values[(t - m) * C + c]);
  const scale = s / (rows - m);
  return scale > 0 ? scale : 1;
}
