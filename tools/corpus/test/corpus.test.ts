/* eslint-disable @typescript-eslint/no-require-imports */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync, spawnSync } from 'child_process';

const deb = require('../debian');
const { readPcm16, estimateSnr, lowFrequency, pcm16Header } = require('../wavstats');
const { SOURCES, RESERVED, recordingGroup } = require('../enhance-sources');

function writePcm16(file: string, rate: number, x: number[]): void {
  const b = Buffer.concat([pcm16Header(rate, 2 * x.length), Buffer.alloc(2 * x.length)]);
  x.forEach((v, i) => b.writeInt16LE(v, 44 + 2 * i));
  fs.writeFileSync(file, b);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'corpus-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('corpus tooling', () => {
  test('estimateSnr: a -60 dBFS floor under a -20 dBFS passage reads 40 dB', () => {
    // alternating ±a has power a² exactly over any even-length frame
    const x = new Float32Array(16000);
    for (let i = 0; i < x.length; i++) x[i] = (i % 2 ? 1 : -1) * (i < 8000 ? 0.001 : 0.1);
    const e = estimateSnr(x, 16000);
    expect(e.snrDb).toBeCloseTo(40, 3);
    expect(e.levelDb).toBeCloseTo(-20, 3);
  });

  test('lowFrequency: a 50 Hz hum under speech-band tones shows as its power share and as a mains line', () => {
    // 2 s at 16 kHz: tones at 300 Hz and 1 kHz (power 0.01 together) over a -60 dB pseudo-random floor
    let r = 7;
    const floor = (): number => ((r = (r * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.0035;
    const speech = Float32Array.from(
      { length: 32000 },
      (_, i) =>
        0.1 * Math.sin((2 * Math.PI * 300 * i) / 16000) + 0.1 * Math.sin((2 * Math.PI * 1000 * i) / 16000) + floor(),
    );
    const clean = lowFrequency(speech, 16000);
    expect(clean.lowDb).toBeLessThan(-50);
    expect(clean.humDb).toBeLessThan(6);
    // + a 50 Hz hum of amplitude 0.05 (power 0.00125): its share is 0.00125 / 0.01125 = -9.54 dB
    const hummed = speech.map((v, i) => v + 0.05 * Math.sin((2 * Math.PI * 50 * i) / 16000));
    const h = lowFrequency(hummed, 16000);
    expect(h.lowDb).toBeCloseTo(10 * Math.log10(0.00125 / 0.01125), 1);
    expect(h.humDb).toBeGreaterThan(15);
    // 60 Hz mains with harmonics at 120 and 180 Hz stands out too; a 100 Hz voice fundamental alone is not hum below 80 Hz
    const mains60 = speech.map(
      (v, i) => v + [60, 120, 180].reduce((a, f) => a + 0.01 * Math.sin((2 * Math.PI * f * i) / 16000), 0),
    );
    expect(lowFrequency(mains60, 16000).humDb).toBeGreaterThan(30);
    const voice = speech.map((v, i) => v + 0.1 * Math.sin((2 * Math.PI * 100 * i) / 16000));
    expect(lowFrequency(voice, 16000).lowDb).toBeLessThan(-40);
    // a file shorter than one analysis frame is measured over that frame
    expect(lowFrequency(hummed.subarray(0, 3000), 16000).lowDb).toBeGreaterThan(-12);
  });

  test('data:enhance: the low-frequency thresholds are documented and checked', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(__dirname, '../enhance.js'), ...args], { encoding: 'utf8' });
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/file,role,split,package,licence,group,language,seconds,snr_db,low_db,hum_db/);
    expect(help.stdout).toMatch(/--max-low-db DB .*\(default -20/);
    expect(help.stdout).toMatch(/--max-hum-db DB .*\(default 12\)/);
    const bad = run('--out', path.join(tmp, 'never'), '--max-low-db', 'loud');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--max-low-db must be a number of dB/);
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  });

  test('readPcm16 reads back the samples it was given', () => {
    const f = path.join(tmp, 'a.wav');
    writePcm16(f, 16000, [0, 16384, -32768, 32767]);
    const { sampleRate, samples } = readPcm16(f);
    expect(sampleRate).toBe(16000);
    expect(Array.from(samples)).toEqual([0, 0.5, -1, 32767 / 32768]);
  });

  test('unitHash is stable and in [0, 1)', () => {
    expect(deb.unitHash('klettres:de')).toBe(deb.unitHash('klettres:de'));
    for (const s of ['', 'a', 'tuxpaint:da', 'ufoai-sound:sound/ambience/fire']) {
      expect(deb.unitHash(s)).toBeGreaterThanOrEqual(0);
      expect(deb.unitHash(s)).toBeLessThan(1);
    }
    expect(deb.unitHash('a')).not.toBe(deb.unitHash('b'));
  });

  test('sources: speakers and recordings are grouped as documented, the shared-data voices stay in training', () => {
    const match = (pkg: string, rel: string): unknown => {
      for (const s of SOURCES.filter((x: { pkg: string }) => x.pkg === pkg)) {
        const m = s.match(rel);
        if (m) return m;
      }
      return null;
    };
    expect(match('asterisk-core-sounds-es-g722', 'usr/share/asterisk/sounds/es_MX_f_Allison/digits/1.g722')).toEqual({
      group: 'asterisk:Allison',
      language: 'es',
      split: 'train',
    });
    expect(
      match('asterisk-core-sounds-en-g722', 'usr/share/asterisk/sounds/en_US_f_Allison/silence/1.g722'),
    ).toBeNull();
    expect(match('fillets-ng-data-cs', 'usr/share/games/fillets-ng/sound/airplane/cs/let-m-oko.ogg')).toEqual({
      group: 'fillets-cs:m',
      language: 'cs',
      split: 'train',
    });
    expect(match('fillets-ng-data-cs', 'usr/share/games/fillets-ng/sound/alibaba/cs/kni-x-ber.ogg')).toEqual({
      group: 'fillets-cs:kni-x',
      language: 'cs',
    });
    expect(match('tuxpaint-stamps-default', 'usr/share/tuxpaint/stamps/animals/amphibians/frog_desc.ogg')).toEqual({
      group: 'tuxpaint:en',
      language: 'en',
    });
    expect(match('tuxpaint-stamps-default', 'usr/share/tuxpaint/stamps/animals/amphibians/frog.ogg')).toBeNull();
    expect(match('ufoai-sound', 'sound/ambience/tv_news.ogg')).toBeNull();
    expect(recordingGroup('ufoai-sound', 'sound/ambience/fire2.ogg')).toBe(
      recordingGroup('ufoai-sound', 'sound/ambience/fire05.ogg'),
    );
    for (const s of SOURCES) expect(RESERVED.some((r: RegExp) => r.test(s.pkg))).toBe(false);
  });

  test('readLicence: License: fields, never the line after an empty one; prose as a fallback', () => {
    const doc = path.join(tmp, 'tree', 'usr/share/doc/pkg');
    fs.mkdirSync(doc, { recursive: true });
    fs.writeFileSync(
      path.join(doc, 'copyright'),
      'Files: *\nLicense: GPL-2+\n text\n\nFiles: a\nLicense:\nCopyright (C) someone\n\nFiles: b\nLicense: CC0-1.0\n',
    );
    expect(deb.readLicence(path.join(tmp, 'tree'), 'pkg')).toBe('GPL-2+; CC0-1.0');
    fs.writeFileSync(
      path.join(doc, 'copyright'),
      'These files are under the Creative Commons Attribution-ShareAlike 3.0 license.\n',
    );
    expect(deb.readLicence(path.join(tmp, 'tree'), 'pkg')).toBe("CC-BY-SA-3.0 (from the copyright file's text)");
  });

  test('a package that cannot be unpacked is a CorpusError naming it', () => {
    const bad = path.join(tmp, 'debs', 'notapkg_1.0_all.deb');
    fs.mkdirSync(path.dirname(bad), { recursive: true });
    fs.writeFileSync(bad, 'not a deb');
    expect(() => deb.extractPackage(bad, tmp)).toThrow(/notapkg: dpkg-deb -x/);
    expect(fs.existsSync(path.join(tmp, 'tree', 'notapkg'))).toBe(false);
  });

  const hasFfmpeg = (() => {
    try {
      execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  (hasFfmpeg ? test : test.skip)(
    'decodeToWav keeps a 16 kHz PCM16 file sample for sample, and says which file it cannot decode',
    async () => {
      const src = path.join(tmp, 'in.wav');
      const x = Array.from({ length: 1600 }, (_, i) => Math.round(8000 * Math.sin(i / 7)));
      writePcm16(src, 16000, x);
      const dst = path.join(tmp, 'out', 'in.wav');
      await deb.decodeToWav(src, dst);
      expect(Array.from(readPcm16(dst).samples).map((v) => Math.round((v as number) * 32768))).toEqual(x);
      const junk = path.join(tmp, 'junk.ogg');
      fs.writeFileSync(junk, 'junk');
      await expect(deb.decodeToWav(junk, path.join(tmp, 'out', 'junk.wav'))).rejects.toThrow(
        /junk\.ogg: ffmpeg could not decode/,
      );
      expect(fs.readdirSync(path.join(tmp, 'out'))).toEqual(['in.wav']);
    },
  );
});

describe('data:enhance: noise repeated across splits', () => {
  /** Noise whose level jumps every 50 ms, seeded: two seeds are two recordings. */
  function burstyNoise(seed: number, seconds: number, rate: number): number[] {
    let s = seed;
    const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    const out: number[] = [];
    let level = 0;
    for (let i = 0; i < seconds * rate; i++) {
      if (i % Math.round(0.05 * rate) === 0) level = 0.05 + rand();
      out.push(Math.round(12000 * level * (rand() - 0.5)));
    }
    return out;
  }

  test('repeatedNoises: training copies of held-out recordings go (identical in any package, or similar in one); the rest stays', () => {
    const { repeatedNoises } = require('../enhance');
    const rate = 16000;
    const a = burstyNoise(1, 3, rate);
    const files: Record<string, number[]> = {
      'a.wav': a,
      'a-copy.wav': a,
      'a-trimmed.wav': a.slice(Math.round(0.5 * rate)).map((v) => Math.round(0.5 * v)),
      'b.wav': burstyNoise(2, 3, rate),
      'speech.wav': a,
    };
    for (const [name, x] of Object.entries(files)) writePcm16(path.join(tmp, name), rate, x);
    const item = (name: string, role: string, pkg: string, splitName: string) => ({
      abs: path.join(tmp, name),
      wav: name,
      role,
      pkg,
      splitName,
    });
    const held = item('a.wav', 'noise', 'pkg-x', 'test');
    const copy = item('a-copy.wav', 'noise', 'pkg-y', 'train');
    const trimmed = item('a-trimmed.wav', 'music', 'pkg-x', 'train');
    const other = item('b.wav', 'noise', 'pkg-x', 'train');
    const speech = item('speech.wav', 'speech', 'pkg-x', 'train');
    const lines: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((m) => (lines.push(String(m)), true));
    const out = repeatedNoises([held, copy, trimmed, other, speech]);
    spy.mockRestore();
    expect([...out].map((it: { wav: string }) => it.wav).sort()).toEqual(['a-copy.wav', 'a-trimmed.wav']);
    expect(lines.join('')).toMatch(
      /left out a-copy\.wav \(train\): the same recording as a\.wav \(test\), similarity 1\.000/,
    );
  });
});

describe('one build per folder', () => {
  test('lockFolder: a second build of a held folder is refused naming the holder; a dead holder is taken over', () => {
    const dir = path.join(tmp, 'locked');
    const file = deb.lockFolder(dir, 'data:test');
    expect(fs.readFileSync(file, 'utf8')).toBe(String(process.pid));
    // this process holds it and is alive: any second taker (here the same process again) is refused
    expect(() => deb.lockFolder(dir, 'data:test')).toThrow(
      new RegExp(`being built by another data:test run \\(process ${process.pid}\\)`),
    );
    // a lock left by a process that has exited is stale
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.writeFileSync(file, gone.stdout);
    expect(deb.lockFolder(dir, 'data:test')).toBe(file);
    expect(fs.readFileSync(file, 'utf8')).toBe(String(process.pid));
  });

  test('a data:events build into a folder another build holds exits 1 and writes nothing there', () => {
    const out = path.join(tmp, 'busy-events');
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, '.build-lock'), String(process.pid)); // held by this (live) process
    const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'events.js'), '--out', out], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is being built by another data:events run/);
    expect(fs.readdirSync(out)).toEqual(['.build-lock']);
  });
});
