import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command } from 'commander';
import { Rng } from '@gatewave/core';
import { registerSedCommands } from '../src/cli/sed';
import { readSceneLabels } from '../src/sed/events';
import { eventsToDcase2020Rows } from '../src/sed/dcase';
import { writeWav } from '../src/io/wav';

function program(): Command {
  const p = new Command();
  p.exitOverride();
  p.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerSedCommands(p);
  return p;
}

async function run(args: string[]): Promise<string> {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    chunks.push(String(s));
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await program().parseAsync(['node', 'gatewave-audio', ...args]);
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
  return chunks.join('');
}

describe('DCASE datasets on the command line', () => {
  let dir: string;
  let data: string;
  const sr = 24000;
  const classes = ['hiss', 'hum'];
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sed-dcase-cli-'));
    const clips = path.join(dir, 'clips');
    fs.mkdirSync(clips);
    const r = new Rng(3);
    writeWav(path.join(clips, 'hum.wav'), {
      sampleRate: sr,
      channels: [Float32Array.from({ length: sr }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 300 * i) / sr))],
    });
    writeWav(path.join(clips, 'hiss.wav'), {
      sampleRate: sr,
      channels: [Float32Array.from({ length: sr }, () => 0.1 * r.gauss())],
    });
    fs.writeFileSync(path.join(clips, 'labels.csv'), 'file,label\nhum.wav,hum\nhiss.wav,hiss\n');
    const scenes = path.join(dir, 'scenes');
    await run([
      'synth-scenes',
      '--events',
      clips,
      '--out',
      scenes,
      '--count',
      '3',
      '--seconds',
      '3',
      '--seed',
      '4',
      '-q',
    ]);
    // The DCASE 2021-2023 layout: metadata_dev/dev-*/foldN_roomM_mixK.csv beside foa_dev/dev-*/foldN_roomM_mixK.wav
    data = path.join(dir, 'dcase');
    ['fold1_room1_mix001', 'fold2_room1_mix001', 'fold3_room1_mix001'].forEach((name, i) => {
      const sub = i === 0 ? 'dev-test' : 'dev-train';
      const scene = `scene_000${i + 1}`;
      fs.mkdirSync(path.join(data, 'foa_dev', sub), { recursive: true });
      fs.mkdirSync(path.join(data, 'metadata_dev', sub), { recursive: true });
      fs.copyFileSync(path.join(scenes, `${scene}.wav`), path.join(data, 'foa_dev', sub, `${name}.wav`));
      const events = readSceneLabels(path.join(scenes, `${scene}.csv`), `${name}.wav`);
      const rows = eventsToDcase2020Rows(events, classes).map(([f, c, az, el]) => [f, c, 0, az, el].join(','));
      fs.writeFileSync(path.join(data, 'metadata_dev', sub, `${name}.csv`), rows.join('\n') + '\n');
    });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('train-detector --dcase, detect --output-format dcase2020, score-events on DCASE files', async () => {
    const model = path.join(dir, 'model');
    await run([
      'train-detector',
      '--dcase',
      data,
      '--class-names',
      'hiss,hum',
      '--folds',
      'fold3',
      '--validation-folds',
      'fold2',
      '--out',
      model,
      '--epochs',
      '1',
      '--steps-per-epoch',
      '1',
      '--batch-size',
      '1',
      '--sequence-seconds',
      '1',
      '--conv-channels',
      '4,4,4',
      '--gru-units',
      '8',
      '-q',
    ]);
    const meta = JSON.parse(fs.readFileSync(path.join(model, 'model.json'), 'utf8'));
    expect(meta.metadata.detector.classes).toEqual(classes);
    expect(meta.metadata.training.scenes).toBe('1 given recordings');
    const wav = path.join(data, 'foa_dev', 'dev-test', 'fold1_room1_mix001.wav');
    const out = path.join(dir, 'out');
    await run([
      'detect',
      wav,
      '--model',
      model,
      '--output-format',
      'dcase2020',
      '--out',
      out,
      '--threshold',
      '0.01',
      '-q',
    ]);
    const text = fs.readFileSync(path.join(out, 'fold1_room1_mix001.csv'), 'utf8');
    for (const line of text.trim().split('\n').filter(Boolean)) expect(line).toMatch(/^\d+,[01],-?\d+,-?\d+$/);
    // The reference as a dataset folder, the estimate as a folder of output files
    const s = JSON.parse(
      await run(['score-events', '--ref', path.join(data), '--est', out, '--class-names', 'hiss,hum', '--json']),
    );
    expect(s.files).toBe(3);
    expect(s.er).toBeGreaterThanOrEqual(0);
    // The reference scored against itself (metadata files as estimates): perfect
    const self = JSON.parse(
      await run([
        'score-events',
        '--ref',
        data,
        '--est',
        path.join(data, 'metadata_dev', 'dev-train'),
        '--class-names',
        'hiss,hum',
        '--json',
      ]),
    );
    expect(self.er).toBeGreaterThan(0); // fold1 has no estimate: its events are deletions
    const one = JSON.parse(
      await run([
        'score-events',
        '--ref',
        path.join(data, 'metadata_dev', 'dev-train'),
        '--est',
        path.join(data, 'metadata_dev', 'dev-train'),
        '--class-names',
        'hiss,hum',
        '--json',
      ]),
    );
    expect(one.er).toBe(0);
    expect(one.f).toBe(1);
    expect(one.doa_error).toBe(0);
    // Fine-tuning on another class list: --init keeps the weights, the output units follow the classes by name
    const wider = path.join(dir, 'wider');
    await run([
      'train-detector',
      '--dcase',
      data,
      '--class-names',
      'buzz,hum,hiss',
      '--folds',
      'fold3',
      '--validation-folds',
      'fold2',
      '--init',
      model,
      '--out',
      wider,
      '--epochs',
      '1',
      '--steps-per-epoch',
      '1',
      '--batch-size',
      '1',
      '--sequence-seconds',
      '1',
      '-q',
    ]);
    expect(JSON.parse(fs.readFileSync(path.join(wider, 'model.json'), 'utf8')).metadata.detector.classes).toEqual([
      'buzz',
      'hum',
      'hiss',
    ]);
  }, 180000);

  test('bad DCASE input: a clear error naming file and line, and nothing written', async () => {
    const bad = path.join(dir, 'bad');
    fs.cpSync(data, bad, { recursive: true });
    const meta = path.join(bad, 'metadata_dev', 'dev-train', 'fold3_room1_mix001.csv');
    fs.appendFileSync(meta, '5,7,0,10,10\n');
    const lines = fs.readFileSync(meta, 'utf8').trim().split('\n').length;
    const model = path.join(dir, 'bad-model');
    const train = ['train-detector', '--dcase', bad, '--class-names', 'hiss,hum', '--out', model, '--epochs', '1'];
    await expect(run(train)).rejects.toThrow(
      new RegExp(`fold3_room1_mix001\\.csv line ${lines}: unknown class index 7`),
    );
    fs.writeFileSync(meta, '0,0,0,200,0\n');
    await expect(run(train)).rejects.toThrow(/fold3_room1_mix001\.csv line 1: azimuth 200 is outside -180\.\.180/);
    fs.writeFileSync(meta, '0,0,0,0,0\n999,0,0,0,0\n');
    await expect(run(train)).rejects.toThrow(
      /fold3_room1_mix001\.csv line 2: frame 999 \(99\.9 s\) is beyond the audio's length \(3\.000 s/,
    );
    fs.rmSync(path.join(bad, 'foa_dev', 'dev-train', 'fold2_room1_mix001.wav'));
    await expect(run(train)).rejects.toThrow(/fold2_room1_mix001\.csv: no audio .*fold2_room1_mix001\.wav for it/);
    await expect(run(['train-detector', '--out', model, '--dcase', bad, '--scenes', bad])).rejects.toThrow(
      /give one of --scenes DIR/,
    );
    await expect(
      run([
        'score-events',
        '--ref',
        path.join(data, 'metadata_dev', 'dev-train'),
        '--est',
        path.join(data, 'metadata_dev', 'dev-train'),
      ]),
    ).rejects.toThrow(/pass the class-name list \(--class-names\)/);
    await expect(
      run([
        'detect',
        path.join(data, 'foa_dev', 'dev-test', 'fold1_room1_mix001.wav'),
        '--format',
        'dcase2021',
        '--out',
        model,
      ]),
    ).rejects.toThrow(/--format/);
    expect(fs.existsSync(model)).toBe(false);
  }, 60000);
});
