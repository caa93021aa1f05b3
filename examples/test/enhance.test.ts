import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Runs the copyable example on the BUILT packages, as a user would, with small settings (1 file, a tiny model).
const example = path.join(__dirname, '..', 'enhance.js');
const built = fs.existsSync(path.resolve(__dirname, '../../packages/audio/dist/enhance/train.js'));
const data = path.resolve(__dirname, '../../../shared/data');
const haveData =
  fs.existsSync(path.join(data, 'speech/train/it')) && fs.existsSync(path.join(data, 'noise/env_rain_01_16k.wav'));
if (!built)
  console.warn(
    'SKIPPED examples/enhance.js test: packages/audio/dist is missing; run npx tsc -b packages/core packages/audio',
  );
if (!haveData) console.warn(`SKIPPED examples/enhance.js test: ${data} is missing`);

(built && haveData ? test : test.skip)(
  'examples/enhance.js mixes held-out speech and noise, enhances, scores, writes WAVs',
  () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-example-enhance-'));
    try {
      const r = spawnSync(
        process.execPath,
        [example, '--count', '1', '--train', '--steps', '2', '--epochs', '1', '--out', out],
        {
          encoding: 'utf8',
          env: { ...process.env, GATEWAVE_BACKEND: '' },
        },
      );
      expect(r.stderr).toMatch(/gatewave: backend \w+/);
      expect(r.status).toBe(0);
      // wiener must beat the noisy input at 0 dB on SI-SDR
      const noisy = /^\s+0\s+noisy\s+(-?[\d.]+)/m.exec(r.stdout);
      const wiener = /^\s+0\s+wiener\s+(-?[\d.]+)/m.exec(r.stdout);
      expect(noisy && wiener).toBeTruthy();
      expect(Number(wiener![1])).toBeGreaterThan(Number(noisy![1]));
      expect(r.stdout).toMatch(/^\s+10\s+frcrn-example\s+/m);
      const wavs = fs.readdirSync(out).filter((f) => f.endsWith('.wav'));
      expect(wavs).toHaveLength(9); // 3 SNRs x (noisy, wiener, model)
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  },
);
