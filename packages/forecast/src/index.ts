/**
 * @gatewave/forecast: CSV to forecasts with TPGN and baselines (naive, seasonal-naive, DLinear, GRU), backtests,
 * metrics, plots and the `gatewave-forecast` CLI.
 */
export { ForecastError } from './errors';
export type { ForecastErrorCode } from './errors';
export { readCsv, readCsvColumns, sniffDelimiter, readHeader, fileSource } from './data/csv-file';
export { bytesSource, DELIMITERS } from './data/csv-text';
export type { CsvSource } from './data/csv-text';
export {
  readCsvSource,
  seriesFromColumns,
  timeSeriesFromArrays,
  describeSeries,
  fillColumn,
  FILL_RULES,
} from './data/series';
export type { TimeSeries, ReadCsvOptions, FillRule, DataReport } from './data/series';
export { readColumns, DEFAULT_NA_VALUES } from './data/table';
export type { CsvColumns, NumericColumn, CategoricalColumn, ReadColumnsOptions } from './data/table';
export { deduplicate, findSentinel, DUPLICATE_RULES } from './data/checks';
export type { DuplicateRule, Sentinel, Deduplicated } from './data/checks';
export { DataProblems } from './data/problems';
export {
  parseTimestamp,
  formatTimestamp,
  inferStep,
  frequencyOf,
  timeFeatures,
  timeFeatureNames,
  continueTimestamps,
} from './data/time';
export type { Frequency, TimeFeatureKind } from './data/time';
export { parseSplit, splitRanges, selectColumns } from './data/split';
export type { FeatureMode, SplitSpec, SplitRanges, SplitPart } from './data/split';
export { StandardScaler } from './data/scaler';
export { readPanelCsv, stepAfter, describeStep as describePanelStep } from './data/panel';
export type { Panel, PanelSeries, PanelStep, ReadPanelOptions } from './data/panel';
export { readPanelFutureCsv } from './data/panel-future';
export type { PanelFuture, ReadPanelFutureOptions } from './data/panel-future';
export { PanelModel } from './models/panel-model';
export type {
  PanelFitOptions,
  PanelEvaluation,
  SeriesMetrics,
  PanelForecastRow,
  PanelBacktestOptions,
  PanelScalers,
} from './models/panel-model';
export { WindowSet } from './data/windows';
export { ForecastMetrics, seasonalNaiveScale } from './metrics';
export type { MetricValues } from './metrics';
export { Forecaster, MODEL_KINDS } from './models/forecaster';
export type {
  ModelKind,
  WindowConfig,
  Pipeline,
  FitOptions,
  FitResult,
  EvalResult,
  Forecast,
  BacktestOptions,
  BacktestResult,
} from './models/forecaster';
export {
  TPGNForecaster,
  NaiveForecaster,
  SeasonalNaiveForecaster,
  DLinearForecaster,
  GRUForecaster,
  createForecaster,
  defaultPeriod,
} from './models/registry';
export { loadForecaster } from './models/model-file';
export { loadForecasterFromUrl } from './models/load-url';
export type { ModelOptions } from './models/registry';
export { TPGN, buildTPGN, TPGN_DEFAULTS } from './models/tpgn';
export type { TPGNConfig } from './models/tpgn';
export { DLinear, buildDLinear, movingAverageMatrix } from './models/dlinear';
export { buildGRU } from './models/gru';
export { CovariateHead } from './models/covariates';
export type { CovariateSpec } from './models/covariates';
export { trainNetwork } from './train';
export type { TrainOptions, TrainResult, EpochLog } from './train';
export { plotForecast, plotPanelForecast } from './plot';
export type { PlotOptions, PlotPoint, BandPoint } from './plot';
export {
  parseIntervals,
  parseQuantiles,
  conformalQuantile,
  calibrateIntervals,
  intervalsAround,
  quantilesFromIntervals,
  IntervalMetrics,
} from './intervals';
export type { ConformalIntervals, ForecastInterval, IntervalFigures, ProbabilisticValues } from './intervals';
export { trainFromCsv, evaluateCsv, predictCsv, backtestCsv, readCsvForModel } from './commands';
export { forecastCsv, plotPoints, plotBands } from './output';
export { readSourceForModel } from './model-input';
export type { TrainSettings, TrainOutcome } from './commands';
export {
  trainPanelFromCsv,
  evaluatePanelCsv,
  predictPanelCsv,
  backtestPanelCsv,
  readPanelForModel,
  seriesMetricsCsv,
  panelForecastCsv,
  isPanelModel,
  describePanelEvaluation,
} from './panel-commands';
export type { PanelTrainSettings, PanelUseOptions } from './panel-commands';
