/**
 * Deterministic randomness. tfjs initialisers and shuffles draw from `Math.random` when no seed is given, so
 * `setSeed` replaces it with a seeded generator (mulberry32); `random()` draws from the same stream.
 */
let state = 0;
let seeded = false;
const nativeRandom = Math.random;

function mulberry32(): number {
  state = (state + 0x6d2b79f5) | 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** Seeds every random draw of gatewave and of tfjs initialisers in this process. */
export function setSeed(seed: number): void {
  if (!Number.isFinite(seed)) throw new RangeError(`setSeed: seed must be a finite number, got ${seed}`);
  state = Math.floor(seed) | 0;
  seeded = true;
  Math.random = mulberry32;
}

/** Restores the unseeded `Math.random`. */
export function clearSeed(): void {
  seeded = false;
  Math.random = nativeRandom;
}

/** A uniform draw in [0, 1) from the seeded stream when `setSeed` was called, else from `Math.random`. */
export function random(): number {
  return seeded ? mulberry32() : Math.random();
}

/** Fisher-Yates shuffle in place, drawing from `random()`. */
export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}
