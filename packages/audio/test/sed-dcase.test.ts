import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  eventsToDcase2020Rows,
  formatDcase2020Output,
  frameRowsToEvents,
  metadataKind,
  parseDcase2019Metadata,
  parseDcase2020Metadata,
  parseDcase2020Output,
  resolveClassNames,
  writeDcase2020Outputs,
} from '../src/sed/dcase';
import { readDcaseDataset, readEventsAnyFormat } from '../src/sed/dcase-dataset';
import { readEventFile } from '../src/sed/dcase';
import { remapHeadWeights } from '../src/sed/remap';
import { writeWav } from '../src/io/wav';
import { ev } from './sound-event';

// DCASE 2019 Task 3 layout (metadata_dev/split1_ir0_ov1_1.csv), rows as in the dataset: class, times, ele, azi, dist
const META_2019 = [
  'sound_event_recording,start_time,end_time,ele,azi,dist',
  'clearthroat,0.4722,1.2333,-10,40,2',
  'knock,2.0,2.9,20,-170,1',
].join('\n');

// DCASE 2020-2023 layout: frame,class,track,azimuth,elevation (no header). Class 1 track 0 stays still for frames
// 3-5; class 0 track 1 moves from frame 4 to frame 5; class 1 track 2 overlaps its own class at frame 5.
const META_2020 = ['3,1,0,-50,30', '4,1,0,-50,30', '4,0,1,10,-20', '5,1,0,-50,30', '5,0,1,12,-20', '5,1,2,90,0'].join(
  '\n',
);

describe('DCASE metadata', () => {
  test('layout detection from the first line', () => {
    expect(metadataKind(META_2019, 'a.csv')).toBe('dcase2019');
    expect(metadataKind(META_2020, 'b.csv')).toBe('dcase2020');
    expect(() => metadataKind('file,onset,offset\n', 'c.csv')).toThrow(/c\.csv line 1: not a DCASE metadata file/);
  });

  test('DCASE 2019 rows become events (hand-checked)', () => {
    expect(parseDcase2019Metadata(META_2019, 'm.csv', 'split1.wav', { duration: 60 })).toEqual([
      ev('split1.wav', 0.4722, 1.2333, 'clearthroat', 40, -10),
      ev('split1.wav', 2.0, 2.9, 'knock', -170, 20),
    ]);
  });

  test('DCASE 2020 frames become events: runs per (class, track, direction), 100 ms frames', () => {
    const events = parseDcase2020Metadata(META_2020, 'm.csv', 'fold1.wav', {
      classes: ['alarm', 'crash'],
      duration: 1.0,
    });
    expect(events).toEqual([
      ev('fold1.wav', 0.3, 0.6, 'crash', -50, 30),
      ev('fold1.wav', 0.4, 0.5, 'alarm', 10, -20),
      ev('fold1.wav', 0.5, 0.6, 'alarm', 12, -20),
      ev('fold1.wav', 0.5, 0.6, 'crash', 90, 0),
    ]);
  });

  test('events back to DCASE 2020 output rows reproduce the frames', () => {
    const classes = ['alarm', 'crash'];
    const events = parseDcase2020Metadata(META_2020, 'm.csv', 'f.wav', { classes, duration: 1.0 });
    expect(eventsToDcase2020Rows(events, classes)).toEqual([
      [3, 1, -50, 30],
      [4, 0, 10, -20],
      [4, 1, -50, 30],
      [5, 0, 12, -20],
      [5, 1, -50, 30],
      [5, 1, 90, 0],
    ]);
    // an event from 0.26 s to 0.46 s covers the frames whose centre it holds: 0.35 and 0.45 -> frames 3 and 4
    expect(formatDcase2020Output([ev('x.wav', 0.26, 0.46, 'crash', 44.6, -0.4)], classes)).toBe('3,1,45,0\n4,1,45,0\n');
    // and the output file reads back (4 fields, track 0)
    expect(parseDcase2020Output('3,1,45,0\n4,1,45,0\n', 'o.csv', 'x.wav', { classes })).toEqual([
      ev('x.wav', 0.3, 0.5, 'crash', 45, 0),
    ]);
  });

  test('frameRowsToEvents ignores repeated rows', () => {
    const row = { frame: 2, classIndex: 0, track: 0, azimuth: 0, elevation: 0 };
    expect(frameRowsToEvents([row, row, { ...row, frame: 3 }], ['a'], 'r.wav')).toEqual([
      ev('r.wav', 0.2, 0.4, 'a', 0, 0),
    ]);
  });

  test('bad rows name file and line', () => {
    const classes = ['alarm', 'crash'];
    const p = (text: string) => () => parseDcase2020Metadata(text, 'meta.csv', 'r.wav', { classes, duration: 1.0 });
    expect(p('0,0,0,0,0\n1,2,0,0,0\n')).toThrow(
      /^meta\.csv line 2: unknown class index 2; the class list has 2 classes \(0\.\.1\)\.$/,
    );
    expect(p('0,0,0,0,0\n10,0,0,0,0\n')).toThrow(
      /meta\.csv line 2: frame 10 \(1\.0 s\) is beyond the audio's length \(1\.000 s, 10 frames of 100 ms\)/,
    );
    expect(p('0,0,0,181,0\n')).toThrow(/meta\.csv line 1: azimuth 181 is outside -180\.\.180 degrees/);
    expect(p('0,0,0,0,-91\n')).toThrow(/meta\.csv line 1: elevation -91 is outside -90\.\.90 degrees/);
    expect(p('0,0,0,0\n')).toThrow(/meta\.csv line 1: expected 5 fields/);
    expect(p('0,a,0,0,0\n')).toThrow(/meta\.csv line 1: column 'class' must be an integer, got 'a'/);
    expect(() => parseDcase2020Metadata('0,0,0,0,0\n', 'meta.csv', 'r.wav', {})).toThrow(/pass the class-name list/);
    const q = (text: string) => () =>
      parseDcase2019Metadata(text, 'm19.csv', 'r.wav', { duration: 3, classes: ['knock'] });
    expect(q('sound_event_recording,start_time,end_time,ele,azi,dist\nknock,1,3.2,0,0,1\n')).toThrow(
      /m19\.csv line 2: end_time 3\.2 s is beyond the audio's length/,
    );
    expect(q('sound_event_recording,start_time,end_time,ele,azi,dist\nknock,1,2,95,0,1\n')).toThrow(
      /m19\.csv line 2: elevation 95 is outside/,
    );
    expect(q('sound_event_recording,start_time,end_time,ele,azi,dist\ncough,1,2,0,0,1\n')).toThrow(
      /m19\.csv line 2: unknown class 'cough'/,
    );
  });

  test('class-name lists: dataset names, files and comma lists', () => {
    expect(resolveClassNames('starss23')[12]).toBe('knock');
    expect(resolveClassNames('a, b,c')).toEqual(['a', 'b', 'c']);
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dcase-names-')), 'classes.txt');
    fs.writeFileSync(f, 'alarm\ncrying baby\n');
    expect(resolveClassNames(f)).toEqual(['alarm', 'crying baby']);
    expect(() => resolveClassNames('a,,b')).toThrow(/--class-names must be/);
  });
});

