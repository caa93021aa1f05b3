/**
 * TPGN's layer, its window normalisation included, as one differentiable op on the native backend's kernels: about
 * 20 addon calls per training step (products, bias rows, sums, the PGN gate and unfold) and a few loops that move
 * values between layouts (tpgn-layouts.ts), where the tfjs ops are ~145 kernels (58 of them reshapes), each with its
 * own dispatch, tape entry and output array. The same maps, in the same layouts, as `TPGN.ops` (tpgn.ts); a test
 * holds the two to each other, output and every gradient.
 */
import { tf, type NativeKernels } from '@gatewave/core';
import {
  Arena,
  cellGrads,
  cellLayout,
  denormalise,
  groupMaps,
  headToOutput,
  normBackward,
  normalise,
  storedGrads,
  type GroupMaps,
  type NormStats,
  type TPGNDims,
  type Weights,
} from './tpgn-layouts';

export type { TPGNDims };

/** What the backward pass reads from the forward pass. */
interface Saved {
  arena: Arena; // every array below, and the backward pass's own
  maps: GroupMaps;
  cells: Float32Array; // [V, B, L, F]
  U: Float32Array; // [V, B·P·R, w·F]
  H: Float32Array; // [V, B·P·R, d]
  pgnIn: Float32Array; // [V, B·P, R, F]
  z: Float32Array; // [V, B·P·R, 2d]
  o: Float32Array; // [V, B·P, R·d]
  rowOut: Float32Array; // [V, B, R·d]
  long: Float32Array; // [V, B·P, d]
  short: Float32Array; // [V, B, d]
  head: { short: Float32Array; long: Float32Array }; // the head's rows for short and long, [V, d, K] each
  stats: NormStats | null;
  yc: Float32Array; // the output [B, H, V·Q] before the inverse normalisation
}

/** Batched product of G pairs: a `[G, m, k]` (or `[G, k, m]`, tA) × b `[G, k, n]` (or `[G, n, k]`, tB) → `[G, m, n]`. */
function mm(
  k: NativeKernels,
  A: Arena | null, // null: a fresh array (one handed out as a gradient)
  a: Float32Array,
  b: Float32Array,
  G: number,
  m: number,
  n: number,
  kk: number,
  tA = false,
  tB = false,
): Float32Array {
  const out = A ? A.take(G * m * n) : new Float32Array(G * m * n);
  k.matmul(a, b, out, G, G, G, m, n, kk, tA, tB);
  return out;
}

/** Adds group g's bias row `bias[g·cols ..]` to every row of group g of y `[G, rows, cols]`, in place. */
function addBias(k: NativeKernels, y: Float32Array, G: number, rows: number, cols: number, bias: Float32Array): void {
  const n = rows * cols;
  for (let g = 0; g < G; g++) {
    k.epilogue(
      y.subarray(g * n, (g + 1) * n),
      rows,
      cols,
      bias.subarray(g * cols, (g + 1) * cols),
      cols,
      0,
      0,
      null,
      0,
    );
  }
}

/** Sums of x `[G, rows, cols]` over its rows → `[G, cols]`. */
function rowSums(k: NativeKernels, x: Float32Array, G: number, rows: number, cols: number): Float32Array {
  const out = new Float32Array(G * cols);
  k.reduce(0, x, [G, rows, cols], [0, 1, 0], out);
  return out;
}

/** The PGN (long-term branch's first part) on `pgnIn`: unfold, HIE, z = [x, H]·gate and the gate. */
function pgnForward(k: NativeKernels, A: Arena, D: TPGNDims, W: Weights, maps: GroupMaps, pgnIn: Float32Array) {
  const { B, R, P, V: G, T, d } = D;
  const F = 1 + T;
  const w = R - 1;
  const NR = B * P * R;
  const U = A.take(G * NR * w * F);
  k.causalUnfold(pgnIn, U, G * B * P, R, F, w, false);
  const H = mm(k, A, U, maps.hie, G, NR, d, w * F);
  addBias(k, H, G, NR, d, W.hb);
  const z = mm(k, A, pgnIn, maps.gateX, G, NR, 2 * d, F);
  k.matmul(H, maps.gateH, z, G, G, G, NR, 2 * d, d, false, false, true);
  addBias(k, z, G, NR, 2 * d, maps.gateB);
  const o = A.take(G * NR * d);
  k.pgnGate(z, H, o, G * NR, d);
  return { U, H, z, o };
}

