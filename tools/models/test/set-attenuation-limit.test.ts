import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '@gatewave/core';
import { attenuationLimitOf, loadEnhancer } from '@gatewave/audio';

const TOOL = path.resolve(__dirname, '../set-attenuation-limit.js');
const SMALL = path.resolve(__dirname, '../../../packages/audio/models/enhancer-small');
const run = (args: string[]) => spawnSync(process.execPath, [TOOL, ...args], { encoding: 'utf8' });

describe('tools/models/set-attenuation-limit.js', () => {
  let dir: string;
  beforeAll(async () => {
    await initBackend('cpu', { quiet: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-atten-'));
    for (const f of ['model.json', 'weights.bin']) fs.copyFileSync(path.join(SMALL, f), path.join(dir, f));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('writes the limit that loadEnhancer then applies, and --none removes it; the weights are untouched', async () => {
    const weights = fs.readFileSync(path.join(dir, 'weights.bin'));
    expect(run(['--model', dir, '--db', '12', '--chosen-on', 'a test']).status).toBe(0);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')).metadata;
    expect(meta.attenuationLimit).toEqual({ db: 12, chosenOn: 'a test' });
    expect(attenuationLimitOf(await loadEnhancer(dir))).toBe(12);
    expect(run(['--model', dir, '--none']).status).toBe(0);
    expect(attenuationLimitOf(await loadEnhancer(dir))).toBeNull();
    expect(fs.readFileSync(path.join(dir, 'weights.bin')).equals(weights)).toBe(true);
  });

  test('bad input exits 2 with a message and leaves model.json as it was', () => {
    const before = fs.readFileSync(path.join(dir, 'model.json'), 'utf8');
    const high = run(['--model', dir, '--db', '140', '--chosen-on', 'x']);
    expect(high.status).toBe(2);
    expect(high.stderr).toMatch(/--db must be a number of dB from 0 to 100.*got 140/);
    expect(run(['--model', dir, '--db', '9']).stderr).toMatch(/--chosen-on TEXT is required/);
    expect(run(['--model', path.join(dir, 'nope'), '--none']).stderr).toMatch(/nope.*model\.json: no such file/);
    expect(run([]).stderr).toMatch(/--model DIR is required/);
    expect(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')).toBe(before);
  });
});
