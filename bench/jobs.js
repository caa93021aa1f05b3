#!/usr/bin/env node
/**
 * bench:jobs - batch work directly and through BullMQ queues on a loopback redis-server started here (persistence
 * off), with 1 and 2 worker processes; every process runs 1 native thread.
 * audio: enhancement of many WAV files (direct `enhance` against `enhance --queue`); prints wall time, files/s, the
 * 2-worker speed-up over 1 worker and the queue overhead per job against direct.
 * forecast: a long CSV of many hourly series predicted with one saved panel model (trained first on a subset, not
 * timed): one `predict` process against `gatewave-forecast batch` with 1 and 2 workers; checks that the merged CSVs
 * equal the direct one and prints the speed-ups.
 * Usage: node bench/jobs.js [--only audio|forecast] [--files 200] [--seconds 5] [--model wiener|DIR]
 *                           [--series 2000] [--length 500] [--series-per-job 100] [--forecast-model tpgn]
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const { spawn, spawnSync } = require('child_process');
const { writeWav } = require('../packages/audio/dist');

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const ONLY = arg('only', undefined);
const FILES = Number(arg('files', 200));
const SECONDS = Number(arg('seconds', 5));
const MODEL = arg('model', undefined);
const SERIES = Number(arg('series', 2000));
const LENGTH = Number(arg('length', 500));
const PER_JOB = Number(arg('series-per-job', 100));
const FORECAST_MODEL = arg('forecast-model', 'tpgn');
const CLI = path.resolve(__dirname, '../packages/audio/dist/cli.js');
const FORECAST_CLI = path.resolve(__dirname, '../packages/forecast/dist/cli.js');
const env = { ...process.env, GATEWAVE_THREADS: '1' };

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

function makeFiles(dir) {
  let seed = 1;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let f = 0; f < FILES; f++) {
    const n = 16000 * SECONDS;
    const x = new Float32Array(n);
    const f0 = 120 + 100 * rnd();
    for (let i = 0; i < n; i++)
      x[i] = 0.2 * Math.sin((2 * Math.PI * f0 * i) / 16000) * (1 + Math.sin(i / 3000)) + 0.05 * (rnd() - 0.5);
    writeWav(
      path.join(dir, `f${String(f).padStart(4, '0')}.wav`),
      { sampleRate: 16000, channels: [x] },
      { format: 'pcm16' },
    );
  }
}

function timed(args, cli = CLI) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`${path.basename(path.dirname(path.dirname(cli)))} ${args[0]} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Runs `args` (a command that submits and follows a batch) with `workers` worker processes of `cli` running. */
async function viaQueue(url, args, workers, cli = CLI) {
  const procs = Array.from({ length: workers }, () =>
    spawn(process.execPath, [cli, 'worker', '--queue', url], { env, stdio: 'ignore' }),
  );
  await new Promise((r) => setTimeout(r, 3000)); // workers connect and load the backend
  try {
    return timed(args, cli);
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r() : p.once('exit', r)))));
  }
}

async function audioBench(dir, url) {
  fs.mkdirSync(path.join(dir, 'in'));
  makeFiles(path.join(dir, 'in'));
  const model = MODEL ?? 'FRCRN small (packaged)';
  const modelFlags = MODEL ? ['--model', MODEL] : [];
  console.log(
    `bench:jobs audio: ${FILES} WAV files of ${SECONDS} s (16 kHz mono), ${model}, 1 native thread per process, ${os.cpus().length} cores, redis-server on loopback`,
  );
  const direct = timed(['enhance', path.join(dir, 'in'), '-o', path.join(dir, 'direct'), '-q', ...modelFlags]);
  const queued = (out) => [
    'enhance',
    path.join(dir, 'in'),
    '-o',
    path.join(dir, out),
    '--queue',
    url,
    '-q',
    ...modelFlags,
  ];
  const one = await viaQueue(url, queued('q1'), 1);
  const two = await viaQueue(url, queued('q2'), 2);
  const row = (name, s) =>
    `| ${name.padEnd(28)} | ${s.toFixed(1).padStart(7)} | ${(FILES / s).toFixed(2).padStart(7)} |`;
  console.log('| run                          | wall s  | files/s |');
  console.log('|------------------------------|---------|---------|');
  console.log(row('direct enhance (1 process)', direct));
  console.log(row('queue, 1 worker', one));
  console.log(row('queue, 2 workers', two));
  console.log(
    `2 workers / 1 worker: ${(one / two).toFixed(2)}x; queue overhead per job vs direct: ${(((one - direct) / FILES) * 1000).toFixed(1)} ms`,
  );
}

