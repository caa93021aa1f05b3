import * as fs from 'fs';
import * as path from 'path';
import {
  angularDistance,
  hungarian,
  LocationAwareMetrics,
  scoreEvents,
  SegmentBasedMetrics,
  Seld2019Metrics,
  eventsToFrames,
} from '../src/sed/metrics';
import { SoundEvent, uniqueClasses } from '../src/sed/events';
import { AudioError } from '../src/errors';
import { ev } from './sound-event';
import { sharedFolder } from './shared-data';

const { dir: SED_EVAL, present: haveSedEval } = sharedFolder('sed_eval', 'street_fold1_reference.txt');

describe('hungarian', () => {
  function brute(cost: number[][]): number {
    const n = cost.length;
    const m = cost[0].length;
    let best = Infinity;
    const k = Math.min(n, m);
    const rec = (i: number, usedRows: Set<number>, usedCols: Set<number>, sum: number, count: number) => {
      if (count === k) {
        best = Math.min(best, sum);
        return;
      }
      if (i >= n) return;
      rec(i + 1, usedRows, usedCols, sum, count); // skip row i
      for (let j = 0; j < m; j++) {
        if (usedCols.has(j)) continue;
        usedCols.add(j);
        rec(i + 1, usedRows, usedCols, sum + cost[i][j], count + 1);
        usedCols.delete(j);
      }
    };
    rec(0, new Set(), new Set(), 0, 0);
    return best;
  }

  test('a hand-checked 3x3 case', () => {
    // rows 0,1,2 best matched to cols 1,0,2: 1 + 2 + 2 = 5 (the greedy choice 0->0 gives 4+... worse)
    const cost = [
      [4, 1, 3],
      [2, 0, 5],
      [3, 2, 2],
    ];
    const pairs = hungarian(cost);
    expect(pairs).toEqual([
      [0, 1],
      [1, 0],
      [2, 2],
    ]);
  });

  test('matches brute force on random rectangular matrices', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rnd() * 5);
      const m = 1 + Math.floor(rnd() * 5);
      const cost = Array.from({ length: n }, () => Array.from({ length: m }, () => Math.round(rnd() * 100)));
      const pairs = hungarian(cost);
      expect(pairs.length).toBe(Math.min(n, m));
      expect(new Set(pairs.map((p) => p[0])).size).toBe(pairs.length);
      expect(new Set(pairs.map((p) => p[1])).size).toBe(pairs.length);
      const total = pairs.reduce((s, [i, j]) => s + cost[i][j], 0);
      expect(total).toBe(brute(cost));
    }
  });

  test('empty input', () => {
    expect(hungarian([])).toEqual([]);
  });
});

describe('angularDistance', () => {
  test('known angles', () => {
    expect(angularDistance(0, 0, 90, 0)).toBeCloseTo(90, 10);
    expect(angularDistance(-170, 0, 170, 0)).toBeCloseTo(20, 10);
    expect(angularDistance(0, 90, 123, 90)).toBeCloseTo(0, 5);
    expect(angularDistance(30, 0, 30, 40)).toBeCloseTo(40, 10);
    expect(angularDistance(0, 0, 180, 0)).toBeCloseTo(180, 10);
    // cos σ = sin²45 + cos²45·cos 90 = 0.5 -> 60°
    expect(angularDistance(0, 45, 90, 45)).toBeCloseTo(60, 10);
  });
});

