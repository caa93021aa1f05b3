/**
 * What the example tests share: each runs a copyable example script on the BUILT packages, as a user would after
 * `npm ci`, with small settings, into a temporary output folder that is removed afterwards. Without the built package
 * or the shared data it needs, the test is skipped and says why.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
/** ../shared/data beside the repository. */
export const SHARED_DATA = path.resolve(ROOT, '../shared/data');

export interface ExampleRun {
  /** The example script, in examples/. */
  script: string;
  /** A file of the built package it loads, relative to the repository root (packages/<name>/dist/...). */
  dist: string;
  /** Files or folders of ../shared/data it reads, relative to it. */
  data?: string[];
  /** Its arguments; `--out <a fresh temporary folder>` is added. */
  args: string[];
  /** GATEWAVE_BACKEND; '' (the default) lets gatewave choose, and then it must say on stderr what it chose. */
  backend?: string;
}

/** Why the example cannot run here (and the skip message is printed), or null. */
function missing({ script, dist, data = [] }: ExampleRun): string | null {
  if (!fs.existsSync(path.join(ROOT, dist))) {
    const pkg = dist.split('/').slice(0, 2).join('/');
    return `${pkg}/dist is missing; run npx tsc -b packages/core ${pkg}`;
  }
  const absent = data.find((d) => !fs.existsSync(path.join(SHARED_DATA, d)));
  return absent === undefined ? null : `${path.join(SHARED_DATA, absent)} is missing (needed by ${script})`;
}

/**
 * A test of examples/<script>: runs it, checks that it exited 0 (and named its backend, when it chose one), then hands
 * its output and its output folder to `check`.
 */
export function testExample(
  example: ExampleRun,
  title: string,
  check: (r: SpawnSyncReturns<string>, out: string) => void,
): void {
  const why = missing(example);
  if (why) console.warn(`SKIPPED examples/${example.script} test: ${why}`);
  (why ? test.skip : test)(title, () => {
    const { script, args, backend = '' } = example;
    const out = fs.mkdtempSync(path.join(os.tmpdir(), `gatewave-example-${path.basename(script, '.js')}-`));
    try {
      const r = spawnSync(process.execPath, [path.join(ROOT, 'examples', script), ...args, '--out', out], {
        env: { ...process.env, GATEWAVE_BACKEND: backend },
        encoding: 'utf8',
      });
      if (backend === '') expect(r.stderr).toMatch(/gatewave: backend \w+/);
      expect(r.status).toBe(0);
      check(r, out);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
}
