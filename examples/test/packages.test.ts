import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

// What a user of the published packages gets after `npm ci`: built JavaScript with type declarations, importable
// from plain Node with require and with import.
const root = path.resolve(__dirname, '..', '..');

/** Runs `node <flags> -e <code>` from the repository root, as a user's script would resolve the packages. */
const nodeEval = (code: string, flags: string[] = []) =>
  spawnSync(process.execPath, [...flags, '-e', code], { cwd: root, encoding: 'utf8' });

describe.each(['core', 'forecast', 'audio'])('@gatewave/%s', (name) => {
  const pkgDir = path.join(root, 'packages', name);
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));

  test('points main and types at built files that exist', () => {
    expect(fs.existsSync(path.join(pkgDir, pkg.main))).toBe(true);
    expect(fs.existsSync(path.join(pkgDir, pkg.types))).toBe(true);
  });

  test('loads with require and with import from plain Node', () => {
    const cjs = nodeEval(`console.log(Object.keys(require('@gatewave/${name}')).length)`);
    expect(cjs.stderr).toBe('');
    expect(Number(cjs.stdout.trim())).toBeGreaterThan(3);
    const esm = nodeEval(`import * as m from '@gatewave/${name}'; console.log(Object.keys(m).length)`, [
      '--input-type=module',
    ]);
    expect(esm.status).toBe(0);
    expect(Number(esm.stdout.trim())).toBeGreaterThan(3);
  });
});

test('@gatewave/core exposes its documented API', () => {
  const r = nodeEval(
    "const c = require('@gatewave/core'); console.log(['PGN','FSMN','ComplexFSMN','buildCRNN','initBackend','saveModel','loadModel','setSeed','tf'].filter((k) => !c[k]).join(','))",
  );
  expect(r.stdout.trim()).toBe('');
});

test('@gatewave/core can make tensors before initBackend (tfjs then starts on cpu, not on the async wasm backend)', () => {
  const r = nodeEval(
    "const { tf } = require('@gatewave/core'); console.log(tf.tensor([1, 2]).sum().dataSync()[0], tf.getBackend())",
  );
  expect(r.stderr).toBe('');
  expect(r.stdout.trim()).toBe('3 cpu');
});