describe('SegmentBasedMetrics', () => {
  test('hand-computed case: substitution, deletion, insertion', () => {
    const m = new SegmentBasedMetrics(['a', 'b', 'c']);
    // segments: 0:[ref a | est a] 1:[ref a | est b] 2:[ref a,b | est -] 3:[ref - | est c]
    const ref = [ev('x', 0.2, 3.0, 'a'), ev('x', 2.1, 2.9, 'b')];
    const est = [ev('x', 0.5, 0.9, 'a'), ev('x', 1.0, 2.0, 'b'), ev('x', 3.2, 3.8, 'c')];
    m.evaluate(ref, est);
    const r = m.results();
    // seg0: TP1 S0 D0 I0; seg1: Nref1 Nsys1 TP0 -> S1; seg2: Nref2 Nsys0 -> D2; seg3: Nsys1 -> I1
    expect(r.segments).toBe(4);
    expect(r.nref).toBe(4);
    expect(r.nsys).toBe(3);
    expect(r.truePositives).toBe(1);
    expect([r.substitutions, r.deletions, r.insertions]).toEqual([1, 2, 1]);
    expect(r.er).toBeCloseTo(4 / 4, 12);
    // P = 1/3, R = 1/4, F = 2PR/(P+R) = 2/7
    expect(r.f).toBeCloseTo(2 / 7, 12);
    expect(r.classWise.a.nref).toBe(3);
  });

  test('perfect estimate gives ER 0, F 1', () => {
    const m = new SegmentBasedMetrics(['a']);
    const ref = [ev('x', 0, 2.5, 'a')];
    m.evaluate(ref, ref);
    expect(m.results().er).toBe(0);
    expect(m.results().f).toBe(1);
  });

  test('rejects classes outside the list and mixed files', () => {
    const m = new SegmentBasedMetrics(['a']);
    expect(() => m.evaluate([ev('x', 0, 1, 'zzz')], [])).toThrow(/unknown|not among/);
    expect(() => m.evaluate([ev('x', 0, 1, 'a')], [ev('y', 0, 1, 'a')])).toThrow(AudioError);
  });

  (haveSedEval ? describe : describe.skip)(
    `sed_eval test data (${haveSedEval ? SED_EVAL : 'missing: ../shared/data/sed_eval not found'})`,
    () => {
      function readTsv(file: string, reference: boolean): SoundEvent[] {
        return fs
          .readFileSync(path.join(SED_EVAL, file), 'utf8')
          .split(/\r?\n/)
          .filter((l) => l.trim() !== '')
          .map((l) => {
            const f = l.split('\t');
            return reference ? ev(f[0], Number(f[2]), Number(f[3]), f[4]) : ev(f[0], Number(f[1]), Number(f[2]), f[3]);
          });
      }
      const ref = haveSedEval ? readTsv('street_fold1_reference.txt', true) : [];
      const est = haveSedEval ? readTsv('street_fold1_detected.txt', false) : [];
      const files = [...new Set(ref.map((e) => e.file))];
      const labels = uniqueClasses(ref);

      /** Segment-based figures (1 s) over the files, evaluated one file at a time (`evaluatedLength` s each, if given). */
      function scoreFileByFile(evaluatedLength?: number) {
        const m = new SegmentBasedMetrics(labels, { timeResolution: 1.0 });
        for (const f of files) {
          const byFile = (e: SoundEvent) => e.file === f;
          m.evaluate(ref.filter(byFile), est.filter(byFile), evaluatedLength);
        }
        return m.results();
      }

      test('error rate and accuracy as asserted by sed_eval', () => {
        const r = scoreFileByFile();
        expect(r.er).toBeCloseTo(1.0616698292220115, 12);
        expect(r.accuracy).toBeCloseTo(0.84244791666, 10);
      });

      test('with evaluated length 1200 s per file', () => {
        const r = scoreFileByFile(1200);
        expect(r.er).toBeCloseTo(1.0616698292220115, 12);
        expect(r.accuracy).toBeCloseTo(0.9719907407407408, 12);
      });
    },
  );
});

describe('frame tables', () => {
  test('a frame is active when its centre lies in [onset, offset)', () => {
    const frames = eventsToFrames([ev('x', 0.14, 0.36, 'a')], ['a'], 5, 0.1);
    // centres 0.05 0.15 0.25 0.35 0.45 -> frames 1, 2, 3
    expect(frames.map((f) => f.length)).toEqual([0, 1, 1, 1, 0]);
  });
});

