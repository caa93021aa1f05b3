import { ForecastError } from './errors';
import { CsvSource, baseName, readHeader } from './data/csv-text';
import { FillRule, ReadCsvOptions, TimeSeries, readCsvSource } from './data/series';
import { Forecaster } from './models/forecaster';
import { CsvReadRules } from './models/types';

/**
 * Reads a CSV source (a file in Node, bytes in a browser) for a saved model: checks that it has the model's columns,
 * then reads them with the model's rules (fill, delimiter, NA tokens, duplicates, longest gap), each of which `rules`
 * can override. The messages are the CLI's (`gatewave-forecast predict`).
 */
export async function readSourceForModel(
  model: Forecaster,
  source: CsvSource,
  rules: CsvReadRules & { fill?: FillRule } = {},
): Promise<TimeSeries> {
  const file = source.name;
  const p = model.pipeline;
  if (!p) throw new ForecastError('NOT_FITTED', 'the model has no pipeline; load it with loadForecaster.');
  const defined = Object.fromEntries(Object.entries(rules).filter(([, v]) => v !== undefined));
  const options: ReadCsvOptions = { fill: p.fill, ...p.read, ...defined };
  const { header, delimiter } = readHeader(source, baseName(file), options.delimiter);
  const needed = [p.timeColumn, ...p.inputColumns];
  const missing = needed.filter((c) => !header.includes(c));
  if (missing.length) {
    throw new ForecastError(
      'MODEL_MISMATCH',
      `${file}: the model was trained on ${p.source} with time column '${p.timeColumn}' and columns ${p.inputColumns.join(', ')} ` +
        `(features ${p.features}, target ${p.target}); this file lacks ${missing.join(', ')}. Use a CSV with the same columns or train a new model.`,
    );
  }
  return readCsvSource(source, { ...options, delimiter, timeColumn: p.timeColumn, columns: p.inputColumns });
}
