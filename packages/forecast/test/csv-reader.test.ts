import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ForecastError, describeSeries, readCsv, readCsvColumns, sniffDelimiter } from '@gatewave/forecast';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-csv-reader-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function csv(name: string, text: string | Buffer): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

/** Hourly rows from 2020-01-01 00:00, one value column per entry of `cols` (a function of the row). */
function hourly(n: number, cols: Record<string, (i: number) => string | number>, delimiter = ','): string {
  const names = Object.keys(cols);
  const lines = [['date', ...names].join(delimiter)];
  for (let i = 0; i < n; i++) {
    const t = new Date(Date.UTC(2020, 0, 1) + i * 3600e3).toISOString().slice(0, 19).replace('T', ' ');
    lines.push([t, ...names.map((c) => String(cols[c](i)))].join(delimiter));
  }
  return lines.join('\n') + '\n';
}

async function failure(p: Promise<unknown>): Promise<ForecastError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ForecastError);
  return err as ForecastError;
}

describe('delimiters and quoting', () => {
  test('semicolon, tab and pipe files are read like comma files', async () => {
    for (const d of [';', '\t', '|']) {
      const file = csv(`d${d.charCodeAt(0)}.csv`, hourly(30, { x: (i) => i, OT: (i) => 2 * i }, d));
      expect(sniffDelimiter(file)).toBe(d);
      const s = await readCsv(file);
      expect(s.columns).toEqual(['x', 'OT']);
      expect(Array.from(s.values.slice(0, 4))).toEqual([0, 0, 1, 2]);
      expect(s.report.delimiter).toBe(d);
    }
  });

  test('quoted fields hold delimiters, quotes and line breaks; a byte-order mark and CRLF are ignored', async () => {
    const text =
      '\uFEFFdate,"OT",note\r\n2020-01-01,1,"a, ""b"""\r\n2020-01-02,2,"two\r\nlines"\r\n2020-01-03,"3",x\r\n';
    const t = readCsvColumns(csv('quoted.csv', text), { categorical: ['note'] });
    expect(t.header).toEqual(['date', 'OT', 'note']);
    expect(Array.from(t.columns[0].values)).toEqual([1, 2, 3]);
    expect(t.categorical[0].levels).toEqual(['a, "b"', 'two\nlines', 'x']);
    expect(Array.from(t.categorical[0].codes)).toEqual([0, 1, 2]);
    expect(Array.from(t.lines)).toEqual([2, 3, 5]);
  });

  test('an unterminated quote is an error naming its line', async () => {
    const err = await failure(readCsv(csv('open.csv', 'date,OT\n2020-01-01,1\n2020-01-02,"2\n2020-01-03,3\n')));
    expect(err.code).toBe('BAD_CSV');
    expect(err.message).toMatch(/line 3: a quoted field .* never closed/);
  });
});

describe('timestamps with offsets', () => {
  test('Z and +01:00 are converted to UTC and said so', async () => {
    const text = 'time,OT\n2020-01-01T01:00:00+01:00,1\n2020-01-01T01:00:00Z,2\n2020-01-01T03:00:00+0100,3\n';
    const s = await readCsv(csv('tz.csv', text));
    expect(Array.from(s.times)).toEqual([0, 1, 2].map((h) => Date.UTC(2020, 0, 1, h)));
    expect(s.report.utcOffsets).toEqual({ rows: 3, offsets: ['+01:00', 'Z', '+0100'] });
    expect(describeSeries(s).join('\n')).toMatch(/3 had a UTC offset .* converted to UTC/);
  });

  test('offsets mixed with local times are an error', async () => {
    const err = await failure(
      readCsv(csv('mixed.csv', 'time,OT\n2020-01-01T00:00:00Z,1\n2020-01-01 01:00:00,2\n2020-01-01 02:00:00,3\n')),
    );
    expect(err.code).toBe('BAD_TIMESTAMP');
    expect(err.message).toMatch(/mix UTC offsets \(1 rows\) and local times without one \(2 rows\)/);
  });
});

