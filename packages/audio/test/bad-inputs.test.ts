/**
 * The bad-input corpus of gatewave-audio: each case is generated here (nothing checked in), run through the built CLI
 * in its own folder, and checked for its exact exit code, the key words of its message and that no file was left,
 * removed or changed other than its declared outputs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { encodeWav } from '../src';
import { CorpusCase, startCorpus, testCorpusCases } from '../../core/test/corpus';

const cli = path.resolve(__dirname, '../dist/cli.js');
const describeBuilt = fs.existsSync(cli) ? describe : describe.skip;

/** A mono 16 kHz WAV of `seconds`: a tone with a little noise, or silence. */
function wav(dir: string, name: string, seconds: number, silent = false): string {
  const n = Math.round(seconds * 16000);
  const x = Float32Array.from({ length: n }, (_, i) =>
    silent ? 0 : 0.3 * Math.sin(i / 5) + 0.01 * Math.sin(i * 1.37),
  );
  fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  fs.writeFileSync(path.join(dir, name), encodeWav({ sampleRate: 16000, channels: [x] }));
  return name;
}

function events(dir: string, name: string, rows: string[]): string {
  fs.writeFileSync(path.join(dir, name), ['file,onset,offset,class,azimuth,elevation', ...rows].join('\n') + '\n');
  return name;
}

/** score-events arguments for a reference and an estimate of one event-list row each. */
function scoreEvents(dir: string, refRow: string, estRow: string): string[] {
  return ['score-events', '--ref', events(dir, 'ref.csv', [refRow]), '--est', events(dir, 'est.csv', [estRow])];
}

const cases: CorpusCase[] = [
  {
    name: 'score with a silent reference',
    setup: (d) => ['score', '--clean', wav(d, 'clean.wav', 2, true), '--est', wav(d, 'est.wav', 2)],
    code: 2,
    words: [/SILENT_REFERENCE/, /clean\.wav is silent/],
  },
  {
    name: 'score on 0.01 s files',
    setup: (d) => ['score', '--clean', wav(d, 'clean.wav', 0.01), '--est', wav(d, 'est.wav', 0.01)],
    code: 2,
    words: [/TOO_SHORT/, /0\.010 s long; STOI needs at least 1 s/],
  },
  {
    name: 'score-events with azimuth 720',
    setup: (d) => scoreEvents(d, 'a.wav,1,2,dog,720,0', 'a.wav,1,2,dog,10,0'),
    code: 2,
    words: [/BAD_LABELS/, /azimuth 720° is outside -180\.\.360°/],
  },
  {
    name: 'score-events with elevation -300',
    setup: (d) => scoreEvents(d, 'a.wav,1,2,dog,10,0', 'a.wav,1,2,dog,10,-300'),
    code: 2,
    words: [/BAD_LABELS/, /elevation -300° is outside -90\.\.90°/],
  },
  {
    name: 'score-events with an offset of 1e9 s (no out-of-memory)',
    setup: (d) => scoreEvents(d, 'a.wav,1,1e9,dog,10,0', 'a.wav,1,2,dog,10,0'),
    code: 2,
    words: [/BAD_LABELS/, /offset 1000000000 s is beyond 86400 s/],
  },
  {
    name: 'enhance --chunk 0.001',
    setup: (d) => ['enhance', wav(d, 'x.wav', 2), '-o', 'out', '--model', 'wiener', '--chunk', '0.001'],
    code: 2,
    words: [/--chunk must be a number of seconds from 1 to 3600/],
  },
  {
    name: 'enhance -o below a file',
    setup: (d) => ['enhance', wav(d, 'x.wav', 2), '-o', 'x.wav/out', '--model', 'wiener', '-q'],
    code: 2,
    words: [/OUTPUT_NOT_WRITABLE/, /is a file, not a folder/],
  },
  {
    name: 'enhance two inputs of the same name from different folders',
    setup: (d) => ['enhance', wav(d, 'a/x.wav', 2), wav(d, 'b/x.wav', 2), '-o', 'out', '--model', 'wiener', '-q'],
    code: 0,
    words: [/note: b\/x\.wav has the same name as an earlier input; it is written to out\/x_2_enhanced\.wav/],
    outputs: ['out/x_enhanced.wav', 'out/x_2_enhanced.wav', 'out'],
  },
  {
    name: 'enhance -o into the input folder a second time (no x_enhanced_enhanced.wav)',
    setup: (d) => {
      wav(d, 'x.wav', 2);
      wav(d, 'x_enhanced.wav', 2); // the output of a first run
      return ['enhance', '.', '-o', '.', '--model', 'wiener', '-q'];
    },
    code: 0,
    words: [/skipped 1 file\(s\) in the output folder that are outputs of an earlier run \(x_enhanced\.wav\)/],
    outputs: ['x_enhanced.wav'],
  },
  {
    name: 'train-detector --out a folder of other files (checked before training)',
    setup: (d) => {
      fs.mkdirSync(path.join(d, 'mine'));
      fs.writeFileSync(path.join(d, 'mine', 'thesis.tex'), 'x');
      return ['train-detector', '--scenes', 'scenes', '--out', 'mine'];
    },
    code: 2,
    words: [/OUTPUT_EXISTS/, /thesis\.tex/],
  },
  {
    name: 'train-enhancer --out the folder that holds its speech',
    setup: (d) => {
      wav(d, 'speech/s.wav', 2);
      wav(d, 'noise/n.wav', 2);
      return ['train-enhancer', '--speech', 'speech', '--noise', 'noise', '--out', '.'];
    },
    code: 2,
    words: [/OUTPUT_IS_INPUT/, /holds an input of this run/],
  },
];

describeBuilt('gatewave-audio bad-input corpus', () => {
  const results = startCorpus(cli, cases);
  testCorpusCases(cases, () => results);
});
