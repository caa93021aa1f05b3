/**
 * The browser entry of @gatewave/forecast (the `browser` condition of its `exports`): CSV bytes to a series with the
 * same reader and messages as the CLI, saved models loaded over fetch from the same folder format, `predict`,
 * `evaluate`, `backtest` and `fit` on the same model classes, and the forecast CSV the CLI writes. Not here: anything
 * that reads or writes files (`readCsv(path)`, `loadForecaster(dir)`, `save`, plots to PNG/SVG) and long-format
 * panels. Nothing here imports `fs`, a native addon or any Node-only module; a test checks the bundle graph.
 */
export { ForecastError } from './errors';
export type { ForecastErrorCode } from './errors';
export { bytesSource, sniffDelimiter, readHeader, DELIMITERS } from './data/csv-text';
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
export { ForecastMetrics, seasonalNaiveScale } from './metrics';
export type { MetricValues } from './metrics';
export { Forecaster } from './models/forecaster';
export { MODEL_KINDS } from './models/types';
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
} from './models/types';
export {
  TPGNForecaster,
  NaiveForecaster,
  SeasonalNaiveForecaster,
  DLinearForecaster,
  GRUForecaster,
  createForecaster,
  defaultPeriod,
} from './models/registry';
export type { ModelOptions } from './models/registry';
export { loadForecasterFromUrl } from './models/load-url';
export { parseIntervals, parseQuantiles, IntervalMetrics } from './intervals';
export type { ConformalIntervals, ForecastInterval, IntervalFigures, ProbabilisticValues } from './intervals';
export { forecastCsv, plotPoints, plotBands } from './output';
export { readSourceForModel } from './model-input';
