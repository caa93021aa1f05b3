/**
 * The bad-input corpus of gatewave-forecast: each case is generated here (nothing checked in), run through the built
 * CLI in its own folder, and checked for its exact exit code, the key words of its message and that no file was left,
 * removed or changed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createForecaster, timeSeriesFromArrays } from '@gatewave/forecast';
import { CorpusCase, startCorpus, testCorpusCases } from '../../core/test/corpus';

const cli = path.resolve(__dirname, '../dist/cli.js');
const describeBuilt = fs.existsSync(cli) ? describe : describe.skip;

/** Hourly CSV text: `n` rows of date plus one column `OT` = value(i). */
function hourly(n: number, value: (i: number) => string | number, start = 0): string {
  const rows = ['date,OT'];
  for (let i = start; i < start + n; i++) {
    rows.push(
      `${new Date(Date.UTC(2020, 0, 1) + i * 3600e3).toISOString().slice(0, 19).replace('T', ' ')},${value(i)}`,
    );
  }
  return rows.join('\n') + '\n';
}
const seasonal = (i: number): string => (10 + 5 * Math.sin((2 * Math.PI * i) / 24) + ((i * 7919) % 13) / 13).toFixed(3);
const write = (dir: string, name: string, text: string | Buffer): string => (
  fs.writeFileSync(path.join(dir, name), text),
  name
);
const train = ['train', '--lookback', '48', '--horizon', '24', '--epochs', '1', '--quiet', '--target', 'OT'];

let modelTemplate = '';
/** Copies the small trained model made in beforeAll into `dir/model`. */
function model(dir: string): string {
  fs.cpSync(modelTemplate, path.join(dir, 'model'), { recursive: true });
  return 'model';
}

