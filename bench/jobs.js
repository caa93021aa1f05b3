#!/usr/bin/env node
/**
 * bench:jobs - batch work directly and through BullMQ queues on a loopback redis-server started here (persistence
 * off), with 1 and 2 worker processes; every process runs 1 native thread.
 * audio: enhancement of many WAV files (direct `enhance` against `enhance --queue`); prints wall time, files/s, the
 * 2-worker speed-up over 1 worker and the queue overhead per job against direct, both over the whole timed span and
 * split into one-time start-up and per-job steady state; runs 2 direct processes on half the files each, which is
 * the most that 2 processes reach on this machine without any queue; and prints the workers' own per-phase timings
 * (`worker --timings`: wall and CPU ms per job).
 * forecast: a long CSV of many hourly series predicted with one saved panel model (trained first on a subset, not
 * timed): one `predict` process against `gatewave-forecast batch` with 1 and 2 workers, and 2 `predict` processes on
 * half the series each; checks that the merged CSVs equal the direct one, prints the speed-ups and the workers'
 * per-phase timings.
 * Every command runs with V8's concurrent marking off (`@gatewave/core/batch-gc`); GATEWAVE_CONCURRENT_GC=1 in the
 * environment turns it back on in every process started here, for an A/B of that setting.
 * Usage: node bench/jobs.js [--only audio|forecast] [--files 200] [--seconds 5] [--model wiener|DIR]
 *                           [--series 2000] [--length 500] [--series-per-job 100] [--forecast-model tpgn]
 */
require('./usage').exitWithUsageIfAsked(__filename);
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const { spawn } = require('child_process');
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
/** How the processes' collector runs (see `@gatewave/core/batch-gc`), for the settings lines. */
const GC =
  process.env.GATEWAVE_CONCURRENT_GC === '1'
    ? "V8's concurrent marking on (GATEWAVE_CONCURRENT_GC=1)"
    : "V8's concurrent marking off (batch-gc)";

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

/** Runs the CLI with `args` and resolves with its wall seconds and its stderr; throws when it fails. */
function timed(args, cli = CLI, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn(process.execPath, [cli, ...args], {
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    p.stderr.on('data', (b) => (stderr += b));
    p.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0)
        reject(new Error(`${path.basename(path.dirname(path.dirname(cli)))} ${args[0]} failed: ${stderr}`));
      else resolve({ wall, stderr });
    });
  });
}

/** The rows of a per-phase table printed by `--timings` (name -> { count, wallMs, cpuMs }), summed over `logs`. */
function phaseTotals(logs) {
  const out = new Map();
  for (const log of logs) {
    for (const m of log.matchAll(/^ {2}(\S.*?)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+[\d.]+\s+[\d.]+$/gm)) {
      const t = out.get(m[1]) ?? { count: 0, wallMs: 0, cpuMs: 0, maxWallMs: 0 };
      t.count += Number(m[2]);
      t.wallMs += Number(m[3]) * 1000;
      t.cpuMs += Number(m[4]) * 1000;
      t.maxWallMs = Math.max(t.maxWallMs, Number(m[3]) * 1000);
      out.set(m[1], t);
    }
  }
  return out;
}

/**
 * Runs `args` (a command that submits and follows a batch) with `workers` worker processes of `cli` running (with
 * --timings); resolves with the command's wall seconds, its stderr and the workers' logs.
 */
