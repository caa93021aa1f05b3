import * as fs from 'fs';
import * as path from 'path';
import {
  checkConnection,
  checkInputs,
  checkOutputDir,
  JobsError,
  parseQueueUrl,
  QueueConnection,
  submitBatch,
} from '@gatewave/jobs';
import { ForecastError } from '../errors';
import { readModelDoc } from '../models/model-file';
import { checkQuantileHeads } from '../models/registry';
import { partitionLikeParts, partitionPanelCsv } from './partition';

/**
 * Forecasting as jobs on the "forecast" queue: a long-format CSV is split by series id into part files in a work
 * folder beside the output (shared storage every worker sees), one job per part forecasts its series (with one saved
 * panel model, or a model trained on the part), and the batch's merge step writes the one long output CSV once every
 * part is done. This module submits; `./worker` runs the parts and the merge.
 */

/** The queue every forecast job goes to. */
export const FORECAST_QUEUE = 'forecast';
/** The job kind (and merge kind) of a forecast part. */
export const FORECAST_JOB = 'forecast';

/** How each part is trained when no saved model is given (`PanelModel` options and training settings). */
export interface PartTraining {
  kind: string;
  lookback: number;
  horizon: number;
  period: number;
  split?: [number, number, number];
  epochs?: number;
  patience?: number;
  batchSize?: number;
  learningRate?: number;
  dModel?: number;
  norm?: boolean;
  hidden?: number;
  seed?: number;
  /** Conformal interval levels in percent, calibrated on each part's validation windows (as `train --interval`). */
  intervals?: number[];
  /** Quantile-head levels, with 0.5 (as `train --quantiles`; networks only). */
  quantiles?: number[];
}

/** What every job of a forecast batch carries (paths absolute). */
export interface ForecastBatchSettings {
  /** The input CSV (for messages). */
  csv: string;
  idColumn: string;
  timeColumn?: string;
  target: string;
  delimiter?: string;
  naValues?: string[];
  /** A series shorter than lookback + horizon fails its part instead of being skipped. */
  strict?: boolean;
  /** A saved panel model folder (predict only); otherwise `train`. */
  model?: string;
  train?: PartTraining;
  /** The merged long forecast CSV. */
  out: string;
  /** The folder of the part files. */
  work: string;
  /** With `futureCsv`: the delimiter of the parts' future covariate files. */
  futureDelimiter?: string;
  /** With `train`: each part's trained model is saved as `<saveModels>/part-NNNNN` (absolute). */
  saveModels?: string;
}

/** One part: its CSV and where its forecasts go. */
export interface ForecastPart {
  input: string;
  output: string;
  /** Its series ids (the first few) and how many there are, for failure reports. */
  ids: string[];
  series: number;
  /** The future covariates' rows of its series (with `futureCsv`). */
  future?: string;
}

export interface ForecastBatchRequest {
  csv: string;
  out: string;
  /** Series id column; with `model`, default the model's. */
  idColumn?: string;
  timeColumn?: string;
  /** Target column; with `model`, default the model's. */
  target?: string;
  delimiter?: string;
  naValues?: string[];
  strict?: boolean;
  model?: string;
  train?: PartTraining;
  /** With `model` (one that has future covariates): their rows after each series' end, as `predict --future-csv`. */
  futureCsv?: string;
  /** Distinct series per job (default 100). */
  seriesPerJob?: number;
  /** With `train`: save each part's model as DIR/part-NNNNN; DIR must be absent or empty. */
  saveModels?: string;
  attempts?: number;
  backoffMs?: number;
}

export interface ForecastSubmitResult {
  conn: QueueConnection;
  batchId: string;
  parts: number;
  series: number;
  rows: number;
  work: string;
}

const SHOWN_IDS = 5;

/** The saved model's panel columns; throws when the folder (seen from here) holds no model trained with --id-col. */
function panelModelColumns(model: string): {
  idColumn: string;
  target: string;
  timeColumn: string;
  futureColumns: string[];
} {
  const p = readModelDoc(model).pipeline;
  if (!p.panel)
    throw new ForecastError(
      'MODEL_MISMATCH',
      `${model}: this model was trained on a wide CSV, not a long-format panel; train it with --id-col, or use --train KIND.`,
    );
  return {
    idColumn: p.panel.idColumn,
    target: p.target,
    timeColumn: p.timeColumn,
    futureColumns: p.futureColumns ?? [],
  };
}

/** Checks the request's own settings (before any file or Redis is touched). */
function checkRequest(r: ForecastBatchRequest): void {
  if (!!r.model === !!r.train)
    throw new ForecastError(
      'BAD_ARGUMENT',
      'give either --model DIR (one saved panel model predicts every part) or --train KIND (a model per part), not both or neither.',
    );
  if (path.extname(r.out).toLowerCase() !== '.csv')
    throw new ForecastError('BAD_ARGUMENT', `--out ${r.out}: must end in .csv.`);
  if (r.saveModels !== undefined && !r.train)
    throw new ForecastError(
      'BAD_ARGUMENT',
      '--save-models: only parts trained with --train have models of their own to save; leave it out with --model.',
    );
  if (r.train) checkQuantileHeads(r.train.kind, r.train.quantiles);
  if (r.futureCsv !== undefined && !r.model)
    throw new ForecastError(
      'BAD_ARGUMENT',
      '--future-csv goes with --model (a saved panel model trained with --future-cols); parts trained with --train take no future covariates.',
    );
  if (r.seriesPerJob !== undefined && !(Number.isInteger(r.seriesPerJob) && r.seriesPerJob > 0))
    throw new ForecastError(
      'BAD_ARGUMENT',
      `--series-per-job: must be a positive whole number, got ${r.seriesPerJob}.`,
    );
}