describe('DCASE dataset folders', () => {
  let root: string;
  const quiet = (seconds: number) => ({
    sampleRate: 24000,
    channels: [0, 1, 2, 3].map(() => new Float32Array(Math.round(seconds * 24000))),
  });
  const make = (dir: string, files: Record<string, string>, audio: string[], seconds = 1) => {
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    for (const rel of audio) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeWav(path.join(dir, rel), quiet(seconds));
    }
  };
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'dcase-'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('DCASE 2021-2023 layout with subfolders: pairs, events, folds', () => {
    const d = path.join(root, 'starss');
    make(
      d,
      {
        'metadata_dev/dev-train/fold3_room4_mix001.csv': '0,1,0,20,10\n1,1,0,20,10\n',
        'metadata_dev/dev-test/fold4_room2_mix002.csv': '5,0,0,-90,0\n',
      },
      [
        'foa_dev/dev-train/fold3_room4_mix001.wav',
        'foa_dev/dev-test/fold4_room2_mix002.wav',
        'mic_dev/dev-train/fold3_room4_mix001.wav',
      ],
    );
    const all = readDcaseDataset(d, { classes: ['a', 'b'] });
    expect(all.kind).toBe('dcase2020');
    expect(all.format).toBe('foa');
    expect(all.recordings.map((r) => r.name)).toEqual([
      path.join('dev-test', 'fold4_room2_mix002'),
      path.join('dev-train', 'fold3_room4_mix001'),
    ]);
    expect(all.recordings[1].events).toEqual([ev('fold3_room4_mix001.wav', 0, 0.2, 'b', 20, 10)]);
    const fold3 = readDcaseDataset(d, { classes: ['a', 'b'], folds: ['fold3'] });
    expect(fold3.recordings).toHaveLength(1);
    // the mic folder lacks fold4's audio: a mismatch naming the metadata file
    expect(() => readDcaseDataset(d, { classes: ['a', 'b'], format: 'mic4' })).toThrow(
      /fold4_room2_mix002\.csv: no audio .*mic_dev.*fold4_room2_mix002\.wav for it/,
    );
  });

  test('DCASE 2019 layout; audio without metadata; frames beyond the audio', () => {
    const d = path.join(root, 'tau2019');
    make(d, { 'metadata_dev/split1_ir0_ov1_1.csv': META_2019 + '\n' }, ['foa_dev/split1_ir0_ov1_1.wav'], 3);
    const ds = readDcaseDataset(d);
    expect(ds.kind).toBe('dcase2019');
    expect(ds.classes).toEqual(['clearthroat', 'knock']);
    make(d, {}, ['foa_dev/split1_ir0_ov1_2.wav'], 3);
    expect(() => readDcaseDataset(d)).toThrow(/split1_ir0_ov1_2\.wav: no metadata .*split1_ir0_ov1_2\.csv for it/);
    const e = path.join(root, 'short');
    make(
      e,
      { 'metadata_dev/fold1_room1_mix001.csv': '0,0,0,0,0\n12,0,0,0,0\n' },
      ['foa_dev/fold1_room1_mix001.wav'],
      1,
    );
    expect(() => readDcaseDataset(e, { classes: ['a'] })).toThrow(
      /fold1_room1_mix001\.csv line 2: frame 12 \(1\.2 s\) is beyond the audio's length/,
    );
    expect(() => readDcaseDataset(path.join(root, 'nothing'))).toThrow(/does not exist/);
  });

  test('output files: one per recording, empty for a recording without detections, nothing written on error', () => {
    const out = path.join(root, 'out');
    const files = writeDcase2020Outputs(out, ['/x/a.wav', '/y/b.wav'], [ev('a.wav', 0, 0.2, 'k', 90, 0)], ['j', 'k']);
    expect(files.map((f) => path.basename(f))).toEqual(['a.csv', 'b.csv']);
    expect(fs.readFileSync(path.join(out, 'a.csv'), 'utf8')).toBe('0,1,90,0\n1,1,90,0\n');
    expect(fs.readFileSync(path.join(out, 'b.csv'), 'utf8')).toBe('');
    const out2 = path.join(root, 'out2');
    expect(() => writeDcase2020Outputs(out2, ['a.wav'], [ev('a.wav', 0, 1, 'z', 0, 0)], ['j'])).toThrow(
      /class 'z' is not in the DCASE class list/,
    );
    expect(() => writeDcase2020Outputs(out2, ['/p/a.wav', '/q/a.wav'], [], ['j'])).toThrow(
      /two inputs share the name a\.csv/,
    );
    expect(fs.existsSync(out2)).toBe(false);
  });
});

