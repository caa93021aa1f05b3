/**
 * `gatewave-audio enhance --queue`, `worker` and `jobs status` end to end against a real redis-server, with the built
 * CLI (the Wiener enhancer, so no model loads): a corrupt WAV fails after its attempts while the rest is enhanced
 * exactly as without the queue; a second run skips complete outputs; --detach; bad input starts nothing.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { writeWav } from '../src/io/wav';
import { saveTinyDetector } from './sed-helpers';
import { describeWithRedis, freePort, TestRedis } from '../../jobs/test/redis-server';

const CLI = path.resolve(__dirname, '../dist/cli.js');
const built = fs.existsSync(CLI) && fs.existsSync(path.resolve(__dirname, '../dist/jobs.js'));
if (!built) console.warn('SKIPPED gatewave-audio queue tests: packages/audio/dist is missing; run npm run build');

const env = { ...process.env, GATEWAVE_BACKEND: 'cpu' };

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tone(file: string, seconds: number, seed: number): void {
  const n = Math.round(16000 * seconds);
  const x = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    x[i] = 0.3 * Math.sin((2 * Math.PI * 220 * i) / 16000) + 0.05 * (s / 2147483648 - 0.5);
  }
  writeWav(file, { sampleRate: 16000, channels: [x] }, { format: 'pcm16' });
}

(built ? describeWithRedis : describe.skip)('gatewave-audio on a queue', () => {
  const redis = new TestRedis();
  let dir: string;
  let worker: ChildProcess | undefined;
  let url: string;
  const at = (...names: string[]) => path.join(dir, ...names);
  const clips = () => [0, 1, 2].map((i) => at('in', `clip${i}.wav`));
  const wiener = ['--model', 'wiener'];

  beforeAll(async () => {
    await redis.start();
    url = `${redis.url}/2`;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-audio-queue-'));
    fs.mkdirSync(path.join(dir, 'in'));
    for (let i = 0; i < 3; i++) tone(path.join(dir, 'in', `clip${i}.wav`), 1 + i * 0.5, i + 1);
    fs.writeFileSync(path.join(dir, 'in', 'corrupt.wav'), 'RIFF\x10\x00\x00\x00WAVEjunk');
    const locks = ['--lock-duration', '5000', '--stalled-interval', '2000'];
    worker = spawn(process.execPath, [CLI, 'worker', '--queue', url, ...locks], { stdio: 'ignore', env });
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker!.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
    await redis.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a corrupt WAV fails after its attempts (exit 1, error shown); the others match direct enhancement', () => {
    const r = cli(['enhance', at('in'), '-o', at('out'), ...wiener, '--queue', url, '--attempts', '2', '-q']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/failed item 3: .*corrupt\.wav: /);
    expect(r.stderr).toMatch(/batch enhance-\S+: 3 done, 1 failed/);
    const direct = cli(['enhance', ...clips(), '-o', at('direct'), ...wiener, '-q']);
    expect(direct.code).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'out')).sort()).toEqual([
      'clip0_enhanced.wav',
      'clip1_enhanced.wav',
      'clip2_enhanced.wav',
    ]);
    for (let i = 0; i < 3; i++) {
      const name = `clip${i}_enhanced.wav`;
      expect(fs.readFileSync(path.join(dir, 'out', name)).equals(fs.readFileSync(path.join(dir, 'direct', name)))).toBe(
        true,
      );
    }
  });

  test('a second run of the same batch skips complete outputs and leaves them untouched', () => {
    const inodes = [0, 1, 2].map((i) => fs.statSync(path.join(dir, 'out', `clip${i}_enhanced.wav`)).ino);
    const r = cli(['enhance', ...clips(), '-o', at('out'), ...wiener, '--queue', url]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('all 3 output(s) are complete already; nothing was enqueued.');
    expect([0, 1, 2].map((i) => fs.statSync(path.join(dir, 'out', `clip${i}_enhanced.wav`)).ino)).toEqual(inodes);
  });

  test('--detach prints the batch id; jobs status shows its counts and errors', async () => {
    const inputs = [at('in', 'corrupt.wav'), at('in', 'clip0.wav')];
    const r = cli(['enhance', ...inputs, '-o', at('out2'), ...wiener, '--queue', url, '--attempts', '1', '--detach']);
    expect(r.code).toBe(0);
    const id = r.stdout.trim();
    expect(id).toMatch(/^enhance-\d{8}-\d{6}-\w+$/);
    let s = { state: '' } as {
      state: string;
      done: number;
      failed: number;
      total: number;
      errors: { index: number; error: string }[];
    };
    for (let t = 0; t < 100 && s.state !== 'done'; t++) {
      await new Promise((res) => setTimeout(res, 200));
      s = JSON.parse(cli(['jobs', 'status', id, '--queue', url, '--json']).stdout);
    }
    expect(s).toMatchObject({ state: 'done', total: 2, done: 1, failed: 1 });
    expect(s.errors[0].index).toBe(0);
    expect(s.errors[0].error).toContain('corrupt.wav');
    const text = cli(['jobs', 'status', id, '--queue', url]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('waiting 0  active 0  retrying 0  done 1  failed 1');
    expect(cli(['jobs', 'status', '--queue', url]).stdout).toContain(`batch ${id} (enhance): done, 2 item(s)`);
    expect(cli(['jobs', 'status', 'enhance-nope', '--queue', url])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('[BATCH_NOT_FOUND]'),
    });
  });

  test('detect --queue merges the event list of a direct detect; a corrupt WAV fails after its attempts (exit 1)', async () => {
    const sr = 24000;
    const model = path.join(dir, 'detector');
    await saveTinyDetector(model);
    const scenes = [0, 1].map((k) => {
      const file = path.join(dir, 'in', `scene${k}.wav`);
      let s = k + 11;
      const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
      const n = 2 * sr;
      const w = Float32Array.from({ length: n }, (_, i) => (i > n / 3 && i < n / 2 ? 0.5 : 0.05) * rnd());
      writeWav(file, { sampleRate: sr, channels: [w, w.map((v) => 0.5 * v), w.map((v) => -0.3 * v), w.map(() => 0)] });
      return file;
    });
    const corrupt = path.join(dir, 'in', 'corrupt.wav');
    const flags = ['--model', model, '--threshold', '0.3', '-q'];
    const direct = cli(['detect', ...scenes, '-o', path.join(dir, 'direct-events.csv'), ...flags]);
    expect(direct.code).toBe(0);
    const events = fs.readFileSync(path.join(dir, 'direct-events.csv'), 'utf8');
    expect(events.trim().split('\n').length).toBeGreaterThan(1); // a header and at least one event
    const out = path.join(dir, 'queued-events.csv');
    const r = cli(['detect', scenes[0], corrupt, scenes[1], '-o', out, ...flags, '--queue', url, '--attempts', '2']);
    expect(r.stderr).toMatch(/failed item 1: .*corrupt\.wav: /);
    expect(r.stderr).toMatch(/batch detect-\S+: 2 done, 1 failed/);
    expect(r.code).toBe(1);
    expect(fs.readFileSync(out, 'utf8')).toBe(events);
    const again = cli(['detect', ...scenes, '-o', out, ...flags, '--queue', url]);
    expect(again).toMatchObject({ code: 2, stderr: expect.stringContaining('[OUTPUT_EXISTS]') });
  });

  test('bad input is a clear error (exit 2) and enqueues nothing', async () => {
    const before = redis.keys(2);
    const clip = path.join(dir, 'in', 'clip0.wav');
    const port = await freePort();
    const cases: [string[], RegExp][] = [
      [
        ['--queue', `redis://127.0.0.1:${port}`],
        /\[UNREACHABLE\]: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+\/0 \(connect ECONNREFUSED/,
      ],
      [['--queue', `${redis.url}/42`], /\[BAD_DB\]: Redis at redis:\/\/127\.0\.0\.1:\d+\/42 has no database 42/],
      [
        ['--queue', 'redis://:hunter2@127.0.0.1:1/0/x'],
        /\[BAD_URL\]: --queue redis:\/\/127\.0\.0\.1:1\/0\/x: the path must be a database number/,
      ],
    ];
    for (const [flags, message] of cases) {
      const r = cli(['enhance', clip, '-o', path.join(dir, 'bad'), '--model', 'wiener', ...flags]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toContain('hunter2');
    }
    const missing = cli(['enhance', at('in', 'nope.wav'), '-o', at('bad'), ...wiener, '--queue', url]);
    expect(missing).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/\[INPUT_NOT_VISIBLE\]: .*nope\.wav: cannot be read here \(ENOENT\)/),
    });
    fs.writeFileSync(path.join(dir, 'a-file'), '');
    const unwritable = cli(['enhance', clip, '-o', at('a-file', 'out'), ...wiener, '--queue', url]);
    expect(unwritable).toMatchObject({ code: 2, stderr: expect.stringContaining('[OUTPUT_NOT_WRITABLE]') });
    expect(cli(['worker'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("required option '--queue <url>' not specified"),
    });
    expect(cli(['enhance', clip, '-o', path.join(dir, 'bad'), '--detach'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--detach needs --queue URL'),
    });
    expect(redis.keysAdded(2, before)).toEqual([]);
  });

  test('--atten-lim reaches the worker: with 0 dB the queued output is the direct one, which is the input', () => {
    const lim = ['--atten-lim', '0', '-q'];
    expect(cli(['enhance', clips()[0], '-o', at('lim-q'), ...wiener, '--queue', url, ...lim]).code).toBe(0);
    expect(cli(['enhance', clips()[0], '-o', at('lim-d'), ...wiener, ...lim]).code).toBe(0);
    const queued = fs.readFileSync(path.join(dir, 'lim-q', 'clip0_enhanced.wav'));
    expect(queued.equals(fs.readFileSync(path.join(dir, 'lim-d', 'clip0_enhanced.wav')))).toBe(true);
    const unlimited = fs.readFileSync(path.join(dir, 'out', 'clip0_enhanced.wav'));
    expect(queued.equals(unlimited)).toBe(false);
  });

  test('--wiener-share reaches the worker: the queued output is the direct one, and not the model alone', () => {
    const small = ['--model', path.resolve(__dirname, '../models/enhancer-small'), '-q'];
    const share = [...small, '--wiener-share', '0.5'];
    expect(cli(['enhance', clips()[0], '-o', at('share-q'), ...share, '--queue', url]).code).toBe(0);
    expect(cli(['enhance', clips()[0], '-o', at('share-d'), ...share]).code).toBe(0);
    expect(cli(['enhance', clips()[0], '-o', at('alone-d'), ...small]).code).toBe(0);
    const read = (d: string) => fs.readFileSync(path.join(dir, d, 'clip0_enhanced.wav'));
    expect(read('share-q').equals(read('share-d'))).toBe(true);
    expect(read('share-q').equals(read('alone-d'))).toBe(false);
  });
});