/**
 * Splits the CSV into parts and enqueues one job per part. Checks first, and enqueues nothing when one fails: the
 * request, the input and model (visible here), the output (absent, folder writable), then Redis.
 */
export async function submitForecastBatch(url: string, r: ForecastBatchRequest): Promise<ForecastSubmitResult> {
  checkRequest(r);
  const conn = parseQueueUrl(url);
  const [csv, futureCsv] = checkInputs(r.futureCsv === undefined ? [r.csv] : [r.csv, r.futureCsv]);
  const model = r.model ? path.resolve(r.model) : undefined;
  const fromModel = model ? panelModelColumns(model) : undefined;
  if (fromModel?.futureColumns.length && !futureCsv)
    throw new ForecastError(
      'MISSING_FUTURE_COVARIATES',
      `${r.model}: the model has future covariates (${fromModel.futureColumns.join(', ')}); give their rows after each series' end with --future-csv FILE (id, time and those columns). Nothing was enqueued.`,
    );
  const idColumn = r.idColumn ?? fromModel?.idColumn;
  const target = r.target ?? fromModel?.target;
  if (!idColumn || !target)
    throw new ForecastError('BAD_ARGUMENT', `--train needs --id-col and --target (the series id and value columns).`);
  const out = path.resolve(r.out);
  checkOutputDir(path.dirname(out));
  if (fs.existsSync(out))
    throw new JobsError(
      'OUTPUT_EXISTS',
      `${r.out} exists; a queued forecast never replaces a file. Remove it or choose another --out. Nothing was enqueued.`,
    );
  const models = r.saveModels === undefined ? undefined : modelsFolder(r.saveModels);
  try {
    await checkConnection(conn);
  } catch (err) {
    models?.undo();
    throw err;
  }
  const work = fs.mkdtempSync(path.join(path.dirname(out), `.${path.basename(out)}.parts-`));
  try {
    const timeColumn = r.timeColumn ?? fromModel?.timeColumn;
    const parts = partitionPanelCsv(csv, work, {
      idColumn,
      seriesPerPart: r.seriesPerJob ?? 100,
      delimiter: r.delimiter,
      requiredColumns: [target, ...(timeColumn ? [timeColumn] : [])],
    });
    // As predict: a model without future covariates reads no future file.
    const future =
      futureCsv && fromModel?.futureColumns.length
        ? partitionLikeParts(futureCsv, work, parts, { idColumn, delimiter: r.delimiter })
        : undefined;
    const settings: ForecastBatchSettings = {
      csv,
      idColumn,
      timeColumn,
      target,
      delimiter: parts.delimiter,
      naValues: r.naValues,
      strict: r.strict,
      model,
      train: r.train,
      out,
      work,
      futureDelimiter: future?.delimiter,
      saveModels: models?.dir,
    };
    const items: ForecastPart[] = parts.files.map((input, k) => ({
      input,
      output: input.replace(/\.csv$/, '.forecast.jsonl'),
      ids: parts.ids[k].slice(0, SHOWN_IDS),
      series: parts.ids[k].length,
      ...(future ? { future: future.files[k] } : {}),
    }));
    const { batchId } = await submitBatch(conn, {
      queue: FORECAST_QUEUE,
      kind: FORECAST_JOB,
      items,
      settings,
      attempts: r.attempts,
      backoffMs: r.backoffMs,
    });
    const series = parts.ids.reduce((a, ids) => a + ids.length, 0);
    return { conn, batchId, parts: items.length, series, rows: parts.rows, work };
  } catch (err) {
    fs.rmSync(work, { recursive: true, force: true });
    models?.undo();
    throw err;
  }
}

/**
 * Checks the --save-models folder: absent (then made here) or empty, and writable; a folder that holds anything is
 * refused, so that no saved model is ever replaced. `undo` removes the folder again if this call made it.
 */
function modelsFolder(dir: string): { dir: string; undo: () => void } {
  const abs = path.resolve(dir);
  const existed = fs.existsSync(abs);
  if (existed && (!fs.statSync(abs).isDirectory() || fs.readdirSync(abs).length > 0))
    throw new JobsError(
      'OUTPUT_EXISTS',
      `--save-models ${dir}: exists and is not an empty folder; saved models are never replaced. Choose a new folder. Nothing was enqueued.`,
    );
  checkOutputDir(abs);
  return {
    dir: abs,
    undo: () => {
      if (!existed) fs.rmSync(abs, { recursive: true, force: true });
    },
  };
}
