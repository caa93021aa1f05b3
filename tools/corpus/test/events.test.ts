/* eslint-disable @typescript-eslint/no-require-imports */
import * as path from 'path';
import { execFileSync } from 'child_process';

const { activeRegion, keepClasses, parseLine } = require('../events');
const { RULES, AMBIENCE, RESERVED, SHARED_CLASSES } = require('../events-sources');

describe('event corpus', () => {
  test('activeRegion: 20 ms frames within floorDb of the loudest one', () => {
    // 1 kHz rate, 20-sample frames: silence, a -40 dB frame, two loud frames, a -60 dB frame, silence
    const x = new Float32Array(120);
    for (let i = 20; i < 40; i++) x[i] = 0.01;
    for (let i = 40; i < 80; i++) x[i] = 1;
    for (let i = 80; i < 100; i++) x[i] = 0.001;
    expect(activeRegion(x, 1000, 45)).toMatchObject({ first: 20, last: 80 });
    expect(activeRegion(x, 1000, 30)).toMatchObject({ first: 40, last: 80 });
    expect(activeRegion(x, 1000, 70)).toMatchObject({ first: 20, last: 100 });
  });

  test('keepClasses: at least 4 recordings and one in every split', () => {
    const it = (label: string, split: string) => ({ label, split });
    const items = [
      ...['train', 'train', 'validation', 'test'].map((s) => it('dog', s)),
      ...['train', 'train', 'train', 'validation'].map((s) => it('cat', s)),
      ...['train', 'validation', 'test'].map((s) => it('cow', s)),
    ];
    expect(keepClasses(items, () => {}).map((x: { label: string }) => x.label)).toEqual(['dog', 'dog', 'dog', 'dog']);
  });

  test('the sources never use a reserved package, and split every class three ways', () => {
    for (const r of [...RULES, ...AMBIENCE]) expect(RESERVED.some((re: RegExp) => re.test(r.pkg))).toBe(false);
    for (const r of RULES) expect(['train', 'validation', 'test']).toContain(r.split);
    const classes = new Set(RULES.map((r: { label: string }) => r.label));
    for (const c of classes) {
      const splits = new Set(
        RULES.filter((r: { label: string }) => r.label === c).map((r: { split: string }) => r.split),
      );
      if (!SHARED_CLASSES.includes(c)) expect(splits.has('train')).toBe(true);
      expect(splits.has('validation') && splits.has('test')).toBe(true);
    }
    expect(parseLine('a.wav,dog,"x, y",3')).toEqual(['a.wav', 'dog', 'x, y', '3']);
  });

  test('--help prints the usage and exits 0; bad options exit 2', () => {
    const script = path.resolve(__dirname, '../events.js');
    expect(execFileSync(process.execPath, [script, '--help']).toString()).toMatch(
      /^Usage: npm run data:events -- --out DIR/,
    );
    let status = 0;
    try {
      execFileSync(process.execPath, [script, '--jobs', '0'], { stdio: 'pipe' });
    } catch (e) {
      status = (e as { status: number }).status;
    }
    expect(status).toBe(2);
  });
});
