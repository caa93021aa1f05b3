import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { atomicWriteFile, initBackend, ProgressBar } from '@gatewave/core';
import { AudioError } from '../errors';
import { readWav } from '../io/wav';
import { formatCsv, readEventList, SoundEvent, writeEventList } from './events';
import { EventScores, scoreEvents } from './metrics';
import { SceneFormat, SceneOptions, SCENE_FORMATS, synthesizeScenes } from './synth';
import { FOA_VIEW_COUNTS, FrameRow, SoundEventDetector } from './detector';
import { trainDetector, tuneDetector } from './train';

/** The pretrained FOA detector shipped with the package. */
export const DEFAULT_DETECTOR_DIR = path.resolve(__dirname, '../../models/detector-foa');

function num(value: string, flag: string, check: (x: number) => boolean, what: string): number {
  const x = Number(value);
  if (value === undefined || value === '' || !Number.isFinite(x) || !check(x)) {
    throw new AudioError('BAD_ARGUMENT', `${flag} must be ${what}, got "${value}".`);
  }
  return x;
}
const positiveInt = (v: string, flag: string) => num(v, flag, (x) => Number.isInteger(x) && x > 0, 'a positive integer');
const positive = (v: string, flag: string) => num(v, flag, (x) => x > 0, 'a positive number');
const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

/** Loads a detector from `dir`, or the packaged FOA model. */
export async function loadDetector(dir?: string): Promise<SoundEventDetector> {
  const target = dir ?? DEFAULT_DETECTOR_DIR;
  if (!dir && !fs.existsSync(path.join(target, 'model.json'))) {
    throw new AudioError(
      'MODEL_NOT_FOUND',
      `no pretrained detector is installed at ${target}; train one with train-detector and pass --model DIR.`,
    );
  }
  return SoundEventDetector.load(target);
}

function frameCsv(rows: readonly FrameRow[]): string {
  const out: (string | number)[][] = [['file', 'frame', 'onset', 'offset', 'class', 'probability', 'azimuth', 'elevation']];
  for (const r of rows) {
    out.push([r.file, r.frame, r.onset, r.offset, r.class, r.probability, r.azimuth ?? '', r.elevation ?? '']);
  }
  return formatCsv(out);
}

function scoreTable(s: EventScores): string {
  const f = (v: number | null, d = 3) => (v === null ? '-' : v.toFixed(d));
  const lines = [
    `files ${s.files}, classes ${s.classes.length}`,
    `segment-based (1 s):     ER ${f(s.er)}  F ${f(s.f * 100, 1)} %`,
    `DCASE 2019:              DOA error ${f(s.doa_error, 1)}°  frame recall ${f(s.frame_recall * 100, 1)} %  SELD ${f(s.seld_score)}`,
    `DCASE 2020 (${s.doa_threshold}°):        ER ${f(s.er_20)}  F ${f(s.f_20 === null ? null : s.f_20 * 100, 1)} %  ` +
      `LE ${f(s.localization_error, 1)}°  LR ${f(s.localization_recall === null ? null : s.localization_recall * 100, 1)} %`,
  ];
  return lines.join('\n') + '\n';
}

/** The --format flag of synth-scenes and train-detector. */
function sceneFormat(v: unknown): SceneFormat {
  const format = String(v) as SceneFormat;
  if (!SCENE_FORMATS.includes(format)) throw new AudioError('BAD_ARGUMENT', `--format must be one of ${SCENE_FORMATS.join(', ')}, got "${v}".`);
  return format;
}

/** The scene augmentation flags shared by synth-scenes and train-detector. */
function augmentation(opts: Record<string, string | boolean | undefined>): Pick<SceneOptions, 'minEventSeconds' | 'speedRange' | 'eqDb'> {
  const out: Pick<SceneOptions, 'minEventSeconds' | 'speedRange' | 'eqDb'> = {};
  if (opts.minEventSeconds !== undefined) out.minEventSeconds = positive(String(opts.minEventSeconds), '--min-event-seconds');
  if (opts.speed !== undefined) {
    const v = (list(String(opts.speed)) ?? []).map((x) => positive(x, '--speed'));
    if (v.length !== 2 || v[0] > v[1]) throw new AudioError('BAD_ARGUMENT', `--speed needs two numbers lo,hi with 0 < lo <= hi, e.g. 0.9,1.1; got "${opts.speed}".`);
    out.speedRange = [v[0], v[1]];
  }
  if (opts.eqDb !== undefined) out.eqDb = num(String(opts.eqDb), '--eq-db', (x) => x >= 0, 'a number of dB >= 0, e.g. 6');
  return out;
}

