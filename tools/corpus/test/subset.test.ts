/* eslint-disable @typescript-eslint/no-require-imports */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readWav, writeWav } from '../../../packages/audio/src/io/wav';
const { subsetCorpus } = require('../subset');

const RATE = 16000;
let tmp: string;

/** A clip: a seeded tone burst pattern, so that different seeds are different "recordings". */
function clip(seed: number): Float32Array {
  return Float32Array.from(
    { length: RATE * 2 },
    (_, i) => 0.3 * Math.sin((i * (200 + 50 * seed)) / RATE) * Math.sin(i / (300 + seed * 40)),
  );
}

/** A corpus as data:events lays it out: manifest.csv, <split>/labels.csv and clips, ambience/test, interferers. */
function makeCorpus(): string {
  const corpus = path.join(tmp, 'corpus');
  const rows = ['file,label,split,package,licence,source,seconds'];
  const labels: Record<string, string[]> = {};
  const add = (split: string, name: string, label: string, pkg: string, seed: number) => {
    fs.mkdirSync(path.join(corpus, split), { recursive: true });
    writeWav(path.join(corpus, split, name), { sampleRate: RATE, channels: [clip(seed)] });
    rows.push(`${split}/${name},${label},${split},${pkg},GPL-2,${pkg}: x.ogg,2.000`);
    (labels[split] ??= ['file,label,active_onset_s,active_offset_s,licence,source']).push(
      `${name},${label},0,2.000,GPL-2,${pkg}: x.ogg`,
    );
  };
  add('train', 'dog_old_a.wav', 'dog_bark', 'old-data', 1);
  add('train', 'dog_new_a.wav', 'dog_bark', 'new-data', 2);
  add('train', 'door_new_b.wav', 'door', 'new-data', 3);
  add('train', 'door_other_c.wav', 'door', 'other-data', 3); // the same recording as door_new_b
  add('test', 'dog_test.wav', 'dog_bark', 'test-data', 4);
  fs.mkdirSync(path.join(corpus, 'ambience', 'test'), { recursive: true });
  writeWav(path.join(corpus, 'ambience', 'test', 'amb.wav'), { sampleRate: RATE, channels: [clip(9)] });
  rows.push('ambience/test/amb.wav,ambience,test,amb-data,CC0,amb-data: a.ogg,2.000');
  // interferers: one of a taken package (not an event clip: never taken), and the test ones (copied)
  for (const split of ['train', 'test']) {
    fs.mkdirSync(path.join(corpus, 'interferers', split), { recursive: true });
    writeWav(path.join(corpus, 'interferers', split, `bird_${split}.wav`), { sampleRate: RATE, channels: [clip(11)] });
    rows.push(`interferers/${split}/bird_${split}.wav,interferer,${split},new-data,CC0,new-data: b.ogg,2.000`);
  }
  fs.writeFileSync(path.join(corpus, 'manifest.csv'), `${rows.join('\n')}\n`);
  for (const [split, l] of Object.entries(labels))
    fs.writeFileSync(path.join(corpus, split, 'labels.csv'), `${l.join('\n')}\n`);
  return corpus;
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gatewave-subset-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('a test set from some packages of a corpus split (tools/corpus/subset.js)', () => {
  test('takes the clips of the packages with their labels, the test ambience and interferers; names the nearest other clip', () => {
    const corpus = makeCorpus();
    const out = path.join(tmp, 'second');
    const report = subsetCorpus({ corpus, split: 'train', packages: ['new-data'], out, readWav });
    expect(fs.readdirSync(path.join(out, 'test')).sort()).toEqual(['dog_new_a.wav', 'door_new_b.wav', 'labels.csv']);
    const labels = fs
      .readFileSync(path.join(out, 'test', 'labels.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(labels).toEqual([
      'file,label,active_onset_s,active_offset_s,licence,source',
      'dog_new_a.wav,dog_bark,0,2.000,GPL-2,new-data: x.ogg',
      'door_new_b.wav,door,0,2.000,GPL-2,new-data: x.ogg',
    ]);
    expect(fs.readdirSync(path.join(out, 'ambience', 'test'))).toEqual(['amb.wav']);
    expect(fs.readdirSync(path.join(out, 'interferers', 'test'))).toEqual(['bird_test.wav']);
    const door = report.find((c: { label: string }) => c.label === 'door');
    expect(door.nearest.file).toBe('train/door_other_c.wav');
    expect(door.nearest.similarity).toBeGreaterThan(0.99); // a repeat of a recording left in the corpus shows
    const dog = report.find((c: { label: string }) => c.label === 'dog_bark');
    expect(['train/dog_old_a.wav', 'test/dog_test.wav']).toContain(dog.nearest.file);
    expect(dog.nearest.similarity).toBeLessThan(0.9);
  });

  test('errors: an existing --out, a package with no clips in the split; nothing is written', () => {
    const corpus = path.join(tmp, 'corpus');
    const out = path.join(tmp, 'second');
    expect(() => subsetCorpus({ corpus, split: 'train', packages: ['new-data'], out, readWav })).toThrow(
      /--out .*second exists; choose a new folder/,
    );
    const fresh = path.join(tmp, 'third');
    expect(() =>
      subsetCorpus({ corpus, split: 'train', packages: ['new-data', 'test-data'], out: fresh, readWav }),
    ).toThrow(/no train clips of test-data in .*manifest\.csv/);
    expect(fs.existsSync(fresh)).toBe(false);
  });
});