async function viaQueue(url, args, workers, cli = CLI) {
  const procs = Array.from({ length: workers }, () => {
    const p = spawn(process.execPath, [cli, 'worker', '--queue', url, '--timings'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    p.log = '';
    p.stderr.on('data', (b) => (p.log += b));
    return p;
  });
  // Workers connect and load the backend before the timed span starts (they print their settings line then).
  await Promise.all(procs.map((p) => until(() => /worker: queue/.test(p.log) || p.exitCode !== null)));
  let r;
  try {
    r = await timed(args, cli, { GATEWAVE_JOBS_TIMINGS: '1' });
  } finally {
    // 'close', not 'exit': the timings a worker prints as it stops must have been read from its stderr
    const closed = procs.map((p) => new Promise((r) => p.once('close', r)));
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(closed);
  }
  return { ...r, workerLogs: procs.map((p) => p.log) };
}

function until(check) {
  return new Promise((resolve) => {
    const t = setInterval(() => {
      if (check()) {
        clearInterval(t);
        resolve();
      }
    }, 50);
  });
}

/** Seconds spent enhancing files, from `enhance`'s per-file lines ("... in 0.31 s, RTF ..."). */
const fileSeconds = (stderr) => [...stderr.matchAll(/ in ([\d.]+) s, RTF /g)].reduce((a, m) => a + Number(m[1]), 0);

/** A queued run's split: the workers' span from first job to last (less the model load) and the rest (start-up). */
function queueSplit(run) {
  const phases = phaseTotals(run.workerLogs);
  const spanMs =
    (phases.get('worker, first job to last')?.maxWallMs ?? NaN) - (phases.get('load model')?.maxWallMs ?? 0);
  const span = spanMs / 1000;
  return { phases, span, startup: run.wall - span };
}

function printPhases(title, phases, jobs) {
  console.log(`${title} (wall and CPU ms per job, summed over the workers; CPU counts all threads of a worker):`);
  for (const [name, t] of phases) {
    if (name === 'worker, first job to last') continue;
    console.log(
      `  ${name.padEnd(26)} ${String(t.count).padStart(5)} x  wall ${(t.wallMs / jobs).toFixed(1).padStart(7)} ms/job  cpu ${(t.cpuMs / jobs).toFixed(1).padStart(7)} ms/job`,
    );
  }
}

/** Enhances `files` split into two halves in two direct processes at once: resolves with the wall seconds. */
async function directPair(dir, files, modelFlags) {
  const halves = [files.slice(0, Math.ceil(files.length / 2)), files.slice(Math.ceil(files.length / 2))];
  const t0 = process.hrtime.bigint();
  await Promise.all(
    halves.map((h, i) => timed(['enhance', ...h, '-o', path.join(dir, `pair${i}`), '-q', ...modelFlags])),
  );
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function audioBench(dir, url) {
  fs.mkdirSync(path.join(dir, 'in'));
  makeFiles(path.join(dir, 'in'));
  const files = fs
    .readdirSync(path.join(dir, 'in'))
    .sort()
    .map((n) => path.join(dir, 'in', n));
  const model = MODEL ?? 'FRCRN small (packaged)';
  const modelFlags = MODEL ? ['--model', MODEL] : [];
  console.log(
    `bench:jobs audio: ${FILES} WAV files of ${SECONDS} s (16 kHz mono), ${model}, 1 native thread per process, ${GC}, ${os.cpus().length} cores, redis-server on loopback`,
  );
  const direct = await timed(['enhance', path.join(dir, 'in'), '-o', path.join(dir, 'direct'), '-q', ...modelFlags]);
  const directFiles = fileSeconds(direct.stderr);
  const pair = await directPair(dir, files, modelFlags);
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
  const [s1, s2] = [queueSplit(one), queueSplit(two)];
  const row = (name, wall, startup, span) =>
    `| ${name.padEnd(40)} | ${wall.toFixed(1).padStart(7)} | ${(FILES / wall).toFixed(2).padStart(7)} | ${startup.toFixed(1).padStart(10)} | ${((span / FILES) * 1000).toFixed(1).padStart(11)} |`;
  console.log('| run                                      | wall s  | files/s | start-up s | ms per file |');
  console.log('|------------------------------------------|---------|---------|------------|-------------|');
  console.log(row('direct enhance (1 process)', direct.wall, direct.wall - directFiles, directFiles));
  console.log(
    `| ${'2 direct processes, half the files each'.padEnd(40)} | ${pair.toFixed(1).padStart(7)} | ${(FILES / pair).toFixed(2).padStart(7)} |          - |           - |`,
  );
  console.log(row('queue, 1 worker', one.wall, s1.startup, s1.span));
  console.log(row('queue, 2 workers', two.wall, s2.startup, s2.span));
  console.log(
    'start-up: the timed span less the time spent on files (direct: the sum of its per-file times; queue: from the ' +
      "first job's start to the last job's end in the workers, less the model load); ms per file: that time / files.",
  );
  console.log(
    `2 workers / 1 worker: ${(one.wall / two.wall).toFixed(2)}x (2 direct processes / 1 direct process on this machine, no queue: ${(direct.wall / pair).toFixed(2)}x)`,
  );
  console.log(
    `queue overhead per job vs direct: ${(((one.wall - direct.wall) / FILES) * 1000).toFixed(1)} ms over the whole timed span (1 worker); ` +
      `${(((s1.span - directFiles) / FILES) * 1000).toFixed(1)} ms per job in steady state, and ${(s1.startup - (direct.wall - directFiles)).toFixed(2)} s once at start-up`,
  );
  printPhases('queue, 1 worker, per phase', s1.phases, FILES);
  const client = phaseTotals([one.stderr]);
  const wait = client.get('waiting for the batch');
  const proc = client.get('process since start');
  if (wait && proc)
    console.log(
      `  the submitting command: CPU ${(proc.cpuMs / 1000).toFixed(2)} s in all, of which ${(wait.cpuMs / 1000).toFixed(2)} s while waiting ${(wait.wallMs / 1000).toFixed(1)} s for the batch (${client.get('status polls')?.count ?? 0} status reads)`,
    );
  printPhases('queue, 2 workers, per phase', s2.phases, FILES);
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

/** Splits a long CSV (header, then rows series by series) after `rows` data rows into two files; returns their paths. */
function splitLongCsv(file, rows) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const header = lines[0];
  const body = lines.slice(1).filter(Boolean);
  return [body.slice(0, rows), body.slice(rows)].map((part, i) => {
    const out = file.replace(/\.csv$/, `.half${i}.csv`);
    fs.writeFileSync(out, [header, ...part].join('\n') + '\n');
    return out;
  });
}

async function forecastBench(dir, url) {
  const csv = path.join(dir, 'long.csv');
  makeLongCsv(csv, SERIES, LENGTH);
  const subset = path.join(dir, 'train.csv');
  makeLongCsv(subset, Math.min(SERIES, 100), LENGTH);
  const model = path.join(dir, 'panel-model');
  // TPGN folds the window into rows of one period (24 h): the look-back is a whole number of days.
  const lookback = Math.max(24, Math.min(168, Math.floor(LENGTH / 3 / 24) * 24));
  await timed(
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
    `bench:jobs forecast: ${SERIES} hourly series x ${LENGTH} points, ${FORECAST_MODEL} (lookback ${lookback}, horizon 24; trained 1 epoch on ${Math.min(SERIES, 100)} series, not timed), ${PER_JOB} series per job, 1 native thread per process, ${GC}, ${os.cpus().length} cores, redis-server on loopback`,
  );
  const predict = (input, out) => timed(['predict', '--model', model, '--csv', input, '--out', out], FORECAST_CLI);
  const direct = (await predict(csv, path.join(dir, 'direct.csv'))).wall;
  const halves = splitLongCsv(csv, Math.ceil(SERIES / 2) * LENGTH);
  const t0 = process.hrtime.bigint();
  await Promise.all(halves.map((h, i) => predict(h, path.join(dir, `pair${i}.csv`))));
  const pair = Number(process.hrtime.bigint() - t0) / 1e9;
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
  const runOne = await viaQueue(url, queued('q1.csv'), 1, FORECAST_CLI);
  const runTwo = await viaQueue(url, queued('q2.csv'), 2, FORECAST_CLI);
  const [one, two] = [runOne.wall, runTwo.wall];
  const same = ['q1.csv', 'q2.csv'].every((f) =>
    fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(path.join(dir, 'direct.csv'))),
  );
  const jobs = Math.ceil(SERIES / PER_JOB);
  const row = (name, s) =>
    `| ${name.padEnd(32)} | ${s.toFixed(1).padStart(7)} | ${(SERIES / s).toFixed(1).padStart(8)} |`;
  console.log(`| ${'run'.padEnd(32)} | wall s  | series/s |`);
  console.log(`|${'-'.repeat(34)}|---------|----------|`);
  console.log(row('direct predict (1 process)', direct));
  console.log(row(`batch, 1 worker (${jobs} jobs)`, one));
  console.log(row(`batch, 2 workers (${jobs} jobs)`, two));
  console.log(row('2 predict processes, half each', pair));
  console.log(
    `2 workers / 1 worker: ${(one / two).toFixed(2)}x (2 predict processes / 1 on this machine, no queue: ${(direct / pair).toFixed(2)}x); 2 workers / direct: ${(direct / two).toFixed(2)}x; merged CSVs equal the direct one: ${same ? 'yes' : 'NO'}`,
  );
  printPhases('batch, 1 worker, per phase', phaseTotals(runOne.workerLogs), jobs);
  printPhases('batch, 2 workers, per phase', phaseTotals(runTwo.workerLogs), jobs);
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