describe('reading any event format', () => {
  test('event list, DCASE 2019, DCASE 2020 metadata and output, folders of them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcase-any-'));
    const w = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    expect(readEventFile(w('list.csv', 'file,onset,offset,class,azimuth,elevation\na.wav,0,1,dog,10,0\n'))).toEqual({
      format: 'events',
      events: [ev('a.wav', 0, 1, 'dog', 10, 0)],
    });
    expect(readEventFile(w('split1_ir0_ov1_1.csv', META_2019)).events[1]).toEqual(
      ev('split1_ir0_ov1_1.wav', 2, 2.9, 'knock', -170, 20),
    );
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'fold1_room1_mix001.csv'), '0,1,20,10\n1,1,20,10\n');
    fs.writeFileSync(path.join(out, 'fold1_room1_mix002.csv'), '');
    expect(readEventFile(path.join(out, 'fold1_room1_mix001.csv'), { classNames: ['a', 'b'] })).toEqual({
      format: 'dcase2020-output',
      events: [ev('fold1_room1_mix001.wav', 0, 0.2, 'b', 20, 10)],
    });
    expect(readEventsAnyFormat(out, { classNames: ['a', 'b'] })).toEqual([
      ev('fold1_room1_mix001.wav', 0, 0.2, 'b', 20, 10),
    ]);
    expect(() => readEventsAnyFormat(out)).toThrow(
      /fold1_room1_mix001\.csv holds DCASE 2020-2023 frame rows with class indices; pass the class-name list/,
    );
    expect(() => readEventsAnyFormat(path.join(dir, 'none'))).toThrow(/does not exist/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('remapHeadWeights', () => {
  test('class columns follow the names; new classes keep their fresh values', () => {
    // 2 rows, 3 groups (x, y, z), old classes [a, b], new classes [b, c]
    const old = Float32Array.from([
      1,
      2,
      3,
      4,
      5,
      6, // row 0: xa xb ya yb za zb
      7,
      8,
      9,
      10,
      11,
      12,
    ]);
    const fresh = new Float32Array(12).fill(-1);
    expect(Array.from(remapHeadWeights(old, fresh, 2, 3, ['a', 'b'], ['b', 'c']))).toEqual([
      2, -1, 4, -1, 6, -1, 8, -1, 10, -1, 12, -1,
    ]);
    expect(() => remapHeadWeights(old, new Float32Array(5), 2, 3, ['a', 'b'], ['b', 'c'])).toThrow(/head weights/);
  });
});
