/**
 * Directions: angular distance, unit vectors, and the minimum-cost matching of two sets of directions (Hungarian
 * method), as the synthesiser, the detector and the localisation metrics use them.
 */

/**
 * Minimum-cost assignment (Hungarian / Kuhn-Munkres method with row and column potentials, O(n²·m)) for a
 * rectangular cost matrix `cost[row][col]`. Returns the pairs `[row, col]` of an assignment of size
 * min(rows, cols) whose total cost is smallest; ties are broken by the scan order.
 */
export function hungarian(cost: readonly (readonly number[])[]): [number, number][] {
  const rows = cost.length;
  const cols = rows ? cost[0].length : 0;
  if (rows === 0 || cols === 0) return [];
  const transposed = rows > cols;
  const n = transposed ? cols : rows; // n <= m
  const m = transposed ? rows : cols;
  const a = (i: number, j: number) => (transposed ? cost[j - 1][i - 1] : cost[i - 1][j - 1]);
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j]: the row (1-based) assigned to column j, 0 if none
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = a(i0, j) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const pairs: [number, number][] = [];
  for (let j = 1; j <= m; j++) {
    if (p[j] === 0) continue;
    pairs.push(transposed ? [j - 1, p[j] - 1] : [p[j] - 1, j - 1]);
  }
  pairs.sort((x, y) => x[0] - y[0]);
  return pairs;
}

const RAD = Math.PI / 180;

/**
 * Great-circle (central) angle in degrees between two directions given as azimuth/elevation in degrees:
 * `σ = arccos(sin e1 · sin e2 + cos e1 · cos e2 · cos(a1 − a2))`, evaluated as `atan2(|u × v|, u · v)` on the unit
 * vectors u, v (the same angle, without arccos's loss of precision near 0° and 180°).
 */
export function angularDistance(azimuth1: number, elevation1: number, azimuth2: number, elevation2: number): number {
  const [x1, y1, z1] = toUnitVector(azimuth1, elevation1);
  const [x2, y2, z2] = toUnitVector(azimuth2, elevation2);
  const cx = y1 * z2 - z1 * y2;
  const cy = z1 * x2 - x1 * z2;
  const cz = x1 * y2 - y1 * x2;
  return Math.atan2(Math.hypot(cx, cy, cz), x1 * x2 + y1 * y2 + z1 * z2) / RAD;
}

/** Unit vector `[x, y, z]` of a direction: x front, y left, z up (azimuth counter-clockwise from x). */
export function toUnitVector(azimuth: number, elevation: number): [number, number, number] {
  const a = azimuth * RAD;
  const e = elevation * RAD;
  return [Math.cos(a) * Math.cos(e), Math.sin(a) * Math.cos(e), Math.sin(e)];
}

/** Azimuth and elevation in degrees of a (not necessarily unit) vector; azimuth in [−180, 180]. */
export function toDirection(x: number, y: number, z: number): { azimuth: number; elevation: number } {
  return { azimuth: Math.atan2(y, x) / RAD, elevation: Math.atan2(z, Math.hypot(x, y)) / RAD };
}

export interface Direction {
  azimuth: number;
  elevation: number;
}

/** Sum of the great-circle distances of the minimum-cost matching between two sets of directions, and its size. */
export function matchDirections(ref: readonly Direction[], est: readonly Direction[]): { sum: number; pairs: number } {
  if (!ref.length || !est.length) return { sum: 0, pairs: 0 };
  const cost = ref.map((r) => est.map((e) => angularDistance(r.azimuth, r.elevation, e.azimuth, e.elevation)));
  const pairs = hungarian(cost);
  let sum = 0;
  for (const [i, j] of pairs) sum += cost[i][j];
  return { sum, pairs: pairs.length };
}
