/**
 * `gatewave-forecast batch`, `worker` and `jobs status` end to end against a real redis-server, with the built CLI:
 * a batch merges the same rows, byte for byte, as a single-process run (a saved panel model, and a model per part);
 * SIGKILL of a worker in the middle of a job still gives the merged file of an undisturbed run, each series once;
 * a poison part (a bad series) fails after its attempts, is reported with its series, and the exit code is 1;
 * bad input enqueues nothing.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChildProcess } from 'child_process';
import { batchStatus, BatchStatus, openQueue, parseQueueUrl } from '@gatewave/jobs';
import { describeWithRedis, freePort, TestRedis } from '../../jobs/test/redis-server';
import { built, cli, longCsv, rowsPerSeries, sleep, startWorker, stop, tearDown } from './queue-helpers';

interface Status {
  state: string;
  total: number;
  done: number;
  failed: number;
  active: number;
  errors: { index: number; error: string }[];
  summary?: { merged?: { series: number; rows: number; landed: boolean } };
}

async function waitDone(id: string, url: string, until = (s: Status) => s.state === 'done'): Promise<Status> {
  for (let t = 0; t < 1200; t++) {
    const r = cli(['jobs', 'status', id, '--queue', url, '--json']);
    const s = JSON.parse(r.stdout || '{}') as Status;
    if (until(s)) return s;
    await sleep(100);
  }
  throw new Error(`batch ${id} did not get there in time`);
}

(built ? describeWithRedis : describe.skip)('gatewave-forecast on a queue', () => {
  const redis = new TestRedis();
  let dir: string;
  let url: string;
  let worker: ChildProcess & { log: string[] };
  const monthly = ['--id-col', 'unique_id', '--time-col', 'ds', '--target', 'y'];
  const yearlySeason = ['--lookback', '12', '--horizon', '6', '--period', '12'];
  const at = (name: string) => path.join(dir, name);
  /** `batch` arguments: forecast `csv` into `out` (files of the test folder) with `perJob` series a job, on a queue. */
  const batchArgs = (csv: string, flags: string[], out: string, perJob: number, queueUrl = url) => {
    const jobs = ['--series-per-job', String(perJob), '--queue', queueUrl, '-q'];
    return ['batch', '--csv', at(csv), ...flags, '--out', at(out), ...jobs];
  };

  beforeAll(async () => {
    await redis.start();
    url = `${redis.url}/2`;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-forecast-queue-'));
    longCsv(path.join(dir, 'long.csv'), 13, 60, false, [5]);
    worker = startWorker(url);
    const dlinear = ['--model', 'dlinear', ...yearlySeason, '--epochs', '1'];
    const trained = cli(['train', '--csv', at('long.csv'), ...monthly, ...dlinear, '--out', at('model'), '-q']);
    expect(trained.code).toBe(0);
    const single = cli(['predict', '--model', at('model'), '--csv', at('long.csv'), '--out', at('single.csv')]);
    expect(single.code).toBe(0);
  });
  afterAll(() => tearDown(worker, redis, dir));

  test('a batch with a saved panel model merges the same rows as a single-process predict, byte for byte', () => {
    const r = cli(batchArgs('long.csv', ['--model', at('model')], 'merged.csv', 4));
    expect(r.stderr).toContain('13 series (730 rows) in 4 job(s)');
    expect(r.stderr).toMatch(/batch forecast-\S+: 4 done, 0 failed/);
    expect(r.stderr).toContain('12 series, 72 rows from 4 part(s); 1 series too short, left out');
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'merged.csv'), 'utf8')).toBe(
      fs.readFileSync(path.join(dir, 'single.csv'), 'utf8'),
    );
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]); // the part files are gone
  });

  test('a model trained per part (seasonal naive, a per-series rule) gives the single-process train + predict rows', () => {
    const csv = at('long.csv');
    const sn = ['seasonal-naive', ...yearlySeason];
    expect(cli(['train', '--csv', csv, ...monthly, '--model', ...sn, '--out', at('sn')]).code).toBe(0);
    expect(cli(['predict', '--model', at('sn'), '--csv', csv, '--out', at('sn.csv')]).code).toBe(0);
    const r = cli(batchArgs('long.csv', [...monthly, '--train', ...sn], 'sn-batch.csv', 3));
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'sn-batch.csv'), 'utf8')).toBe(
      fs.readFileSync(path.join(dir, 'sn.csv'), 'utf8'),
    );
  });

  test('SIGKILL of a worker mid-job: the job is recovered and the merged file equals an undisturbed run, each series once', async () => {
    const csv = path.join(dir, 'hourly.csv');
    longCsv(csv, 8, 300, true);
    const training = ['--train', 'dlinear', '--lookback', '48', '--horizon', '6', '--period', '24', '--epochs', '5'];
    const args = (out: string, queueUrl: string) =>
      batchArgs('hourly.csv', [...monthly, ...training, '--batch-size', '8'], out, 2, queueUrl);
    expect(cli(args('undisturbed.csv', url)).code).toBe(0);
    // A queue of its own (database 3), so that only the workers started here take its jobs.
    const url3 = `${redis.url}/3`;
    const a = startWorker(url3, ['--lock-duration', '2000', '--stalled-interval', '1000']);
    const submitted = cli([...args('killed.csv', url3), '--detach']);
    expect(submitted.code).toBe(0);
    const id = submitted.stdout.trim();
    const h = openQueue(parseQueueUrl(url3), 'forecast');
    let orphaned: BatchStatus;
    try {
      for (let s = await batchStatus(h, id); !(s.done >= 1 && s.active === 1); s = await batchStatus(h, id))
        await sleep(20);
      a.kill('SIGKILL');
      await new Promise((r) => a.once('exit', r));
      orphaned = await batchStatus(h, id);
    } finally {
      await h.close();
    }
    expect(orphaned.active).toBe(1); // a job was in hand when its worker died
    const b = startWorker(url3, ['--lock-duration', '2000', '--stalled-interval', '1000']);
    try {
      const s = await waitDone(id, url3);
      expect(s).toMatchObject({ state: 'done', total: 4, done: 4, failed: 0 });
      expect(s.summary?.merged).toMatchObject({ series: 8, rows: 48, landed: true });
    } finally {
      await stop(b);
    }
    const killed = fs.readFileSync(path.join(dir, 'killed.csv'), 'utf8');
    expect(killed).toBe(fs.readFileSync(path.join(dir, 'undisturbed.csv'), 'utf8'));
    expect([...rowsPerSeries(path.join(dir, 'killed.csv')).values()]).toEqual(Array(8).fill(6));
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  test('a poison part (a bad series) fails after its attempts, is reported with its series, and exits 1', async () => {
    const good = fs.readFileSync(path.join(dir, 'long.csv'), 'utf8');
    const poison = good.replace(/^s07,2001-03-01,.*$/m, 's07,2001-03-01,abc');
    expect(poison).not.toBe(good);
    fs.writeFileSync(path.join(dir, 'poison.csv'), poison);
    const r = cli(batchArgs('poison.csv', ['--model', at('model'), '--attempts', '2'], 'poisoned.csv', 4));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /failed item 1: \S+part-00001\.csv \(series s04, s05, s06, s07\): part-00001\.csv: 1 × cells that are not numbers in column 'y'.*'abc'/,
    );
    expect(r.stderr).toMatch(/batch forecast-\S+: 3 done, 1 failed/);
    expect(worker.exitCode).toBeNull();
    // The other parts are merged: the rows of a single-process run, less those of the failed part's series.
    const single = fs.readFileSync(path.join(dir, 'single.csv'), 'utf8').split('\n');
    const expected = single.filter((l) => !/^s0[4-7],/.test(l));
    expect(fs.readFileSync(path.join(dir, 'poisoned.csv'), 'utf8').split('\n')).toEqual(expected);
    const kept = /the failed parts' rows are kept in (\S+)/.exec(r.stderr)?.[1];
    expect(fs.readFileSync(kept!, 'utf8')).toContain('s07,2001-03-01,abc');
    const batch = /batch (forecast-\S+): 3 done/.exec(r.stderr)![1];
    await sleep(500); // the worker's log lines queued while spawnSync held the event loop
    const log = worker.log.join('');
    const attempts = [...log.matchAll(new RegExp(`${batch}-1 failed \\(attempt (\\d)`, 'g'))].map((m) => m[1]);
    expect(attempts).toEqual(['1', '2']);
  });

  test('bad input is a clear error (exit 2) and enqueues nothing', async () => {
    const before = redis.keys(2);
    const hidden = () => fs.readdirSync(dir).filter((n) => n.startsWith('.'));
    const hiddenBefore = hidden();
    const csv = path.join(dir, 'long.csv');
    const model = path.join(dir, 'model');
    const port = await freePort();
    const out = path.join(dir, 'bad.csv');
    const shortNaive = ['--lookback', '2', '--horizon', '1', '--period', '1'];
    const cases: [string[], RegExp][] = [
      [['--model', model, '--queue', `redis://127.0.0.1:${port}`], /\[UNREACHABLE\]: cannot reach Redis/],
      [['--model', model, '--queue', `${redis.url}/42`], /\[BAD_DB\]: .* has no database 42/],
      [['--queue', url], /give either --model DIR .* or --train KIND/],
      [['--train', 'dlinear', ...monthly, '--queue', url], /--train needs --lookback, --horizon and --period/],
      [['--model', path.join(dir, 'nope'), '--queue', url], /\[MODEL_NOT_FOUND\]/],
      [
        ['--train', 'naive', '--id-col', 'id', '--target', 'y', ...shortNaive, '--queue', url],
        /\[UNKNOWN_COLUMN\]: long\.csv: no column 'id' \(--id-col\)/,
      ],
    ];
    for (const [flags, message] of cases) {
      const r = cli(['batch', '--csv', csv, '--out', out, ...flags]);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
    }
    const missing = cli(['batch', '--csv', path.join(dir, 'nope.csv'), '--model', model, '--out', out, '--queue', url]);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/\[INPUT_NOT_VISIBLE\]: .*nope\.csv/) });
    const exists = cli(['batch', '--csv', csv, '--model', model, '--out', at('single.csv'), '--queue', url]);
    expect(exists).toMatchObject({ code: 2, stderr: expect.stringContaining('[OUTPUT_EXISTS]') });
    fs.writeFileSync(path.join(dir, 'a-file'), '');
    const unwritable = cli(['batch', '--csv', csv, '--model', model, '--out', at('a-file/f.csv'), '--queue', url]);
    expect(unwritable).toMatchObject({ code: 2, stderr: expect.stringContaining('[OUTPUT_NOT_WRITABLE]') });
    expect(fs.existsSync(out)).toBe(false);
    expect(hidden()).toEqual(hiddenBefore); // no part folder left behind
    expect(redis.keysAdded(2, before)).toEqual([]);
  });
});
