import { ForecastError } from '../errors';

/**
 * The text layer of the CSV reader, on any byte source (a file in Node: `fileSource` in `csv-file.ts`; bytes in a
 * browser: `bytesSource`): checks that the bytes are text, finds the delimiter and streams them row by row in
 * fixed-size chunks (memory does not grow with a file). Quoted fields (RFC 4180: `"a ""b"" c"`, with delimiters and
 * line breaks inside) are supported; line numbers are those of the file, counting from 1. Imports nothing from Node.
 */

/** Delimiters the sniffer chooses among. */
export const DELIMITERS = [',', ';', '\t', '|'] as const;

/** Bytes read to check the text and sniff the delimiter. */
export const SNIFF_BYTES = 64 * 1024;
/** A longer line is not a CSV row (a binary or minified file): an error rather than unbounded memory. */
const MAX_LINE = 1 << 20;

const show = (d: string): string => (d === '\t' ? 'tab' : `'${d}'`);

/** The bytes of a CSV: a file (Node) or an upload held in memory (browser). */
export interface CsvSource {
  /** The path or file name, as messages show it. */
  readonly name: string;
  /** Checks that the source can be read at all (a file exists, is a file, is readable); throws a ForecastError. */
  check?(): void;
  /** The first `n` bytes (fewer when the source is shorter). */
  head(n: number): Uint8Array;
  /** All the bytes from the start, in chunks (each chunk is read before the next is asked for). */
  chunks(): Iterable<Uint8Array>;
}

/** A CSV held in memory, e.g. a browser `File`'s `arrayBuffer()`; `name` is the file name messages show. */
export function bytesSource(name: string, bytes: Uint8Array | ArrayBuffer): CsvSource {
  const all = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return {
    name,
    head: (n) => all.subarray(0, n),
    *chunks() {
      for (let i = 0; i < all.length; i += 1 << 20) yield all.subarray(i, i + (1 << 20));
    },
  };
}

/** The last part of a path (`/` or `\\` separated), as `path.basename` gives it, without Node's `path`. */
export function baseName(file: string): string {
  const parts = file.split(/[\\/]+/).filter((p) => p !== '');
  return parts.length ? parts[parts.length - 1] : file;
}

const decodeUtf8 = (bytes: Uint8Array): string => new TextDecoder('utf-8').decode(bytes);

/** Checks that the first bytes of a CSV look like text: not empty, no NUL bytes, valid UTF-8, not UTF-16. */
export function checkTextBytes(bytes: Uint8Array, where: string): void {
  const text = decodeUtf8(bytes);
  if (bytes.length === 0 || text.trim() === '') {
    throw new ForecastError('EMPTY_FILE', `${where}: the file is empty; pass a CSV with a header line and data rows.`);
  }
  const nul = bytes.indexOf(0);
  // UTF-16 files start with a byte-order mark and have NULs between ASCII letters.
  const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
  let invalid = 0;
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

/** `source.check()`, then `checkTextBytes` on its first bytes. */
export function checkTextSource(source: CsvSource, where: string): void {
  source.check?.();
  checkTextBytes(source.head(SNIFF_BYTES), where);
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
export function sniffDelimiter(source: CsvSource): string {
  const text = decodeUtf8(source.head(SNIFF_BYTES)).replace(/^\uFEFF/, '');
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
 * Streams the rows of a CSV source (after `checkTextSource`): skips blank lines, strips a UTF-8 byte-order mark, joins
 * the lines of a quoted field that holds line breaks. Throws a ForecastError for an unterminated quote or a line
 * longer than 1 MiB.
 */
export function streamRows(source: CsvSource, where: string, delimiter: string, sink: RowSink): void {
  const decoder = new TextDecoder('utf-8');
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
  const lines = (text: string, last: boolean): void => {
    const parts = text.split('\n');
    rest = last ? '' : (parts.pop() as string);
    if (rest.length > MAX_LINE) {
      throw new ForecastError(
        'BAD_CSV',
        `${where}: line ${lineNo + 1} is longer than ${MAX_LINE} characters; this is not a CSV table.`,
      );
    }
    for (const p of parts) take(p);
  };
  for (const chunk of source.chunks()) lines(rest + decoder.decode(chunk, { stream: true }), false);
  lines(rest + decoder.decode(), true);
  if (pending) {
    throw new ForecastError(
      'BAD_CSV',
      `${where}: line ${pendingLine}: a quoted field (") is never closed; close the quote or remove it.`,
    );
  }
  if (first)
    throw new ForecastError('EMPTY_FILE', `${where}: the file is empty; pass a CSV with a header line and data rows.`);
}

/** The header of a CSV (after the same checks and delimiter sniffing as a full read). */
export function readHeader(
  source: CsvSource,
  where: string,
  delimiter?: string,
): { header: string[]; delimiter: string } {
  checkTextSource(source, where);
  const d = delimiter ?? sniffDelimiter(source);
  const text = decodeUtf8(source.head(SNIFF_BYTES)).replace(/^\uFEFF/, '');
  const line = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return { header: (splitRow(line, d) ?? line.split(d)).map((c) => c.trim()), delimiter: d };
}

/** How a delimiter is named in messages. */
export const delimiterName = show;
