import { ForecastError } from '../errors';
import { CsvSource, baseName, checkTextSource, delimiterName, sniffDelimiter, streamRows } from './csv-text';
import { DataProblems } from './problems';
import { parseTimestamp } from './time';

/**
 * A CSV file read into typed columns in one streaming pass: timestamps (ms since 1970, UTC), the file line of every
 * row, numeric columns as Float64Array (NaN = missing), and text columns asked for as `categorical` (for example a
 * series id) as integer codes. Memory is about 8 bytes per number, whatever the file size.
 */
export interface CsvColumns {
  /** The file path (or, for bytes, the file name). */
  source: string;
  delimiter: string;
  header: string[];
  timeColumn: string;
  /** Data rows read (blank lines skipped). */
  rows: number;
  times: Float64Array;
  /** The file line where each row starts (the header is line 1 when the file has no blank lines before it). */
  lines: Uint32Array;
  columns: NumericColumn[];
  categorical: CategoricalColumn[];
  /** Columns of the file that were not kept, with the reason. */
  skippedColumns: { name: string; reason: string }[];
  /** Timestamps that carried a UTC offset (`Z`, `+01:00`): how many, and which offsets; they were converted to UTC. */
  utcOffsets: { rows: number; offsets: string[] };
}

export interface NumericColumn {
  name: string;
  /** NaN where the cell was empty or one of the NA tokens. */
  values: Float64Array;
  missing: number;
}

export interface CategoricalColumn {
  name: string;
  /** Index into `levels` for every row. */
  codes: Int32Array;
  levels: string[];
}

export interface ReadColumnsOptions {
  /** The time column; detected when absent (named date/time/timestamp/datetime/ds, else the first whose values parse as timestamps). */
  timeColumn?: string;
  /** Numeric columns to keep (each must exist and hold numbers); default: every column whose cells are all numbers or missing. */
  columns?: string[];
  /** Text columns to keep as codes (e.g. an id column). */
  categorical?: string[];
  /** Field delimiter; default: sniffed among `,` `;` tab `|`. */
  delimiter?: string;
  /** Cell values that mean "missing" (compared without case; numeric tokens by value, so `-9999` also matches `-9999.0`). Default `DEFAULT_NA_VALUES`. Empty cells are always missing. */
  naValues?: string[];
}

/** The usual tokens for a missing value (those of pandas' `read_csv`). */
export const DEFAULT_NA_VALUES = [
  'NA',
  'N/A',
  'n/a',
  'NaN',
  '-NaN',
  'nan',
  '-nan',
  'null',
  'NULL',
  'None',
  '#N/A',
  '#NA',
  '<NA>',
  '-1.#IND',
  '1.#QNAN',
];

const TIME_NAMES = ['date', 'time', 'timestamp', 'datetime', 'ds'];
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const NON_FINITE = /^[+-]?(inf|infinity)$/i;
const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/;
const SNIFF_ROWS = 20;
/** Distinct timestamp texts remembered by one read before the memo starts over. */
const PARSED_TIMES = 1 << 16;