/** Forward: x `[B, L, V]` and marks `[B, L, T]` → y `[B, H, V·Q]`, and what the backward pass needs. */
function forward(k: NativeKernels, D: TPGNDims, W: Weights, xIn: Float32Array, marks: Float32Array) {
  const { B, R, P, V: G, d } = D;
  const K = D.predRows * D.Q;
  const F = 1 + D.T;
  const N1 = B * P;
  const A = new Arena();
  const stats = D.norm ? normalise(A, D, xIn) : null;
  const x = stats ? stats.xn : xIn;
  const maps = groupMaps(D, W);
  const cells = cellLayout(A, D, x, marks);
  const pgnIn = A.take(cells.length);
  k.transpose(cells, [G * B, R, P, F], [0, 2, 1, 3], pgnIn);
  const { U, H, z, o } = pgnForward(k, A, D, W, maps, pgnIn);
  const long = mm(k, A, o, W.longW, G, N1, d, R * d);
  addBias(k, long, G, N1, d, W.longB);
  const rowOut = mm(k, A, cells, W.rowW, G, B * R, d, P * F);
  addBias(k, rowOut, G, B * R, d, W.rowB);
  const short = mm(k, A, rowOut, W.colW, G, B, d, R * d);
  addBias(k, short, G, B, d, W.colB);
  // Head: [short; long]·headW + b = long·headW_long + (short·headW_short + b), the bracket once per window.
  const head = { short: A.take(G * d * K), long: A.take(G * d * K) };
  for (let g = 0; g < G; g++) {
    head.short.set(W.headW.subarray(g * 2 * d * K, (g * 2 + 1) * d * K), g * d * K);
    head.long.set(W.headW.subarray((g * 2 + 1) * d * K, (g + 1) * 2 * d * K), g * d * K);
  }
  const out = mm(k, A, long, head.long, G, N1, K, d);
  const perWindow = mm(k, A, short, head.short, G, B, K, d);
  addBias(k, perWindow, G, B, K, W.headB);
  for (let gb = 0; gb < G * B; gb++) {
    for (let i = gb * P * K, p = 0; p < P; p++) {
      for (let j = 0; j < K; j++, i++) out[i] += perWindow[gb * K + j];
    }
  }
  const yc = headToOutput(D, out, A.take(out.length), false);
  const y = Float32Array.from(yc);
  if (stats) denormalise(D, y, stats);
  const saved: Saved = { arena: A, maps, cells, pgnIn, U, H, z, o, rowOut, long, short, head, stats, yc };
  return { y, saved };
}

/** The short-term branch and head backward: gradients of the head, col, row maps and of the PGN's output. */
function headBackward(k: NativeKernels, D: TPGNDims, W: Weights, s: Saved, dOut: Float32Array) {
  const A = s.arena;
  const { B, R, P, V: G, d } = D;
  const K = D.predRows * D.Q;
  const F = 1 + D.T;
  const N1 = B * P;
  const dHeadB = rowSums(k, dOut, G, N1, K);
  const dPerWindow = A.take(G * B * K); // Σ over the P columns of each window
  k.reduce(0, dOut, [G * B, P, K], [0, 1, 0], dPerWindow);
  const dHeadLong = mm(k, A, s.long, dOut, G, d, K, N1, true);
  const dHeadShort = mm(k, A, s.short, dPerWindow, G, d, K, B, true);
  const dHeadW = new Float32Array(G * 2 * d * K);
  for (let g = 0; g < G; g++) {
    dHeadW.set(dHeadShort.subarray(g * d * K, (g + 1) * d * K), g * 2 * d * K);
    dHeadW.set(dHeadLong.subarray(g * d * K, (g + 1) * d * K), (g * 2 + 1) * d * K);
  }
  const dLong = mm(k, A, dOut, s.head.long, G, N1, d, K, false, true);
  const dShort = mm(k, A, dPerWindow, s.head.short, G, B, d, K, false, true);
  const dColB = rowSums(k, dShort, G, B, d);
  const dColW = mm(k, null, s.rowOut, dShort, G, R * d, d, B, true);
  const dRowOut = mm(k, A, dShort, W.colW, G, B, R * d, d, false, true);
  const dRowB = rowSums(k, dRowOut, G, B * R, d);
  const dRowW = mm(k, null, s.cells, dRowOut, G, P * F, d, B * R, true);
  const dCells = mm(k, A, dRowOut, W.rowW, G, B * R, P * F, d, false, true);
  const dLongB = rowSums(k, dLong, G, N1, d);
  const dLongW = mm(k, null, s.o, dLong, G, R * d, d, N1, true);
  const dO = mm(k, A, dLong, W.longW, G, N1, R * d, d, false, true);
  return { dHeadW, dHeadB, dColW, dColB, dRowW, dRowB, dLongW, dLongB, dCells, dO };
}

