/**
 * @gatewave/forecast: CSV to forecasts with TPGN and baselines (naive, seasonal-naive, DLinear, GRU), backtests,
 * metrics, plots and the `gatewave-forecast` CLI. In Node the package exports everything its browser entry does
 * (`browser.ts`, one list kept once), then what needs files, the model internals, training and long-format panels.
 */
export * from './browser';
// The Node versions of `sniffDelimiter` and `readHeader` also take a file path; they stand in for the browser's.
export { readCsv, readCsvColumns, sniffDelimiter, readHeader, fileSource } from './data/csv-file';
export { deduplicate, findSentinel, DUPLICATE_RULES } from './data/checks';
export type { DuplicateRule, Sentinel, Deduplicated } from './data/checks';
export { DataProblems } from './data/problems';
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
export { loadForecaster } from './models/model-file';
export { TPGN, buildTPGN, TPGN_DEFAULTS, setTPGNFusion } from './models/tpgn';
export type { TPGNConfig } from './models/tpgn';
export { DLinear, buildDLinear, movingAverageMatrix } from './models/dlinear';
export { buildGRU } from './models/gru';
export { CovariateHead } from './models/covariates';
export type { CovariateSpec } from './models/covariates';
export { trainNetwork } from './train';
export type { TrainOptions, TrainResult, EpochLog } from './train';
export { plotForecast, plotPanelForecast } from './plot';
export type { PlotOptions, PlotPoint, BandPoint } from './plot';
export { conformalQuantile, calibrateIntervals, intervalsAround, quantilesFromIntervals } from './intervals';
export { trainFromCsv, evaluateCsv, predictCsv, backtestCsv, readCsvForModel } from './commands';
export type { TrainSettings, TrainOutcome, CommonTrainSettings } from './commands';
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
