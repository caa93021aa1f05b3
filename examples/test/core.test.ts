import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Runs the copyable example against the built packages (as a user would after `npm ci`), on small settings.
test('examples/core.js trains, beats the naive forecast, saves and reloads', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-example-core-'));
  const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'core.js')], {
    env: { ...process.env, EPOCHS: '2', STRIDE: '6', OUT: path.join(out, 'model'), GATEWAVE_BACKEND: '' },
    encoding: 'utf8',
  });
  expect(r.stderr).toMatch(/gatewave: backend \w+/);
  expect(r.status).toBe(0);
  const m = /PGN\+FSMN ([\d.]+)\s+naive ([\d.]+)/.exec(r.stdout);
  expect(m).not.toBeNull();
  expect(Number(m![1])).toBeLessThan(Number(m![2]));
  expect(r.stdout).toMatch(/reloaded model gives the same predictions/);
  expect(fs.readdirSync(path.join(out, 'model')).sort()).toEqual(['model.json', 'weights.bin']);
  fs.rmSync(out, { recursive: true, force: true });
});
