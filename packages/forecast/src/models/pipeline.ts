import { ForecastError } from '../errors';
import { StandardScaler } from '../data/scaler';
import { TimeSeries } from '../data/series';
import { FeatureMode, selectColumns } from '../data/split';
import { checkCovariates } from './covariates';

/** Steps of `fit` that choose and check the model's columns and scaling, kept apart from the model class. */

/** The model's columns: inputs (own columns, then past covariates, then future covariates) and targets. */
export function modelColumns(
  series: Pick<TimeSeries, 'columns' | 'source'>,
  features: FeatureMode,
  target: string,
  columns: string[] | undefined,
  past: string[],
  future: string[],
): { inputColumns: string[]; targetColumns: string[] } {
  const sel = selectColumns(series, features, target, columns);
  checkCovariates(series.columns, [target], past, future, series.source);
  const cov = [...past, ...future];
  return {
    inputColumns: [...sel.inputColumns.filter((c) => !cov.includes(c)), ...cov],
    targetColumns: sel.targetColumns.filter((c) => !cov.includes(c)),
  };
}

/**
 * Checks the fitted scaler: every mean and std finite, every std above zero and the scaled training values finite in
 * float32. Otherwise the model would train on NaN or infinities and save a model that forecasts NaN.
 */
export function checkScale(
  scaler: StandardScaler,
  raw: Float64Array,
  V: number,
  rows: number,
  columns: string[],
  source: string,
): void {
  const bad: string[] = [];
  for (let c = 0; c < V; c++) {
    const { mean, std } = { mean: scaler.mean[c], std: scaler.std[c] };
    let ok = Number.isFinite(mean) && Number.isFinite(std) && std > 0;
    let zero = true;
    for (let r = 0; r < rows && ok; r++) {
      const v = raw[r * V + c];
      if (v !== raw[c]) zero = false;
      if (!Number.isFinite(Math.fround((v - mean) / std)) || Math.abs(v) > 3e38) ok = false;
    }
    if (!ok)
      bad.push(
        `'${columns[c]}' (mean ${mean}, std ${std}: values too large to scale; rescale the column, e.g. to other units)`,
      );
    else if (zero && rows > 1)
      bad.push(
        `'${columns[c]}' (the same value ${raw[c]} in every training row: nothing to learn from; drop it with --columns)`,
      );
  }
  if (bad.length) {
    throw new ForecastError(
      'BAD_SCALE',
      `${source}: cannot scale the training rows of column ${bad.join(', column ')}.`,
    );
  }
}
