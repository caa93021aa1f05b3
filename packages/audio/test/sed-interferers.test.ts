import * as fs from 'fs';
import * as path from 'path';
import { Rng } from '@gatewave/core';
import { loadInterferers, synthesizeScene, SceneOptions } from '../src/sed/synth';
import { SceneGenerator } from '../src/sed/scene-stream';
import { writeWav } from '../src/io/wav';
import { tempDir } from '../../core/test/test-setup';
import { noise, runSed, writeHumAndHissClips } from './sed-helpers';

const sr = 8000;
const energy = (x: Float32Array) => x.reduce((s, v) => s + v * v, 0);

describe('directional interferers: unlabelled sounds of no class in the scenes', () => {
  // Events of a clip that is silent: everything a scene holds beyond its background comes from the interferers.
  const silent = { file: 's.wav', class: 'quiet', samples: new Float32Array(800) };
  const loud = {
    file: 'l.wav',
    class: 'tone',
    samples: Float32Array.from({ length: 1600 }, (_, i) => Math.sin(i / 3)),
  };
  const base: SceneOptions = { format: 'foa', sampleRate: sr, seconds: 20, snr: [20, 20] };

  test('labels are those of the scene without interferers, and the audio gains exactly their energy', () => {
    const without = synthesizeScene([loud, silent], base, new Rng(5));
    const withThem = synthesizeScene(
      [loud, silent],
      { ...base, interferers: [noise(800, 1), noise(1200, 2)], interfererRate: 0.15 },
      new Rng(5),
    );
    expect(withThem.events).toEqual(without.events);
    expect(withThem.events.length).toBeGreaterThan(0);
    // 0.15 / s x 20 s = 3 interferers, each (whole, being shorter than 6 s) at 20 dB over the background's RMS (0.003):
    // RMS 0.03 in the omnidirectional channel, in which a plane wave has gain 1 (SN3D), so the W channel gains
    // sum(len) x 0.03^2 (up to their overlaps, which white noise of independent draws hardly changes).
    const diff = withThem.audio.channels[0].map((v, i) => v - without.audio.channels[0][i]);
    const spans = diff.reduce((n, v, i) => n + (v !== 0 && (i === 0 || diff[i - 1] === 0) ? 1 : 0), 0);
    expect(spans).toBeGreaterThanOrEqual(1);
    expect(spans).toBeLessThanOrEqual(3);
    const nonzero = diff.filter((v) => v !== 0).length;
    expect(nonzero).toBeGreaterThanOrEqual(800 * 3 - 1);
    expect(nonzero).toBeLessThanOrEqual(1200 * 3);
    expect(energy(diff) / (nonzero * 0.03 * 0.03)).toBeGreaterThan(0.85);
    expect(energy(diff) / (nonzero * 0.03 * 0.03)).toBeLessThan(1.15);
  });

  test('an interferer comes from one direction: the FOA channels of its sound are those of a plane wave', () => {
    const without = synthesizeScene([silent], { ...base, seconds: 4 }, new Rng(9));
    const withOne = synthesizeScene(
      [silent],
      { ...base, seconds: 4, interferers: [noise(2000, 3)], interfererRate: 0.25 },
      new Rng(9),
    );
    const [w, y, z, x] = withOne.audio.channels.map((c, ch) => c.map((v, i) => v - without.audio.channels[ch][i]));
    expect(energy(w)).toBeGreaterThan(0);
    // X² + Y² + Z² = W² sample by sample for one plane wave in SN3D
    for (let i = 0; i < w.length; i += 13) expect(x[i] * x[i] + y[i] * y[i] + z[i] * z[i]).toBeCloseTo(w[i] * w[i], 8);
  });

  test('the number of interferers follows the rate', () => {
    const plain = synthesizeScene([silent], { ...base, seconds: 30 }, new Rng(2)).audio.channels[0];
    const count = (rate: number) => {
      const options = { ...base, seconds: 30, interferers: [noise(400, 4)], interfererRate: rate };
      const mixed = synthesizeScene([silent], options, new Rng(2)).audio.channels[0];
      return mixed.filter((v, i) => v !== plain[i]).length / 400;
    };
    expect(count(0.1)).toBeCloseTo(3, 1);
    const many = count(0.4);
    expect(many).toBeGreaterThan(10);
    expect(many).toBeLessThanOrEqual(12);
  });

  test('bad settings are errors that say what to give', () => {
    expect(() =>
      synthesizeScene([silent], { ...base, interferers: [noise(10, 1)], interfererRate: 0 }, new Rng(1)),
    ).toThrow(/interfererRate must be a number of interferers per second > 0, got 0/);
    expect(() => synthesizeScene([silent], { ...base, interferers: [new Float32Array(0)] }, new Rng(1))).toThrow(
      /an interferer recording has no samples/,
    );
    expect(() => loadInterferers('/nonexistent/interferers', sr)).toThrow(
      /interferer folder \/nonexistent\/interferers does not exist; give a folder of mono WAV recordings/,
    );
  });
});

