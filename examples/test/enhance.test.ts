import * as fs from 'fs';
import { testExample } from './run-example';

testExample(
  {
    script: 'enhance.js',
    dist: 'packages/audio/dist/enhance/train.js',
    data: ['speech/train/it', 'noise/env_rain_01_16k.wav'],
    args: ['--count', '1', '--train', '--steps', '2', '--epochs', '1'],
  },
  'examples/enhance.js mixes held-out speech and noise, enhances, scores, writes WAVs',
  (r, out) => {
    // wiener must beat the noisy input at 0 dB on SI-SDR
    const noisy = /^\s+0\s+noisy\s+(-?[\d.]+)/m.exec(r.stdout);
    const wiener = /^\s+0\s+wiener\s+(-?[\d.]+)/m.exec(r.stdout);
    expect(noisy && wiener).toBeTruthy();
    expect(Number(wiener![1])).toBeGreaterThan(Number(noisy![1]));
    expect(r.stdout).toMatch(/^\s+10\s+frcrn-example\s+/m);
    const wavs = fs.readdirSync(out).filter((f) => f.endsWith('.wav'));
    expect(wavs).toHaveLength(9); // 3 SNRs x (noisy, wiener, model)
  },
);
