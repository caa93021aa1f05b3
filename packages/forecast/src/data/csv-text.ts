import * as fs from 'fs';
import { StringDecoder } from 'string_decoder';
import { ForecastError } from '../errors';

/**
 * The text layer of the CSV reader: checks that a file is text, finds its delimiter and streams it row by row with a
 * fixed-size read buffer (memory does not grow with the file). Quoted fields (RFC 4180: `"a ""b"" c"`, with
 * delimiters and line breaks inside) are supported; line numbers are those of the file, counting from 1.
 */

/** Delimiters the sniffer chooses among. */
export const DELIMITERS = [',', ';', '\t', '|'] as const;

const CHUNK = 1 << 20;
const SNIFF_BYTES = 64 * 1024;
/** A longer line is not a CSV row (a binary or minified file): an error rather than unbounded memory. */
const MAX_LINE = 1 << 20;

const show = (d: string): string => (d === '\t' ? 'tab' : `'${d}'`);

/** Reads the first `n` bytes of a file. */
function head(file: string, n: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, fs.readSync(fd, buf, 0, n, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/** Checks that the file exists, is a file, is not empty and looks like text (no NUL bytes, valid UTF-8). */
export function checkTextFile(file: string, where: string): void {
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
  const bytes = head(file, SNIFF_BYTES);
  if (bytes.length === 0 || bytes.toString('utf8').trim() === '') {
    throw new ForecastError('EMPTY_FILE', `${where}: the file is empty; pass a CSV with a header line and data rows.`);
  }
  const nul = bytes.indexOf(0);
  // UTF-16 files start with a byte-order mark and have NULs between ASCII letters.
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  let invalid = 0;
  const text = bytes.toString('utf8');
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0xfffd) invalid++;
  // A multi-byte character cut at the end of the sample decodes as one replacement character.
  if (nul >= 0 || utf16 || invalid > 1) {
    throw new ForecastError(
      'NOT_TEXT',
      `${where}: this is not a text CSV file (${utf16 ? 'UTF-16 text' : nul >= 0 ? `a NUL byte at offset ${nul}` : `${invalid} bytes that are not UTF-8`}); ` +
        'pass a UTF-8 (or ASCII) CSV file; save spreadsheets as "CSV UTF-8".',
    );
  }
}

/** Splits one line that holds quotes into fields; returns null when a quote is still open at its end. */
function splitQuoted(line: string, delimiter: string): string[] | null {
  const out: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let wasQuoted = false;
  while (i < line.length) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
    } else if (ch === '"' && field.trim() === '' && !wasQuoted) {
      quoted = true;
      wasQuoted = true;
      field = '';
    } else if (ch === delimiter) {
      out.push(field);
      field = '';
      wasQuoted = false;
    } else field += ch;
    i++;
  }
  if (quoted) return null;
  out.push(field);
  return out;
}

/** Splits a row into fields (fast path without quotes). */
export function splitRow(line: string, delimiter: string): string[] | null {
  return line.includes('"') ? splitQuoted(line, delimiter) : line.split(delimiter);
}

/**
 * Chooses the delimiter: the candidate that splits the header into the most fields and the next lines into the
 * same number of fields. A file with one column has none of them (then `,` is returned).
 */
export function sniffDelimiter(file: string): string {
  const text = head(file, SNIFF_BYTES)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length > 1 && text.length === SNIFF_BYTES) lines.pop(); // probably cut
  const sample = lines.slice(0, 20);
  let best = ',';
  let bestScore = 0;
  for (const d of DELIMITERS) {
    const counts = sample.map((l) => splitRow(l, d)?.length ?? 0);
    const header = counts[0];
    if (header < 2) continue;
    const agree = counts.filter((c) => c === header).length / counts.length;
    const score = header * agree;
    if (agree >= 0.5 && score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

/** What `streamRows` calls for the header and for each data row (`line` is the file line where the row starts). */
export interface RowSink {
  header(fields: string[], line: number): void;
  row(fields: string[], line: number): void;
}

/**
 * Streams the rows of a CSV file (after `checkTextFile`): skips blank lines, strips a UTF-8 byte-order mark, joins
 * the lines of a quoted field that holds line breaks. Throws a ForecastError for an unterminated quote or a line
 * longer than 1 MiB.
 */
export function streamRows(file: string, where: string, delimiter: string, sink: RowSink): void {
  const fd = fs.openSync(file, 'r');
  const decoder = new StringDecoder('utf8');
  const buf = Buffer.alloc(CHUNK);
  let rest = '';
  let lineNo = 0;
  let pending = '';
  let pendingLine = 0;
  let first = true;
  const take = (raw: string): void => {
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const text = pending ? `${pending}\n${line}` : line;
    const start = pending ? pendingLine : lineNo;
    if (!pending && text.trim() === '') return;
    const fields = splitRow(first ? text.replace(/^\uFEFF/, '') : text, delimiter);
    if (fields === null) {
      if (text.length > MAX_LINE) {
        throw new ForecastError(
          'BAD_CSV',
          `${where}: line ${start}: a quoted field is still open after ${MAX_LINE} characters; close the quote (").`,
        );
      }
      pending = text;
      pendingLine = start;
      return;
    }
    pending = '';
    if (first) {
      first = false;
      sink.header(fields, start);
    } else sink.row(fields, start);
  };
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      const text = n > 0 ? rest + decoder.write(buf.subarray(0, n)) : rest + decoder.end();
      const parts = text.split('\n');
      rest = n > 0 ? (parts.pop() as string) : '';
      if (rest.length > MAX_LINE) {
        throw new ForecastError(
          'BAD_CSV',
          `${where}: line ${lineNo + 1} is longer than ${MAX_LINE} characters; this is not a CSV table.`,
        );
      }
      for (const p of parts) take(p);
      if (n === 0) break;
    }
  } finally {
    fs.closeSync(fd);
  }
  if (pending) {
    throw new ForecastError(
      'BAD_CSV',
      `${where}: line ${pendingLine}: a quoted field (") is never closed; close the quote or remove it.`,
    );
  }
  if (first)
    throw new ForecastError('EMPTY_FILE', `${where}: the file is empty; pass a CSV with a header line and data rows.`);
}

/** The header of a CSV file (after the same checks and delimiter sniffing as a full read). */
export function readHeader(file: string, where: string, delimiter?: string): { header: string[]; delimiter: string } {
  checkTextFile(file, where);
  const d = delimiter ?? sniffDelimiter(file);
  const text = head(file, SNIFF_BYTES)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return { header: (splitRow(line, d) ?? line.split(d)).map((c) => c.trim()), delimiter: d };
}

/** How a delimiter is named in messages. */
export const delimiterName = show;
