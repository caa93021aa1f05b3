/**
 * Choosing a training run's best epoch by what the model ships with: the mean SI-SDR gain of its output mixed with
 * the input at an attenuation limit, on fixed validation mixtures (a corpus manifest's validation utterances at −5, 0
 * and 5 dB, as `tune-enhancer` and `bench:audio` make them), under tune-enhancer's STOI rule.
 *
 * The validation loss scores the unlimited output on training-like mixtures (−5 to 20 dB, 2.5 s crops). The two can
 * disagree: continuations of `enhancer-large` lowered the loss and the limited gain together. When they do, the
 * limited gain is what a user of the shipped model gets, so it is what the saved model is chosen by; the
 * learning-rate schedule still follows the (smoother) loss.
 */
import type { tf } from '@gatewave/core';
import type { FrcrnConfig } from './frcrn';
import { FrcrnEnhancer } from './frcrn-enhancer';
import { corpusMixtures, type EvalMixture } from './eval-mixtures';
import { checkAttenuationLimit } from './atten-lim';
import { checkInputLevel } from '../dsp/level';
import { checkWienerShare, withWiener } from './wiener-share';
import { tolerances, tuneAttenuationLimit } from './tune';
import type { Enhancer } from './pipeline';
import { Fnv1a, floatBits, scoreResumedAndSaved } from './validation';

/** The SNRs (dB) of the selection mixtures: those the mean gain is taken over. */
export const SELECTION_SNRS = [-5, 0, 5];

export interface LimitedGainSelection {
  limitDb: number;
  /** The level (dBFS RMS) the scored networks are fed at (see input-level.ts), or null: as the mixtures come. */
  inputLevelDb: number | null;
  /** The share of `wiener` mixed into the scored networks' output (./wiener-share.ts); 0: none. */
  wienerShare: number;
  /** How far below the noisy input's mean STOI a group may fall: one for all, or one per SNR (tune-enhancer's rule). */
  stoiTolerance: number | number[];
  mixtures: EvalMixture[];
  /** What the mixtures are, for the log and the saved model's metadata. */
  what: string;
  /** A hash of the mixtures, the limit and the tolerance: a stored best score means something only under it. */
  key: string;
}

/** One model's selection figures. */
export interface SelectionScore {
  /**
   * Lower is better. A model that keeps STOI scores −(mean SI-SDR gain); one that does not scores 1000 plus its worst
   * group's STOI loss in thousandths, so it ranks below every model that keeps STOI and above those that lose more.
   */
  value: number;
  siSdrGain: number;
  keepsStoi: boolean;
}

/**
 * Fixed selection mixtures from the validation split of `manifest` (`utterances` of them at each SNR), scored with
 * the networks fed at `inputLevelDb` (null: as the mixtures come).
 */
export function limitedGainSelection(
  manifest: string,
  limitDb: number,
  utterances: number,
  stoiTolerance: number | number[],
  inputLevelDb: number | null = null,
  wienerShare = 0,
): LimitedGainSelection {
  const c = corpusMixtures(manifest, { split: 'validation', utterances, snrs: SELECTION_SNRS });
  const n = c.mixtures.length / SELECTION_SNRS.length;
  const level =
    (inputLevelDb === null ? '' : `, input level ${inputLevelDb} dBFS`) +
    (wienerShare ? `, ${Math.round(wienerShare * 100)} % wiener` : '');
  const what = `${n} validation utterances of ${c.speakers.length} speakers at ${SELECTION_SNRS.join(', ')} dB, limit ${limitDb} dB${level}`;
  return selectionOn(c.mixtures, limitDb, stoiTolerance, what, inputLevelDb, wienerShare);
}

