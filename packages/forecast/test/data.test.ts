import {
  ForecastError,
  StandardScaler,
  WindowSet,
  continueTimestamps,
  formatTimestamp,
  inferStep,
  parseSplit,
  parseTimestamp,
  readCsv,
  selectColumns,
  splitRanges,
  timeFeatures,
} from '@gatewave/forecast';
import { tempDir, writeIn } from '../../core/test/test-setup';

const tmp = tempDir('gw-forecast-data-');
const csv = (name: string, text: string): string => writeIn(tmp, name, text);

describe('timestamps and time features', () => {
  test('parses the usual forms as naive UTC and rejects impossible dates', () => {
    expect(parseTimestamp('2016-07-01 00:00:00')).toBe(Date.UTC(2016, 6, 1));
    expect(parseTimestamp('2010-01-01T01:00:00')).toBe(Date.UTC(2010, 0, 1, 1));
    expect(parseTimestamp('2020-03-04')).toBe(Date.UTC(2020, 2, 4));
    expect(parseTimestamp('2020-03-04T10:00:00+02:00')).toBe(Date.UTC(2020, 2, 4, 8));
    expect(parseTimestamp('2021-02-30 00:00:00')).toBeNaN();
    expect(parseTimestamp('yesterday')).toBeNaN();
    expect(formatTimestamp(Date.UTC(2018, 5, 26, 19))).toBe('2018-06-26 19:00:00');
  });

  test('time features match the paper code (Informer timefeatures.py) on known dates', () => {
    // 2016-07-01 is a Friday (weekday 4), day 183 of a leap year; 2018-12-31 23:00 is a Monday, day 365.
    const t = [Date.UTC(2016, 6, 1, 0), Date.UTC(2018, 11, 31, 23)];
    const f = timeFeatures(t, 'h');
    const expected = [
      [0 / 23 - 0.5, 4 / 6 - 0.5, 0 / 30 - 0.5, 182 / 365 - 0.5],
      [23 / 23 - 0.5, 0 / 6 - 0.5, 30 / 30 - 0.5, 364 / 365 - 0.5],
    ].flat();
    expected.forEach((v, i) => expect(f[i]).toBeCloseTo(v, 6));
    const m = timeFeatures([Date.UTC(2016, 6, 1, 0, 45)], 't');
    expect(m.length).toBe(5);
    expect(m[0]).toBeCloseTo(45 / 59 - 0.5, 6);
  });

  test('infers the most common step and continues timestamps', () => {
    const h = 3600e3;
    expect(inferStep([0, h, 2 * h, 5 * h, 6 * h])).toBe(h);
    expect(continueTimestamps(10 * h, h, 3)).toEqual([11 * h, 12 * h, 13 * h]);
  });
});

