/**
 * A harness for bad-input corpora: each case gets a fresh folder made by its own generator (no user data is checked
 * in), runs a built CLI there, and is checked for its exact exit code, the key words of its message, and that no file
 * was added, removed or changed (hidden temporary files included).
 */
import { spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface CorpusCase {
  name: string;
  /** Writes the case's files into `dir` and returns the CLI arguments. */
  setup: (dir: string) => string[];
  code: number;
  /** Patterns the stderr must match. */
  words: RegExp[];
  /** Files the run may create or change (relative to the folder); every other file must stay exactly as it was. */
  outputs?: string[];
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(cli: string, args: string[], cwd: string, timeoutMs = 120000): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, GATEWAVE_BACKEND: 'wasm' } });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Every file under `dir` (hidden ones too) with a hash of its content. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d)) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      if (st.isDirectory()) {
        out.set(path.relative(dir, p) + '/', 'dir');
        walk(p);
      } else out.set(path.relative(dir, p), createHash('sha1').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

/** What changed between two snapshots, outside the allowed outputs: added, removed and changed paths. */
export function changes(before: Map<string, string>, after: Map<string, string>, outputs: string[] = []): string[] {
  const allowed = (p: string): boolean =>
    outputs.some((o) => p === o || p.startsWith(o.endsWith('/') ? o : `${o}/`) || p === `${o}/`);
  const diff: string[] = [];
  for (const [p, h] of after)
    if (!allowed(p) && before.get(p) !== h) diff.push(before.has(p) ? `changed ${p}` : `added ${p}`);
  for (const p of before.keys()) if (!allowed(p) && !after.has(p)) diff.push(`removed ${p}`);
  return diff;
}

/** Runs the cases (a few at a time) and returns, per case name, a promise of its run and the files it changed. */
export function startCorpus(
  cli: string,
  cases: CorpusCase[],
  lanes = 3,
): Map<string, Promise<{ run: RunResult; changed: string[] }>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-corpus-'));
  const results = new Map<string, Promise<{ run: RunResult; changed: string[] }>>();
  const chains: Promise<unknown>[] = Array.from({ length: lanes }, () => Promise.resolve());
  let pending = cases.length;
  cases.forEach((c, i) => {
    const lane = i % lanes;
    const p = chains[lane].then(async () => {
      const dir = path.join(root, `case-${i}`);
      fs.mkdirSync(dir);
      const args = c.setup(dir);
      const before = snapshot(dir);
      const run = await runCli(cli, args, dir);
      const changed = changes(before, snapshot(dir), c.outputs);
      if (--pending === 0) fs.rmSync(root, { recursive: true, force: true });
      return { run, changed };
    });
    chains[lane] = p.catch(() => undefined);
    results.set(c.name, p);
  });
  return results;
}

/**
 * One test per case, on the results of startCorpus (read when the tests run): its key words in stderr, its exact exit
 * code, no stack trace, and no file added, removed or changed but its declared outputs.
 */
export function testCorpusCases(
  cases: CorpusCase[],
  results: () => Map<string, Promise<{ run: RunResult; changed: string[] }>>,
): void {
  test.each(cases.map((c) => [c.name, c] as const))(
    '%s',
    async (_name, c) => {
      const { run, changed } = await results().get(c.name)!;
      for (const w of c.words) expect(run.stderr).toMatch(w);
      expect(run.code).toBe(c.code);
      expect(run.stderr).not.toMatch(/\n\s+at .*\.js:\d+/); // no stack trace
      expect(changed).toEqual([]);
    },
    180000,
  );
}
