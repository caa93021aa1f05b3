import { FillRule, ReadCsvOptions } from '../data/series';
import { FeatureMode, SplitPart, SplitSpec } from '../data/split';
import { Frequency } from '../data/time';
import type { PanelStep } from '../data/panel';
import type { PanelScalers } from './panel-data';
import { MetricValues } from '../metrics';
import { ConformalIntervals, ForecastInterval, ProbabilisticValues } from '../intervals';
import { TrainOptions, TrainResult } from '../train';

/** The shapes of a forecaster's settings, data pipeline and results. */

/** The models this package offers; each is a `Forecaster`. */
export type ModelKind = 'tpgn' | 'naive' | 'seasonal-naive' | 'dlinear' | 'gru';
export const MODEL_KINDS: readonly ModelKind[] = ['tpgn', 'naive', 'seasonal-naive', 'dlinear', 'gru'];

/** Settings every model has, named the same in all of them. */
export interface WindowConfig {
  /** Input steps (L). */
  lookback: number;
  /** Forecast steps (H). */
  horizon: number;
  /** The seasonal period in steps (24 for hourly data); used by TPGN, seasonal-naive and MASE. */
  period: number;
}

/** How the data was chosen and transformed at fit time; stored with the model and reused on new data. */
export interface Pipeline {
  features: FeatureMode;
  target: string;
  inputColumns: string[];
  targetColumns: string[];
  /** Indices of the target columns among the input columns. */
  targetIdx: number[];
  timeColumn: string;
  frequency: Frequency;
  fill: FillRule;
  split: SplitSpec;
  scaler: { mean: number[]; std: number[] };
  /** Seasonal-naive in-sample MAE per target column on the training rows (for MASE), scaled and original units. */
  maseScale: { scaled: number[]; original: number[] };
  /** The file the model was fitted on. */
  source: string;
  /** Split-conformal interval half-widths, calibrated on the validation windows (see `Forecaster.calibrate`). */
  intervals?: ConformalIntervals;
  /** Covariates observed up to the forecast origin (inputs over the lookback only). */
  pastColumns?: string[];
  /** Covariates known ahead (inputs over the lookback and the horizon); `predict` needs their next `horizon` rows. */
  futureColumns?: string[];
  /**
   * Set for a global model fitted on a long-format panel (`PanelModel`): the id column, the series' step and each
   * series' scaler (fitted on its training part; absent in models saved before scalers were kept). A panel model's
   * `intervals` are in scaled units (multiples of each series' std).
   */
  panel?: { idColumn: string; step: PanelStep; scalers?: PanelScalers };
  /** How the training CSV was read (delimiter, NA tokens, duplicates, longest gap); used again for eval/predict/backtest. */
  read?: CsvReadRules;
}

/** The CSV reading rules that a saved model keeps. */
export type CsvReadRules = Pick<ReadCsvOptions, 'delimiter' | 'naValues' | 'duplicates' | 'maxGap'>;

/** Training settings of `fit`; quantile heads are set on the model (`quantiles` of its config), not here. */
export interface FitOptions extends Omit<TrainOptions, 'quantiles' | 'futureIdx'> {
  /** Target column; default `OT` when present, else the last numeric column. */
  target?: string;
  /** `S` (default), `M` or `MS`. */
  features?: FeatureMode;
  /** In `M`/`MS`: restrict the input columns (default: every numeric column). */
  columns?: string[];
  /** Default `[0.6, 0.2, 0.2]`, as the paper's code. */
  split?: SplitSpec;
  /** Seeds weight initialisation and shuffling. */
  seed?: number;
  /** Interval levels in percent (e.g. `[80, 95]`): after training, calibrate conformal intervals on the validation part. */
  intervals?: number[];
  /** Past covariates: columns observed up to the forecast origin that help forecast the targets (tpgn, dlinear, gru). */
  pastColumns?: string[];
  /** Future covariates: columns known ahead (calendar, planned values); `predict` then needs their next rows. */
  futureColumns?: string[];
}

export interface FitResult {
  model: ModelKind;
  windows: { train: number; val: number; test: number };
  /** Null for models without weights (naive baselines). */
  training: TrainResult | null;
}

export interface EvalResult {
  part: SplitPart;
  windows: number;
  /** On standard-scaled values (as the paper reports). */
  scaled: MetricValues;
  /** In the data's own units. */
  original: MetricValues;
  /** Interval coverage and width, pinball loss and CRPS (original units); only for a model with intervals. */
  probabilistic?: ProbabilisticValues;
}

/** One forecast of `horizon` steps. */
export interface Forecast {
  /** Row index (in the series) of the first forecast step; equals the series length for a true forecast. */
  origin: number;
  times: number[];
  columns: string[];
  /** Original units, row-major `[horizon, columns]`. */
  values: Float64Array;
  /** Standard-scaled, row-major `[horizon, columns]`. */
  scaled: Float32Array;
  /**
   * Prediction intervals (original units), ascending levels: conformal ones when calibrated, else the central
   * intervals of symmetric quantile-head pairs (0.1 and 0.9 → 80 %).
   */
  intervals?: ForecastInterval[];
  /** Quantile-head forecasts (original units, `[horizon, columns]` each), ascending levels. */
  quantiles?: { level: number; values: Float64Array }[];
}

export interface BacktestOptions {
  /** First forecast step: a fraction of the series in (0, 1), or a row index >= lookback. Default 0.8. */
  start?: number;
  /** Steps between forecast origins; default the horizon. */
  stride?: number;
}

export interface BacktestResult {
  forecasts: Forecast[];
  scaled: MetricValues;
  original: MetricValues;
  probabilistic?: ProbabilisticValues;
}
