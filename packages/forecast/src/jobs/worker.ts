import * as fs from 'fs';
import * as path from 'path';
import {
  commitOutput,
  isComplete,
  ItemFailure,
  ItemPayload,
  JobContext,
  removeLeftovers,
  tempOutputName,
  WorkerSpec,
} from '@gatewave/jobs';
import { ForecastError } from '../errors';
import { Panel, ReadPanelOptions } from '../data/panel';
import { loadForecaster } from '../models/model-file';
import { PanelForecastRow, PanelModel } from '../models/panel-model';
import { panelForecastCsv, readFutureFor, readPanelForModel } from '../panel-commands';
import { FORECAST_JOB, FORECAST_QUEUE, ForecastBatchSettings, ForecastPart } from './submit';

/**
 * The worker side of forecast batches: one job forecasts one part (reads it as a panel, predicts with the saved
 * model or trains a model on the part first) and writes its rows once as JSON lines; the merge step writes the long
 * output CSV once from the parts in order, then removes the part files of the parts that succeeded.
 */

/** First line of a part's output: what the merge needs besides the rows. */
interface PartHeader {
  timeColumn: string;
  series: number;
  rows: number;
  /** Whether every forecast time of the part falls on midnight (then the CSV shows dates). */
  dateOnly: boolean;
  /** Series too short to forecast, left out as a single-process run leaves them out; the first few ids. */
  skipped: number;
  skippedIds: string[];
}

/** What a part job returns (kept in Redis until the merge). */
export type PartResult = PartHeader & { output: string; landed: boolean };

/** The merge step's result: the batch summary's `merged`. */
export interface MergeResult {
  out: string;
  landed: boolean;
  parts: number;
  series: number;
  rows: number;
  skipped: number;
  /** Part CSVs kept for inspection (those of failed parts). */
  kept: string[];
  /** The folder of the parts' saved models (`--save-models`), if any. */
  models?: string;
}

type Payload = ItemPayload<ForecastPart, ForecastBatchSettings>;

/** The covariate columns a saved model reads (none for a model trained on the part, which takes none). */
type Covariates = Pick<ReadPanelOptions, 'pastColumns' | 'futureColumns'>;

function readPart(p: Payload, lookback: number, horizon: number, covariates: Covariates = {}): Panel | null {
  const s = p.settings;
  try {
    return readPanelForModel(
      p.item.input,
      {
        idColumn: s.idColumn,
        timeColumn: s.timeColumn,
        target: s.target,
        delimiter: s.delimiter,
        naValues: s.naValues,
        strict: s.strict,
        lookback,
        horizon,
        ...covariates,
      },
      () => undefined,
    );
  } catch (err) {
    // Without --strict, TOO_FEW_ROWS means that no series of the part is long enough: all of them are skipped.
    if (!s.strict && err instanceof ForecastError && err.code === 'TOO_FEW_ROWS') return null;
    throw err;
  }
}

