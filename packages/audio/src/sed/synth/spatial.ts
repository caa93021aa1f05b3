/**
 * Spatial encoding of scenes: a mono signal rendered from a direction as first-order ambisonics (FOA), the 4-microphone
 * tetrahedral array of the DCASE MIC datasets (mic4) or mono, and a diffuse background made of noise from many
 * directions.
 */
import { Rng } from '@gatewave/core';
import { formatChannels, SceneFormat } from '../format';
import { toUnitVector } from '../geometry';
import { rms } from '../../dsp/level';

/** Radius of the mic4 array in metres (the capsules sit on a 4.2 cm sphere, as in the DCASE MIC datasets). */
export const MIC4_RADIUS = 0.042;
/**
 * Directions (azimuth, elevation in degrees) of the four mic4 capsules, in channel order: a tetrahedron, as in the
 * DCASE 2019-2023 MIC format (M1 45°/35°, M2 −45°/−35°, M3 135°/−35°, M4 −135°/35°). Modelled as open omnidirectional
 * capsules (far-field delays only; the real array's spherical baffle is not).
 */
export const MIC4_CAPSULES: readonly (readonly [number, number])[] = [
  [45, 35],
  [-45, -35],
  [135, -35],
  [-135, 35],
];
/** Speed of sound (m/s) used for array delays. */
export const SPEED_OF_SOUND = 343;

/**
 * First-order ambisonic gains in ACN channel order with SN3D normalisation (as in the DCASE FOA data):
 * `[W, Y, Z, X] = [1, sin(az)·cos(el), sin(el), cos(az)·cos(el)]`, angles in degrees.
 */
export function foaGains(azimuth: number, elevation: number): [number, number, number, number] {
  const [x, y, z] = toUnitVector(azimuth, elevation);
  return [1, y, z, x];
}

/**
 * Far-field arrival delays (seconds, relative to the array centre) at the mic4 capsules for a plane wave from
 * (azimuth, elevation): `τ_m = −(p_m · u) / c`, with p_m the capsule position and u the unit vector to the source
 * (capsules facing the source hear it first).
 */
export function mic4Delays(azimuth: number, elevation: number, radius = MIC4_RADIUS): number[] {
  const u = toUnitVector(azimuth, elevation);
  return MIC4_CAPSULES.map(([a, e]) => {
    const p = toUnitVector(a, e);
    return (-(p[0] * u[0] + p[1] * u[1] + p[2] * u[2]) * radius) / SPEED_OF_SOUND;
  });
}

/** Half-length (taps each side) of the fractional-delay interpolator. */
const DELAY_HALF_TAPS = 16;

/**
 * Delays `x` by `delay` samples (any real number, negative = advance): y[n] = Σ_j x[j]·h(n − delay − j) with h a
 * Hann-windowed sinc of ±16 taps, so the output has the input's length and no bulk delay.
 */
export function fractionalDelay(x: Float32Array, delay: number, halfTaps = DELAY_HALF_TAPS): Float32Array {
  const whole = Math.floor(delay);
  const frac = delay - whole;
  // taps over k = -halfTaps+1 .. halfTaps: y[n] = Σ_k x[n - whole - k] · h(k - frac)
  const ks: number[] = [];
  const hs: number[] = [];
  for (let k = -halfTaps + 1; k <= halfTaps; k++) {
    const t = k - frac;
    const sinc = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
    const w = 0.5 + 0.5 * Math.cos((Math.PI * t) / halfTaps);
    ks.push(k);
    hs.push(Math.abs(t) >= halfTaps ? 0 : sinc * w);
  }
  const n = x.length;
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let q = 0; q < ks.length; q++) {
      const j = i - whole - ks[q];
      if (j >= 0 && j < n) acc += x[j] * hs[q];
    }
    y[i] = acc;
  }
  return y;
}

/** Renders a mono signal from (azimuth, elevation) in the given format: one array per channel. */
export function spatialize(
  signal: Float32Array,
  format: SceneFormat,
  azimuth: number,
  elevation: number,
  sampleRate: number,
): Float32Array[] {
  if (format === 'mono') return [Float32Array.from(signal)];
  if (format === 'foa') {
    return foaGains(azimuth, elevation).map((g) => {
      const y = new Float32Array(signal.length);
      for (let i = 0; i < y.length; i++) y[i] = signal[i] * g;
      return y;
    });
  }
  return mic4Delays(azimuth, elevation).map((tau) => fractionalDelay(signal, tau * sampleRate));
}

