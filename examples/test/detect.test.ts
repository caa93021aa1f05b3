import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Runs the copyable example on the BUILT packages, as a user would, with small settings (a tiny model, 1 epoch).
const example = path.join(__dirname, '..', 'detect.js');
const built = fs.existsSync(path.resolve(__dirname, '../../packages/audio/dist/sed/index.js'));
const events = path.resolve(__dirname, '../../../shared/data/events');
const haveEvents = fs.existsSync(path.join(events, 'labels.csv'));
if (!built)
  console.warn(
    'SKIPPED examples/detect.js test: packages/audio/dist is missing; run npx tsc -b packages/core packages/audio',
  );
if (!haveEvents) console.warn(`SKIPPED examples/detect.js test: ${events} is missing`);

(built && haveEvents ? test : test.skip)(
  'examples/detect.js trains, detects scenes from the last 30 % of the clips, writes events and scores them',
  () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-example-detect-'));
    try {
      const r = spawnSync(
        process.execPath,
        [
          example,
          '--train',
          '--train-count',
          '2',
          '--test-count',
          '1',
          '--seconds',
          '4',
          '--epochs',
          '2',
          '--conv-channels',
          '4,4,4',
          '--gru-units',
          '8',
          '--events',
          events,
          '--out',
          out,
        ],
        { env: { ...process.env, GATEWAVE_BACKEND: 'cpu' }, encoding: 'utf8' },
      );
      expect(r.stderr).not.toMatch(/detect example:/);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(
        /2 synthesised scenes in the pool, 1 replaced after each epoch \(made in a worker thread\); 1 validation scenes/,
      );
      expect(r.stdout).toMatch(
        /1 scenes from the last 30 % of the training clips \(same recordings as training\), \d+ reference events/,
      );
      expect(r.stdout).toMatch(/^SELD score\s+[\d.]+\s+0\.2113$/m);
      expect(r.stdout).toMatch(/^RTF [\d.]+/m);
      const lines = fs.readFileSync(path.join(out, 'events.csv'), 'utf8').trim().split('\n');
      expect(lines[0]).toBe('file,onset,offset,class,azimuth,elevation');
      const ref = fs.readFileSync(path.join(out, 'reference.csv'), 'utf8').trim().split('\n');
      expect(ref.length).toBeGreaterThan(1);
      expect(ref[1]).toMatch(/^scene_0001\.wav,[\d.]+,[\d.]+,\w+,-?[\d.]+,-?[\d.]+$/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  },
);
