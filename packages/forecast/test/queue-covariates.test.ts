/**
 * `gatewave-forecast batch --future-csv` against a real redis-server, with the built CLI: a saved panel model with a
 * future covariate forecasts every part with its series' future rows, and the merged CSV is byte for byte that of
 * `predict --future-csv` over the whole file; without the future rows (or with them and --train) nothing is enqueued.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChildProcess } from 'child_process';
import { describeWithRedis, TestRedis } from '../../jobs/test/redis-server';
import { built, cli, startWorker, tearDown } from './queue-helpers';

/**
 * `count` monthly series y = level + season + 2·x + noise with a random covariate x: `long` holds 60 rows of each
 * (id, time, y, x), `future` the 6 rows after each series' end (id, time, x), the last series' shuffled to the top.
 */
function drivenCsvs(long: string, future: string, count: number): void {
  let seed = 11;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const rows = ['unique_id,ds,y,x'];
  const ahead: string[] = [];
  for (let s = 0; s < count; s++) {
    for (let t = 0; t < 66; t++) {
      const time = new Date(Date.UTC(2000, t, 1)).toISOString().slice(0, 10);
      const x = rnd();
      const y = 10 + s + 3 * Math.sin((2 * Math.PI * t) / 12) + 2 * x + 0.1 * rnd();
      if (t < 60) rows.push(`s${s},${time},${y.toFixed(3)},${x.toFixed(3)}`);
      else ahead.push(`s${s},${time},${x.toFixed(3)}`);
    }
  }
  fs.writeFileSync(long, rows.join('\n') + '\n');
  const last = ahead.splice(ahead.length - 6, 6);
  fs.writeFileSync(future, ['unique_id,ds,x', ...last, ...ahead].join('\n') + '\n');
}

(built ? describeWithRedis : describe.skip)('gatewave-forecast batch with future covariates', () => {
  const redis = new TestRedis();
  let dir: string;
  let url: string;
  let worker: ChildProcess & { log: string[] };
  const at = (name: string) => path.join(dir, name);
  const batch = (flags: string[], out: string) =>
    cli(['batch', '--csv', at('long.csv'), ...flags, '--out', at(out), '--series-per-job', '3', '--queue', url, '-q']);

  beforeAll(async () => {
    await redis.start();
    url = `${redis.url}/4`;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-forecast-future-'));
    drivenCsvs(at('long.csv'), at('future.csv'), 7);
    worker = startWorker(url);
    const panel = ['--id-col', 'unique_id', '--time-col', 'ds', '--target', 'y', '--future-cols', 'x'];
    const dlinear = ['--model', 'dlinear', '--lookback', '12', '--horizon', '6', '--period', '12', '--epochs', '1'];
    const trained = cli(['train', '--csv', at('long.csv'), ...panel, ...dlinear, '--out', at('model'), '-q']);
    expect(trained.code).toBe(0);
  });
  afterAll(() => tearDown(worker, redis, dir));

  test('the merged CSV is byte for byte that of predict --future-csv over the whole file', () => {
    const single = ['predict', '--model', at('model'), '--csv', at('long.csv'), '--future-csv', at('future.csv')];
    expect(cli([...single, '--out', at('single.csv')]).code).toBe(0);
    const r = batch(['--model', at('model'), '--future-csv', at('future.csv')], 'merged.csv');
    expect(r.stderr).toContain('7 series (420 rows) in 3 job(s)');
    expect(r.stderr).toMatch(/batch forecast-\S+: 3 done, 0 failed/);
    expect(r.code).toBe(0);
    const merged = fs.readFileSync(at('merged.csv'), 'utf8');
    expect(merged).toBe(fs.readFileSync(at('single.csv'), 'utf8'));
    expect(merged.trim().split('\n')).toHaveLength(1 + 7 * 6);
    // The future rows matter: a future file with other values gives other forecasts.
    const other = fs.readFileSync(at('future.csv'), 'utf8').replace(/,0\.(\d)/g, ',0.9$1');
    fs.writeFileSync(at('future-other.csv'), other);
    expect(batch(['--model', at('model'), '--future-csv', at('future-other.csv')], 'other.csv').code).toBe(0);
    expect(fs.readFileSync(at('other.csv'), 'utf8')).not.toBe(merged);
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]); // the part files are gone
  });

  test('without the future rows, or with them and --train: exit 2 and nothing enqueued', () => {
    const before = redis.keys(4);
    const missing = batch(['--model', at('model')], 'missing.csv');
    expect(missing.stderr).toMatch(/\[MISSING_FUTURE_COVARIATES\]: .*model: the model has future covariates \(x\)/);
    expect(missing.code).toBe(2);
    const naive = ['--train', 'naive', '--id-col', 'unique_id', '--target', 'y'];
    const train = batch(
      [...naive, '--lookback', '2', '--horizon', '1', '--period', '1', '--future-csv', at('future.csv')],
      'train.csv',
    );
    expect(train.stderr).toMatch(/--future-csv goes with --model/);
    expect(train.code).toBe(2);
    const absent = batch(['--model', at('model'), '--future-csv', at('nope.csv')], 'absent.csv');
    expect(absent.stderr).toMatch(/\[INPUT_NOT_VISIBLE\]: .*nope\.csv/);
    expect(absent.code).toBe(2);
    expect(redis.keysAdded(4, before)).toEqual([]);
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('.') || /^(missing|train|absent)\.csv$/.test(n))).toEqual([]);
  });
});
