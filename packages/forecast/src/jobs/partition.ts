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
  /** Series id -> its part. */
  partOf: Map<string, number>;
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

const headerLineOf = (header: string[], delimiter: string): string =>
  header.map((h) => quoteField(h, delimiter)).join(delimiter) + '\n';

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

interface SplitSpec {
  where: string;
  idColumn: string;
  header: string[];
  delimiter: string;
  /** The part file of part k (written with the header on its first row, or before, by the caller). */
  fileOf: (k: number) => string;
  /** The part of a series id, or undefined to leave its rows out. */
  partOf: (id: string) => number | undefined;
}

/** Copies every row of `csv` into the part file of its series (rows of ids without a part are left out); rows copied. */
function splitRows(csv: string, o: SplitSpec): number {
  const idAt = o.header.indexOf(o.idColumn);
  const headerLine = headerLineOf(o.header, o.delimiter);
  const buffers: string[][] = [];
  let buffered = 0;
  let rows = 0;
  const flush = (): void => {
    buffers.forEach((chunks, k) => {
      if (chunks.length) fs.appendFileSync(o.fileOf(k), chunks.join(''));
      buffers[k] = [];
    });
    buffered = 0;
  };
  streamRows(fileSource(csv), o.where, o.delimiter, {
    header: () => undefined,
    row: (fields, line) => {
      const id = (fields[idAt] ?? '').trim();
      if (id === '')
        throw new ForecastError('BAD_CSV', `${o.where}: line ${line}: the id column '${o.idColumn}' is empty.`);
      const k = o.partOf(id);
      if (k === undefined) return;
      if (buffers[k] === undefined) {
        buffers[k] = [];
        fs.writeFileSync(o.fileOf(k), headerLine, { flag: 'wx' });
      }
      const text = fields.map((f) => quoteField(f, o.delimiter)).join(o.delimiter) + '\n';
      buffers[k].push(text);
      buffered += text.length;
      rows++;
      if (buffered > FLUSH_CHARS) flush();
    },
  });
  flush();
  return rows;
}

const partFile = (dir: string, k: number, suffix: string): string =>
  path.join(dir, `part-${String(k).padStart(5, '0')}${suffix}`);

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
  const partOf = new Map<string, number>();
  const ids: string[][] = [];
  const assign = (id: string): number => {
    let k = partOf.get(id);
    if (k === undefined) {
      k = Math.floor(partOf.size / o.seriesPerPart);
      partOf.set(id, k);
      if (k === ids.length) ids.push([]);
      ids[k].push(id);
    }
    return k;
  };
  const fileOf = (k: number): string => partFile(dir, k, '.csv');
  const rows = splitRows(csv, { where, idColumn: o.idColumn, header, delimiter, fileOf, partOf: assign });
  if (rows === 0)
    throw new ForecastError('HEADER_ONLY', `${where}: the file has a header but no data rows; nothing to forecast.`);
  return { files: ids.map((_, k) => fileOf(k)), ids, partOf, rows, delimiter, header };
}

/**
 * Splits a second long CSV (the future covariates' rows) by the parts of `parts`: `part-NNNNN.future.csv` beside each
 * part, every one written (with the header only when none of its series has a row); rows of other ids are left out.
 */
export function partitionLikeParts(
  csv: string,
  dir: string,
  parts: Pick<PartitionResult, 'partOf' | 'files'>,
  o: { idColumn: string; delimiter?: string },
): { files: string[]; delimiter: string } {
  const where = path.basename(csv);
  checkTextFile(csv, where);
  const { header, delimiter } = readHeader(csv, where, o.delimiter);
  checkColumns(where, header, [{ name: o.idColumn, flag: '--id-col' }]);
  const fileOf = (k: number): string => partFile(dir, k, '.future.csv');
  splitRows(csv, { where, idColumn: o.idColumn, header, delimiter, fileOf, partOf: (id) => parts.partOf.get(id) });
  const headerLine = headerLineOf(header, delimiter);
  const files = parts.files.map((_, k) => fileOf(k));
  for (const f of files) if (!fs.existsSync(f)) fs.writeFileSync(f, headerLine, { flag: 'wx' });
  return { files, delimiter };
}