async function forecastRows(
  models: Map<string, PanelModel>,
  p: Payload,
  ctx: JobContext,
): Promise<{ panel: Panel | null; rows: PanelForecastRow[]; skipped: string[] }> {
  const s = p.settings;
  if (s.model) {
    const dir = s.model;
    if (!models.has(dir))
      models.set(dir, await ctx.time('load model', async () => new PanelModel(await loadForecaster(dir))));
    const model = models.get(dir)!;
    // As a single-process predict: a series needs only its lookback rows; the model's covariates are read with it.
    const { pastColumns = [], futureColumns = [] } = model.forecaster.pipeline ?? {};
    const panel = await ctx.time('read part', () => readPart(p, model.lookback, 0, { pastColumns, futureColumns }));
    if (!panel) return { panel, rows: [], skipped: [] };
    const rules = { delimiter: s.futureDelimiter, naValues: s.naValues };
    const future = readFutureFor(model, panel, p.item.future, rules);
    const rows = await ctx.time('predict', () => model.predict(panel, { future }));
    return { panel, rows, skipped: [...panel.skipped, ...model.skipped].map((x) => x.id) };
  }
  const t = s.train!;
  // As train --id-col then predict: series too short to train on are left out of training (counted by fit) but
  // forecast from their lookback rows; with --strict a series shorter than lookback + horizon fails the part.
  const panel = await ctx.time('read part', () => readPart(p, t.lookback, s.strict ? t.horizon : 0));
  if (!panel) return { panel, rows: [], skipped: [] };
  const model = new PanelModel(t.kind, {
    lookback: t.lookback,
    horizon: t.horizon,
    period: t.period,
    dModel: t.dModel,
    norm: t.norm,
    hidden: t.hidden,
    quantiles: t.quantiles,
  });
  await ctx.time('train', () => model.fit(panel, { ...t, strict: s.strict, quiet: true, intervals: t.intervals }));
  // What train --id-col saves with the model: predict reads CSVs with the same rules by default.
  if (model.forecaster.pipeline) model.forecaster.pipeline.read = { delimiter: s.delimiter, naValues: s.naValues };
  await ctx.progress(0.5);
  if (s.saveModels) await ctx.time('save model', () => savePartModel(model, s.saveModels!, p.index, ctx));
  const rows = await ctx.time('predict', () => model.predict(panel));
  return { panel, rows, skipped: [...panel.skipped, ...model.skipped].map((x) => x.id) };
}

/**
 * Saves a part's trained model as `<dir>/part-NNNNN`, once: into a temporary folder of this attempt, then renamed
 * into place. A rename onto a folder that holds files fails, so a model saved by an earlier attempt is left as it was.
 */
