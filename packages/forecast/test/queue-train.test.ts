/**
 * `gatewave-forecast batch --train` with the flags of `train`: --interval (a per-series rule: each part's rows are,
 * byte for byte, those of `train --id-col --interval` + `predict` run on that part alone, since each part calibrates
 * its intervals on its own validation windows), --quantiles (a network: the quantile columns are there), and
 * --save-models (each part's model saved once; one of them reproduces its part's rows with `predict`), against a
 * real redis-server with the built CLI.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeWithRedis, TestRedis } from '../../jobs/test/redis-server';
import { built, cli, longCsv, startWorker, tearDown } from './queue-helpers';

/** The header and the rows of the series `ids` of a long CSV, in file order. */
function seriesRows(file: string, ids: string[]): string {
  const [header, ...rows] = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  return [header, ...rows.filter((l) => ids.includes(l.split(',')[0]))].join('\n') + '\n';
}

const ids = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => `s${String(from + k).padStart(2, '0')}`);

(built ? describeWithRedis : describe.skip)(
  'gatewave-forecast batch --train with intervals, quantiles, saved models',
  () => {
    const redis = new TestRedis();
    let dir: string;
    let url: string;
    let csv: string;
    let worker: ReturnType<typeof startWorker>;
    const monthly = ['--id-col', 'unique_id', '--time-col', 'ds', '--target', 'y'];
    const window = ['--lookback', '12', '--horizon', '6', '--period', '12'];
    /** `batch --train KIND` over the whole CSV in parts of 4 series, with the flags that differ between the tests. */
    const batchTrain = (kind: string, out: string, extra: string[]): string[] => [
      ...['batch', '--csv', csv, ...monthly, '--train', kind, ...window, ...extra],
      ...['--out', out, '--series-per-job', '4', '--queue', url, '-q'],
    ];

    beforeAll(async () => {
      await redis.start();
      url = `${redis.url}/4`;
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-forecast-queue-train-'));
      csv = path.join(dir, 'long.csv');
      longCsv(csv, 11, 60, false, [5]);
      worker = startWorker(url);
    });
    afterAll(() => tearDown(worker, redis, dir));

    test('--interval with seasonal naive: each part gives the rows of train --id-col --interval + predict on that part', () => {
      const out = path.join(dir, 'intervals.csv');
      const r = cli(batchTrain('seasonal-naive', out, ['--interval', '80,95']));
      expect(r.stderr).toMatch(/batch forecast-\S+: 3 done, 0 failed/);
      expect(r.code).toBe(0);
      // The same, one part at a time in a single process: parts are series 0-3, 4-7 and 8-10 (first appearance).
      const expected = [ids(0, 4), ids(4, 8), ids(8, 11)].map((part, k) => {
        const partCsv = path.join(dir, `alone${k}.csv`);
        fs.writeFileSync(partCsv, seriesRows(csv, part));
        const model = path.join(dir, `alone${k}`);
        const trainArgs = ['--model', 'seasonal-naive', ...window, '--interval', '80,95', '--out', model, '-q'];
        expect(cli(['train', '--csv', partCsv, ...monthly, ...trainArgs]).code).toBe(0);
        const predicted = path.join(dir, `alone${k}.forecast.csv`);
        expect(cli(['predict', '--model', model, '--csv', partCsv, '--out', predicted]).code).toBe(0);
        return fs.readFileSync(predicted, 'utf8');
      });
      const merged = fs.readFileSync(out, 'utf8');
      expect(merged.split('\n')[0]).toBe('unique_id,ds,forecast,lo80,hi80,lo95,hi95');
      expect(merged).toBe(
        expected[0] +
          expected
            .slice(1)
            .map((t) => t.slice(t.indexOf('\n') + 1))
            .join(''),
      );
    });

    test('--quantiles with a network and --save-models: quantile columns, and a saved part model predicts its part', () => {
      const out = path.join(dir, 'quantiles.csv');
      const models = path.join(dir, 'part-models');
      const r = cli(batchTrain('dlinear', out, ['--epochs', '2', '--quantiles', '0.1,0.9', '--save-models', models]));
      expect(r.stderr).toMatch(/batch forecast-\S+: 3 done, 0 failed/);
      expect(r.stderr).toContain(`each part's model is in ${models}/part-NNNNN`);
      expect(r.code).toBe(0);
      const merged = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
      // The outer quantiles also make the 80 % band, as a single-process predict of a quantile model writes it.
      expect(merged[0]).toBe('unique_id,ds,forecast,lo80,hi80,q0.1,q0.5,q0.9');
      expect(merged.length).toBe(1 + 10 * 6); // s05 is too short to forecast
      for (const line of merged.slice(1)) {
        const [, , point, lo80, hi80, q10, q50, q90] = line.split(',').map(Number);
        expect(q10).toBeLessThanOrEqual(q50);
        expect(q50).toBeLessThanOrEqual(q90);
        expect([point, lo80, hi80]).toEqual([q50, q10, q90]); // the median head is the forecast
      }
      expect(fs.readdirSync(models).sort()).toEqual(['part-00000', 'part-00001', 'part-00002']);
      // Part 1 (series s04-s07) with its saved model in a single process: its rows of the merged file, byte for byte.
      const partCsv = path.join(dir, 'part1.csv');
      fs.writeFileSync(partCsv, seriesRows(csv, ids(4, 8)));
      const predicted = path.join(dir, 'part1.forecast.csv');
      expect(
        cli(['predict', '--model', path.join(models, 'part-00001'), '--csv', partCsv, '--out', predicted]).code,
      ).toBe(0);
      expect(fs.readFileSync(predicted, 'utf8')).toBe(seriesRows(out, ids(4, 8)));
      // A different part's model gives other numbers for these series (the parts were trained apart).
      const other = path.join(dir, 'part1-by-part0.csv');
      expect(cli(['predict', '--model', path.join(models, 'part-00000'), '--csv', partCsv, '--out', other]).code).toBe(
        0,
      );
      expect(fs.readFileSync(other, 'utf8')).not.toBe(fs.readFileSync(predicted, 'utf8'));
    });

    test('bad --save-models, --interval or --quantiles: a clear error (exit 2) that enqueues nothing', () => {
      const before = redis.keys(4);
      const full = path.join(dir, 'full');
      fs.mkdirSync(full);
      fs.writeFileSync(path.join(full, 'keep.txt'), 'a user file');
      const out = path.join(dir, 'bad.csv');
      const train = ['--train', 'seasonal-naive', ...monthly, ...window];
      const cases: [string[], RegExp][] = [
        [
          [...train, '--save-models', full],
          /\[OUTPUT_EXISTS\]: --save-models .*full: exists and is not an empty folder/,
        ],
        [
          ['--model', path.join(dir, 'alone0'), '--save-models', path.join(dir, 'm')],
          /--save-models goes with --train/,
        ],
        [[...train, '--quantiles', '0.1,0.9'], /--quantiles: seasonal-naive is a rule without weights/],
        [[...train, '--interval', '120'], /--interval: '120' must be interval levels in percent/],
      ];
      for (const [flags, message] of cases) {
        const r = cli(['batch', '--csv', csv, '--out', out, ...flags, '--queue', url]);
        expect(r.stderr).toMatch(message);
        expect(r.code).toBe(2);
      }
      expect(fs.readdirSync(full)).toEqual(['keep.txt']);
      expect(fs.existsSync(path.join(dir, 'm'))).toBe(false);
      expect(fs.existsSync(out)).toBe(false);
      expect(redis.keysAdded(4, before)).toEqual([]);
    });
  },
);
