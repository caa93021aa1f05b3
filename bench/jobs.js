#!/usr/bin/env node
/**
 * bench:jobs - enhancement of many WAV files directly and through the "audio" queue (BullMQ on a loopback
 * redis-server started here, persistence off) with 1 and 2 worker processes; every process runs 1 native thread.
 * Prints wall time, files/s, the 2-worker speed-up over 1 worker and the queue overhead per job against direct.
 * Usage: node bench/jobs.js [--files 200] [--seconds 5] [--model wiener|DIR]   (default: the packaged FRCRN model)
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
const FILES = Number(arg('files', 200));
const SECONDS = Number(arg('seconds', 5));
const MODEL = arg('model', undefined);
const CLI = path.resolve(__dirname, '../packages/audio/dist/cli.js');
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

function timed(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gatewave-audio ${args[0]} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function viaQueue(url, inDir, outDir, workers) {
  const procs = Array.from({ length: workers }, () =>
    spawn(process.execPath, [CLI, 'worker', '--queue', url], { env, stdio: 'ignore' }),
  );
  await new Promise((r) => setTimeout(r, 3000)); // workers connect and load the backend
  try {
    return timed(['enhance', inDir, '-o', outDir, '--queue', url, '-q', ...(MODEL ? ['--model', MODEL] : [])]);
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => new Promise((r) => (p.exitCode !== null ? r() : p.once('exit', r)))));
  }
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
    fs.mkdirSync(path.join(dir, 'in'));
    makeFiles(path.join(dir, 'in'));
    await new Promise((r) => setTimeout(r, 500));
    const url = `redis://127.0.0.1:${port}/0`;
    const model = MODEL ?? 'FRCRN small (packaged)';
    console.log(
      `bench:jobs: ${FILES} WAV files of ${SECONDS} s (16 kHz mono), ${model}, 1 native thread per process, ${os.cpus().length} cores, redis-server on loopback`,
    );
    const direct = timed([
      'enhance',
      path.join(dir, 'in'),
      '-o',
      path.join(dir, 'direct'),
      '-q',
      ...(MODEL ? ['--model', MODEL] : []),
    ]);
    const one = await viaQueue(url, path.join(dir, 'in'), path.join(dir, 'q1'), 1);
    const two = await viaQueue(url, path.join(dir, 'in'), path.join(dir, 'q2'), 2);
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
    console.log('forecasting batch over 2,000 series: not run (gatewave-forecast batch is not built yet).');
  } finally {
    redis.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
})().catch((err) => {
  console.error(err.message);
  process.exitCode = 1;
});
