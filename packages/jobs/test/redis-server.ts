/**
 * Starts Debian's redis-server for a test: loopback only, a free port, a temporary directory, persistence off.
 * Without redis-server the queue tests skip with the reason, except in CI (CI=true), where they fail.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { ChildProcess, spawn, spawnSync } from 'child_process';

export const REDIS_BIN = process.env.GATEWAVE_REDIS_SERVER ?? 'redis-server';

/** Null when redis-server can run here; otherwise why not. */
export function redisMissing(): string | null {
  const r = spawnSync(REDIS_BIN, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `${REDIS_BIN} is not installed (apt-get install -y redis-server)`;
  return null;
}

/** describe, or describe.skip with the reason printed; in CI a missing redis-server is a failure. */
export function describeWithRedis(name: string, fn: () => void): void {
  const missing = redisMissing();
  if (missing && process.env.CI === 'true') {
    describe(name, () => {
      test('redis-server is available in CI', () => {
        throw new Error(`${missing}; .ci/run installs it.`);
      });
    });
  } else if (missing) {
    console.warn(`SKIPPED ${name}: ${missing}`);
    describe.skip(name, fn);
  } else describe(name, fn);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > end) reject(new Error(`redis-server did not listen on 127.0.0.1:${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export class TestRedis {
  readonly dir: string;
  port = 0;
  private proc?: ChildProcess;

  constructor(private readonly extraArgs: string[] = []) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-redis-'));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'yes',
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
      ...this.extraArgs,
    ];
    const proc = spawn(REDIS_BIN, args, { stdio: 'ignore' });
    this.proc = proc;
    await waitForPort(this.port, 10000);
  }

  /** Saves the dataset to the temporary directory and stops (as a service restart would); start() loads it again. */
  async stopSaving(): Promise<void> {
    await this.command(['SHUTDOWN', 'SAVE']);
  }

  async stop(): Promise<void> {
    await this.command(['SHUTDOWN', 'NOSAVE']);
  }

  private async command(args: string[]): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    const cli = spawnSync('redis-cli', [
      '-h',
      '127.0.0.1',
      '-p',
      String(this.port),
      ...(this.extraArgs.includes('--requirepass')
        ? ['-a', this.extraArgs[this.extraArgs.indexOf('--requirepass') + 1], '--no-auth-warning']
        : []),
      ...args,
    ]);
    if (cli.error) proc.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
    if (proc.exitCode === null) {
      proc.kill('SIGKILL');
      await exited;
    }
    this.proc = undefined;
  }

  /** How many keys database `db` holds (redis-cli DBSIZE). */
  dbsize(db: number): number {
    const r = spawnSync('redis-cli', ['-p', String(this.port), '-n', String(db), 'dbsize'], { encoding: 'utf8' });
    return Number(r.stdout.trim());
  }

  /** The keys of database `db` (redis-cli --scan). */
  keys(db: number): Set<string> {
    const r = spawnSync('redis-cli', ['-p', String(this.port), '-n', String(db), '--scan'], { encoding: 'utf8' });
    return new Set(r.stdout.split('\n').filter((k) => k !== ''));
  }

  /**
   * The keys of database `db` that are not in `before`: what a run added. (Comparing key counts instead is racy: the
   * queue's own keys, such as job locks, expire or are cleaned up while a test runs.) A live worker's housekeeping
   * key, `<queue>:stalled-check`, is left out: BullMQ sets it with an expiry every stalled-job interval, so it comes
   * and goes whatever a test does (it once made "enqueues nothing" fail in CI).
   */
  keysAdded(db: number, before: Set<string>): string[] {
    return [...this.keys(db)].filter((k) => !before.has(k) && !k.endsWith(':stalled-check'));
  }

  async destroy(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
