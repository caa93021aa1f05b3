/**
 * An FRCRN network's output mixed with the classical `wiener` baseline's: `(1 − share) · network + share · wiener`,
 * sample by sample (both keep the input's length and level). The two err differently: on the corpus's validation split
 * the shipped `large` is weak on music and on some steady noises, where `wiener` is strong, so a fixed share of
 * `wiener` gains SI-SDR and STOI over either alone (figures in the enhancer-large model card). An attenuation limit
 * goes on top (`limitAttenuation`), so the limit mixes the input back into this mix.
 */
import { AudioError } from '../errors';
import { attenuationLimitOf, blend, limitAttenuation, unlimited } from './atten-lim';
import type { Enhancer } from './pipeline';
import type { InputLevel } from './input-level';
import { WienerEnhancer } from './wiener';

/** An enhancer whose output is a network's mixed with `wiener`'s (made by `withWiener`). */
export interface WithWiener extends Enhancer {
  /** The network alone. */
  readonly network: Enhancer;
  /** The share of `wiener`'s output, in [0, 1). */
  readonly wienerShare: number;
}

/** Checks a share of `wiener`'s output: a number from 0 up to (not including) 1. */
export function checkWienerShare(share: number, where = 'wiener share'): number {
  if (!Number.isFinite(share) || share < 0 || share >= 1) {
    throw new AudioError(
      'BAD_ARGUMENT',
      `${where} must be a number from 0 up to 1 (0: the network alone; 1 would be wiener alone), got ${String(share)}.`,
    );
  }
  return share;
}

/** `network`'s output mixed with `wiener`'s at `share`; `network` itself when the share is 0. */
export function withWiener(network: Enhancer, share: number, wiener: Enhancer = new WienerEnhancer()): Enhancer {
  checkWienerShare(share);
  if (share === 0) return network;
  const mixed: WithWiener = {
    name: `${network.name} + ${Math.round(share * 100)} % wiener`,
    sampleRate: network.sampleRate,
    contextSeconds: Math.max(network.contextSeconds, wiener.contextSeconds),
    inputLevelDb: network.inputLevelDb,
    network,
    wienerShare: share,
    async enhance(x: Float32Array, level?: InputLevel): Promise<Float32Array> {
      return mixOutputs(await network.enhance(x, level), await wiener.enhance(x), share);
    },
    dispose: () => network.dispose?.(),
  };
  return mixed;
}

/** `(1 − share) · network + share · wiener`, sample by sample; both of the same length. */
export function mixOutputs(network: Float32Array, wiener: Float32Array, share: number): Float32Array {
  if (network.length !== wiener.length)
    throw new AudioError(
      'BAD_ARGUMENT',
      `wiener share: the network's output has ${network.length} samples but wiener's ${wiener.length}.`,
    );
  return blend(network, wiener, share);
}

/** The share of `wiener` an enhancer mixes in (0 when it mixes in none). */
export function wienerShareOf(enhancer: Enhancer): number {
  return (enhancer as Partial<WithWiener>).wienerShare ?? 0;
}

/** What a user may set over a loaded model's own settings (`enhance --atten-lim / --wiener-share / --shifts`, queue jobs). */
export interface EnhancerOverrides {
  attenuationLimitDb?: number;
  wienerShare?: number;
  shifts?: number;
}

/** A network that can be averaged over shifts of its frame grid (an FrcrnEnhancer; see ./shifts.ts). */
interface ShiftableNetwork extends Enhancer {
  withShifts(count: number): Enhancer;
}

/** `network` averaged over `count` shifts; an error for an enhancer that has no network (`wiener`). */
function shiftedNetwork(network: Enhancer, count: number): Enhancer {
  const withShifts = (network as Partial<ShiftableNetwork>).withShifts;
  if (typeof withShifts !== 'function')
    throw new AudioError(
      'BAD_ARGUMENT',
      `shifts average a network's output: give them with an FRCRN model, not ${network.name}.`,
    );
  return withShifts.call(network, count);
}

/**
 * `enhancer` with its share of `wiener`, its number of shifts and its attenuation limit replaced where `overrides`
 * names them (each kept otherwise). A share of `wiener` and shifts need a model: `wiener` itself has no network.
 */
export function withOverrides(enhancer: Enhancer, overrides: EnhancerOverrides): Enhancer {
  const { attenuationLimitDb, wienerShare, shifts } = overrides;
  if (wienerShare === undefined && shifts === undefined)
    return attenuationLimitDb === undefined ? enhancer : limitAttenuation(enhancer, attenuationLimitDb);
  const limit = attenuationLimitDb ?? attenuationLimitOf(enhancer);
  const inner = unlimited(enhancer);
  if (wienerShare !== undefined && inner instanceof WienerEnhancer)
    throw new AudioError('BAD_ARGUMENT', 'a share of wiener mixes wiener into a model: give it with an FRCRN model.');
  const network = (inner as Partial<WithWiener>).network ?? inner;
  const mixed = withWiener(
    shifts === undefined ? network : shiftedNetwork(network, shifts),
    wienerShare ?? wienerShareOf(inner),
  );
  return limit === null ? mixed : limitAttenuation(mixed, limit);
}