describe('readCsv', () => {
  test('detects the time column and frequency, reports and fills gaps and empty cells (ffill / linear)', async () => {
    const text = [
      'when,a,b,label',
      '2020-01-01 00:00,1,10,x',
      '2020-01-01 01:00,,20,y',
      '2020-01-01 02:00,3,30,z',
      // 03:00 and 04:00 missing
      '2020-01-01 05:00,9,60,w',
    ].join('\n');
    const file = csv('gaps.csv', text);
    const ff = await readCsv(file, { fill: 'ffill' });
    expect(ff.timeColumn).toBe('when');
    expect(ff.frequency.label).toBe('hourly');
    expect(ff.columns).toEqual(['a', 'b']);
    expect(ff.report.skippedColumns.map((s) => s.name)).toEqual(['label']);
    expect(ff.report.missing).toEqual({ a: 1, b: 0 });
    expect(ff.report.gaps).toEqual([{ after: '2020-01-01 02:00:00', missingRows: 2 }]);
    expect(ff.length).toBe(6);
    expect(Array.from(ff.values)).toEqual([1, 10, 1, 20, 3, 30, 3, 30, 3, 30, 9, 60]);
    const lin = await readCsv(file, { fill: 'linear' });
    expect(Array.from(lin.values)).toEqual([1, 10, 2, 20, 3, 30, 5, 40, 7, 50, 9, 60]);
    await expect(readCsv(file, { fill: 'none' })).rejects.toMatchObject({ code: 'MISSING_VALUES' });
  });

  test('bad files give typed errors that name the line and column', async () => {
    const cases: [string, string, string, RegExp][] = [
      ['empty.csv', '', 'EMPTY_FILE', /empty/],
      ['header.csv', 'date,OT\n', 'HEADER_ONLY', /no data rows/],
      ['nonum.csv', 'date,name\n2020-01-01,a\n2020-01-02,b\n', 'NO_NUMERIC_COLUMN', /no numeric column/],
      ['badts.csv', 'date,OT\n2020-01-01,1\nnot a date,2\n', 'BAD_TIMESTAMP', /'date'.*line 3: 'not a date'/],
      [
        'dup.csv',
        'date,OT\n2020-01-01,1\n2020-01-01,2\n2020-01-02,3\n',
        'DUPLICATE_TIMESTAMP',
        /repeat a timestamp with different values \(line 3/,
      ],
      ['unsorted.csv', 'date,OT\n2020-01-02,1\n2020-01-01,2\n', 'UNSORTED_TIMESTAMPS', /not sorted/],
      [
        'inf.csv',
        'date,OT\n2020-01-01,1\n2020-01-02,-Infinity\n',
        'NON_FINITE_VALUE',
        /not finite in column 'OT' \(line 3: '-Infinity'\)/,
      ],
      ['huge.csv', 'date,OT\n2020-01-01,1\n2020-01-02,1e999\n', 'NON_FINITE_VALUE', /line 3/],
    ];
    for (const [name, text, code, message] of cases) {
      const err = await readCsv(csv(name, text)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ForecastError);
      expect((err as ForecastError).code).toBe(code);
      expect((err as ForecastError).message).toMatch(message);
    }
    await expect(
      readCsv(csv('ok.csv', 'date,OT\n2020-01-01,1\n2020-01-02,2\n'), { columns: ['XX'] }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_COLUMN' });
  });
});

describe('splits, scaling and windows', () => {
  test('ratio split of the paper code on an ETTh1-sized series', () => {
    const r = splitRanges(17420, [0.6, 0.2, 0.2], 168, 168, 3600e3);
    // numTrain = floor(17420·0.6) = 10452, numTest = floor(17420·0.2) = 3484.
    expect(r).toEqual({
      train: [0, 10452],
      val: [10452 - 168, 17420 - 3484],
      test: [17420 - 3484 - 168, 17420],
      trainRows: 10452,
    });
  });

  test('ETT borders: 12/4/4 months of 30 days, ×4 for 15-minute data', () => {
    expect(splitRanges(17420, 'ett', 96, 96, 3600e3)).toEqual({
      train: [0, 8640],
      val: [8544, 11520],
      test: [11424, 14400],
      trainRows: 8640,
    });
    expect(splitRanges(69680, 'ett', 96, 96, 900e3).test).toEqual([46080 - 96, 57600]);
    expect(() => splitRanges(1000, 'ett', 96, 96, 3600e3)).toThrow(/needs 14400 rows/);
    expect(() => splitRanges(300, [0.6, 0.2, 0.2], 168, 168, 3600e3)).toThrow(ForecastError);
    expect(parseSplit('0.7,0.1,0.2')).toEqual([0.7, 0.1, 0.2]);
    expect(() => parseSplit('0.7,0.1')).toThrow(/three positive fractions/);
  });

  test('modes select columns as the paper code (target last)', () => {
    const s = { columns: ['OT', 'a', 'b'], source: 'x' };
    expect(selectColumns(s, 'S', 'OT')).toEqual({ inputColumns: ['OT'], targetColumns: ['OT'] });
    expect(selectColumns(s, 'M', 'OT')).toEqual({ inputColumns: ['a', 'b', 'OT'], targetColumns: ['a', 'b', 'OT'] });
    expect(selectColumns(s, 'MS', 'OT')).toEqual({ inputColumns: ['a', 'b', 'OT'], targetColumns: ['OT'] });
    expect(() => selectColumns(s, 'S', 'nope')).toThrow(/target 'nope'/);
  });

  test('scaler uses population std of the training rows and inverts exactly', () => {
    const values = [1, 10, 3, 10, 5, 10, 100, 0]; // [4, 2]; fit on the first 3 rows
    const sc = StandardScaler.fit(values, 2, 3);
    expect(sc.mean).toEqual([3, 10]);
    expect(sc.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(sc.std[1]).toBe(1); // constant column
    const z = sc.transform(values);
    const back = sc.inverse(z);
    values.forEach((v, i) => expect(back[i]).toBeCloseTo(v, 4));
  });

  test('windows read the right rows without copying the series', () => {
    // 10 rows, 2 variables: value = row·10 + variable; marks = row.
    const data = Float32Array.from({ length: 20 }, (_, i) => Math.floor(i / 2) * 10 + (i % 2));
    const marks = Float32Array.from({ length: 10 }, (_, i) => i);
    const set = new WindowSet(data, marks, 2, 1, 2, 10, 3, 2, [1]);
    expect(set.count).toBe(4); // rows 2..9: 8 − 3 − 2 + 1
    const x = new Float32Array(2 * 3 * 2);
    const m = new Float32Array(2 * 3);
    const y = new Float32Array(2 * 2);
    set.fill([0, 3], x, m, y);
    expect(Array.from(x)).toEqual([20, 21, 30, 31, 40, 41, 50, 51, 60, 61, 70, 71]);
    expect(Array.from(m)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(Array.from(y)).toEqual([51, 61, 81, 91]);
  });
});