describe('missing values, sentinels, duplicates and gaps', () => {
  test('the usual NA tokens are missing; --na-values replaces them and matches numbers by value', async () => {
    const text = 'date,OT\n2020-01-01,1\n2020-01-02,NA\n2020-01-03,null\n2020-01-04,-9999.0\n2020-01-05,5\n';
    const s = await readCsv(csv('na.csv', text), { fill: 'ffill' });
    expect(Array.from(s.values)).toEqual([1, 1, 1, -9999, 5]);
    expect(s.report.missing).toEqual({ OT: 2 });
    const t = await readCsv(csv('na.csv', text), { fill: 'linear', naValues: ['-9999', 'NA', 'null'] });
    expect(Array.from(t.values)).toEqual([1, 2, 3, 4, 5]);
    const err = await failure(readCsv(csv('na.csv', text), { naValues: ['-9999'], columns: ['OT'] }));
    expect(err.code).toBe('NON_NUMERIC_VALUE');
    expect(err.message).toMatch(/2 × cells that are not numbers in column 'OT' \(first at lines 3, 4: 'NA'\)/);
  });

  test('a repeated extreme value is reported as a likely sentinel, with lines and the flag to use', async () => {
    const file = csv('sentinel.csv', hourly(200, { OT: (i) => (i % 40 === 5 ? -9999 : 10 + Math.sin(i / 5)) }));
    const s = await readCsv(file);
    expect(s.report.sentinels).toEqual([
      { column: 'OT', value: -9999, count: 5, lines: [7, 47, 87], rest: expect.any(Array) },
    ]);
    expect(describeSeries(s).join('\n')).toMatch(
      /warning: column 'OT': the value -9999 appears 5 times .* --na-values -9999/,
    );
    // An ordinary series (its minimum repeats, but is not far from the rest) gets no warning.
    const plain = await readCsv(csv('plain.csv', hourly(200, { OT: (i) => Math.max(0, Math.sin(i / 5)) })));
    expect(plain.report.sentinels).toEqual([]);
  });

  test('identical duplicate rows are dropped and counted; conflicting ones follow --duplicates', async () => {
    const text = 'date,OT,x\n2020-01-01,1,1\n2020-01-01,1,1\n2020-01-02,2,1\n2020-01-02,4,3\n2020-01-03,5,5\n';
    const file = csv('dups.csv', text);
    const err = await failure(readCsv(file));
    expect(err.code).toBe('DUPLICATE_TIMESTAMP');
    expect(err.message).toMatch(/line 5: '2020-01-02 00:00:00'.*--duplicates first\|last\|mean/);
    const pick = async (duplicates: 'first' | 'last' | 'mean'): Promise<number[]> =>
      Array.from((await readCsv(file, { duplicates })).values);
    expect(await pick('first')).toEqual([1, 1, 2, 1, 5, 5]);
    expect(await pick('last')).toEqual([1, 1, 4, 3, 5, 5]);
    expect(await pick('mean')).toEqual([1, 1, 3, 2, 5, 5]);
    const s = await readCsv(file, { duplicates: 'mean' });
    expect([s.report.identicalDuplicates, s.report.mergedDuplicates]).toEqual([1, 1]);
  });

  test('a gap longer than --max-gap is an error; a larger --max-gap fills it', async () => {
    const file = csv(
      'gap.csv',
      hourly(100, { OT: (i) => i })
        .split('\n')
        .filter((_, i) => i < 10 || i > 60)
        .join('\n'),
    );
    const err = await failure(readCsv(file));
    expect(err.code).toBe('GAP_TOO_LONG');
    expect(err.message).toMatch(/--max-gap 24 steps \(the longest: 51 missing steps\) \(line 11\)/);
    const s = await readCsv(file, { maxGap: 51 });
    expect(s.length).toBe(100);
    expect(s.report.gaps).toEqual([{ after: '2020-01-01 08:00:00', missingRows: 51 }]);
  });
});

