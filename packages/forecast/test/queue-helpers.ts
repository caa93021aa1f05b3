/** Helpers of the gatewave-forecast queue tests: the built CLI, a long test CSV, worker processes. */
import * as fs from 'fs';
import * as path from 'path';
import { ChildProcess, spawn, spawnSync } from 'child_process';

export const CLI = path.resolve(__dirname, '../dist/cli.js');
export const built = fs.existsSync(CLI) && fs.existsSync(path.resolve(__dirname, '../dist/jobs/index.js'));
if (!built) console.warn('SKIPPED gatewave-forecast queue tests: packages/forecast/dist is missing; run npm run build');

export const env = { ...process.env, GATEWAVE_BACKEND: 'cpu' };
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A long CSV: `count` monthly (or hourly) series with a season and noise; `short` of them too short to forecast. */
export function longCsv(file: string, count: number, length: number, hourly = false, short: number[] = []): void {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const lines = ['unique_id,ds,y'];
  for (let s = 0; s < count; s++) {
    const n = short.includes(s) ? 10 : length;
    for (let t = 0; t < n; t++) {
      const time = hourly
        ? new Date(Date.UTC(2020, 0, 1, t)).toISOString().slice(0, 16).replace('T', ' ')
        : new Date(Date.UTC(2000, t, 1)).toISOString().slice(0, 10);
      const y = 10 + s + 3 * Math.sin((2 * Math.PI * t) / (hourly ? 24 : 12)) + rnd();
      lines.push(`s${String(s).padStart(2, '0')},${time},${y.toFixed(3)}`);
    }
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

/** Series id -> number of forecast rows, from a long forecast CSV. */
export function rowsPerSeries(file: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of fs.readFileSync(file, 'utf8').trim().split('\n').slice(1)) {
    const id = line.split(',')[0];
    m.set(id, (m.get(id) ?? 0) + 1);
  }
  return m;
}

export function startWorker(url: string, extra: string[] = []): ChildProcess & { log: string[] } {
  const w = spawn(process.execPath, [CLI, 'worker', '--queue', url, ...extra], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env,
  }) as ChildProcess & { log: string[] };
  w.log = [];
  w.stderr!.on('data', (d) => w.log.push(String(d)));
  return w;
}

export async function stop(w: ChildProcess): Promise<void> {
  if (w.exitCode !== null || w.signalCode !== null) return;
  const exited = new Promise((r) => w.once('exit', r));
  w.kill('SIGTERM');
  await exited;
}

/** What each queue test does after all: stops its worker and its redis-server, and removes its folder. */
export async function tearDown(worker: ChildProcess, redis: { destroy(): Promise<void> }, dir: string): Promise<void> {
  await stop(worker);
  await redis.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}
