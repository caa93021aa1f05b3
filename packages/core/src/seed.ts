/**
 * Deterministic randomness, one generator for all of gatewave: `Rng` is a seeded mulberry32 stream with a few
 * helpers, independent of any global state. tfjs initialisers and shuffles draw from `Math.random` when no seed is
 * given, so `setSeed` replaces it with an `Rng`; `random()` draws from the same stream.
 */

/** A seeded uniform [0, 1) generator (mulberry32) with a few helpers. */
export class Rng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  }

  /** A generator whose 32-bit state is `state` as given (no scrambling of the seed); the stream of `setSeed`. */
  static fromState(state: number): Rng {
    const rng = new Rng(0);
    rng.state = state >>> 0;
    return rng;
  }

  /** A uniform draw in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform draw in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A standard normal draw (Box-Muller; the second value of each pair is kept for the next call). */
  gauss(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

let stream: Rng | null = null;
const nativeRandom = Math.random;

/** Seeds every random draw of gatewave and of tfjs initialisers in this process. */
export function setSeed(seed: number): void {
  if (!Number.isFinite(seed)) throw new RangeError(`setSeed: seed must be a finite number, got ${seed}`);
  const rng = Rng.fromState(Math.floor(seed) | 0);
  stream = rng;
  Math.random = () => rng.next();
}

/** Restores the unseeded `Math.random`. */
export function clearSeed(): void {
  stream = null;
  Math.random = nativeRandom;
}

/** A uniform draw in [0, 1) from the seeded stream when `setSeed` was called, else from `Math.random`. */
export function random(): number {
  return stream ? stream.next() : Math.random();
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