/** A selection on the given mixtures. */
export function selectionOn(
  mixtures: EvalMixture[],
  limitDb: number,
  stoiTolerance: number | number[],
  what: string,
  inputLevelDb: number | null = null,
  wienerShare = 0,
): LimitedGainSelection {
  checkAttenuationLimit(limitDb, "the selection's attenuation limit");
  checkWienerShare(wienerShare, "the selection's wiener share");
  if (inputLevelDb !== null) checkInputLevel(inputLevelDb, "the selection's input level");
  tolerances(stoiTolerance, [...new Set(mixtures.map((m) => m.group))]);
  const given = Array.isArray(stoiTolerance) ? stoiTolerance : [stoiTolerance];
  // The input level and the share enter the key only when there are ones, so that keys stored before still hold.
  const hash = new Fnv1a().add(floatBits([limitDb, ...given, ...(inputLevelDb === null ? [] : [inputLevelDb])]));
  if (wienerShare) hash.add(floatBits([-1, wienerShare]));
  for (const m of mixtures) hash.add([m.noisy.length]).add(everyNth(floatBits(m.noisy), 97));
  return { limitDb, inputLevelDb, wienerShare, stoiTolerance, mixtures, what, key: hash.hex() };
}

/** Every `n`th word: enough to tell two builds of a corpus apart, and cheap on minutes of audio. */
function everyNth(words: Uint32Array, n: number): Uint32Array {
  return Uint32Array.from({ length: Math.ceil(words.length / n) }, (_, i) => words[i * n]);
}

/** Scores an enhancer (its own limit ignored) on the selection mixtures. */
export async function scoreSelection(enhancer: Enhancer, sel: LimitedGainSelection): Promise<SelectionScore> {
  const t = await tuneAttenuationLimit(enhancer, sel.mixtures, {
    limits: [sel.limitDb],
    stoiTolerance: sel.stoiTolerance,
  });
  const s = t.scores.find((x) => x.limitDb === sel.limitDb)!;
  const value = s.keepsStoi ? -s.siSdrGain : 1000 - 1000 * s.worstStoiChange;
  return { value, siSdrGain: s.siSdrGain, keepsStoi: s.keepsStoi };
}

/** Scores an FRCRN network of `config`, fed at the selection's input level (not disposed: it is the caller's). */
export function scoreFrcrnSelection(
  model: tf.LayersModel,
  config: FrcrnConfig,
  sel: LimitedGainSelection,
): Promise<SelectionScore> {
  return scoreSelection(withWiener(new FrcrnEnhancer(model, config, sel.inputLevelDb), sel.wienerShare), sel);
}

/** "+3.08 dB at the 10 dB limit (keeps STOI)" */
export function describeSelection(s: SelectionScore, sel: LimitedGainSelection): string {
  const gain = `${s.siSdrGain >= 0 ? '+' : ''}${s.siSdrGain.toFixed(2)} dB`;
  return `${gain} at the ${sel.limitDb} dB limit (${s.keepsStoi ? 'keeps' : 'loses'} STOI)`;
}

/**
 * When a run resumes without a selection score measured on these mixtures (a checkpoint from before selection, or
 * another corpus build): the model in `out` (when there is one) and the resumed weights are scored, and the better
 * one's score becomes the bar; the resumed weights are saved to `out` when they are the better. Returns the bar and a
 * line for the log.
 */
export async function rebaseSelection(
  model: tf.LayersModel,
  config: FrcrnConfig,
  sel: LimitedGainSelection,
  out: string,
  save: (score: SelectionScore) => Promise<void>,
): Promise<{ best: number; line: string }> {
  const { resumed, kept } = await scoreResumedAndSaved(model, out, (m) => scoreFrcrnSelection(m, config, sel));
  const parts = [`resumed weights ${describeSelection(resumed, sel)}`];
  if (kept) parts.push(`the model in ${out} ${describeSelection(kept, sel)}`);
  const best = kept ? Math.min(resumed.value, kept.value) : resumed.value;
  if (best === resumed.value) {
    await save(resumed);
    parts.push(`the resumed weights saved to ${out} as the best so far`);
  }
  return { best, line: `selection by limited gain, not measured on these mixtures before: ${parts.join('; ')}` };
}