const cases: CorpusCase[] = [
  {
    name: 'train --out . (the folder that holds the input CSV)',
    setup: (d) => [...train, '--csv', write(d, 's.csv', hourly(400, seasonal)), '--out', '.'],
    code: 2,
    words: [/OUTPUT_IS_INPUT/, /holds an input of this run \(s\.csv\)/],
  },
  {
    name: 'train --out the input CSV itself',
    setup: (d) => [...train, '--csv', write(d, 's.csv', hourly(400, seasonal)), '--out', 's.csv'],
    code: 2,
    words: [/OUTPUT_IS_INPUT/, /is also an input/],
  },
  {
    name: 'train --out a folder of other files',
    setup: (d) => {
      fs.mkdirSync(path.join(d, 'results'));
      write(d, 'results/notes.txt', 'mine');
      return [...train, '--csv', write(d, 's.csv', hourly(400, seasonal)), '--out', 'results'];
    },
    code: 2,
    words: [/OUTPUT_EXISTS/, /not a gatewave model folder \(it holds notes\.txt\)/, /--overwrite/],
  },
  {
    name: 'train --out below a file (checked before training)',
    setup: (d) => [...train, '--csv', write(d, 's.csv', hourly(400, seasonal)), '--out', 's.csv/model'],
    code: 2,
    words: [/OUTPUT_NOT_WRITABLE/, /is a file, not a folder/],
  },
  {
    name: 'a binary file given as CSV',
    setup: (d) => [
      ...train,
      '--csv',
      write(d, 'b.csv', Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 131) % 256))),
      '--out',
      'm',
    ],
    code: 2,
    words: [/NOT_TEXT/, /not a text CSV file/],
  },
  {
    name: 'ragged rows',
    setup: (d) => {
      const lines = hourly(400, seasonal).split('\n');
      lines[10] += ',5';
      lines[20] = lines[20].split(',')[0];
      return [...train, '--csv', write(d, 'r.csv', lines.join('\n')), '--out', 'm'];
    },
    code: 2,
    words: [/BAD_CSV/, /2 × rows with a number of fields other than the header's 2 \(first at lines 11, 21/],
  },
  {
    name: 'values of 1e300 (a std that overflows)',
    setup: (d) => [
      ...train,
      '--csv',
      write(
        d,
        'h.csv',
        hourly(400, (i) => (i % 2 ? '1e300' : '-1e300')),
      ),
      '--out',
      'm',
    ],
    code: 2,
    words: [/BAD_SCALE/, /too large to scale/],
  },
  {
    name: 'a 5000-step gap',
    setup: (d) => {
      const text = hourly(300, seasonal) + hourly(300, seasonal, 5300).split('\n').slice(1).join('\n');
      return [...train, '--csv', write(d, 'g.csv', text), '--out', 'm'];
    },
    code: 2,
    words: [/GAP_TOO_LONG/, /the longest: 5000 missing steps/, /--max-gap/],
  },
  {
    name: 'a sentinel value gets a warning naming --na-values (and the run goes on)',
    setup: (d) => [
      ...train,
      '--model',
      'naive',
      '--csv',
      write(
        d,
        's.csv',
        hourly(400, (i) => (i % 50 === 7 ? -9999 : seasonal(i))),
      ),
      '--out',
      'm',
    ],
    code: 0,
    words: [/warning: column 'OT': the value -9999 appears 8 times .*--na-values -9999/],
    outputs: ['m'],
  },
  {
    name: 'a semicolon file with UTC offsets trains, and says so',
    setup: (d) => {
      const text = hourly(400, seasonal)
        .replace(/,/g, ';')
        .replace(/ (\d\d:\d\d:\d\d)/g, 'T$1+01:00');
      return [...train, '--model', 'naive', '--csv', write(d, 's.csv', text), '--out', 'm'];
    },
    code: 0,
    words: [/delimiter: ';'/, /400 had a UTC offset \(\+01:00\) and were converted to UTC/],
    outputs: ['m'],
  },
  {
    name: 'predict --out the input CSV',
    setup: (d) => ['predict', '--model', model(d), '--csv', write(d, 's.csv', hourly(200, seasonal)), '--out', 's.csv'],
    code: 2,
    words: [/OUTPUT_IS_INPUT/],
  },
  {
    name: 'eval with a corrupt weights.bin',
    setup: (d) => {
      const m = model(d);
      const w = path.join(d, m, 'network', 'weights.bin');
      fs.writeFileSync(w, fs.readFileSync(w).subarray(0, 10));
      return ['eval', '--model', m, '--csv', write(d, 's.csv', hourly(400, seasonal))];
    },
    code: 2,
    words: [/MODEL_CORRUPT/, /weights\.bin holds 10 bytes/],
  },
  {
    name: 'an unknown flag',
    setup: () => ['train', '--csv', 'x.csv', '--out', 'm', '--bogus'],
    code: 2,
    words: [/unknown option '--bogus'/],
  },
  {
    name: '--max-gap below zero',
    setup: (d) => [...train, '--csv', write(d, 's.csv', hourly(100, seasonal)), '--out', 'm', '--max-gap', '-1'],
    code: 2,
    words: [/--max-gap must be an integer >= 0/],
  },
];

describeBuilt('gatewave-forecast bad-input corpus', () => {
  let results: ReturnType<typeof startCorpus>;
  beforeAll(async () => {
    modelTemplate = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-corpus-model-'));
    const times = Array.from({ length: 400 }, (_, i) => Date.UTC(2020, 0, 1) + i * 3600e3);
    const series = timeSeriesFromArrays({ times, columns: ['OT'], values: times.map((_, i) => Number(seasonal(i))) });
    const f = createForecaster('tpgn', { lookback: 48, horizon: 24, period: 24 });
    await f.fit(series, { epochs: 1, quiet: true, target: 'OT' });
    await f.save(path.join(modelTemplate, 'm'));
    modelTemplate = path.join(modelTemplate, 'm');
    results = startCorpus(cli, cases);
  }, 120000);
  afterAll(() => fs.rmSync(path.dirname(modelTemplate), { recursive: true, force: true }));

  testCorpusCases(cases, () => results);
});
