import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initBackend } from '@gatewave/core';
import { loadDetector, writeWav } from '@gatewave/audio';

const TOOL = path.resolve(__dirname, '../set-detector-input-level.js');
const FOA = path.resolve(__dirname, '../../../packages/audio/models/detector-foa-corpus');
const run = (args: string[]) => spawnSync(process.execPath, [TOOL, ...args], { encoding: 'utf8' });

describe('tools/models/set-detector-input-level.js', () => {
  let dir: string;
  let scenes: string;
  beforeAll(async () => {
    await initBackend('cpu', { quiet: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-det-level-'));
    for (const f of ['model.json', 'weights.bin']) fs.copyFileSync(path.join(FOA, f), path.join(dir, f));
    // three 4-channel "scenes" whose RMS over all channels is -40, -30 and -20 dBFS: the median is -30
    scenes = path.join(dir, 'scenes');
    fs.mkdirSync(scenes);
    [-40, -30, -20].forEach((db, k) => {
      const a = 10 ** (db / 20);
      const channels = Array.from({ length: 4 }, () => Float32Array.from({ length: 2400 }, (_, i) => (i % 2 ? a : -a)));
      writeWav(path.join(scenes, `s${k}.wav`), { sampleRate: 24000, channels }, { format: 'float32' });
      fs.writeFileSync(
        path.join(scenes, `s${k}.csv`),
        'sound_event_recording,start_time,end_time,ele,azi,dist\ndog_bark,0.0,0.05,0,30,2\n',
      );
    });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('--from-scenes writes their median level, which the loaded detector carries; --none removes it', async () => {
    const weights = fs.readFileSync(path.join(dir, 'weights.bin'));
    const r = run(['--model', dir, '--from-scenes', scenes]);
    expect(r.status).toBe(0);
    const level = (await loadDetector(dir)).config.inputLevel!;
    expect(level.db).toBe(-30);
    expect(level.chosenOn).toBe(`the median RMS over all channels of the 3 scenes in ${scenes}`);
    expect(run(['--model', dir, '--db', '-25', '--chosen-on', 'a test']).status).toBe(0);
    expect((await loadDetector(dir)).config.inputLevel).toEqual({ db: -25, chosenOn: 'a test' });
    expect(run(['--model', dir, '--none']).status).toBe(0);
    expect((await loadDetector(dir)).config.inputLevel).toBeUndefined();
    expect(fs.readFileSync(path.join(dir, 'weights.bin')).equals(weights)).toBe(true);
  });

  test('bad input exits 2 with a message and leaves model.json as it was', () => {
    const before = fs.readFileSync(path.join(dir, 'model.json'), 'utf8');
    const loud = run(['--model', dir, '--db', '6', '--chosen-on', 'x']);
    expect(loud.status).toBe(2);
    expect(loud.stderr).toMatch(/--db must be a number of dBFS from -80 to 0, got 6/);
    expect(run(['--model', dir, '--db', '-30']).stderr).toMatch(/--chosen-on TEXT is required/);
    expect(run(['--model', dir, '--from-scenes', path.join(dir, 'none')]).stderr).toMatch(/none: no such folder/);
    expect(run(['--model', dir, '--from-scenes', dir]).stderr).toMatch(/has no NAME\.wav \+ NAME\.csv scene pairs/);
    const enhancer = path.resolve(__dirname, '../../../packages/audio/models/enhancer-small');
    expect(run(['--model', enhancer, '--none']).stderr).toMatch(/is not a sound event detector/);
    expect(run([]).stderr).toMatch(/--model DIR is required/);
    expect(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')).toBe(before);
  });
});