describe('interferers through the scene stream and the CLI', () => {
  const dir = tempDir('sed-interferers-');
  let clips: string;
  let interferers: string;
  beforeAll(() => {
    clips = writeHumAndHissClips(dir);
    interferers = path.join(dir, 'interferers');
    fs.mkdirSync(interferers);
    writeWav(path.join(interferers, 'a.wav'), { sampleRate: 16000, channels: [noise(8000, 7)] });
  });

  test('SceneGenerator places them: same events as without, different audio', () => {
    const features = {
      format: 'foa' as const,
      sampleRate: 16000,
      winLength: 640,
      hopLength: 320,
      nFft: 1024,
      melBands: 32,
    };
    const options = {
      events: clips,
      part: 'all' as const,
      scene: { seconds: 4, minEventSeconds: 0.2 },
      features,
      seed: 3,
    };
    const [plain] = new SceneGenerator(options).next(1);
    const [mixed] = new SceneGenerator({
      ...options,
      interferers,
      scene: { ...options.scene, interfererRate: 0.5 },
    }).next(1);
    expect(mixed.events).toEqual(plain.events);
    expect(Array.from(mixed.features.data)).not.toEqual(Array.from(plain.features.data));
  });

  test('synth-scenes --interferers: the same scenes and labels as without, plus the interferers; in scenes.json', async () => {
    const make = async (out: string, extra: string[]) => {
      const args = ['--count', '3', '--seconds', '3', '--min-event-seconds', '0.2', '--reverb', '-q'];
      await runSed(['synth-scenes', '--events', clips, '--out', out, ...args, ...extra]);
    };
    const plain = path.join(dir, 'plain');
    const out = path.join(dir, 'scenes');
    await make(plain, []);
    await make(out, ['--interferers', interferers, '--interferer-rate', '0.4']);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'scenes.json'), 'utf8'));
    expect(manifest.interferers).toBe(interferers);
    expect(manifest.interfererRate).toBe(0.4);
    // the interferers have their own random generator: every scene of the series keeps its events, and its audio
    // differs from the plain scene's
    for (const name of ['scene_0001', 'scene_0002', 'scene_0003']) {
      expect(fs.readFileSync(path.join(out, `${name}.csv`), 'utf8')).toBe(
        fs.readFileSync(path.join(plain, `${name}.csv`), 'utf8'),
      );
      expect(
        fs.readFileSync(path.join(out, `${name}.wav`)).equals(fs.readFileSync(path.join(plain, `${name}.wav`))),
      ).toBe(false);
    }
    const refused = path.join(dir, 'refused');
    await expect(
      runSed(['synth-scenes', '--events', clips, '--out', refused, '--interferer-rate', '0.4', '-q']),
    ).rejects.toThrow(/--interferer-rate needs --interferers <dir>, the recordings to place/);
    expect(fs.existsSync(refused)).toBe(false);
  });
});
