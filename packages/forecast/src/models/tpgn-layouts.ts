/**
 * Layouts and helpers of the fused TPGN op (tpgn-fused.ts): the pool its arrays come from, the PGN's per-group maps
 * from the stored block-diagonal kernels (and their gradients back), the cells' two layouts, the head's layout, and
 * the per-window normalisation around the layer.
 */

/** Sizes: batch, rows R, period P, variables V (= weight groups), time features T, d, outputs per step Q, pred_R. */
export interface TPGNDims {
  B: number;
  R: number;
  P: number;
  V: number;
  T: number;
  d: number;
  Q: number;
  predRows: number;
  /** Per-window normalisation around the layer (TPGNConfig.norm). */
  norm: boolean;
}

/** The stored weights, in TPGN's (and PGN's) saved layouts. */
export interface Weights {
  hk: Float32Array; // [w, V·F, V·d]
  hb: Float32Array; // [V·d]
  gk: Float32Array; // [(F + d)·V, 2·V·d]
  gb: Float32Array; // [2·V·d]: [gate; Ĥ] halves, each group-major
  longW: Float32Array; // [V, R·d, d]
  longB: Float32Array; // [V, d]
  rowW: Float32Array; // [V, P·F, d]
  rowB: Float32Array; // [V, d]
  colW: Float32Array; // [V, R·d, d]
  colB: Float32Array; // [V, d]
  headW: Float32Array; // [V, 2d, K]
  headB: Float32Array; // [V, K]
}

/**
 * Per-group PGN maps: hie `[V, w·F, d]`, gate `[V, F + d, 2d]` (columns gate, then Ĥ) and its rows for the cell
 * (gateX `[V, F, 2d]`) and for H (gateH `[V, d, 2d]`), gate bias `[V, 2d]`.
 */
export interface GroupMaps {
  gateX: Float32Array;
  gateH: Float32Array;
  hie: Float32Array;
  gate: Float32Array;
  gateB: Float32Array;
}

/**
 * Arrays of one forward and backward pass, taken from a pool that keeps them between training steps: a fresh large
 * array is zero-filled pages the kernel first has to map (about 0.3 ms per MB), which the pool avoids. Taken arrays
 * hold old values (every user overwrites them or clears them first); `release` after the backward pass returns them
 * (a forward pass without a backward pass never returns its arrays: they are collected as usual).
 */
export class Arena {
  private static free = new Map<number, Float32Array[]>();
  private static pooled = 0;
  private static readonly MAX_POOLED = 16 << 20; // values kept between passes (64 MB)
  private taken: Float32Array[] | null = [];

  take(n: number): Float32Array {
    let a = Arena.free.get(n)?.pop();
    if (a) Arena.pooled -= n;
    else a = new Float32Array(n);
    this.taken?.push(a);
    return a;
  }

  release(): void {
    for (const a of this.taken ?? []) {
      if (Arena.pooled + a.length > Arena.MAX_POOLED) continue;
      const list = Arena.free.get(a.length) ?? [];
      list.push(a);
      Arena.free.set(a.length, list);
      Arena.pooled += a.length;
    }
    this.taken = null;
  }
}

/** Each group's diagonal blocks of the PGN's stored (block-diagonal) kernels. */
export function groupMaps(D: TPGNDims, W: Weights): GroupMaps {
  const { R, V: G, T, d } = D;
  const F = 1 + T;
  const w = R - 1;
  const hie = new Float32Array(G * w * F * d);
  const gate = new Float32Array(G * (F + d) * 2 * d);
  const gateB = new Float32Array(G * 2 * d);
  for (let g = 0; g < G; g++) {
    for (let j = 0; j < w; j++) {
      for (let f = 0; f < F; f++) {
        const src = ((j * G + g) * F + f) * G * d + g * d;
        copy(W.hk, src, hie, ((g * w + j) * F + f) * d, d);
      }
    }
    for (let i = 0; i < F + d; i++) {
      const row = i < F ? g * F + i : G * F + g * d + (i - F);
      for (let c = 0; c < 2; c++) {
        const src = row * 2 * G * d + c * G * d + g * d;
        copy(W.gk, src, gate, (g * (F + d) + i) * 2 * d + c * d, d);
      }
    }
    for (let c = 0; c < 2; c++) copy(W.gb, c * G * d + g * d, gateB, (g * 2 + c) * d, d);
  }
  const gateX = new Float32Array(G * F * 2 * d);
  const gateH = new Float32Array(G * d * 2 * d);
  for (let g = 0; g < G; g++) {
    gateX.set(gate.subarray(g * (F + d) * 2 * d, (g * (F + d) + F) * 2 * d), g * F * 2 * d);
    gateH.set(gate.subarray((g * (F + d) + F) * 2 * d, (g + 1) * (F + d) * 2 * d), g * d * 2 * d);
  }
  return { hie, gate, gateX, gateH, gateB };
}

