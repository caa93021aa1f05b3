import * as fs from 'fs';
import * as path from 'path';
import { SHARED_DATA, testExample } from './run-example';

const scenes = ['--train-count', '2', '--test-count', '1', '--seconds', '4'];
const tinyModel = ['--epochs', '2', '--conv-channels', '4,4,4', '--gru-units', '8'];
testExample(
  {
    script: 'detect.js',
    dist: 'packages/audio/dist/sed/index.js',
    data: ['events/labels.csv'],
    args: ['--train', ...scenes, ...tinyModel, '--events', path.join(SHARED_DATA, 'events')],
    backend: 'cpu',
  },
  'examples/detect.js trains, detects scenes from the last 30 % of the clips, writes events and scores them',
  (r, out) => {
    expect(r.stderr).not.toMatch(/detect example:/);
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
  },
);

// The demo's step: the shipped detector (no --train) on scenes of the shared clips of the classes it knows.
testExample(
  {
    script: 'detect.js',
    dist: 'packages/audio/dist/sed/index.js',
    data: ['events/labels.csv'],
    args: ['--test-count', '1', '--seconds', '6', '--events', path.join(SHARED_DATA, 'events')],
  },
  'examples/detect.js with the shipped detector leaves out the clips of classes it does not know, and scores the rest',
  (r, out) => {
    expect(r.stderr).not.toMatch(/detect example:/);
    expect(r.stdout).toMatch(/not in the detector's classes, left out of the test scenes: .*\bgong\b/);
    expect(r.stdout).toMatch(/^SELD score\s+[\d.]+\s+0\.2113$/m);
    const classes = fs
      .readFileSync(path.join(out, 'reference.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[3]);
    expect(classes.length).toBeGreaterThan(0);
    expect(classes).not.toContain('gong');
  },
);
