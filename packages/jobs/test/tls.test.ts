/**
 * `rediss://` for real: Debian's redis-server with a TLS port and a self-signed certificate made here by openssl
 * (for localhost and 127.0.0.1), a password, and a worker process that trusts the certificate through
 * NODE_EXTRA_CA_CERTS. A batch runs over TLS end to end; a client that does not trust the certificate gets a clear
 * error (TLS_UNTRUSTED) that names neither the password nor the URL with it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { checkConnection, parseQueueUrl, QueueConnection } from '../src/connection';
import { openQueue, submitBatch, waitForBatch } from '../src/batch';
import { describeWithRedis, freePort, REDIS_BIN, TestRedis } from './redis-server';

const WORKER = path.join(__dirname, 'fixtures', 'copy-worker.js');
const built = fs.existsSync(path.join(__dirname, '..', 'dist', 'index.js'));
const PASSWORD = 'tls/s3cret:pw';

/** Null when redis-server has TLS and openssl is here; otherwise why not (the tests are then skipped, or fail in CI). */
function tlsMissing(): string | null {
  if (spawnSync('openssl', ['version']).status !== 0) return 'openssl is not installed';
  const r = spawnSync(REDIS_BIN, ['--port', '0', '--tls-port', '1', '--save', ''], { encoding: 'utf8', timeout: 5000 });
  const said = `${r.stdout}${r.stderr}`;
  if (/Bad directive/i.test(said)) return `${REDIS_BIN} was built without TLS (it does not know --tls-port)`;
  return null;
}

const missing = built ? tlsMissing() : 'packages/jobs/dist is missing; run npm run build';
if (missing && process.env.CI !== 'true') console.warn(`SKIPPED rediss:// tests: ${missing}`);

/** A key and a self-signed certificate for localhost and 127.0.0.1, valid for a day. */
function selfSigned(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
    ].concat(['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']),
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  return { cert, key };
}

(missing && process.env.CI !== 'true' ? describe.skip : describeWithRedis)(
  'rediss:// against redis-server with TLS',
  () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-tls-'));
    const { cert, key } = selfSigned(dir);
    let tlsPort = 0;
    let redis: TestRedis;
    let url: string;
    const workers: ChildProcess[] = [];

    beforeAll(async () => {
      tlsPort = await freePort();
      redis = new TestRedis([
        '--tls-port',
        String(tlsPort),
        '--tls-cert-file',
        cert,
        '--tls-key-file',
        key,
        '--tls-ca-cert-file',
        cert,
        '--tls-auth-clients',
        'no',
        '--requirepass',
        PASSWORD,
      ]);
      await redis.start();
      url = `rediss://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${tlsPort}/1`;
    });
    afterAll(async () => {
      for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
      await redis.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('a batch runs over TLS: a worker trusting the certificate (NODE_EXTRA_CA_CERTS) does every item', async () => {
      const parsed = parseQueueUrl(url);
      // This process trusts the certificate by option; the worker process by the environment variable users set.
      const conn: QueueConnection = {
        ...parsed,
        options: { ...parsed.options, tls: { ...(parsed.options.tls as object), ca: fs.readFileSync(cert) } },
      };
      expect(await checkConnection(conn)).toEqual({ redisVersion: expect.stringMatching(/^\d+\./) });
      const w = spawn(process.execPath, [WORKER, url, 'tls-copy', '1000', '500'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NODE_EXTRA_CA_CERTS: cert },
      });
      workers.push(w);
      const log: string[] = [];
      w.stdout!.on('data', (d) => log.push(String(d)));
      w.stderr!.on('data', (d) => log.push(String(d)));
      fs.mkdirSync(path.join(dir, 'out'));
      const items = [0, 1, 2].map((i) => {
        fs.writeFileSync(path.join(dir, `in${i}.txt`), `item ${i}\n`);
        return { input: path.join(dir, `in${i}.txt`), output: path.join(dir, 'out', `out${i}.txt`) };
      });
      const settings = { delayMs: 0, journal: path.join(dir, 'journal'), merged: path.join(dir, 'merged.txt') };
      const { batchId } = await submitBatch(conn, { queue: 'tls-copy', kind: 'copy', items, settings, attempts: 1 });
      const h = openQueue(conn, 'tls-copy');
      try {
        const s = await waitForBatch(h, batchId, { intervalMs: 100 });
        expect(s).toMatchObject({ state: 'done', total: 3, done: 3, failed: 0 });
      } finally {
        await h.close();
      }
      expect(fs.readFileSync(settings.merged, 'utf8')).toBe('item 0\nitem 1\nitem 2\n');
      expect(log.join('')).toContain('ready');
      expect(log.join('')).not.toContain(PASSWORD);
    });

    test('without trusting the certificate: TLS_UNTRUSTED with what to do, and no password in the message', async () => {
      const err = await checkConnection(parseQueueUrl(url)).catch((e: Error & { code?: string }) => e);
      expect(err).toMatchObject({ code: 'TLS_UNTRUSTED' });
      expect((err as Error).message).toMatch(
        new RegExp(
          `^the TLS certificate of Redis at rediss://127.0.0.1:${tlsPort}/1 is not trusted here \\(self[- ]signed certificate\\); give its CA certificate \\(PEM\\) with the environment variable NODE_EXTRA_CA_CERTS`,
        ),
      );
      expect((err as Error).message).not.toContain(PASSWORD);
      expect((err as Error).message).not.toContain(encodeURIComponent(PASSWORD));
    });

    test('rediss:// to a port that speaks plain Redis fails as unreachable, not silently in clear text', async () => {
      const plain = `rediss://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${redis.port}/1`;
      const err = await checkConnection(parseQueueUrl(plain), 3000).catch((e: Error & { code?: string }) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as { code?: string }).code).toMatch(/^(UNREACHABLE|TLS_UNTRUSTED)$/);
      expect((err as Error).message).not.toContain(PASSWORD);
    });
  },
);
