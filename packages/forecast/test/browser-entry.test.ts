/**
 * The functions behind the browser entry, run in Node against the file-based ones they replace: a CSV read from
 * bytes (`bytesSource`) is the same series as the file read; a model loaded over fetch (`loadForecasterFromUrl`,
 * here with a fetch that serves the model folder from disk) forecasts exactly as `loadForecaster`; bad CSVs give the
 * CLI's messages; the model folder's errors say what is wrong.
 */
import * as fs from 'fs';
import * as path from 'path';
import { type Fetch } from '@gatewave/core';
import {
  DLinearForecaster,
  bytesSource,
  loadForecaster,
  loadForecasterFromUrl,
  readCsv,
  readCsvForModel,
  readCsvSource,
  readSourceForModel,
} from '@gatewave/forecast';
import { SEATTLE_HOURLY as seattle } from './datasets';
import { modelTestSetup } from './synthetic';

const tmp = modelTestSetup('browser');

/** A fetch that serves the files under `root` at `http://test/…`, 404 for anything else; records the URLs asked. */
function diskFetch(root: string, asked: string[] = []): Fetch {
  return async (url) => {
    asked.push(url);
    const file = path.join(root, decodeURIComponent(url.replace(/^http:\/\/test\//, '')));
    const ok = fs.existsSync(file) && fs.statSync(file).isFile();
    const bytes = ok ? fs.readFileSync(file) : Buffer.alloc(0);
    return {
      ok,
      status: ok ? 200 : 404,
      statusText: ok ? 'OK' : 'Not Found',
      text: async () => bytes.toString('utf8'),
      arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer,
    };
  };
}

async function messageOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('CSV from bytes', () => {
  test('the same series as the file read (values, times, report)', async () => {
    const fromFile = await readCsv(seattle, { columns: ['temperature', 'wind'] });
    const fromBytes = await readCsvSource(bytesSource('seattle-weather-hourly-normals.csv', fs.readFileSync(seattle)), {
      columns: ['temperature', 'wind'],
    });
    expect(fromBytes.length).toBe(8759);
    expect(Array.from(fromBytes.values)).toEqual(Array.from(fromFile.values));
    expect(Array.from(fromBytes.times)).toEqual(Array.from(fromFile.times));
    expect(fromBytes.report).toEqual(fromFile.report);
    expect(fromBytes.frequency).toEqual(fromFile.frequency);
  });

  test('a multi-byte character across the 1 MiB chunk edge reads as in one piece (file and bytes alike)', async () => {
    const hour = (i: number): string =>
      new Date(Date.UTC(2020, 0, 1) + i * 3600000).toISOString().slice(0, 19).replace('T', ' ');
    const rows = ['time,value,note'];
    let bytes = rows[0].length + 1;
    let i = 0;
    for (; bytes < (1 << 20) - 200; i++) {
      rows.push(`${hour(i)},${i}.5,"note ${i}"`);
      bytes += Buffer.byteLength(rows[rows.length - 1]) + 1;
    }
    const prefix = `${hour(i)},${i}.5,"`;
    // The two bytes of 'é' sit at offsets 2^20 - 1 and 2^20: the first chunk ends inside the character.
    rows.push(`${prefix}${'x'.repeat((1 << 20) - 1 - bytes - prefix.length)}é"`);
    rows.push(`${hour(i + 1)},${i + 1}.5,"é"`);
    const data = Buffer.from(rows.join('\n') + '\n', 'utf8');
    expect(data.subarray((1 << 20) - 1, (1 << 20) + 1)).toEqual(Buffer.from('é', 'utf8'));
    const file = path.join(tmp, 'long.csv');
    fs.writeFileSync(file, data);
    const a = await readCsv(file, { columns: ['value'] });
    const b = await readCsvSource(bytesSource('long.csv', data), { columns: ['value'] });
    expect(b.length).toBe(i + 2);
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    expect(b.values[b.length - 1]).toBe(i + 1.5);
  });

  test.each([
    ['empty.csv', ''],
    ['header-only.csv', 'time,value\n'],
    ['binary.csv', '\u0000\u0001RIFF'],
    ['ragged.csv', 'time,value\n2020-01-01,1\n2020-01-02,2,3\n2020-01-03,3\n'],
    ['bad-time.csv', 'time,value\n2020-01-01,1\nyesterday,2\n2020-01-03,3\n'],
    ['open-quote.csv', 'time,value\n2020-01-01,"1\n2020-01-02,2\n'],
  ])('%s: the message of the file reader', async (name, text) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    const expected = await messageOf(readCsv(file, { timeColumn: 'time', columns: ['value'] }));
    expect(expected).toMatch(new RegExp(`^${name.replace('.', '\\.')}: `));
    const got = await messageOf(
      readCsvSource(bytesSource(name, Buffer.from(text)), { timeColumn: 'time', columns: ['value'] }),
    );
    expect(got).toBe(expected);
  });
});

describe('saved model over fetch', () => {
  let dir = '';
  let model: DLinearForecaster;
  beforeAll(async () => {
    const series = await readCsv(seattle, { columns: ['temperature'] });
    model = new DLinearForecaster({ lookback: 48, horizon: 24, period: 24 });
    await model.fit(series, { target: 'temperature', epochs: 1, quiet: true, seed: 3, intervals: [80] });
    dir = path.join(tmp, 'model');
    await model.save(dir);
  });
  afterAll(() => model.dispose());

  test("forecasts exactly as loadForecaster, through readSourceForModel as through the CLI's reader", async () => {
    const asked: string[] = [];
    const remote = await loadForecasterFromUrl('http://test/model/', diskFetch(tmp, asked));
    expect(asked).toEqual([
      'http://test/model/forecast.json',
      'http://test/model/network/model.json',
      'http://test/model/network/weights.bin',
    ]);
    const local = await loadForecaster(dir);
    const a = local.predict(await readCsvForModel(local, seattle));
    const b = remote.predict(await readSourceForModel(remote, bytesSource('seattle.csv', fs.readFileSync(seattle))));
    expect(b.times).toEqual(a.times);
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    expect(Array.from(b.intervals![0].upper)).toEqual(Array.from(a.intervals![0].upper));
    local.dispose();
    remote.dispose();
  });

  test('a CSV without the model columns: the CLI message, naming the file', async () => {
    const text = 'date,wind\n2020-01-01 00:00:00,1\n2020-01-01 01:00:00,2\n';
    const file = path.join(tmp, 'other.csv');
    fs.writeFileSync(file, text);
    const local = await loadForecaster(dir);
    const remote = await loadForecasterFromUrl('http://test/model', diskFetch(tmp));
    const expected = await messageOf(readCsvForModel(local, file));
    expect(expected).toMatch(/lacks temperature/);
    expect(await messageOf(readSourceForModel(remote, bytesSource(file, Buffer.from(text))))).toBe(expected);
    local.dispose();
    remote.dispose();
  });

  test('no model at the URL, a broken forecast.json, a model without its network', async () => {
    expect(await messageOf(loadForecasterFromUrl('http://test/nothing', diskFetch(tmp)))).toBe(
      "no forecast model at http://test/nothing/forecast.json: the server answered 404 Not Found; serve a directory written by 'gatewave-forecast train --out DIR' there.",
    );
    const broken = path.join(tmp, 'broken');
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, 'forecast.json'), '{"format": "something-else"}');
    expect(await messageOf(loadForecasterFromUrl('http://test/broken', diskFetch(tmp)))).toMatch(
      /^http:\/\/test\/broken\/forecast.json: not a gatewave forecast model/,
    );
    const headless = path.join(tmp, 'headless');
    fs.mkdirSync(headless);
    fs.copyFileSync(path.join(dir, 'forecast.json'), path.join(headless, 'forecast.json'));
    expect(await messageOf(loadForecasterFromUrl('http://test/headless', diskFetch(tmp)))).toMatch(
      /^no model at http:\/\/test\/headless\/network\/model.json: the server answered 404/,
    );
  });
});
