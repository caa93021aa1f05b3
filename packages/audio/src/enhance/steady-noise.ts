/**
 * Synthetic steady noises for enhancement training: the kinds that a recorded-noise corpus holds few of and on which
 * the enhancer lost to `wiener` on issue 12's test split (engine and machine drones, wind, mains hum, fans). Drawn
 * from @gatewave/core's seeded `random()`, so a run repeats exactly.
 *
 * - `colouredNoise`: Gaussian noise whose power spectrum falls as f^-slope (0 white, 1 pink, 2 brown), shaped in the
 *   frequency domain.
 * - `drone`: a harmonic tone (fundamental, harmonics falling as h^-rolloff) whose pitch drifts slowly around its
 *   fundamental and whose level swells slowly, as a motor, a fan or mains hum does.
 * - `steadyNoise`: a random one of coloured noise, a drone over a coloured bed, and wind (brown noise with slow gusts).
 */
import { random } from '@gatewave/core';
import { irfft, rfft } from '../dsp/fft';
import { gauss, rms, uniform } from './augment';

/** Gaussian noise of `len` samples with power ∝ f^-slope above 20 Hz (flat below), unit RMS. */
export function colouredNoise(len: number, rate: number, slope: number): Float32Array {
  let n = 1;
  while (n < len) n *= 2;
  const white = new Float64Array(n);
  for (let i = 0; i < n; i++) white[i] = gauss();
  const spec = rfft(white, n);
  for (let k = 0; k < spec.re.length; k++) {
    const f = Math.max((k * rate) / n, 20);
    const g = (f / 1000) ** (-slope / 2);
    spec.re[k] *= g;
    spec.im[k] *= g;
  }
  spec.re[0] = 0;
  spec.im[0] = 0;
  return unitRms(Float32Array.from(irfft(spec, n).subarray(0, len)));
}

export interface DroneSettings {
  /** Fundamental frequency, Hz. */
  f0: number;
  /** Harmonic h has amplitude h^-rolloff (before a random ±3 dB per harmonic). */
  rolloff: number;
  /** Highest harmonic frequency, Hz. */
  maxHz: number;
  /** Pitch drift: the fundamental moves by ± this fraction, at `driftHz`. */
  drift: number;
  driftHz: number;
  /** Level swell: amplitude 1 ± `swell`, at `swellHz`. */
  swell: number;
  swellHz: number;
}

/** A harmonic drone of `len` samples (see DroneSettings), unit RMS. */
export function drone(len: number, rate: number, s: DroneSettings): Float32Array {
  const count = Math.max(1, Math.min(40, Math.floor(s.maxHz / s.f0)));
  const amps = Array.from({ length: count }, (_, h) => (h + 1) ** -s.rolloff * 10 ** (uniform(-3, 3) / 20));
  const phases = amps.map(() => 2 * Math.PI * random());
  const driftPhase = 2 * Math.PI * random();
  const out = new Float32Array(len);
  let phase = 0; // of the fundamental, radians
  for (let i = 0; i < len; i++) {
    const t = i / rate;
    const f = s.f0 * (1 + s.drift * Math.sin(2 * Math.PI * s.driftHz * t + driftPhase));
    phase += (2 * Math.PI * f) / rate;
    let v = 0;
    for (let h = 0; h < count; h++) v += amps[h] * Math.sin((h + 1) * phase + phases[h]);
    out[i] = v * (1 + s.swell * Math.sin(2 * Math.PI * s.swellHz * t));
  }
  return unitRms(out);
}

/** A random drone: fundamental 25-400 Hz (log-uniform), harmonics to 1-6 kHz, slow drift and swell. */
function randomDrone(len: number, rate: number): Float32Array {
  return drone(len, rate, {
    f0: 25 * 16 ** random(),
    rolloff: uniform(0.3, 2),
    maxHz: uniform(1000, 6000),
    drift: uniform(0, 0.02),
    driftHz: uniform(0.05, 0.5),
    swell: uniform(0, 0.3),
    swellHz: uniform(0.05, 1),
  });
}

/** Brown noise under a slow gust envelope (sum of three 0.05-0.8 Hz sines, up to ±8 dB), unit RMS. */
function wind(len: number, rate: number): Float32Array {
  const x = colouredNoise(len, rate, uniform(1.5, 2.5));
  const gusts = Array.from({ length: 3 }, () => ({ hz: uniform(0.05, 0.8), phase: 2 * Math.PI * random() }));
  const depthDb = uniform(0, 8);
  for (let i = 0; i < len; i++) {
    let g = 0;
    for (const q of gusts) g += Math.sin(2 * Math.PI * q.hz * (i / rate) + q.phase) / 3;
    x[i] *= 10 ** ((depthDb * g) / 20);
  }
  return unitRms(x);
}

/** One synthetic steady noise (see the module comment), unit RMS. */
export function steadyNoise(len: number, rate: number): Float32Array {
  const kind = random();
  if (kind < 0.25) return colouredNoise(len, rate, uniform(0, 2.5));
  if (kind < 0.6) return wind(len, rate);
  const tone = randomDrone(len, rate);
  const bed = colouredNoise(len, rate, uniform(0.5, 2.5));
  const bedGain = 10 ** (uniform(-25, -5) / 20);
  for (let i = 0; i < len; i++) tone[i] += bedGain * bed[i];
  return unitRms(tone);
}

function unitRms(x: Float32Array): Float32Array {
  const g = 1 / rms(x);
  for (let i = 0; i < x.length; i++) x[i] *= g;
  return x;
}