/** Registers `synth-scenes`, `train-detector`, `detect` and `score-events` on the `gatewave-audio` program. */
export function registerSedCommands(program: Command): void {
  program
    .command('synth-scenes')
    .description(
      'Synthesise labelled scenes from mono event clips: random onsets (at most 2 overlapping), directions on a 10° grid ' +
        '(concurrent events >= 20° apart), 10 ms fades, 5-30 dB SNR over diffuse noise. Writes scene_NNNN.wav, ' +
        'scene_NNNN.csv (DCASE 2019 labels) and scenes.json.',
    )
    .requiredOption('--events <dir>', 'folder of mono event clips')
    .option('--labels <csv>', 'clip labels (columns file,label[,active_onset_s,active_offset_s]); default <events>/labels.csv')
    .requiredOption('--out <dir>', 'output folder')
    .option('--count <n>', 'number of scenes', '10')
    .option('--seconds <s>', 'scene length in seconds', '30')
    .option('--format <foa|mic4|mono>', 'recording format', 'foa')
    .option('--seed <n>', 'random seed (same seed, same scenes)', '1')
    .option('--sample-rate <hz>', 'scene sample rate', '24000')
    .option('--reverb', 'add early reflections and an exponential reverberant tail')
    .option('--part <all|train|test>', 'use all of each clip, its first part (train) or its held-out last part (test)', 'all')
    .option('--test-fraction <f>', 'share of each clip held out for --part test', '0.3')
    .option('--include <files>', 'comma-separated clip files to use (default: all)')
    .option('--exclude <files>', 'comma-separated clip files to leave out')
    .option('--min-event-seconds <s>', 'augmentation: each event a random excerpt of its clip, at least this long (default: whole clips)')
    .option('--speed <lo,hi>', 'augmentation: play each event at a random speed in this range, e.g. 0.9,1.1 (default: unchanged)')
    .option('--eq-db <dB>', 'augmentation: filter each event by a random smooth EQ curve within +-dB, e.g. 6 (default: unfiltered)')
    .option('-q, --quiet', 'no progress bar')
    .action((opts: Record<string, string | boolean | undefined>) => {
      const format = sceneFormat(opts.format);
      const part = String(opts.part);
      if (!['all', 'train', 'test'].includes(part)) throw new AudioError('BAD_ARGUMENT', `--part must be all, train or test, got "${part}".`);
      const m = synthesizeScenes({
        events: String(opts.events),
        labels: opts.labels as string | undefined,
        out: String(opts.out),
        count: positiveInt(String(opts.count), '--count'),
        seconds: positive(String(opts.seconds), '--seconds'),
        format,
        seed: num(String(opts.seed), '--seed', Number.isInteger, 'an integer'),
        sampleRate: positiveInt(String(opts.sampleRate), '--sample-rate'),
        reverb: !!opts.reverb,
        part: part as 'all' | 'train' | 'test',
        testFraction: num(String(opts.testFraction), '--test-fraction', (x) => x > 0 && x < 1, 'in (0, 1)'),
        include: list(opts.include as string | undefined),
        exclude: list(opts.exclude as string | undefined),
        ...augmentation(opts),
        progress: !opts.quiet,
      });
      const events = m.scenes.reduce((s, x) => s + x.events, 0);
      process.stderr.write(`synth-scenes: ${m.scenes.length} ${m.format} scenes, ${events} events, ${m.classes.length} classes -> ${opts.out}\n`);
    });

  program
    .command('train-detector')
    .description(
      'Train a sound event detection and localisation CRNN (DCASE 2019 baseline shape) on scenes from synth-scenes. ' +
        'Keeps the model with the best validation SELD score in --out, checkpoints every epoch to <out>.checkpoint/, ' +
        'stops early, and continues with --resume.',
    )
    .option('--scenes <dir>', 'training scenes (scene_NNNN.wav + .csv, scenes.json)')
    .option('--synthesize <events-dir>', 'instead of --scenes: make training scenes on the fly from the mono clips in this folder')
    .requiredOption('--out <dir>', 'model directory to write')
    .option('--validation <dir>', 'validation scenes (default: the last 10% of --scenes, or --validation-scenes synthesised ones)')
    .option('--init <dir>', 'start from this detector\'s weights and normalisation (fine-tuning; fresh optimizer)')
    .option('--epochs <n>', 'most epochs', '50')
    .option('--batch-size <n>', 'excerpts per batch', '8')
    .option('--learning-rate <lr>', 'Adam learning rate', '0.001')
    .option('--patience <n>', 'stop after this many epochs without a better validation score', '10')
    .option('--lr-patience <n>', 'halve the learning rate after this many epochs without a better validation score (default: never)')
    .option('--sequence-seconds <s>', 'training excerpt length', '5')
    .option('--freq-masks <n>', 'SpecAugment: frequency masks per training excerpt', '0')
    .option('--max-mask-bands <n>', 'SpecAugment: widest frequency mask (mel bands)', '8')
    .option('--class-balance <alpha>', 'weigh each class\'s active frames in the loss by (its share of active frames / geometric mean share)^-alpha, so short or rare classes count more; 0 = off, 1 = all classes alike', '0')
    .option('--steps-per-epoch <n>', 'batches per epoch (default: the training audio once)')
    .option('--conv-channels <list>', 'channels of the conv blocks', '64,64,64')
    .option('--gru-units <list>', 'units of the bidirectional GRUs', '128,128')
    .option('--doa-weight <λ>', 'weight of the masked DOA loss', '5')
    .option('--thresholds <list>', 'activity thresholds tried on the validation scenes; the best is stored with the model', '0.2,0.3,0.4,0.5,0.6')
    .option('--min-durations <list>', 'shortest-event settings (s) tried with each threshold; the best is stored with the model', '0.1,0.2,0.3')
    .option('--seed <n>', 'random seed', '1')
    .option('--resume', 'continue from <out>.checkpoint/')
    .option('--labels <csv>', 'with --synthesize: the clips\' labels (default <events-dir>/labels.csv)')
    .option('--format <foa|mic4|mono>', 'with --synthesize: recording format', 'foa')
    .option('--part <all|train>', 'with --synthesize: all of each clip or its first part (the last --test-fraction is held out)', 'train')
    .option('--test-fraction <f>', 'with --synthesize: share of each clip held out', '0.3')
    .option('--pool <n>', 'with --synthesize: scenes held in memory', '64')
    .option('--refresh <n>', 'with --synthesize: pool scenes replaced by new ones after each epoch', '8')
    .option('--scene-seconds <s>', 'with --synthesize: scene length', '30')
    .option('--reverb', 'with --synthesize: reverberant scenes')
    .option('--min-event-seconds <s>', 'with --synthesize: events are random excerpts of their clips, at least this long')
    .option('--speed <lo,hi>', 'with --synthesize: random playback speed per event, e.g. 0.9,1.1')
    .option('--eq-db <dB>', 'with --synthesize: random smooth EQ per event within +-dB, e.g. 6')
    .option('--validation-scenes <n>', 'with --synthesize and no --validation: validation scenes to make', '8')
    .option('-q, --quiet', 'no progress bars')
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const ints = (v: string, flag: string) => (list(v) ?? []).map((x) => positiveInt(x, flag));
      const args = {
        epochs: positiveInt(String(opts.epochs), '--epochs'),
        batchSize: positiveInt(String(opts.batchSize), '--batch-size'),
        learningRate: positive(String(opts.learningRate), '--learning-rate'),
        patience: positiveInt(String(opts.patience), '--patience'),
        lrPatience: opts.lrPatience === undefined ? undefined : positiveInt(String(opts.lrPatience), '--lr-patience'),
        sequenceSeconds: positive(String(opts.sequenceSeconds), '--sequence-seconds'),
        freqMasks: num(String(opts.freqMasks), '--freq-masks', (x) => Number.isInteger(x) && x >= 0, 'an integer >= 0'),
        maxMaskBands: positiveInt(String(opts.maxMaskBands), '--max-mask-bands'),
        classBalance: num(String(opts.classBalance), '--class-balance', (x) => x >= 0, 'a number >= 0, e.g. 0.5'),
        stepsPerEpoch: opts.stepsPerEpoch === undefined ? undefined : positiveInt(String(opts.stepsPerEpoch), '--steps-per-epoch'),
        seed: num(String(opts.seed), '--seed', Number.isInteger, 'an integer'),
        thresholds: (list(String(opts.thresholds)) ?? []).map((x) => num(x, '--thresholds', (v) => v > 0 && v < 1, 'numbers in (0, 1)')),
        minDurations: (list(String(opts.minDurations)) ?? []).map((x) => num(x, '--min-durations', (v) => v >= 0, 'numbers >= 0')),
        model: {
          convChannels: ints(String(opts.convChannels), '--conv-channels'),
          gruUnits: ints(String(opts.gruUnits), '--gru-units'),
          doaWeight: num(String(opts.doaWeight), '--doa-weight', (x) => x >= 0, 'a number >= 0'),
        },
      };
      if (!opts.scenes === !opts.synthesize) {
        throw new AudioError('BAD_ARGUMENT', 'give either --scenes DIR (scenes from synth-scenes) or --synthesize EVENTS_DIR (scenes made on the fly).');
      }
      const part = String(opts.part);
      if (part !== 'all' && part !== 'train') throw new AudioError('BAD_ARGUMENT', `--part must be all or train, got "${part}".`);
      const format = sceneFormat(opts.format);
      const synthesize = opts.synthesize
        ? {
            events: String(opts.synthesize),
            labels: opts.labels as string | undefined,
            format,
            part: part as 'all' | 'train',
            testFraction: num(String(opts.testFraction), '--test-fraction', (x) => x > 0 && x < 1, 'in (0, 1)'),
            pool: positiveInt(String(opts.pool), '--pool'),
            refresh: positiveInt(String(opts.refresh), '--refresh'),
            validationScenes: positiveInt(String(opts.validationScenes), '--validation-scenes'),
            scene: { seconds: positive(String(opts.sceneSeconds), '--scene-seconds'), reverb: !!opts.reverb, ...augmentation(opts) },
          }
        : undefined;
      await initBackend(undefined, { purpose: 'train', convolutional: true, quiet: !!opts.quiet });
      const { history } = await trainDetector({
        scenes: opts.scenes as string | undefined,
        synthesize,
        init: opts.init as string | undefined,
        out: String(opts.out),
        validation: opts.validation as string | undefined,
        resume: !!opts.resume,
        progress: !opts.quiet,
        ...args,
      });
      const best = history.filter((h) => h.best).pop();
      process.stderr.write(
        best ? `train-detector: best validation SELD ${best.score.toFixed(4)} at epoch ${best.epoch}; model in ${opts.out}\n`
          : `train-detector: no epoch improved on the checkpoint's best; ${opts.out} unchanged\n`,
      );
    });

  program
    .command('detect')
    .description(
      'Detect and localise sound events; writes one row per event: file,onset,offset,class,azimuth,elevation ' +
        '(seconds, degrees; empty direction for mono models). Logs the real-time factor of each file.',
    )
    .argument('<inputs...>', 'WAV files (the channel layout the model was trained on, e.g. FOA ACN/SN3D)')
    .requiredOption('-o, --out <csv>', 'event list to write')
    .option('-m, --model <dir>', 'detector directory (default: the packaged FOA model)')
    .option('--threshold <p>', 'activity threshold (default: the model\'s, 0.5)')
    .option('--min-duration <s>', 'shortest event kept (default: the model\'s)')
    .option('--min-gap <s>', 'bridge gaps shorter than this within a class (default: the model\'s)')
    .option('--views <n>', 'FOA: average 1, 2, 4, 8 or 16 rotated/mirrored views of each recording (default: the model\'s)')
    .option('--hysteresis <r>', 'in (0, 1]: events start at the threshold and continue while above r x threshold (default: the model\'s; 1 = one threshold)')
    .option('--frames <csv>', 'also write the per-frame table (file,frame,onset,offset,class,probability,azimuth,elevation)')
    .option('-q, --quiet', 'no progress or timing lines')
    .action(async (inputs: string[], opts: Record<string, string | boolean | undefined>) => {
      const threshold = opts.threshold === undefined ? undefined : num(String(opts.threshold), '--threshold', (x) => x > 0 && x < 1, 'in (0, 1)');
      const minDuration = opts.minDuration === undefined ? undefined : num(String(opts.minDuration), '--min-duration', (x) => x >= 0, '>= 0');
      const minGap = opts.minGap === undefined ? undefined : num(String(opts.minGap), '--min-gap', (x) => x >= 0, '>= 0');
      const views = opts.views === undefined ? undefined : num(String(opts.views), '--views', (x) => (FOA_VIEW_COUNTS as readonly number[]).includes(x), `one of ${FOA_VIEW_COUNTS.join(', ')}`);
      const hysteresis = opts.hysteresis === undefined ? undefined : num(String(opts.hysteresis), '--hysteresis', (x) => x > 0 && x <= 1, 'in (0, 1]');
      for (const f of inputs) {
        if (!fs.existsSync(f)) throw new AudioError('FILE_NOT_FOUND', `${f} does not exist.`);
      }
      const detector = await loadDetector(opts.model as string | undefined);
      await initBackend(undefined, { purpose: 'infer', quiet: true });
      const say = (s: string) => {
        if (!opts.quiet) process.stderr.write(s + '\n');
      };
      const events: SoundEvent[] = [];
      const frames: FrameRow[] = [];
      const bar = inputs.length > 1 && !opts.quiet ? new ProgressBar(inputs.length, { label: 'detect' }) : null;
      for (const f of inputs) {
        const audio = readWav(f);
        const t0 = process.hrtime.bigint();
        const r = detector.detect(audio, path.basename(f), { threshold, minDuration, minGap, views, hysteresis }, (msg) => process.stderr.write(`notice: ${msg}\n`));
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        const duration = audio.channels[0].length / audio.sampleRate;
        events.push(...r.events);
        frames.push(...r.frames);
        say(`${f}: ${r.events.length} events, ${duration.toFixed(1)} s in ${seconds.toFixed(2)} s (RTF ${(seconds / duration).toFixed(3)})`);
        bar?.tick();
      }
      bar?.finish();
      writeEventList(String(opts.out), events);
      if (opts.frames) atomicWriteFile(String(opts.frames), frameCsv(frames));
    });

  program
    .command('tune-detector')
    .description(
      'Choose a trained detector\'s post-processing on validation scenes (a synth-scenes folder from the training part of ' +
        'the clips): the view count, activity threshold and shortest event with the best SELD score are written into the model.',
    )
    .requiredOption('-m, --model <dir>', 'detector directory (changed in place, atomically)')
    .requiredOption('--validation <dir>', 'validation scenes (scene_NNNN.wav + .csv, scenes.json)')
    .option('--views <list>', 'view counts to try (FOA: 1, 2, 4, 8, 16)', '1')
    .option('--thresholds <list>', 'activity thresholds to try', '0.2,0.3,0.4,0.5,0.6')
    .option('--min-durations <list>', 'shortest-event settings (s) to try', '0.1,0.2,0.3')
    .option('--hysteresis <list>', 'threshold hysteresis values to try (1 = one threshold; 0.5 = events continue down to half the threshold)', '1,0.7,0.5')
    .option('-q, --quiet', 'no progress bar')
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const grid = (flag: string, v: string, ok: (x: number) => boolean, what: string) => (list(v) ?? []).map((x) => num(x, flag, ok, what));
      const views = grid('--views', String(opts.views), (x) => (FOA_VIEW_COUNTS as readonly number[]).includes(x), `one of ${FOA_VIEW_COUNTS.join(', ')}`);
      const thresholds = grid('--thresholds', String(opts.thresholds), (x) => x > 0 && x < 1, 'numbers in (0, 1)');
      const minDurations = grid('--min-durations', String(opts.minDurations), (x) => x >= 0, 'numbers >= 0');
      const hysteresis = grid('--hysteresis', String(opts.hysteresis), (x) => x > 0 && x <= 1, 'numbers in (0, 1]');
      await initBackend(undefined, { purpose: 'infer', quiet: !!opts.quiet });
      const t = await tuneDetector(String(opts.model), String(opts.validation), { views, thresholds, minDurations, hysteresis }, !opts.quiet);
      process.stderr.write(
        `tune-detector: views ${t.views}, threshold ${t.threshold}, hysteresis ${t.hysteresis}, min duration ${t.minDuration} s -> ${opts.model}\n`,
      );
      process.stdout.write(scoreTable(t.validation));
    });

  program
    .command('score-events')
    .description(
      'Score an event list against a reference (both file,onset,offset,class,azimuth,elevation): segment-based ER and F ' +
        '(1 s, sed_eval), DOA error, frame recall and SELD score (DCASE 2019), location-aware ER/F at 20° with ' +
        'localisation error and recall (DCASE 2020).',
    )
    .requiredOption('--ref <csv>', 'reference events')
    .requiredOption('--est <csv>', 'estimated events (as written by detect)')
    .option('--classes <list>', 'evaluated classes, comma-separated (default: those in either list); others are an error')
    .option('--frame-length <s>', 'frame length for DOA, frame recall and location-aware metrics', '0.1')
    .option('--doa-threshold <deg>', 'threshold of the location-aware metrics', '20')
    .option('--json', 'print one JSON object')
    .action((opts: Record<string, string | boolean | undefined>) => {
      const classes = list(opts.classes as string | undefined);
      const ref = readEventList(String(opts.ref), { classes, allowNoEvents: false });
      const est = readEventList(String(opts.est), { classes });
      const s = scoreEvents(ref, est, {
        classes,
        frameLength: positive(String(opts.frameLength), '--frame-length'),
        doaThreshold: positive(String(opts.doaThreshold), '--doa-threshold'),
      });
      if (opts.json) {
        const { segment, ...rest } = s;
        process.stdout.write(JSON.stringify({ ...rest, precision: segment.precision, recall: segment.recall }) + '\n');
      } else process.stdout.write(scoreTable(s));
    });
}
