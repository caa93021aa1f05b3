/**
 * FOA views: the 16 direction maps (rotations about the vertical axis, left-right and up-down reflections) under which
 * a first-order Ambisonics recording stays a valid scene, and the FOA features of a recording seen through one of
 * them, computed by permuting and sign-changing its features (no new feature extraction).
 */
import { AudioError } from '../errors';
import { SedFeatures } from './features';

/** View counts `predictFeatures` accepts: 1, 2, 4, 8 or 16 of the sequence in `foaViewMatrix`. */
export const FOA_VIEW_COUNTS = [1, 2, 4, 8, 16] as const;

/**
 * The direction map (3×3, row-major, acting on unit vectors [x, y, z]) of FOA view `v` (0 ≤ v < 16): first a
 * reflection y → −y if bit 2 of v is set, then a rotation about the vertical axis by 0°, 180°, 90° or 270° (v mod 4,
 * in that order, so that two views are opposite), then z → −z if bit 3 is set. Each maps the sound field of a scene
 * onto the sound field of another valid scene (azimuths uniform, elevations symmetric), and in FOA (ACN/SN3D) each is
 * a signed permutation of the X, Y, Z channels: the log-mel and intensity features of the transformed recording are a
 * permutation and sign change of the original's, so a view costs one more network pass and no feature extraction.
 */
export function foaViewMatrix(v: number): number[] {
  const angle = [0, 180, 90, 270][v & 3];
  const c = Math.round(Math.cos((angle * Math.PI) / 180));
  const s = Math.round(Math.sin((angle * Math.PI) / 180));
  const ry = v & 4 ? -1 : 1;
  const rz = v & 8 ? -1 : 1;
  // R_z(angle) · diag(1, ry, 1), then diag(1, 1, rz)
  return [c, -s * ry, 0, s, c * ry, 0, 0, 0, rz].map((e) => e + 0); // + 0 turns -0 into 0
}

/**
 * FOA features (not normalised; channels [log-mel W, Y, Z, X, I_x, I_y, I_z]) of the recording transformed by view
 * `v` of `foaViewMatrix`: the intensity vectors go through the map, and the X and Y log-mels trade places when the
 * map swaps the x and y axes (signs do not change a log-mel).
 */
export function foaView(f: SedFeatures, v: number): SedFeatures {
  if (f.channels !== 7)
    throw new AudioError('BAD_ARGUMENT', `foaView: FOA features have 7 channels, got ${f.channels}.`);
  const T = foaViewMatrix(v);
  const swap = T[0] === 0; // x' comes from y
  const out = new Float32Array(f.data.length);
  for (let o = 0; o < f.data.length; o += 7) {
    const d = f.data;
    out[o] = d[o];
    out[o + 1] = swap ? d[o + 3] : d[o + 1];
    out[o + 2] = d[o + 2];
    out[o + 3] = swap ? d[o + 1] : d[o + 3];
    const x = d[o + 4];
    const y = d[o + 5];
    const z = d[o + 6];
    out[o + 4] = T[0] * x + T[1] * y + T[2] * z;
    out[o + 5] = T[3] * x + T[4] * y + T[5] * z;
    out[o + 6] = T[6] * x + T[7] * y + T[8] * z;
  }
  return { ...f, data: out };
}