/** Per-group gradients of the PGN maps → the stored layouts (zeros off the diagonal blocks, as the masked maps give). */
export function storedGrads(
  D: TPGNDims,
  dHie: Float32Array,
  dGate: Float32Array,
  dGateB: Float32Array,
): Float32Array[] {
  const { R, V: G, T, d } = D;
  const F = 1 + T;
  const w = R - 1;
  const dhk = new Float32Array(w * G * F * G * d);
  const dgk = new Float32Array((F + d) * G * 2 * G * d);
  const dgb = new Float32Array(2 * G * d);
  for (let g = 0; g < G; g++) {
    for (let j = 0; j < w; j++) {
      for (let f = 0; f < F; f++) {
        const src = ((g * w + j) * F + f) * d;
        copy(dHie, src, dhk, ((j * G + g) * F + f) * G * d + g * d, d);
      }
    }
    for (let i = 0; i < F + d; i++) {
      const row = i < F ? g * F + i : G * F + g * d + (i - F);
      for (let c = 0; c < 2; c++) {
        const src = (g * (F + d) + i) * 2 * d + c * d;
        copy(dGate, src, dgk, row * 2 * G * d + c * G * d + g * d, d);
      }
    }
    for (let c = 0; c < 2; c++) copy(dGateB, (g * 2 + c) * d, dgb, c * G * d + g * d, d);
  }
  return [dhk, dgk, dgb];
}

/**
 * The cells (value and T marks, F per cell) as rows of the short-term map, `[V, B, L, F]`; seen as `[V·B, R, P, F]`,
 * their transpose `[V·B, P, R, F]` is the PGN's input (columns down the rows, its time axis).
 */
export function cellLayout(A: Arena, D: TPGNDims, x: Float32Array, marks: Float32Array): Float32Array {
  const { B, R, P, V, T } = D;
  const F = 1 + T;
  const L = R * P;
  const cells = A.take(V * B * L * F);
  for (let g = 0; g < V; g++) {
    for (let b = 0; b < B; b++) {
      for (let l = 0; l < L; l++) {
        const c = ((g * B + b) * L + l) * F;
        cells[c] = x[(b * L + l) * V + g];
        for (let t = 0; t < T; t++) cells[c + 1 + t] = marks[(b * L + l) * T + t];
      }
    }
  }
  return cells;
}

/**
 * The gradient of x `[B, L, V]` (into dx) from those of the cells in both layouts, both given as `[V, B, L, F]`
 * (marks are data: no gradient).
 */
export function cellGrads(D: TPGNDims, dCells: Float32Array, dCols: Float32Array, dx: Float32Array): Float32Array {
  const { B, R, P, V, T } = D;
  const F = 1 + T;
  const L = R * P;
  for (let g = 0; g < V; g++) {
    for (let b = 0; b < B; b++) {
      for (let l = 0; l < L; l++) {
        const c = ((g * B + b) * L + l) * F;
        dx[(b * L + l) * V + g] = dCells[c] + dCols[c];
      }
    }
  }
  return dx;
}

/** Copies n values of `src` from `from` to `dst` at `to` (short runs: a loop, no subarray views to collect). */
function copy(src: Float32Array, from: number, dst: Float32Array, to: number, n: number): void {
  for (let i = 0; i < n; i++) dst[to + i] = src[from + i];
}

/**
 * Head layout `[V, B, P, pred_R·Q]` ↔ output `[B, H, V·Q]` (step r·P + c ← column c, row r). With `back`, `src` is
 * an output-shaped gradient and the result is head-shaped, times `scale[b, v]` if given. Writes every value of dst (which may hold old ones).
 */
