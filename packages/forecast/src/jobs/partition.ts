import * as fs from 'fs';
import * as path from 'path';
import { ForecastError } from '../errors';
import { streamRows } from '../data/csv-text';
import { checkTextFile, fileSource, readHeader } from '../data/csv-file';

/**
 * Splitting a long-format CSV into partitions by series id, as StatsForecast does before handing each partition to
 * plain per-partition code: the n-th distinct id (in order of first appearance) goes to partition
 * floor(n / seriesPerPart), so the partitions, read in order, hold the series in the order a single-process read
 * does. Rows are copied as they are (not parsed as numbers or times): a bad series fails its own partition, on a
 * worker, and the others go on. Memory is bounded by the id map and a fixed write buffer, not by the file.
 */

export interface PartitionResult {
  /** Part files in order (`part-00000.csv`, ...), each with the header and the rows of its series. */
  files: string[];
  /** Series ids per part (first appearance order). */
  ids: string[][];
  rows: number;
  delimiter: string;
  header: string[];
}

export interface PartitionOptions {
  idColumn: string;
  /** Distinct series per part. */
  seriesPerPart: number;
  delimiter?: string;
  /** Columns that must be in the header (target, time column): checked before any part is written. */
  requiredColumns?: string[];
}

/** Buffered text is written out once the buffers together hold this many characters. */
const FLUSH_CHARS = 8 << 20;

function quoteField(field: string, delimiter: string): string {
  return field.includes(delimiter) || /["\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** Checks that the columns exist in the header; a ForecastError UNKNOWN_COLUMN naming the flag otherwise. */
function checkColumns(where: string, header: string[], needed: { name: string; flag: string }[]): void {
  for (const { name, flag } of needed) {
    if (!header.includes(name))
      throw new ForecastError(
        'UNKNOWN_COLUMN',
        `${where}: no column '${name}' (${flag}); the columns are ${header.join(', ')}.`,
      );
  }
}

/**
 * Writes the parts of `csv` into `dir` (which must exist and be empty of part files) and returns them. Throws a
 * ForecastError when the file cannot be read as CSV or lacks the id or a required column.
 */
export function partitionPanelCsv(csv: string, dir: string, o: PartitionOptions): PartitionResult {
  const where = path.basename(csv);
  checkTextFile(csv, where);
  const { header, delimiter } = readHeader(csv, where, o.delimiter);
  checkColumns(where, header, [
    { name: o.idColumn, flag: '--id-col' },
    ...(o.requiredColumns ?? []).map((name) => ({ name, flag: 'column' })),
  ]);
  const idAt = header.indexOf(o.idColumn);
  const headerLine = header.map((h) => quoteField(h, delimiter)).join(delimiter) + '\n';
  const partOf = new Map<string, number>();
  const ids: string[][] = [];
  const buffers: string[][] = [];
  const files: string[] = [];
  let buffered = 0;
  let rows = 0;
  const flush = (): void => {
    buffers.forEach((chunks, k) => {
      if (chunks.length) fs.appendFileSync(files[k], chunks.join(''));
      buffers[k] = [];
    });
    buffered = 0;
  };
  streamRows(fileSource(csv), where, delimiter, {
    header: () => undefined,
    row: (fields, line) => {
      const id = (fields[idAt] ?? '').trim();
      if (id === '')
        throw new ForecastError('BAD_CSV', `${where}: line ${line}: the id column '${o.idColumn}' is empty.`);
      let k = partOf.get(id);
      if (k === undefined) {
        k = Math.floor(partOf.size / o.seriesPerPart);
        partOf.set(id, k);
        if (k === ids.length) {
          ids.push([]);
          buffers.push([]);
          files.push(path.join(dir, `part-${String(k).padStart(5, '0')}.csv`));
          fs.writeFileSync(files[k], headerLine, { flag: 'wx' });
        }
        ids[k].push(id);
      }
      const text = fields.map((f) => quoteField(f, delimiter)).join(delimiter) + '\n';
      buffers[k].push(text);
      buffered += text.length;
      rows++;
      if (buffered > FLUSH_CHARS) flush();
    },
  });
  flush();
  if (rows === 0)
    throw new ForecastError('HEADER_ONLY', `${where}: the file has a header but no data rows; nothing to forecast.`);
  return { files, ids, rows, delimiter, header };
}