describe('Seld2019Metrics', () => {
  test('hand-computed DOA error, frame recall and SELD score', () => {
    const classes = ['a', 'b'];
    const m = new Seld2019Metrics(classes, { frameLength: 0.5 });
    // frames of 0.5 s over 2 s: 4 frames
    const ref = [ev('x', 0, 2, 'a', 0, 0), ev('x', 1, 2, 'b', 90, 0)];
    const est = [
      ev('x', 0, 1, 'a', 10, 0), // frames 0,1: one ref (a at 0°) vs one est at 10° -> 10° each
      ev('x', 1, 2, 'a', 80, 0), // frames 2,3: ref {0°, 90°}, est {80°} -> matched to 90°: 10° each
    ];
    m.evaluate(ref, est);
    const r = m.results();
    // DOA: (10 + 10 + 10 + 10) / 4 estimated sources = 10°
    expect(r.doaError).toBeCloseTo(10, 10);
    // frame recall: frames 0,1 right (1 vs 1), frames 2,3 wrong (2 vs 1) -> 0.5
    expect(r.frameRecall).toBeCloseTo(0.5, 12);
    // segments (1 s): seg0 ref{a} est{a}: TP; seg1 ref{a,b} est{a}: TP1, D1 -> ER = 1/3, P = 1, R = 2/3, F = 0.8
    expect(r.er).toBeCloseTo(1 / 3, 12);
    expect(r.f).toBeCloseTo(0.8, 12);
    expect(r.seldScore).toBeCloseTo((1 / 3 + 0.2 + 10 / 180 + 0.5) / 4, 12);
  });

  test('mono (no directions): DOA error and SELD score are null', () => {
    const m = new Seld2019Metrics(['a']);
    m.evaluate([ev('x', 0, 1, 'a')], [ev('x', 0, 1, 'a')]);
    expect(m.results().doaError).toBeNull();
    expect(m.results().seldScore).toBeNull();
    expect(m.results().frameRecall).toBe(1);
  });
});

describe('LocationAwareMetrics', () => {
  test('hand-computed location-aware ER/F, LE and LR', () => {
    const m = new LocationAwareMetrics(['a', 'b', 'c'], { frameLength: 0.5, segmentLength: 1, doaThreshold: 20 });
    const ref = [
      ev('x', 0, 1, 'a', 0, 0), // seg0: est a at 10° -> TP, DE 10
      ev('x', 0, 1, 'b', 0, 0), // seg0: est b at 50° -> localised but too far: FP, DE 50
      ev('x', 1, 2, 'a', 0, 0), // seg1: missed -> FN
    ];
    const est = [ev('x', 0, 1, 'a', 10, 0), ev('x', 0, 1, 'b', 50, 0), ev('x', 1, 2, 'c', 0, 0)]; // seg1: c: FP
    m.evaluate(ref, est);
    const r = m.results();
    // seg0: FP1 FN0 -> I1; seg1: FP1 FN1 -> S1. Nref = 3. ER = 2/3
    expect(r.er).toBeCloseTo(2 / 3, 12);
    // TP = 1, FP = 2, FN = 1 -> F = 1 / (1 + 1.5) = 0.4
    expect(r.f).toBeCloseTo(0.4, 12);
    expect(r.localizationError).toBeCloseTo(30, 10);
    // DE_TP = 2, FN = 1 -> LR = 2/3
    expect(r.localizationRecall).toBeCloseTo(2 / 3, 12);
  });
});

describe('scoreEvents', () => {
  test('perfect estimate', () => {
    const ref = [ev('s1', 0.5, 3, 'dog', 30, 10), ev('s2', 1, 2, 'cat', -90, 0)];
    const s = scoreEvents(ref, ref);
    expect(s).toMatchObject({ er: 0, f: 1, doa_error: 0, frame_recall: 1, seld_score: 0 });
    // location-aware figures under their name, and (for this release) under the old er_20 / f_20 keys
    expect(s).toMatchObject({ location_aware_er: 0, location_aware_f: 1, er_20: 0, f_20: 1 });
    expect(s.files).toBe(2);
  });

  test('errors: empty reference, estimate for an unknown file', () => {
    expect(() => scoreEvents([], [])).toThrow(/no events/);
    expect(() => scoreEvents([ev('a', 0, 1, 'x')], [ev('b', 0, 1, 'x')])).toThrow(/no reference events/);
  });
});
