import * as fs from 'fs';
import * as path from 'path';
import { readSceneLabels } from '../src/sed/events';
import { eventsToDcase2020Rows } from '../src/sed/dcase';
import { tempDir } from '../../core/test/test-setup';
import { ONE_TRAINING_STEP, runSed, writeHumAndHissClips } from './sed-helpers';

describe('DCASE datasets on the command line', () => {
  const dir = tempDir('sed-dcase-cli-');
  const data = path.join(dir, 'dcase');
  const classes = ['hiss', 'hum'];
  // metadata_dev/dev-train: the estimates of the scoring tests; fold3 trains, fold2 validates
  const devTrain = path.join(data, 'metadata_dev', 'dev-train');
  const folds = ['--folds', 'fold3', '--validation-folds', 'fold2'];
  beforeAll(async () => {
    const clips = writeHumAndHissClips(dir);
    const scenes = path.join(dir, 'scenes');
    const three = ['--count', '3', '--seconds', '3', '--seed', '4', '-q'];
    await runSed(['synth-scenes', '--events', clips, '--out', scenes, ...three]);
    // The DCASE 2021-2023 layout: metadata_dev/dev-*/foldN_roomM_mixK.csv beside foa_dev/dev-*/foldN_roomM_mixK.wav
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

  test('train-detector --dcase, detect --output-format dcase2020, score-events on DCASE files', async () => {
    const model = path.join(dir, 'model');
    const small = ['--conv-channels', '4,4,4', '--gru-units', '8', '-q'];
    await runSed([
      'train-detector',
      '--dcase',
      data,
      '--class-names',
      'hiss,hum',
      ...folds,
      '--out',
      model,
      ...ONE_TRAINING_STEP,
      ...small,
    ]);
    const meta = JSON.parse(fs.readFileSync(path.join(model, 'model.json'), 'utf8'));
    expect(meta.metadata.detector.classes).toEqual(classes);
    expect(meta.metadata.training.scenes).toBe('1 given recordings');
    const wav = path.join(data, 'foa_dev', 'dev-test', 'fold1_room1_mix001.wav');
    const out = path.join(dir, 'out');
    const dcase2020 = ['--output-format', 'dcase2020'];
    await runSed(['detect', wav, '--model', model, ...dcase2020, '--out', out, '--threshold', '0.01', '-q']);
    const text = fs.readFileSync(path.join(out, 'fold1_room1_mix001.csv'), 'utf8');
    for (const line of text.trim().split('\n').filter(Boolean)) expect(line).toMatch(/^\d+,[01],-?\d+,-?\d+$/);
    // The reference as a dataset folder, the estimate as a folder of output files
    const s = JSON.parse(
      await runSed(['score-events', '--ref', path.join(data), '--est', out, '--class-names', 'hiss,hum', '--json']),
    );
    expect(s.files).toBe(3);
    expect(s.er).toBeGreaterThanOrEqual(0);
    // The reference scored against itself (metadata files as estimates): perfect
    const self = JSON.parse(
      await runSed(['score-events', '--ref', data, '--est', devTrain, '--class-names', 'hiss,hum', '--json']),
    );
    expect(self.er).toBeGreaterThan(0); // fold1 has no estimate: its events are deletions
    const one = JSON.parse(
      await runSed(['score-events', '--ref', devTrain, '--est', devTrain, '--class-names', 'hiss,hum', '--json']),
    );
    expect(one.er).toBe(0);
    expect(one.f).toBe(1);
    expect(one.doa_error).toBe(0);
    // Fine-tuning on another class list: --init keeps the weights, the output units follow the classes by name
    const wider = path.join(dir, 'wider');
    const buzzHumHiss = ['--class-names', 'buzz,hum,hiss'];
    await runSed([
      'train-detector',
      '--dcase',
      data,
      ...buzzHumHiss,
      ...folds,
      '--init',
      model,
      '--out',
      wider,
      ...ONE_TRAINING_STEP,
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
    await expect(runSed(train)).rejects.toThrow(
      new RegExp(`fold3_room1_mix001\\.csv line ${lines}: unknown class index 7`),
    );
    fs.writeFileSync(meta, '0,0,0,200,0\n');
    await expect(runSed(train)).rejects.toThrow(/fold3_room1_mix001\.csv line 1: azimuth 200 is outside -180\.\.180/);
    fs.writeFileSync(meta, '0,0,0,0,0\n999,0,0,0,0\n');
    await expect(runSed(train)).rejects.toThrow(
      /fold3_room1_mix001\.csv line 2: frame 999 \(99\.9 s\) is beyond the audio's length \(3\.000 s/,
    );
    fs.rmSync(path.join(bad, 'foa_dev', 'dev-train', 'fold2_room1_mix001.wav'));
    await expect(runSed(train)).rejects.toThrow(/fold2_room1_mix001\.csv: no audio .*fold2_room1_mix001\.wav for it/);
    await expect(runSed(['train-detector', '--out', model, '--dcase', bad, '--scenes', bad])).rejects.toThrow(
      /give one of --scenes DIR/,
    );
    await expect(runSed(['score-events', '--ref', devTrain, '--est', devTrain])).rejects.toThrow(
      /pass the class-name list \(--class-names\)/,
    );
    await expect(
      runSed([
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