export { rms };

/** Pink-ish noise (Paul Kellet's economy filter on white noise), unit RMS. */
function pinkNoise(n: number, rng: Rng): Float32Array {
  const y = new Float32Array(n);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  for (let i = 0; i < n; i++) {
    const w = rng.gauss();
    b0 = 0.99765 * b0 + w * 0.099046;
    b1 = 0.963 * b1 + w * 0.2965164;
    b2 = 0.57 * b2 + w * 1.0526913;
    y[i] = b0 + b1 + b2 + w * 0.1848;
  }
  const r = rms(y) || 1;
  for (let i = 0; i < n; i++) y[i] /= r;
  return y;
}

/** Points spread evenly over the sphere (Fibonacci lattice), as azimuth/elevation in degrees. */
function spherePoints(n: number, rng: Rng): { azimuth: number; elevation: number }[] {
  const out = [];
  const golden = Math.PI * (3 - Math.sqrt(5));
  const turn = rng.uniform(0, 2 * Math.PI);
  for (let i = 0; i < n; i++) {
    const z = 1 - (2 * (i + 0.5)) / n;
    const phi = turn + golden * i;
    out.push({
      azimuth: (((((phi * 180) / Math.PI + 180) % 360) + 360) % 360) - 180,
      elevation: (Math.asin(z) * 180) / Math.PI,
    });
  }
  return out;
}

/**
 * Diffuse background scaled so that the omnidirectional (first) channel has RMS `level`. FOA: independent pink noises
 * on W, Y, Z, X with the dipoles at 1/√3 of W's amplitude, which is the second-order statistics of an isotropic
 * diffuse field in SN3D (uncorrelated channels, each dipole carrying a third of the omni power). mic4: independent
 * pink noises from 8 directions spread over the sphere, each with its array delays (so the capsules are partially
 * coherent at low frequencies, as in a real diffuse field). Mono: one pink noise.
 */
export function diffuseNoise(
  n: number,
  format: SceneFormat,
  sampleRate: number,
  level: number,
  rng: Rng,
): Float32Array[] {
  if (format !== 'mic4') {
    return Array.from({ length: formatChannels(format) }, (_, ch) => {
      const x = pinkNoise(n, rng);
      const g = ch === 0 ? level : level / Math.sqrt(3);
      for (let i = 0; i < n; i++) x[i] *= g;
      return x;
    });
  }
  const out = Array.from({ length: 4 }, () => new Float32Array(n));
  const points = spherePoints(8, rng);
  for (const d of points) {
    const chans = spatialize(pinkNoise(n, rng), format, d.azimuth, d.elevation, sampleRate);
    chans.forEach((c, ch) => {
      for (let i = 0; i < n; i++) out[ch][i] += c[i];
    });
  }
  const g = level / Math.sqrt(points.length);
  for (const c of out) for (let i = 0; i < n; i++) c[i] *= g;
  return out;
}

/**
 * A diffuse field made of a real ambience recording: `sources` excerpts of `ambience` (mono, at `sampleRate`; each from
 * its own random offset, wrapping around) arrive as plane waves from random directions on the sphere, summed and scaled
 * so that the omnidirectional channel's RMS is `level`. Excerpts of one recording from different times are nearly
 * uncorrelated, so the field sounds like the recorded place all around the array.
 */
export function diffuseAmbience(
  ambience: Float32Array,
  n: number,
  format: SceneFormat,
  sampleRate: number,
  level: number,
  rng: Rng,
  sources = 6,
): Float32Array[] {
  const out = Array.from({ length: formatChannels(format) }, () => new Float32Array(n));
  for (const d of spherePoints(sources, rng)) {
    const x = new Float32Array(n);
    const from = rng.int(ambience.length);
    for (let i = 0; i < n; i++) x[i] = ambience[(from + i) % ambience.length];
    spatialize(x, format, d.azimuth, d.elevation, sampleRate).forEach((c, ch) => {
      for (let i = 0; i < n; i++) out[ch][i] += c[i];
    });
  }
  const r = rms(out[0]);
  const g = r > 0 ? level / r : 0;
  for (const c of out) for (let i = 0; i < n; i++) c[i] *= g;
  return out;
}
