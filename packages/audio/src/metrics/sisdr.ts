import { AudioError } from '../errors';

const EPS = 2.220446049250313e-16; // float64 machine epsilon

/**
 * Scale-invariant signal-to-distortion ratio in dB of an estimate against the clean reference, without mean removal:
 *
 *   a = (eps + <s, ŝ>) / (eps + <s, s>),   SI-SDR = 10 log10((eps + |a s|²) / (eps + |ŝ − a s|²))
 *
 * with eps the float64 machine epsilon (Le Roux et al., "SDR – half-baked or well done?", 2019).
 */
export function siSdr(clean: ArrayLike<number>, estimate: ArrayLike<number>): number {
  if (clean.length !== estimate.length) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `siSdr: clean has ${clean.length} samples, estimate ${estimate.length}; they must match.`,
    );
  }
  if (clean.length === 0) throw new AudioError('EMPTY_AUDIO', 'siSdr: the signals are empty.');
  let ss = 0;
  let se = 0;
  for (let i = 0; i < clean.length; i++) {
    ss += clean[i] * clean[i];
    se += clean[i] * estimate[i];
  }
  const a = (EPS + se) / (ss + EPS);
  let target = 0;
  let noise = 0;
  for (let i = 0; i < clean.length; i++) {
    const t = a * clean[i];
    const e = estimate[i] - t;
    target += t * t;
    noise += e * e;
  }
  return 10 * Math.log10((EPS + target) / (EPS + noise));
}