describe('every problem at once, and files that are not CSV tables', () => {
  test('ragged rows, bad timestamps and bad numbers are reported together with counts and first lines', async () => {
    const rows = [
      'date,OT',
      '2020-01-01,1',
      '2020-01-02',
      'oops,3',
      '2020-01-04,abc',
      '2020-01-05,5,6',
      '2020-01-06,x',
      'nope,7',
      '2020-01-08,8',
    ];
    const err = await failure(readCsv(csv('many.csv', rows.join('\n')), { columns: ['OT'] }));
    expect(err.code).toBe('BAD_CSV');
    expect(err.message).toMatch(/3 problems/);
    expect(err.message).toMatch(/2 × rows with a number of fields other than the header's 2 \(first at lines 3, 6/);
    expect(err.message).toMatch(/2 × timestamps in column 'date' that do not parse \(first at lines 4, 8: 'oops'\)/);
    expect(err.message).toMatch(/2 × cells that are not numbers in column 'OT' \(first at lines 5, 7: 'abc'\)/);
  });

  test('binary data, UTF-16, an empty file and a header alone are clear errors', async () => {
    const bin = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37) % 256));
    expect((await failure(readCsv(csv('bin.csv', bin)))).code).toBe('NOT_TEXT');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('date,OT\n2020-01-01,1\n', 'utf16le')]);
    expect((await failure(readCsv(csv('u16.csv', utf16)))).message).toMatch(/UTF-16/);
    expect((await failure(readCsv(csv('blank.csv', '\n\n  \n')))).code).toBe('EMPTY_FILE');
    expect((await failure(readCsv(csv('head.csv', 'date;OT\n')))).code).toBe('HEADER_ONLY');
  });

  test('a decimal comma gets a hint; a column named twice is an error', async () => {
    const err = await failure(
      readCsv(csv('comma.csv', 'date;OT\n2020-01-01;1,5\n2020-01-02;2,5\n'), { columns: ['OT'] }),
    );
    expect(err.message).toMatch(/decimal comma/);
    expect((await failure(readCsv(csv('twice.csv', 'date,OT,OT\n2020-01-01,1,2\n')))).message).toMatch(
      /names column 'OT' twice/,
    );
  });
});

describe('timestamps of a long CSV (each text parsed once per read)', () => {
  test('every row gets its own time, past the memo of 65,536 texts, with 2 series repeating them', () => {
    const n = 70000; // more distinct times than the memo holds: it starts over in the first series
    const lines = ['id,ds,y'];
    const at = (i: number) => Date.UTC(2000, 0, 1) + i * 3600e3;
    for (const id of ['a', 'b'])
      for (let i = 0; i < n; i++) lines.push(`${id},${new Date(at(i)).toISOString().slice(0, 19).replace('T', ' ')},1`);
    const t = readCsvColumns(csv('long-times.csv', lines.join('\n') + '\n'), { categorical: ['id'] });
    expect(t.times).toHaveLength(2 * n);
    for (let r = 0; r < 2 * n; r++) if (t.times[r] !== at(r % n)) throw new Error(`row ${r}: ${t.times[r]}`);
  });

  test('a bad timestamp repeated in two series is reported at both rows', async () => {
    const text = 'id,ds,y\na,2020-02-28,1\na,2020-02-30,2\nb,2020-02-28,1\nb,2020-02-30,2\n';
    const err = await failure(
      Promise.resolve().then(() => readCsvColumns(csv('bad-twice.csv', text), { categorical: ['id'] })),
    );
    expect(err.code).toBe('BAD_TIMESTAMP');
    expect(err.message).toContain(
      "2 × timestamps in column 'ds' that do not parse (first at lines 3, 5: '2020-02-30')",
    );
  });
});