async function savePartModel(model: PanelModel, dir: string, index: number, ctx: JobContext): Promise<boolean> {
  const target = path.join(dir, `part-${String(index).padStart(5, '0')}`);
  if (fs.existsSync(target)) return false;
  if (ctx.startedBefore) removeLeftovers(target);
  const temp = tempOutputName(target, ctx.jobId, ctx.attempt);
  await model.forecaster.save(temp);
  try {
    fs.renameSync(temp, target);
    return true;
  } catch (err) {
    fs.rmSync(temp, { recursive: true, force: true });
    if (['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) return false;
    throw err;
  }
}

function headerOf(output: string): PartHeader {
  const fd = fs.openSync(output, 'r');
  try {
    const buf = Buffer.alloc(1 << 16);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return JSON.parse(buf.subarray(0, n).toString('utf8').split('\n')[0]) as PartHeader;
  } finally {
    fs.closeSync(fd);
  }
}

/** One part, its output written exactly once; an output that is there already is left alone. */
async function forecastPart(models: Map<string, PanelModel>, p: Payload, ctx: JobContext): Promise<PartResult> {
  const { output } = p.item;
  if (isComplete(output)) return { ...headerOf(output), output, landed: false };
  const t0 = Date.now();
  const { panel, rows, skipped } = await forecastRows(models, p, ctx).catch((err: Error) => {
    const more = p.item.series > p.item.ids.length ? `, ... (${p.item.series} series)` : '';
    err.message = `${p.item.input} (series ${p.item.ids.join(', ')}${more}): ${err.message}`;
    throw err;
  });
  const series = new Set(rows.map((r) => r.id)).size;
  const header: PartHeader = {
    timeColumn: panel?.timeColumn ?? p.settings.timeColumn ?? '',
    series,
    rows: rows.length,
    dateOnly: rows.every((r) => r.time % 86400000 === 0),
    skipped: p.item.series - series,
    skippedIds: skipped.slice(0, 5),
  };
  if (ctx.startedBefore) removeLeftovers(output);
  const temp = tempOutputName(output, ctx.jobId, ctx.attempt);
  const landed = await ctx.time('write output', () => {
    const lines = [JSON.stringify(header), ...rows.map((r) => JSON.stringify(r))];
    fs.writeFileSync(temp, lines.join('\n') + '\n');
    return commitOutput(temp, output);
  });
  ctx.log(
    `forecast ${path.basename(p.item.input)}: ${header.series} series, ${rows.length} rows in ${((Date.now() - t0) / 1000).toFixed(2)} s${landed ? '' : ' (already there; left as it was)'}`,
  );
  return { ...header, output, landed };
}

/** A part's rows (NaN forecasts and bounds were written as JSON null; the CSV shows both as an empty cell). */
function partRows(output: string): PanelForecastRow[] {
  const lines = fs.readFileSync(output, 'utf8').split('\n').slice(1).filter(Boolean);
  return lines.map((l) => JSON.parse(l) as PanelForecastRow);
}

/**
 * Writes the long CSV from the parts that succeeded, in part order (the series order of a single-process run), once.
 * Times are printed as dates when every forecast of the batch falls on midnight, as a single-process run does.
 */
function writeMerged(s: ForecastBatchSettings, parts: PartResult[], batchId: string): boolean {
  const dateOnly = parts.every((p) => p.dateOnly);
  const timeColumn = parts.find((p) => p.timeColumn)?.timeColumn ?? s.timeColumn ?? 'time';
  fs.mkdirSync(path.dirname(s.out), { recursive: true });
  removeLeftovers(s.out);
  const temp = tempOutputName(s.out, batchId, 0);
  const fd = fs.openSync(temp, 'w');
  try {
    let header = true;
    for (const p of parts) {
      const rows = partRows(p.output);
      if (rows.length === 0) continue;
      const text = panelForecastCsv(s.idColumn, timeColumn, rows, dateOnly);
      fs.writeSync(fd, header ? text : text.slice(text.indexOf('\n') + 1)); // the header (and its band columns) once
      header = false;
    }
    if (header) fs.writeSync(fd, panelForecastCsv(s.idColumn, timeColumn, [], dateOnly));
  } finally {
    fs.closeSync(fd);
  }
  return commitOutput(temp, s.out);
}

/** The merge step: the long CSV once, then the successful parts' files removed (failed parts' CSVs kept). */
async function mergeParts(
  batch: { id: string; settings: ForecastBatchSettings },
  results: Map<number, unknown>,
  failures: ItemFailure[],
): Promise<MergeResult> {
  const s = batch.settings;
  const parts = [...results.keys()].sort((a, b) => a - b).map((k) => results.get(k) as PartResult);
  // With no part done there is nothing to merge: no output file (an empty one would read as a forecast of nothing).
  const landed = parts.length === 0 || isComplete(s.out) ? false : writeMerged(s, parts, batch.id);
  for (const p of parts) {
    fs.rmSync(p.output, { force: true });
    for (const suffix of ['.csv', '.future.csv'])
      fs.rmSync(p.output.replace(/\.forecast\.jsonl$/, suffix), { force: true });
  }
  const kept = fs.existsSync(s.work) ? fs.readdirSync(s.work).map((n) => path.join(s.work, n)) : [];
  if (kept.length === 0) fs.rmSync(s.work, { recursive: true, force: true });
  return {
    out: s.out,
    landed,
    parts: parts.length,
    series: parts.reduce((a, p) => a + p.series, 0),
    rows: parts.reduce((a, p) => a + p.rows, 0),
    skipped: parts.reduce((a, p) => a + p.skipped, 0),
    kept: failures.length ? kept : [],
    models: s.saveModels,
  };
}

/** The processor and merge step of the forecast worker. */
export function forecastWorkerSpec(): WorkerSpec {
  const models = new Map<string, PanelModel>();
  return {
    queue: FORECAST_QUEUE,
    processors: { [FORECAST_JOB]: (p, ctx) => forecastPart(models, p as Payload, ctx) },
    merges: {
      [FORECAST_JOB]: (batch, results, failures) =>
        mergeParts(batch as { id: string; settings: ForecastBatchSettings }, results, failures),
    },
  };
}
