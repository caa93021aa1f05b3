import { Rng } from '@gatewave/core';
import { activeSpans, clipActivity, EventClip, synthesizeScene } from '../src/sed/synth';

const sr = 8000;
const rms = (x: Float32Array, a = 0, b = x.length) => {
  let s = 0;
  for (let i = a; i < b; i++) s += x[i] * x[i];
  return Math.sqrt(s / (b - a));
};

/** 0.4 s of a 0.5-amplitude tone, 0.6 s of noise 54 dB below it, 0.4 s of the tone: a clip with a pause. */
function pausedClip(): EventClip {
  const noise = new Rng(5);
  const x = new Float32Array(Math.round(1.4 * sr));
  for (let i = 0; i < x.length; i++) {
    const t = i / sr;
    x[i] = t < 0.4 || t >= 1.0 ? 0.5 * Math.sin(2 * Math.PI * 440 * t) : 0.001 * noise.uniform(-1.7, 1.7);
  }
  return { file: 'paused.wav', class: 'bark', samples: x };
}

describe('excerpts of clips with pauses (minEventSeconds)', () => {
  // mono scenes, events 30 dB above the background (RMS 0.003)
  const loud = { format: 'mono' as const, sampleRate: sr, snr: [30, 30] as [number, number] };

  test('clipActivity / activeSpans: the pause is not active; short pauses are bridged, long ones split', () => {
    const clip = pausedClip();
    const act = clipActivity(clip.samples, sr);
    expect(act.frame).toBe(160);
    expect(Array.from(act.active.subarray(0, 20)).every((v) => v === 1)).toBe(true);
    expect(Array.from(act.active.subarray(20, 50)).every((v) => v === 0)).toBe(true);
    expect(Array.from(act.active.subarray(50, 70)).every((v) => v === 1)).toBe(true);
    expect(act.rms).toBeCloseTo(Math.sqrt((0.125 * 0.8) / 1.4), 3);
    // [0.3, 1.2) s holds 0.1 s of tone, the pause, and 0.2 s of tone: two spans, relative to 0.3 s
    expect(activeSpans(act, 2400, 9600, 0.3 * sr)).toEqual([
      [0, 800],
      [5600, 7200],
    ]);
    // a bridge longer than the pause joins them
    expect(activeSpans(act, 2400, 9600, 0.7 * sr)).toEqual([[0, 7200]]);
    // inside the pause: nothing
    expect(activeSpans(act, 3300, 7900, 0.3 * sr)).toEqual([]);
    // ranges that start mid-frame are clipped to the range
    expect(activeSpans(act, 100, 300, 0)).toEqual([[0, 200]]);
  });

  test('no labelled event covers the pause; excerpts have the level of the whole clip', () => {
    const clip = pausedClip();
    const o = { ...loud, seconds: 20, eventRate: 0.5, maxOverlap: 1, minEventSeconds: 0.1 };
    let events = 0;
    let split = 0;
    // the tone's RMS after a gain from the whole clip's RMS (0.003 · 10^1.5 over it); from its own RMS it is 0.0949
    const toneLevel = (0.003 * Math.pow(10, 1.5) * Math.sqrt(0.125)) / Math.sqrt((0.125 * 0.8) / 1.4);
    for (let seed = 1; seed <= 6; seed++) {
      const scene = synthesizeScene([clip], o, new Rng(seed));
      const x = scene.audio.channels[0];
      for (const e of scene.events) {
        const a = Math.round(e.onset * sr);
        const b = Math.round(e.offset * sr);
        // every 20 ms frame of a labelled event (fades aside) holds the tone, far above the background (0.003)
        for (let f = a + 80; f + 160 <= b - 80; f += 160) expect(rms(x, f, f + 160)).toBeGreaterThan(0.05);
        if (b - a > 400) expect(rms(x, a + 80, b - 80)).toBeCloseTo(toneLevel, 2);
        events++;
      }
      // an excerpt across the pause gives two events of one placement, 0.6 s apart
      for (let i = 1; i < scene.events.length; i++) {
        if (Math.abs(scene.events[i].onset - scene.events[i - 1].offset - 0.6) < 0.025) split++;
      }
    }
    expect(events).toBeGreaterThan(30);
    expect(split).toBeGreaterThan(0);
  });

  test('without minEventSeconds the whole clip is one event, scaled by its own RMS (as before)', () => {
    const clip = pausedClip();
    const scene = synthesizeScene([clip], { ...loud, seconds: 10, eventRate: 0.2 }, new Rng(2));
    expect(scene.events.length).toBeGreaterThan(0);
    for (const e of scene.events) {
      expect(e.offset - e.onset).toBeCloseTo(1.4, 6);
      const a = Math.round(e.onset * sr);
      expect(rms(scene.audio.channels[0], a, a + Math.round(1.4 * sr))).toBeCloseTo(0.003 * Math.pow(10, 1.5), 3);
    }
  });
});