/** A long CSV of `count` hourly series of `length` points (a daily season, a level per series, noise). */
function makeLongCsv(file, count, length) {
  let seed = 3;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, 'unique_id,ds,y\n');
  const start = Date.UTC(2024, 0, 1);
  for (let s = 0; s < count; s++) {
    const level = 10 + 20 * rnd();
    const lines = [];
    for (let t = 0; t < length; t++) {
      const time = new Date(start + t * 3600000).toISOString().slice(0, 19).replace('T', ' ');
      const y = level * (1 + 0.3 * Math.sin((2 * Math.PI * t) / 24)) + rnd();
      lines.push(`s${String(s).padStart(5, '0')},${time},${y.toFixed(3)}\n`);
    }
    fs.writeSync(fd, lines.join(''));
  }
  fs.closeSync(fd);
}

async function forecastBench(dir, url) {
  const csv = path.join(dir, 'long.csv');
  makeLongCsv(csv, SERIES, LENGTH);
  const subset = path.join(dir, 'train.csv');
  makeLongCsv(subset, Math.min(SERIES, 100), LENGTH);
  const model = path.join(dir, 'panel-model');
  // TPGN folds the window into rows of one period (24 h): the look-back is a whole number of days.
  const lookback = Math.max(24, Math.min(168, Math.floor(LENGTH / 3 / 24) * 24));
  timed(
    [
      'train',
      '--csv',
      subset,
      '--id-col',
      'unique_id',
      '--time-col',
      'ds',
      '--target',
      'y',
      '--model',
      FORECAST_MODEL,
      '--lookback',
      String(lookback),
      '--horizon',
      '24',
      '--period',
      '24',
      '--epochs',
      '1',
      '--out',
      model,
      '-q',
    ],
    FORECAST_CLI,
  );
  console.log(
    `bench:jobs forecast: ${SERIES} hourly series x ${LENGTH} points, ${FORECAST_MODEL} (lookback ${lookback}, horizon 24; trained 1 epoch on ${Math.min(SERIES, 100)} series, not timed), ${PER_JOB} series per job, 1 native thread per process, ${os.cpus().length} cores, redis-server on loopback`,
  );
  const direct = timed(
    ['predict', '--model', model, '--csv', csv, '--out', path.join(dir, 'direct.csv')],
    FORECAST_CLI,
  );
  const queued = (out) => [
    'batch',
    '--csv',
    csv,
    '--model',
    model,
    '--out',
    path.join(dir, out),
    '--series-per-job',
    String(PER_JOB),
    '--queue',
    url,
    '-q',
  ];
  const one = await viaQueue(url, queued('q1.csv'), 1, FORECAST_CLI);
  const two = await viaQueue(url, queued('q2.csv'), 2, FORECAST_CLI);
  const same = ['q1.csv', 'q2.csv'].every((f) =>
    fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(dir, 'direct.csv'))),
  );
  const jobs = Math.ceil(SERIES / PER_JOB);
  const row = (name, s) =>
    `| ${name.padEnd(28)} | ${s.toFixed(1).padStart(7)} | ${(SERIES / s).toFixed(1).padStart(8)} |`;
  console.log('| run                          | wall s  | series/s |');
  console.log('|------------------------------|---------|----------|');
  console.log(row('direct predict (1 process)', direct));
  console.log(row(`batch, 1 worker (${jobs} jobs)`, one));
  console.log(row(`batch, 2 workers (${jobs} jobs)`, two));
  console.log(
    `2 workers / 1 worker: ${(one / two).toFixed(2)}x; 2 workers / direct: ${(direct / two).toFixed(2)}x; merged CSVs equal the direct one: ${same ? 'yes' : 'NO'}`,
  );
  if (!same) process.exitCode = 1;
}

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-bench-jobs-'));
  const port = await freePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  try {
    await new Promise((r) => setTimeout(r, 500));
    const url = `redis://127.0.0.1:${port}/0`;
    if (ONLY !== 'forecast') await audioBench(dir, url);
    if (ONLY !== 'audio') await forecastBench(dir, url);
  } finally {
    redis.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
})().catch((err) => {
  console.error(err.message);
  process.exitCode = 1;
});