export function headToOutput(
  D: TPGNDims,
  src: Float32Array,
  dst: Float32Array,
  back: boolean,
  scale: Float32Array | null = null,
): Float32Array {
  const { B, P, V, Q, predRows } = D;
  const Hn = predRows * P;
  for (let g = 0; g < V; g++) {
    for (let b = 0; b < B; b++) {
      for (let p = 0; p < P; p++) {
        for (let r = 0; r < predRows; r++) {
          const h = (((g * B + b) * P + p) * predRows + r) * Q;
          const y = ((b * Hn + r * P + p) * V + g) * Q;
          for (let q = 0; q < Q; q++) {
            if (back) dst[h + q] = scale ? src[y + q] * scale[b * V + g] : src[y + q];
            else dst[y + q] = src[h + q];
          }
        }
      }
    }
  }
  return dst;
}

/** Window statistics per (window, variable) `[B, V]` and the normalised x `[B, L, V]` (windowNorm in layers-util). */
export interface NormStats {
  xn: Float32Array;
  mean: Float32Array;
  std: Float32Array;
}

/** Per-window normalisation of x `[B, L, V]`: mean μ and σ = √(var + 1e−5) over time, xn = (x − μ)/σ. */
export function normalise(A: Arena, D: TPGNDims, x: Float32Array): NormStats {
  const { B, V } = D;
  const L = D.R * D.P;
  const xn = A.take(B * L * V);
  const mean = A.take(B * V);
  const std = A.take(B * V);
  for (let b = 0; b < B; b++) {
    for (let v = 0; v < V; v++) {
      let s = 0;
      for (let l = 0; l < L; l++) s += x[(b * L + l) * V + v];
      const mu = Math.fround(s / L);
      let q = 0;
      for (let l = 0; l < L; l++) q += (x[(b * L + l) * V + v] - mu) ** 2;
      const sd = Math.fround(Math.sqrt(q / L + 1e-5));
      for (let l = 0; l < L; l++) xn[(b * L + l) * V + v] = (x[(b * L + l) * V + v] - mu) / sd;
      mean[b * V + v] = mu;
      std[b * V + v] = sd;
    }
  }
  return { xn, mean, std };
}

/** The inverse on the layer's output y `[B, H, V·Q]`, in place: y·σ + μ per window and variable. */
export function denormalise(D: TPGNDims, y: Float32Array, s: NormStats): void {
  const { B, V, Q } = D;
  const n = (y.length / B / V / Q) | 0;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < n; h++) {
      for (let v = 0; v < V; v++) {
        const at = ((b * n + h) * V + v) * Q;
        for (let q = 0; q < Q; q++) y[at + q] = y[at + q] * s.std[b * V + v] + s.mean[b * V + v];
      }
    }
  }
}

/**
 * Backward of the normalisation and its inverse: dx `[B, L, V]` from dxn (the gradient of the layer's input), dy (of
 * the output) and yc (the output before the inverse): dμ = Σ dy − Σ dxn/σ, dσ = Σ dy·yc − Σ dxn·xn/σ, and
 * dx = dxn/σ + dσ·xn/L + dμ/L (the variance's share through μ is Σ(x − μ) = 0).
 */
export function normBackward(D: TPGNDims, s: NormStats, dxn: Float32Array, dy: Float32Array, yc: Float32Array) {
  const { B, V, Q } = D;
  const L = D.R * D.P;
  const n = (dy.length / B / V / Q) | 0;
  const dx = new Float32Array(B * L * V);
  for (let b = 0; b < B; b++) {
    for (let v = 0; v < V; v++) {
      let dMean = 0;
      let dStd = 0;
      for (let h = 0; h < n; h++) {
        const at = ((b * n + h) * V + v) * Q;
        for (let q = 0; q < Q; q++) {
          dMean += dy[at + q];
          dStd += dy[at + q] * yc[at + q];
        }
      }
      const sd = s.std[b * V + v];
      for (let l = 0; l < L; l++) {
        const i = (b * L + l) * V + v;
        dMean -= dxn[i] / sd;
        dStd -= (dxn[i] * s.xn[i]) / sd;
      }
      for (let l = 0; l < L; l++) {
        const i = (b * L + l) * V + v;
        dx[i] = dxn[i] / sd + (dStd * s.xn[i]) / L + dMean / L;
      }
    }
  }
  return dx;
}
