/**
 * The queue guarantees, against a real redis-server, with worker processes (fixtures/copy-worker.js) that copy
 * files slowly: SIGKILL mid-job, a worker that stalls and comes back, a Redis restart, a poison item, SIGTERM.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChildProcess, spawn } from 'child_process';
import { parseQueueUrl, QueueConnection } from '../src/connection';
import { batchStatus, openQueue, QueueHandle, submitBatch, waitForBatch } from '../src/batch';
import { describeWithRedis, TestRedis } from './redis-server';

const WORKER = path.join(__dirname, 'fixtures', 'copy-worker.js');
const built = fs.existsSync(path.join(__dirname, '..', 'dist', 'index.js'));
if (!built) console.warn('SKIPPED queue tests: packages/jobs/dist is missing; run npm run build');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Journal {
  starts: Map<number, number[]>;
  landed: Map<number, number[]>;
}

function readJournal(file: string): Journal {
  const j: Journal = { starts: new Map(), landed: new Map() };
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  for (const line of text.split('\n').filter(Boolean)) {
    const [what, index, pid] = line.split(' ');
    const m = what === 'start' ? j.starts : j.landed;
    m.set(Number(index), [...(m.get(Number(index)) ?? []), Number(pid)]);
  }
  return j;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

(built ? describeWithRedis : describe.skip)('batches on a real redis-server', () => {
  const redis = new TestRedis();
  let conn: QueueConnection;
  let dir: string;
  let handle: QueueHandle;
  const workers: ChildProcess[] = [];
  let queueNo = 0;

  beforeAll(async () => {
    await redis.start();
    conn = parseQueueUrl(redis.url);
  });
  afterAll(async () => {
    await redis.destroy();
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-queue-'));
    queueNo++;
    handle = openQueue(conn, `copy${queueNo}`);
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function startWorker(lockMs = 1000, stalledMs = 500): ChildProcess & { log: string[] } {
    const w = spawn(process.execPath, [WORKER, redis.url, handle.queue.name, String(lockMs), String(stalledMs)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }) as ChildProcess & { log: string[] };
    w.log = [];
    w.stdout!.on('data', (d) => w.log.push(String(d)));
    w.stderr!.on('data', (d) => w.log.push(String(d)));
    workers.push(w);
    return w;
  }

  async function submit(n: number, delayMs: number, poison: number[] = [], attempts = 3) {
    const items = Array.from({ length: n }, (_, i) => {
      const input = path.join(dir, `in${i}.txt`);
      fs.writeFileSync(input, `item ${i}\n`);
      return { input, output: path.join(dir, 'out', `out${i}.txt`), poison: poison.includes(i) };
    });
    fs.mkdirSync(path.join(dir, 'out'));
    const settings = { delayMs, journal: path.join(dir, 'journal'), merged: path.join(dir, 'merged.txt') };
    const { batchId } = await submitBatch(conn, {
      queue: handle.queue.name,
      kind: 'copy',
      items,
      settings,
      attempts,
      backoffMs: 100,
    });
    return { batchId, items, settings };
  }

  function expectEveryOutputOnce(n: number, settings: { journal: string; merged: string }, failed: number[] = []) {
    const j = readJournal(settings.journal);
    const ok = Array.from({ length: n }, (_, i) => i).filter((i) => !failed.includes(i));
    for (const i of ok) {
      expect(fs.readFileSync(path.join(dir, 'out', `out${i}.txt`), 'utf8')).toBe(`item ${i}\n`);
      expect(j.landed.get(i)).toHaveLength(1);
    }
    expect(fs.readFileSync(settings.merged, 'utf8')).toBe(ok.map((i) => `item ${i}\n`).join(''));
    expect(fs.readdirSync(path.join(dir, 'out')).sort()).toEqual(ok.map((i) => `out${i}.txt`).sort());
  }

  test('SIGKILL mid-job: the job is recovered as stalled, every output lands once, the merge has each item once', async () => {
    const { batchId, settings } = await submit(4, 1500);
    const a = startWorker();
    await until('worker A to start item 0', () => readJournal(settings.journal).starts.has(0));
    await sleep(300);
    a.kill('SIGKILL');
    expect(fs.readdirSync(path.join(dir, 'out')).some((n) => n.includes('.gatewave-job-'))).toBe(true); // its half-done temp
    startWorker();
    const s = await waitForBatch(handle, batchId, { intervalMs: 100 });
    expect(s).toMatchObject({ state: 'done', total: 4, done: 4, failed: 0, waiting: 0, active: 0 });
    const j = readJournal(settings.journal);
    expect(j.starts.get(0)).toHaveLength(2); // tried by A (killed), then by B
    expect(j.landed.get(0)).not.toContain(a.pid);
    expectEveryOutputOnce(4, settings);
    expect(s.summary?.merged).toEqual({ parts: 4, failures: 0 });
  });

  test('a worker that stalls (SIGSTOP) and comes back after another finished its job does not write the output again', async () => {
    const { batchId, settings } = await submit(2, 1200);
    const a = startWorker();
    await until('worker A to start item 0', () => readJournal(settings.journal).starts.has(0));
    a.kill('SIGSTOP');
    const b = startWorker();
    await until('worker B to land item 0', () => (readJournal(settings.journal).landed.get(0) ?? []).includes(b.pid!));
    const inode = fs.statSync(path.join(dir, 'out', 'out0.txt')).ino;
    a.kill('SIGCONT');
    const s = await waitForBatch(handle, batchId, { intervalMs: 100 });
    await sleep(1500); // A finishes its copy of item 0 and tries to land it
    expect(s).toMatchObject({ state: 'done', done: 2, failed: 0 });
    expect(fs.statSync(path.join(dir, 'out', 'out0.txt')).ino).toBe(inode);
    expectEveryOutputOnce(2, settings);
  });

  test('a poison item fails after the configured attempts with its error recorded; the rest completes', async () => {
    const { batchId, settings, items } = await submit(5, 0, [2], 2);
    startWorker();
    // No fallback read within the test: only the queue's events can tell the waiting client that the batch is over.
    const reads: string[] = [];
    const s = await waitForBatch(handle, batchId, {
      intervalMs: 100,
      fallbackMs: 600000,
      onStatus: (st) => reads.push(st.state),
    });
    expect(reads.length).toBeLessThan(20);
    expect(s).toMatchObject({ state: 'done', total: 5, done: 4, failed: 1 });
    expect(s.errors).toEqual([{ index: 2, error: `${items[2].input}: poison item`, item: items[2] }]);
    expect(readJournal(settings.journal).starts.get(2)).toHaveLength(2);
    expect(s.summary).toMatchObject({
      total: 5,
      done: 4,
      failed: 1,
      errors: [{ index: 2, error: `${items[2].input}: poison item` }],
    });
    expectEveryOutputOnce(5, settings, [2]);
  });

  test('Redis restarts in the middle of a batch: the worker and the waiting client reconnect and the batch finishes', async () => {
    const { batchId, settings } = await submit(6, 400);
    const w = startWorker(2000, 1000);
    await until('two items done', () => readJournal(settings.journal).landed.size >= 2);
    const statuses: string[] = [];
    const waiting = waitForBatch(handle, batchId, { intervalMs: 100, onStatus: (s) => statuses.push(`${s.done}`) });
    await redis.stopSaving();
    await sleep(1000);
    await redis.start();
    const s = await waiting;
    expect(s).toMatchObject({ state: 'done', total: 6, done: 6, failed: 0 });
    expectEveryOutputOnce(6, settings);
    expect(w.exitCode).toBeNull(); // the worker lived through it
    expect(w.log.join('')).toMatch(/ECONNREFUSED/); // it did see Redis go away
  });

  test('SIGTERM: the worker finishes the job in hand, takes no other, and exits 0', async () => {
    const { batchId, settings } = await submit(3, 1000);
    const w = startWorker();
    await until('item 0 to start', () => readJournal(settings.journal).starts.has(0));
    const exited = new Promise<number | null>((r) => w.once('exit', (code) => r(code)));
    w.kill('SIGTERM');
    expect(await exited).toBe(0);
    const j = readJournal(settings.journal);
    expect(j.landed.get(0)).toEqual([w.pid]);
    expect([...j.starts.keys()]).toEqual([0]);
    const s = await batchStatus(handle, batchId);
    expect(s).toMatchObject({ state: 'running', done: 1, waiting: 2, active: 0, failed: 0 });
    expect(w.log.join('')).toContain('SIGTERM: finishing the job(s) in hand, then exiting');
  });
});
