/**
 * The app server: it serves the app and the model files and nothing else; every path-traversal form gets 404;
 * uploads past the limit get 413 with a message; it binds 127.0.0.1 and refuses requests for other host names;
 * the CLI warns for --host and rejects bad flags with exit code 2.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { decodeWav, encodeWav, DEFAULT_MODEL_DIR } from '@gatewave/audio';
import { startAppServer, lookup, type AppServer } from '../src';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-web-'));
const appDir = path.join(tmp, 'app');
let app: AppServer;

/** A raw request (no URL normalisation by a client library), as an attacker would send it. */
function raw(
  pathname: string,
  options: { method?: string; host?: string; body?: Uint8Array } = {},
): Promise<{ status: number; body: string }> {
  const url = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: pathname,
        method: options.method ?? 'GET',
        headers: { host: options.host ?? url.host },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(parts).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

beforeAll(async () => {
  fs.mkdirSync(path.join(appDir, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(appDir, 'index.html'), '<!doctype html><p>app</p>');
  fs.writeFileSync(path.join(appDir, 'app.mjs'), 'console.log(1)');
  fs.writeFileSync(path.join(appDir, 'sub', 'hidden.js'), 'secret');
  fs.writeFileSync(path.join(tmp, 'secret.json'), '{"secret":true}');
  app = await startAppServer({ appDir, maxUploadBytes: 1000 });
});
afterAll(async () => {
  await app.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('binds 127.0.0.1 on a free port by default', () => {
  expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  expect((app.server.address() as { address: string }).address).toBe('127.0.0.1');
});

test('serves the app, its config and the model files', async () => {
  expect(await raw('/')).toEqual({ status: 200, body: '<!doctype html><p>app</p>' });
  expect((await raw('/app.mjs')).body).toBe('console.log(1)');
  expect(JSON.parse((await raw('/config.json')).body)).toEqual({
    maxUploadBytes: 1000,
    enhancer: '/models/enhancer/',
    detector: '/models/detector/',
    forecaster: null,
  });
  expect((await raw('/models/forecaster/forecast.json')).status).toBe(404);
  const model = await raw('/models/enhancer/model.json');
  expect(model.status).toBe(200);
  expect(model.body).toBe(fs.readFileSync(path.join(DEFAULT_MODEL_DIR, 'model.json'), 'utf8'));
});

test('--forecaster: serves forecast.json and network/ of a saved model, nothing else; a folder without one is refused', async () => {
  const dir = path.join(tmp, 'forecaster');
  fs.mkdirSync(path.join(dir, 'network', 'deeper'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'forecast.json'), '{"format":"gatewave-forecast"}');
  fs.writeFileSync(path.join(dir, 'network', 'model.json'), '{"m":1}');
  fs.writeFileSync(path.join(dir, 'network', 'weights.bin'), Buffer.from([1, 2, 3]));
  fs.writeFileSync(path.join(dir, 'network', 'deeper', 'x.json'), '{}');
  const other = await startAppServer({ appDir, forecasterDir: dir });
  try {
    const get = async (p: string): Promise<number> => (await fetch(new URL(p, other.url))).status;
    expect(await (await fetch(new URL('/config.json', other.url))).json()).toMatchObject({
      forecaster: '/models/forecaster/',
    });
    expect(await (await fetch(new URL('/models/forecaster/forecast.json', other.url))).text()).toBe(
      '{"format":"gatewave-forecast"}',
    );
    expect(await get('/models/forecaster/network/model.json')).toBe(200);
    expect(await get('/models/forecaster/network/weights.bin')).toBe(200);
    expect(await get('/models/forecaster/network/deeper/x.json')).toBe(404);
  } finally {
    await other.close();
  }
  await expect(startAppServer({ appDir, forecasterDir: path.join(dir, 'network') })).rejects.toThrow(
    /network has no forecast\.json; pass a folder written by 'gatewave-forecast train --out DIR'/,
  );
});

test.each([
  '/../secret.json',
  '/%2e%2e/secret.json',
  '/%2E%2E%2Fsecret.json',
  '/..%2fsecret.json',
  '/..%5csecret.json',
  '/%252e%252e%252fsecret.json',
  '/models/enhancer/../../../secret.json',
  '/models/enhancer/%2e%2e/%2e%2e/package.json',
  '/models/..%2f..%2f..%2fpackage.json',
  '/./index.html',
  '/sub/hidden.js',
  '/index.html%00.js',
  '/%',
  '/etc/passwd',
  '//etc/passwd',
  '/models/enhancer/README.md/../model.json',
])('path traversal and unknown paths get 404: %s', async (p) => {
  const res = await raw(p);
  expect(res.status).toBe(404);
  expect(res.body).not.toContain('secret');
});

test('lookup refuses ".." and backslashes whatever the table holds', () => {
  const table = new Map([
    ['/a/../b', '/x'],
    ['/a\\b', '/y'],
    ['/ok.js', '/z'],
  ]);
  expect(lookup(table, '/a/../b')).toBeNull();
  expect(lookup(table, '/a%5cb')).toBeNull();
  expect(lookup(table, '/ok.js')).toBe('/z');
  expect(lookup(table, '/ok%2ejs')).toBeNull();
});

test('other methods get 405 and other host names 403 (DNS rebinding)', async () => {
  expect((await raw('/index.html', { method: 'PUT' })).status).toBe(405);
  const rebound = await raw('/', { host: 'evil.example:80' });
  expect(rebound.status).toBe(403);
  expect(JSON.parse(rebound.body).error).toMatch(/must be addressed to localhost/);
  expect((await raw('/', { host: 'localhost:1234' })).status).toBe(200);
});

test('an upload past the limit gets 413 with the flag to change it; a bad upload gets the CLI message', async () => {
  const big = await raw('/api/enhance?model=wiener', { method: 'POST', body: new Uint8Array(5000) });
  expect(big.status).toBe(413);
  expect(JSON.parse(big.body).error).toBe(
    'the upload is 0.0 MiB; this server accepts at most 0.0 MiB (start it with --max-upload-mb to change that).',
  );
  const bad = await raw('/api/enhance?model=wiener&name=x.wav', {
    method: 'POST',
    body: new TextEncoder().encode('hello'),
  });
  expect(bad.status).toBe(400);
  expect(JSON.parse(bad.body).error).toMatch(/^x\.wav: not a WAV file/);
  const model = await raw('/api/enhance?model=other', { method: 'POST', body: new Uint8Array(10) });
  expect(JSON.parse(model.body).error).toBe('model must be "default" or "wiener", got "other".');
});

test('server-side enhancement (when asked) returns a WAV of the same length', async () => {
  const x = new Float32Array(400).map((_, i) => 0.1 * Math.sin(i / 3));
  const big = await startAppServer({ appDir, maxUploadBytes: 1 << 20 });
  try {
    const res = await fetch(`${big.url}api/enhance?model=wiener`, {
      method: 'POST',
      body: encodeWav({ sampleRate: 16000, channels: [x] }) as Uint8Array<ArrayBuffer>,
    });
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.byteLength).toBe(44 + 800);
    // attenLim=0 mixes all of the input back (a limit replaces the model's own); a bad value is the CLI's message.
    const post = (query: string) =>
      fetch(`${big.url}api/enhance?model=wiener&${query}`, {
        method: 'POST',
        body: encodeWav({ sampleRate: 16000, channels: [x] }) as Uint8Array<ArrayBuffer>,
      });
    const kept = decodeWav(new Uint8Array(await (await post('attenLim=0')).arrayBuffer())).channels[0];
    expect(Math.max(...kept.map((v, i) => Math.abs(v - x[i])))).toBeLessThan(1 / 16384);
    expect((await post('attenLim=none')).status).toBe(200);
    const bad = await post('attenLim=abc');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/attenLim must be a number of dB from 0 to 100/);
  } finally {
    await big.close();
  }
});

describe('gatewave-app command line', () => {
  const cli = path.resolve(__dirname, '../bin/gatewave-app.js');
  const built = fs.existsSync(path.resolve(__dirname, '../dist/cli.js'));
  const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 20000 });
  (built ? test : test.skip)('bad flags exit 2 with a message; --help exits 0', () => {
    const port = run(['--port', 'abc', '--no-open']);
    expect(port.status).toBe(2);
    expect(port.stderr).toContain('--port must be an integer from 0 to 65535, got "abc".');
    const mb = run(['--max-upload-mb', '-3', '--no-open']);
    expect(mb.status).toBe(2);
    expect(mb.stderr).toContain('--max-upload-mb must be a positive number');
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--max-upload-mb');
  });
  (built ? test : test.skip)(
    '--host other than loopback warns; it prints the URL; a missing model folder exits 2',
    async () => {
      const missing = run(['--no-open', '--enhancer', path.join(tmp, 'nope')]);
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain('the enhancer folder');
      const { spawn } = await import('child_process');
      const child = spawn(process.execPath, [cli, '--no-open', '--host', '0.0.0.0'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (out.includes('gatewave app:')) {
            clearInterval(t);
            resolve();
          }
        }, 50);
      });
      child.kill('SIGINT');
      const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
      expect(err).toContain('WARNING: listening on 0.0.0.0');
      expect(out).toMatch(/gatewave app: http:\/\/127\.0\.0\.1:\d+\//);
      expect(code).toBe(130);
    },
  );
});