/** The PGN backward from the gradient of its output: its four stored weights' gradients and that of `pgnIn`. */
function pgnBackward(k: NativeKernels, D: TPGNDims, s: Saved, dO: Float32Array) {
  const A = s.arena;
  const { B, R, P, V: G, d } = D;
  const F = 1 + D.T;
  const w = R - 1;
  const NR = B * P * R;
  const dz = A.take(G * NR * 2 * d);
  const dH = A.take(G * NR * d);
  k.pgnGateGrad(s.z, s.H, dO, dz, dH, G * NR, d);
  const dGateB = rowSums(k, dz, G, NR, 2 * d);
  const dGateX = mm(k, A, s.pgnIn, dz, G, F, 2 * d, NR, true);
  const dGateH = mm(k, A, s.H, dz, G, d, 2 * d, NR, true);
  const dGate = A.take(G * (F + d) * 2 * d);
  for (let g = 0; g < G; g++) {
    dGate.set(dGateX.subarray(g * F * 2 * d, (g + 1) * F * 2 * d), g * (F + d) * 2 * d);
    dGate.set(dGateH.subarray(g * d * 2 * d, (g + 1) * d * 2 * d), (g * (F + d) + F) * 2 * d);
  }
  k.matmul(dz, s.maps.gateH, dH, G, G, G, NR, d, 2 * d, false, true, true); // dH += dz·gateHᵀ
  const dhb = rowSums(k, dH, G, NR, d);
  const dHie = mm(k, A, s.U, dH, G, w * F, d, NR, true);
  const dU = mm(k, A, dH, s.maps.hie, G, NR, w * F, d, false, true);
  const dPgnIn = A.take(G * NR * F);
  k.causalUnfold(dU, dPgnIn, G * B * P, R, F, w, true);
  k.matmul(dz, s.maps.gateX, dPgnIn, G, G, G, NR, F, 2 * d, false, true, true); // += dz·gateXᵀ
  const [dhk, dgk, dgb] = storedGrads(D, dHie, dGate, dGateB);
  return { dhk, dhb, dgk, dgb, dPgnIn };
}

/**
 * TPGN's layer as one op: `inputs` = [x `[B, L, V]`, the PGN's four stored weights (hie kernel, hie bias, gate kernel,
 * gate bias), then TPGN's eight (long W, b, row W, b, col W, b, head W, b)] → `[B, H, V·Q]`, with the gradients of all
 * of them. `marks` `[B, L, T]` (time features) is data: read, not differentiated.
 */
export function fusedTPGN(k: NativeKernels, D: TPGNDims, marks: tf.Tensor, inputs: tf.Tensor[]): tf.Tensor {
  const mv = marks.dataSync() as Float32Array;
  const op = tf.customGrad((...args: unknown[]) => {
    const ts = args.slice(0, inputs.length) as tf.Tensor[];
    const v = ts.map((t) => t.dataSync() as Float32Array);
    const [hk, hb, gk, gb, longW, longB, rowW, rowB, colW, colB, headW, headB] = v.slice(1);
    const W: Weights = { hk, hb, gk, gb, longW, longB, rowW, rowB, colW, colB, headW, headB };
    const first = forward(k, D, W, v[0], mv);
    let saved: Saved | null = first.saved;
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      const s = saved ?? forward(k, D, W, v[0], mv).saved; // a second backward pass recomputes (arrays returned)
      saved = null;
      const grads = backward(k, D, W, s, dy.dataSync() as Float32Array);
      s.arena.release();
      return grads.map((g, i) => tf.tensor(g, ts[i].shape, 'float32'));
    };
    return { value: tf.tensor(first.y, [D.B, D.predRows * D.P, D.V * D.Q], 'float32'), gradFunc };
  });
  return op(...inputs);
}

/** The gradients of the op's inputs (in their order) from dy `[B, H, V·Q]`. */
function backward(k: NativeKernels, D: TPGNDims, W: Weights, s: Saved, dy: Float32Array): Float32Array[] {
  const { B, R, P, V, T } = D;
  const L = R * P;
  const dOut = headToOutput(D, dy, s.arena.take(dy.length), true, s.stats ? s.stats.std : null); // through y·σ
  const h = headBackward(k, D, W, s, dOut);
  const p = pgnBackward(k, D, s, h.dO);
  const dCols = s.arena.take(p.dPgnIn.length); // [V·B, P, R, F] → [V·B, R, P, F], as the cells
  k.transpose(p.dPgnIn, [V * B, P, R, 1 + T], [0, 2, 1, 3], dCols);
  const dxn = cellGrads(D, h.dCells, dCols, s.stats ? s.arena.take(B * L * V) : new Float32Array(B * L * V));
  const dx = s.stats ? normBackward(D, s.stats, dxn, dy, s.yc) : dxn;
  return [dx, p.dhk, p.dhb, p.dgk, p.dgb, h.dLongW, h.dLongB, h.dRowW, h.dRowB, h.dColW, h.dColB, h.dHeadW, h.dHeadB];
}