/** A growable typed array (doubling), so that a column of unknown length costs 8 bytes a number, not a JS array. */
class Grow<T extends Float64Array | Uint32Array | Int32Array> {
  private data: T;
  length = 0;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  /** The values pushed (a view: no copy, so the peak memory stays at the buffer's size). */
  finish(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

/** How a cell is read: a number, missing, or a reason it is neither. */
type CellValue = number | 'missing' | 'nonfinite' | 'text';

/** Parses cells with a given set of NA tokens. */
function cellReader(naValues: string[]): (cell: string) => CellValue {
  const tokens = new Set(naValues.map((t) => t.trim().toLowerCase()));
  const numeric = new Set(naValues.filter((t) => NUMBER.test(t.trim())).map((t) => Number(t.trim())));
  return (cell) => {
    const s = cell.trim();
    if (s === '' || tokens.has(s.toLowerCase())) return 'missing';
    if (NUMBER.test(s)) {
      const v = Number(s);
      if (!Number.isFinite(v)) return 'nonfinite'; // 1e999
      return numeric.has(v) ? 'missing' : v;
    }
    return NON_FINITE.test(s) ? 'nonfinite' : 'text';
  };
}

interface ColumnState {
  name: string;
  index: number;
  wanted: boolean;
  values: Grow<Float64Array> | null;
  missing: number;
  skipReason?: string;
}

function detectTimeColumn(where: string, header: string[], sample: string[][]): number {
  const byName = header.findIndex((c) => TIME_NAMES.includes(c.trim().toLowerCase()));
  if (byName >= 0) return byName;
  for (let c = 0; c < header.length; c++) {
    if (sample.length && sample.every((r) => Number.isFinite(parseTimestamp(r[c])))) return c;
  }
  throw new ForecastError(
    'NO_TIME_COLUMN',
    `${where}: no time column found among ${header.map((h) => `'${h}'`).join(', ')}; name it with --time-col (values like 2016-07-01 00:00:00).`,
  );
}

function checkNames(where: string, header: string[], names: string[], flag: string): void {
  for (const name of names) {
    if (!header.includes(name)) {
      throw new ForecastError(
        'UNKNOWN_COLUMN',
        `${where}: column '${name}' is not in the header (${header.join(', ')}); fix ${flag}.`,
      );
    }
  }
}

/**
 * Reads a CSV source (a file: `readCsvColumns`; bytes: `bytesSource`) into typed columns in one streaming pass.
 * Problems in the rows (ragged rows, timestamps that do not parse, values that are not numbers or not finite) are
 * collected into `problems` with counts and first lines; when no collector is passed they are thrown at the end, all
 * at once, as one ForecastError.
 */
// One streaming pass: its setup (once the time column is known), row and finish steps share the reader's state
// (header, time column, column builders, counts) as closures.
// eslint-disable-next-line max-lines-per-function -- one reader whose steps share state; see above
export function readColumns(input: CsvSource, options: ReadColumnsOptions = {}, problems?: DataProblems): CsvColumns {
  const file = input.name;
  const where = baseName(file);
  checkTextSource(input, where);
  const delimiter = options.delimiter ?? sniffDelimiter(input);
  const own = problems ?? new DataProblems(where);
  const cell = cellReader(options.naValues ?? DEFAULT_NA_VALUES);
  const times = new Grow((n) => new Float64Array(n));
  const lines = new Grow((n) => new Uint32Array(n));
  const utc = { rows: 0, offsets: new Set<string>() };
  let naive = 0;
  let header: string[] = [];
  let timeIdx = -1;
  let cols: ColumnState[] = [];
  let cats: { name: string; index: number; codes: Grow<Int32Array>; levels: Map<string, number> }[] = [];
  const buffered: [string[], number][] = [];

  const setup = (): void => {
    const tc = options.timeColumn;
    if (tc !== undefined) checkNames(where, header, [tc], '--time-col');
    timeIdx =
      tc !== undefined
        ? header.indexOf(tc)
        : detectTimeColumn(
            where,
            header,
            buffered.map(([f]) => f),
          );
    checkNames(where, header, options.columns ?? [], '--target / --columns');
    checkNames(where, header, options.categorical ?? [], '--id-col');
    cats = (options.categorical ?? []).map((name) => ({
      name,
      index: header.indexOf(name),
      codes: new Grow((n) => new Int32Array(n)),
      levels: new Map(),
    }));
    cols = header
      .map((name, index) => ({
        name,
        index,
        wanted: options.columns?.includes(name) ?? false,
        values: new Grow((n) => new Float64Array(n)),
        missing: 0,
      }))
      .filter((c) => c.index !== timeIdx && !cats.some((k) => k.index === c.index) && (!options.columns || c.wanted));
  };

  // A long CSV repeats each timestamp once per series: each text is parsed once per read (a bounded memo).
  const parsedTimes = new Map<string, number>();
  const row = (fields: string[], line: number): void => {
    if (fields.length !== header.length) {
      own.add(
        'BAD_CSV',
        `rows with a number of fields other than the header's ${header.length}`,
        `every row needs ${header.length} fields separated by ${delimiterName(delimiter)}; fix or remove those rows.`,
        line,
        `${fields.length} fields`,
      );
      return;
    }
    lines.push(line);
    const ts = fields[timeIdx].trim();
    let t = parsedTimes.get(ts);
    if (t === undefined) {
      t = parseTimestamp(ts);
      if (parsedTimes.size >= PARSED_TIMES) parsedTimes.clear();
      parsedTimes.set(ts, t);
    }
    if (!Number.isFinite(t)) {
      own.add(
        'BAD_TIMESTAMP',
        `timestamps in column '${header[timeIdx]}' that do not parse`,
        'use YYYY-MM-DD, YYYY-MM-DD HH:MM:SS or ISO 8601 (2020-01-01T00:00:00+01:00).',
        line,
        ts,
      );
    } else if (OFFSET.test(ts)) {
      utc.rows++;
      if (utc.offsets.size < 5) utc.offsets.add((OFFSET.exec(ts) as RegExpExecArray)[1]);
    } else naive++;
    times.push(t);
    for (const k of cats) {
      const v = fields[k.index].trim();
      let code = k.levels.get(v);
      if (code === undefined) k.levels.set(v, (code = k.levels.size));
      k.codes.push(code);
    }
    for (const c of cols) {
      if (!c.values) continue;
      const v = cell(fields[c.index]);
      if (typeof v === 'number') c.values.push(v);
      else if (v === 'missing') {
        c.values.push(NaN);
        c.missing++;
      } else if (v === 'nonfinite') {
        own.add(
          'NON_FINITE_VALUE',
          `values that are not finite in column '${c.name}'`,
          'replace them with numbers, or leave the cells empty so that --fill can fill them.',
          line,
          fields[c.index].trim(),
        );
        c.values.push(NaN);
      } else if (c.wanted) {
        const text = fields[c.index].trim();
        const hint = /^[+-]?\d+,\d+$/.test(text) ? ' (a decimal comma? write 1.5, not 1,5)' : '';
        own.add(
          'NON_NUMERIC_VALUE',
          `cells that are not numbers in column '${c.name}'`,
          `fix the values${hint}, list them with --na-values, or choose another column.`,
          line,
          text,
        );
        c.values.push(NaN);
      } else {
        c.skipReason = `line ${line} holds '${fields[c.index].trim().slice(0, 40)}', not a number`;
        c.values = null;
      }
    }
  };

  streamRows(input, where, delimiter, {
    header(fields) {
      header = fields.map((f) => f.trim());
      const seen = new Set<string>();
      for (const h of header) {
        if (seen.has(h))
          throw new ForecastError(
            'BAD_CSV',
            `${where}: the header names column '${h}' twice; give every column its own name.`,
          );
        seen.add(h);
      }
    },
    row(fields, line) {
      if (timeIdx < 0 && buffered.length < SNIFF_ROWS) {
        if (fields.length === header.length) buffered.push([fields, line]);
        else row(fields, line); // reported as ragged; the header is known
        if (buffered.length < SNIFF_ROWS) return;
        setup();
        for (const [f, l] of buffered.splice(0)) row(f, l);
        return;
      }
      row(fields, line);
    },
  });
  return finish();

  function finish(): CsvColumns {
    if (header.length === 0)
      throw new ForecastError(
        'EMPTY_FILE',
        `${where}: the file is empty; pass a CSV with a header line and data rows.`,
      );
    if (timeIdx < 0) {
      if (buffered.length === 0 && lines.length === 0 && !own.has('BAD_CSV')) {
        throw new ForecastError(
          'HEADER_ONLY',
          `${where}: the file has a header line (${header.join(delimiter).slice(0, 80)}) but no data rows; add data rows.`,
        );
      }
      setup();
      for (const [f, l] of buffered.splice(0)) row(f, l);
    }
    if (naive > 0 && utc.rows > 0) {
      own.addSummary(
        'BAD_TIMESTAMP',
        `timestamps in column '${header[timeIdx]}' mix UTC offsets (${utc.rows} rows) and local times without one (${naive} rows)`,
        'give every timestamp an offset, or none.',
      );
    }
    const skippedColumns: CsvColumns['skippedColumns'] = [];
    const columns: NumericColumn[] = [];
    const n = lines.length;
    for (const c of cols) {
      if (!c.values) skippedColumns.push({ name: c.name, reason: c.skipReason as string });
      else if (n > 0 && c.missing === n && !c.wanted)
        skippedColumns.push({ name: c.name, reason: 'every cell is empty' });
      else columns.push({ name: c.name, values: c.values.finish(), missing: c.missing });
    }
    const result: CsvColumns = {
      source: file,
      delimiter,
      header,
      timeColumn: header[timeIdx],
      rows: n,
      times: times.finish(),
      lines: lines.finish(),
      columns,
      categorical: cats.map((k) => ({ name: k.name, codes: k.codes.finish(), levels: [...k.levels.keys()] })),
      skippedColumns,
      utcOffsets: { rows: utc.rows, offsets: [...utc.offsets] },
    };
    if (!problems) own.throwIfAny();
    return result;
  }
}
