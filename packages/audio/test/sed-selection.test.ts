/**
 * The score that chooses a detector (epoch and post-processing) must not reward detecting nothing. The DCASE 2019
 * SELD score counts the DOA error of an empty estimate as 0°, so on a scene that is partly silent an empty estimate
 * beats one that finds the event but also raises a false alarm; the DCASE 2020 score used for choosing does not.
 */
import { scoreEvents } from '../src/sed/metrics';
import { selectionScore } from '../src/sed/train/tune';
import { resumedState } from '../src/sed/train/start';
import type { TrainState } from '../src/sed/train/options';

const event = (cls: string, onset: number, offset: number, azimuth: number) => ({
  file: 's.wav',
  onset,
  offset,
  class: cls,
  azimuth,
  elevation: 0,
});
const reference = [event('dog', 1, 3, 0)];
const classes = ['cat', 'dog'];

describe('selectionScore', () => {
  const silent = scoreEvents(reference, [], { classes });
  // finds the dog exactly (same place) but also reports a cat over the whole 4 s
  const trying = scoreEvents(reference, [event('dog', 1, 3, 0), event('cat', 0, 4, 90)], { classes });

  test('the 2019 SELD score prefers the empty estimate (its DOA error counts as 0°)', () => {
    expect(silent.doa_error).toBe(0);
    expect(silent.seld_score!).toBeLessThan(trying.seld_score!);
  });

  test('the DCASE 2020 score prefers the estimate that finds the event; an empty one scores exactly 1', () => {
    expect(silent.localization_error).toBe(180);
    expect(silent.localization_recall).toBe(0);
    expect(selectionScore(silent)).toBeCloseTo(1, 12);
    expect(trying.localization_recall).toBe(1);
    expect(trying.localization_error).toBeCloseTo(0, 9);
    const expected = (trying.location_aware_er! + (1 - trying.location_aware_f!) + 0 + 0) / 4;
    expect(selectionScore(trying)).toBeCloseTo(expected, 12);
    expect(selectionScore(trying)).toBeLessThan(selectionScore(silent));
  });

  test('without directions (mono) it is (ER + 1 - F) / 2', () => {
    const mono = (cls: string, onset: number, offset: number) => ({
      ...event(cls, onset, offset, 0),
      azimuth: null,
      elevation: null,
    });
    const s = scoreEvents([mono('dog', 1, 3)], [mono('dog', 1, 2)], { classes });
    expect(s.location_aware_er).toBeNull();
    expect(selectionScore(s)).toBeCloseTo((s.er + 1 - s.f) / 2, 12);
    expect(selectionScore(s)).toBeCloseTo((0.5 + 1 - 2 / 3) / 2, 12);
  });
});

describe('resumedState', () => {
  const base: TrainState = {
    epoch: 28,
    bestScore: 0.6389,
    bestEpoch: 11,
    badEpochs: 17,
    rngSeed: 21,
    sinceHalving: 7,
    learningRate: 1.25e-4,
    history: [],
  };

  test('a checkpoint chosen by the 2019 score: the bar and the patience counters are cleared, the rest kept', () => {
    const lines: string[] = [];
    const s = resumedState(base, (l) => lines.push(l));
    expect(s).toEqual({ ...base, bestScore: Infinity, badEpochs: 0, sinceHalving: 0, selection: 'seld2020' });
    expect(lines[0]).toMatch(/its best \(epoch 11, DCASE 2019 SELD 0\.6389\) was chosen by the 2019 score/);
  });

  test('a checkpoint chosen by the 2020 score resumes as it is', () => {
    const lines: string[] = [];
    const state = { ...base, selection: 'seld2020' as const };
    expect(resumedState(state, (l) => lines.push(l))).toBe(state);
    expect(lines[0]).toMatch(/best selection score 0\.6389 at epoch 11/);
  });
});
