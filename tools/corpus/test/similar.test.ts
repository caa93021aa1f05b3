/* eslint-disable @typescript-eslint/no-require-imports */
const { fingerprint, similarity, crossSplitMatches } = require('../similar');
const { dropRepeatedRecordings } = require('../events');
const { readSoundCatalogue } = require('../sound-catalogue');

const RATE = 16000;

/** A made-up "recording": bursts of noisy harmonic calls at random times, pitches and lengths (seeded). */
function recording(seed: number, seconds: number): Float32Array {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const x = new Float32Array(Math.round(seconds * RATE));
  for (let call = 0; call < seconds * 3; call++) {
    const start = Math.floor(rand() * x.length);
    const len = Math.floor((0.05 + 0.25 * rand()) * RATE);
    const f0 = 150 + 600 * rand();
    for (let i = 0; i < len && start + i < x.length; i++) {
      const env = Math.sin((Math.PI * i) / len);
      let v = 0;
      for (let h = 1; h <= 4; h++) v += Math.sin((2 * Math.PI * f0 * h * (start + i)) / RATE) / h;
      x[start + i] += env * (0.5 * v + 0.2 * (rand() - 0.5));
    }
  }
  for (let i = 0; i < x.length; i++) x[i] += 0.002 * (rand() - 0.5);
  return x;
}

/** The same recording as a game would ship it: trimmed, quieter, faded in, with a little noise on top. */
function edited(x: Float32Array): Float32Array {
  const y = x.slice(Math.round(0.3 * RATE), x.length - Math.round(0.2 * RATE));
  let s = 7;
  const rand = () => (s = (s * 69069 + 1) % 4294967296) / 4294967296;
  for (let i = 0; i < y.length; i++) y[i] = 0.3 * y[i] * Math.min(1, i / 800) + 0.001 * (rand() - 0.5);
  return y;
}

describe('same-recording guard (tools/corpus/similar.js)', () => {
  const a = recording(1, 3);
  test('an edited copy of a recording scores near 1; another recording of the same kind does not', () => {
    const pa = fingerprint(a, RATE);
    expect(similarity(pa, fingerprint(edited(a), RATE))).toBeGreaterThan(0.95);
    expect(similarity(pa, fingerprint(a, RATE))).toBeCloseTo(1, 5);
    for (const seed of [2, 3, 4]) expect(similarity(pa, fingerprint(recording(seed, 3), RATE))).toBeLessThan(0.8);
  });

  test('clips under 0.5 s are never called the same recording', () => {
    const short = a.subarray(0, Math.round(0.4 * RATE));
    expect(similarity(fingerprint(short, RATE), fingerprint(a, RATE))).toBe(0);
  });

  test('crossSplitMatches pairs clips of one label across splits only, held-out clip first', () => {
    const clip = (key: string, label: string, split: string, x: Float32Array) => ({
      key,
      label,
      split,
      print: fingerprint(x, RATE),
    });
    const clips = [
      clip('train-copy', 'dog', 'train', edited(a)),
      clip('test', 'dog', 'test', a),
      clip('train-other', 'dog', 'train', recording(5, 3)),
      clip('cat-copy', 'cat', 'validation', a),
      clip('test-twin', 'dog', 'test', a),
    ];
    const pairs = crossSplitMatches(clips, 0.95).map((m: { a: { key: string }; b: { key: string } }) => [
      m.a.key,
      m.b.key,
    ]);
    expect(pairs).toEqual([
      ['test', 'train-copy'],
      ['test-twin', 'train-copy'],
    ]);
  });

  test('dropRepeatedRecordings leaves out the training copy of a test recording, says so, and keeps the rest', () => {
    const lines: string[] = [];
    const clips = [
      { label: 'dog', split: 'train', source: 'pkgA: bark.ogg', samples: edited(a) },
      { label: 'dog', split: 'test', source: 'pkgB: dog.ogg', samples: a },
      { label: 'dog', split: 'train', source: 'pkgA: other.ogg', samples: recording(6, 3) },
      { label: 'ambience', split: 'train', source: 'pkgC: wind.ogg', samples: a },
    ];
    const kept = dropRepeatedRecordings(clips, RATE, (s: string) => lines.push(s));
    expect(kept.map((c: { source: string }) => c.source)).toEqual([
      'pkgB: dog.ogg',
      'pkgA: other.ogg',
      'pkgC: wind.ogg',
    ]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/left out pkgA: bark\.ogg \(train\): the same recording as pkgB: dog\.ogg \(test\)/);
  });
});

describe('OpenTTD sound catalogue', () => {
  /** A catalogue of entries [title, payload]: the offset table (top bit set, as OpenSFX writes it), then each entry. */
  function catalogue(entries: [string, Buffer][]): Buffer {
    const table = Buffer.alloc(8 * entries.length);
    const bodies: Buffer[] = [];
    let at = table.length;
    entries.forEach(([title, payload], i) => {
      const name = Buffer.from(title + '\0', 'latin1');
      const body = Buffer.concat([Buffer.from([name.length]), name, payload]);
      table.writeUInt32LE((at | 0x80000000) >>> 0, 8 * i);
      table.writeUInt32LE(body.length, 8 * i + 4);
      bodies.push(body);
      at += body.length;
    });
    return Buffer.concat([table, ...bodies]);
  }
  const wav = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(40, 1)]);

  test('reads titles and WAVE data; an entry without sound has wav null', () => {
    const out = readSoundCatalogue(
      catalogue([
        ['"Cow". License: CC0', wav],
        ['"Unused"', Buffer.alloc(4)],
      ]),
    );
    expect(out.map((e: { index: number; title: string }) => [e.index, e.title])).toEqual([
      [0, '"Cow". License: CC0'],
      [1, '"Unused"'],
    ]);
    expect(Buffer.compare(out[0].wav, wav)).toBe(0);
    expect(out[1].wav).toBeNull();
  });

  test('a truncated file or one without any sound is an error naming the file', () => {
    const good = catalogue([['a', wav]]);
    expect(() => readSoundCatalogue(good.subarray(0, good.length - 5), 'x.cat')).toThrow(
      /^x\.cat: entry 0 .* runs past the end; not an OpenTTD sound catalogue$/,
    );
    expect(() => readSoundCatalogue(catalogue([['a', Buffer.alloc(8)]]), 'y.cat')).toThrow(/y\.cat: no entry holds/);
    expect(() => readSoundCatalogue(Buffer.alloc(3), 'z.cat')).toThrow(/z\.cat: shorter than one table entry/);
  });
});
