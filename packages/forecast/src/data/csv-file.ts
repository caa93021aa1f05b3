import * as fs from 'fs';
import { ForecastError } from '../errors';
import { CsvSource, checkTextSource, readHeader as readSourceHeader, sniffDelimiter as sniffSource } from './csv-text';
import { DataProblems } from './problems';
import { ReadCsvOptions, TimeSeries, readCsvSource } from './series';
import { CsvColumns, ReadColumnsOptions, readColumns } from './table';

/**
 * CSV files on disk (Node only): a file as a `CsvSource` read in 1 MiB chunks with a fixed buffer, and the
 * file-path forms of the readers (`readCsv`, `readCsvColumns`, `readHeader`, `sniffDelimiter`). The browser entry
 * reads the same formats from bytes (`bytesSource`) with the functions these call.
 */

const CHUNK = 1 << 20;

/** Reads the first `n` bytes of a file. */
function head(file: string, n: number): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, fs.readSync(fd, buf, 0, n, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/** Checks that the file exists, is a file and can be read. */
function checkReadable(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new ForecastError('FILE_NOT_FOUND', `${file}: no such file; check the --csv path.`);
  }
  if (!st.isFile())
    throw new ForecastError('FILE_NOT_FOUND', `${file}: is a folder, not a file; pass a CSV file to --csv.`);
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    throw new ForecastError('FILE_NOT_FOUND', `${file}: cannot be read (permission denied); check its permissions.`);
  }
}

/** A CSV file as a source: checked when read, streamed with one fixed-size buffer. */
export function fileSource(file: string): CsvSource {
  return {
    name: file,
    check: () => checkReadable(file),
    head: (n) => head(file, n),
    *chunks() {
      const fd = fs.openSync(file, 'r');
      try {
        const buf = Buffer.alloc(CHUNK);
        for (let n = fs.readSync(fd, buf, 0, CHUNK, null); n > 0; n = fs.readSync(fd, buf, 0, CHUNK, null)) {
          yield buf.subarray(0, n);
        }
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

const sourceOf = (file: string | CsvSource): CsvSource => (typeof file === 'string' ? fileSource(file) : file);

/** Checks that the file exists, is a file, is not empty and looks like text (no NUL bytes, valid UTF-8). */
export function checkTextFile(file: string, where: string): void {
  checkTextSource(fileSource(file), where);
}

/** The delimiter of a CSV file (see the source form in `csv-text.ts`). */
export function sniffDelimiter(file: string | CsvSource): string {
  return sniffSource(sourceOf(file));
}

/** The header of a CSV file (after the same checks and delimiter sniffing as a full read). */
export function readHeader(
  file: string | CsvSource,
  where: string,
  delimiter?: string,
): { header: string[]; delimiter: string } {
  return readSourceHeader(sourceOf(file), where, delimiter);
}

/** Reads a CSV file into typed columns in one streaming pass; see `readColumns`. */
export function readCsvColumns(
  file: string | CsvSource,
  options: ReadColumnsOptions = {},
  problems?: DataProblems,
): CsvColumns {
  return readColumns(sourceOf(file), options, problems);
}

/** Reads a CSV file into a regular TimeSeries; see `readCsvSource`. */
export async function readCsv(file: string | CsvSource, options: ReadCsvOptions = {}): Promise<TimeSeries> {
  return readCsvSource(sourceOf(file), options);
}
