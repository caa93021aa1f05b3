import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './test-setup';

const BATCH_GC = JSON.stringify(path.resolve(__dirname, '../batch-gc.js'));

/** A workload like a model's: a live heap of small objects and a stream of 4 MB typed arrays (external memory). */
const WORKLOAD = `const keep = [];
for (let i = 0; i < 3e5; i++) keep.push({ i, s: 'x' + i });
const live = [];
for (let i = 0; i < 400; i++) { live.push(new Float32Array(1 << 20)); if (live.length > 4) live.shift(); }
console.log(keep.length + live.length);`;

describe('@gatewave/core/batch-gc (imported first by the command lines)', () => {
  const tmp = tempDir('gatewave-batch-gc-');

  /**
   * Runs `script` as a main script in a child process with V8's incremental-marking trace; returns how many marking
   * cycles started and how many of their steps reported marking on V8's helper threads (a line V8 prints only when
   * concurrent marking is on; the parallel marking of the final pause is not counted there, so load cannot blur it).
   */
  function marking(name: string, script: string, env: Record<string, string> = {}) {
    const file = path.join(tmp, `${name}.js`);
    fs.writeFileSync(file, script);
    const r = spawnSync(process.execPath, ['--trace-incremental-marking', file], {
      encoding: 'utf8',
      env: { ...process.env, GATEWAVE_CONCURRENT_GC: '', ...env },
    });
    expect(r.status).toBe(0);
    const count = (re: RegExp) => (r.stdout.match(re) ?? []).length;
    return {
      cycles: count(/\[IncrementalMarking\] Start marking/g),
      background: count(/Marked \d+KB on background threads/g),
    };
  }

  test("imported as a command line starts: V8's helper threads do no marking between collections", () => {
    const first = `require(${BATCH_GC});\n${WORKLOAD}`;
    const on = marking('kept', first, { GATEWAVE_CONCURRENT_GC: '1' });
    const off = marking('first', first);
    // The workload does start marking cycles, and with V8's default they mark on helper threads.
    expect(on.cycles).toBeGreaterThan(0);
    expect(on.background).toBeGreaterThan(0);
    // With it, the main thread marks.
    expect(off.cycles).toBeGreaterThan(0);
    expect(off.background).toBe(0);
  });

  test('imported after the main script has loaded (a test runner): V8 is left as it is', () => {
    const late = marking('late', `setTimeout(() => {\nrequire(${BATCH_GC});\n${WORKLOAD}\n}, 0);`);
    expect(late.cycles).toBeGreaterThan(0);
    expect(late.background).toBeGreaterThan(0);
  });
});
