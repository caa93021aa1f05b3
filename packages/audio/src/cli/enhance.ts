/** The speech commands of `gatewave-audio`: enhance, score, train-enhancer. Each parses, calls the library, prints. */
import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { initBackend, ProgressBar } from '@gatewave/core';
import { exitOnInterrupt } from '@gatewave/core/cli';
import { AudioError } from '../errors';
import { WavWriteFormat } from '../io/wav';
import { enhanceFiles } from '../enhance/batch';
import { loadEnhancer } from '../enhance/load';
import { trainEnhancer, type TrainEnhancerOptions } from '../enhance/train';
import { scoreFiles } from '../metrics/score-files';
import { scoreFolders } from '../enhance/score';
import { withOverrides, type EnhancerOverrides } from '../enhance/wiener-share';
import { registerTuneEnhancer } from './tune-enhancer';
import { addFlags } from './flags';
import { addAudioQueueFlags, checkQueueFlags, enhanceOnQueue, QueueFlags } from './queue';

function fail(message: string): void {
  process.stderr.write(`gatewave-audio: ${message}\n`);
}

interface EnhanceFlags extends QueueFlags {
  out: string;
  model?: string;
  chunk: number;
  sampleFormat?: WavWriteFormat;
  attenLim?: number;
  wienerShare?: number;
  shifts?: number;
  quiet?: boolean;
}

/** The settings a user gave over the model's own. */
const overridesOf = (o: EnhanceFlags): EnhancerOverrides => ({
  attenuationLimitDb: o.attenLim,
  wienerShare: o.wienerShare,
  shifts: o.shifts,
});

function registerEnhance(program: Command): void {
  const cmd = program
    .command('enhance')
    .description(
      "Remove noise from speech recordings; writes OUTDIR/<name>_enhanced.wav at the input's rate, channels and length.",
    )
    .argument('<inputs...>', 'WAV files or directories (every .wav inside is enhanced)');
  addFlags(cmd, {
    out: { required: true, description: 'output directory', placeholder: '<dir>' },
    model: {
      description: 'model directory, or "wiener" for the classical baseline (default: the pretrained model)',
      placeholder: '<dir|wiener>',
    },
    chunk: { default: 30 },
    sampleFormat: {},
    attenLim: {},
    wienerShare: {},
    shifts: {},
    quiet: {},
  });
  addAudioQueueFlags(cmd);
  cmd.action(async (inputs: string[], o: EnhanceFlags) => {
    checkQueueFlags(o);
    if (o.queue)
      return enhanceOnQueue(
        inputs,
        o.out,
        { model: o.model, chunkSeconds: o.chunk, format: o.sampleFormat, ...overridesOf(o) },
        o,
      );
    if (o.model !== 'wiener') await initBackend(undefined, { purpose: 'infer', quiet: o.quiet });
    const enhancer = withOverrides(await loadEnhancer(o.model), overridesOf(o));
    const bars = new Map<string, ProgressBar>();
    const written: string[] = [];
    exitOnInterrupt('gatewave-audio', () =>
      written.length
        ? `kept the ${written.length} file(s) finished before: ${written.join(', ')}`
        : 'no output was finished',
    );
    const outcomes = await enhanceFiles(inputs, o.out, enhancer, {
      chunkSeconds: o.chunk,
      format: o.sampleFormat,
      onWarning: (file, m) => process.stderr.write(`warning: ${path.basename(file)}: ${m}\n`),
      onNote: (m) => process.stderr.write(`note: ${m}\n`),
      onProgress: (file, done, total) => {
        if (o.quiet || total <= o.chunk * 16000) return;
        if (!bars.has(file)) bars.set(file, new ProgressBar(total, { label: path.basename(file) }));
        bars.get(file)!.update(done);
      },
      onFile: ({ input, result, error }) => {
        if (error) {
          fail(error instanceof AudioError ? error.message : `${input}: ${error.message}`);
          return;
        }
        bars.get(input)?.finish();
        written.push(result.output);
        process.stderr.write(
          `${input} -> ${result.output}: ${result.duration.toFixed(2)} s audio (${result.sampleRate} Hz, ${result.channels} ch) ` +
            `in ${result.elapsed.toFixed(2)} s, RTF ${result.rtf.toFixed(3)} (${enhancer.name})\n`,
        );
      },
    });
    enhancer.dispose?.();
    const failed = outcomes.filter((x) => x.error).length;
    if (failed > 0) {
      fail(`${failed} of ${outcomes.length} file(s) failed; the others were written to ${o.out}.`);
      process.exitCode = 1;
    }
  });
}

function isDir(p: string): boolean {
  return fs.existsSync(p) && fs.statSync(p).isDirectory();
}

function registerScore(program: Command): void {
  const cmd = program
    .command('score')
    .description(
      'Score an enhanced (or noisy) file against the clean reference: SI-SDR, STOI and extended STOI. With two folders, ' +
        'every reference NAME.wav is scored against NAME.wav or NAME_enhanced.wav: one line per file, then the mean.',
    );
  addFlags(cmd, {
    clean: { required: true, description: 'clean reference WAV, or a folder of them', placeholder: '<file|dir>' },
    est: {
      required: true,
      description: 'estimate WAV (same rate, channels and length), or a folder of them',
      placeholder: '<file|dir>',
    },
    json: 'print JSON',
  });
  cmd.action((o: { clean: string; est: string; json?: boolean }) => {
    if (isDir(o.clean) || isDir(o.est)) {
      if (!isDir(o.clean) || !isDir(o.est)) {
        throw new AudioError(
          'BAD_ARGUMENT',
          `--clean and --est must both be files or both be folders; ${isDir(o.clean) ? o.est : o.clean} is not a folder.`,
        );
      }
      const r = scoreFolders(o.clean, o.est);
      if (o.json) {
        const files = r.files.map((f) => ({
          file: f.file,
          si_sdr: f.siSdr,
          stoi: f.stoi,
          estoi: f.estoi,
          seconds: f.seconds,
        }));
        process.stdout.write(
          `${JSON.stringify({ clean: o.clean, estimate: o.est, files, mean: { si_sdr: r.mean.siSdr, stoi: r.mean.stoi, estoi: r.mean.estoi } })}\n`,
        );
        return;
      }
      const width = Math.max(4, ...r.files.map((f) => f.file.length));
      const line = (name: string, a: number, b: number, c: number): string =>
        `${name.padEnd(width)}  ${a.toFixed(3).padStart(8)}  ${b.toFixed(4)}  ${c.toFixed(4)}\n`;
      process.stdout.write(`${'file'.padEnd(width)}  ${'SI-SDR'.padStart(8)}  STOI    ESTOI\n`);
      for (const f of r.files) process.stdout.write(line(f.file, f.siSdr, f.stoi, f.estoi));
      process.stdout.write(
        line(`mean (${r.files.length} files)`.padEnd(width), r.mean.siSdr, r.mean.stoi, r.mean.estoi),
      );
      return;
    }
    const r = scoreFiles(o.clean, o.est);
    if (o.json) {
      process.stdout.write(
        `${JSON.stringify({ clean: o.clean, estimate: o.est, si_sdr: r.siSdr, stoi: r.stoi, estoi: r.estoi })}\n`,
      );
    } else {
      process.stdout.write(
        `SI-SDR ${r.siSdr.toFixed(3)} dB\nSTOI   ${r.stoi.toFixed(4)}\nESTOI  ${r.estoi.toFixed(4)}\n`,
      );
    }
  });
}

interface TrainEnhancerFlags {
  manifest?: string;
  speech?: string;
  noise?: string;
  clean?: string;
  noisy?: string;
  init?: string;
  patience?: number;
  lrPatience?: number;
  out: string;
  config: string;
  epochs: number;
  stepsPerEpoch: number;
  batchSize: number;
  learningRate: number;
  exclude: string[];
  seed: number;
  resume?: boolean;
  restartLr?: number;
  music?: number;
  babble?: number;
  nearClean?: number;
  noiseFree?: number;
  steadyNoise?: number;
  whisper?: number;
  siSnrCap?: number;
  validationMixtures?: number;
  lossAttenLim?: number;
  selectAttenLim?: number;
  utterances?: number;
  stoiTolerance?: number[];
  inputLevel?: number;
  levels?: [number, number];
  lossWienerShare?: number;
  lossStoi?: number;
  keepEpochs?: boolean;
  overwrite?: boolean;
}

/** The library's options for train-enhancer's flags. */
function trainEnhancerOptions(o: TrainEnhancerFlags): TrainEnhancerOptions {
  return {
    manifest: o.manifest,
    speechDir: o.speech,
    noiseDir: o.noise,
    cleanDir: o.clean,
    noisyDir: o.noisy,
    initFrom: o.init,
    patience: o.lrPatience,
    earlyStop: o.patience,
    out: o.out,
    config: o.config,
    epochs: o.epochs,
    stepsPerEpoch: o.stepsPerEpoch,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    exclude: o.exclude,
    seed: o.seed,
    resume: !!o.resume,
    restartLearningRate: o.restartLr,
    mix: {
      musicProbability: o.music,
      babbleProbability: o.babble,
      nearCleanProbability: o.nearClean,
      noiseFreeProbability: o.noiseFree,
      steadyProbability: o.steadyNoise,
      whisperProbability: o.whisper,
      minLevelDb: o.levels?.[0],
      maxLevelDb: o.levels?.[1],
    },
    siSnrCapDb: o.siSnrCap,
    validationMixtures: o.validationMixtures,
    lossAttenLimit: o.lossAttenLim,
    selectAttenLimit: o.selectAttenLim,
    selectUtterances: o.utterances,
    selectStoiTolerance: o.stoiTolerance?.length === 1 ? o.stoiTolerance[0] : o.stoiTolerance,
    inputLevelDb: o.inputLevel,
    lossWienerShare: o.lossWienerShare,
    lossStoiWeight: o.lossStoi,
    keepEpochs: !!o.keepEpochs,
    overwrite: !!o.overwrite,
  };
}

function registerTrainEnhancer(program: Command): void {
  const cmd = program
    .command('train-enhancer')
    .description(
      'Train an FRCRN enhancer; keeps the best model (by validation loss, or by --select-atten-lim) in --out. Data: a corpus --manifest, or --speech and ' +
        '--noise folders mixed on the fly, or paired --clean and --noisy folders.',
    );
  addFlags(cmd, {
    manifest: {},
    speech: {},
    noise: {},
    clean: {
      description: 'folder of clean WAV files, paired by name with --noisy (VoiceBank+DEMAND layout)',
      placeholder: '<dir>',
    },
    noisy: {},
    out: {
      required: true,
      description: 'model directory to write (the last state goes to <dir>.checkpoint)',
      placeholder: '<dir>',
    },
    config: { default: 'medium' },
    init: {
      description:
        "a fresh run starts from this model's weights where layers match by name and shape (e.g. small into medium)",
    },
    epochs: { description: 'maximum number of epochs', default: 50 },
    stepsPerEpoch: { default: 100 },
    batchSize: { description: 'mixtures per step', default: 4 },
    learningRate: { description: 'initial learning rate (Adam)', default: 0.001 },
    exclude: {
      description: 'comma-separated path substrings to leave out (held-out test speakers/noises)',
      default: [],
    },
    lrPatience: {
      description: 'halve the learning rate after this many epochs without a better validation loss (default 2)',
    },
    patience: { description: 'stop after this many epochs without a better validation loss (default 5)' },
    seed: { default: 1234 },
    resume: {},
    restartLr: {},
    music: {},
    babble: {},
    nearClean: {},
    noiseFree: {},
    steadyNoise: {},
    whisper: {},
    siSnrCap: {},
    validationMixtures: {},
    lossAttenLim: {},
    selectAttenLim: {},
    utterances: { description: 'validation utterances for --select-atten-lim (default 40)' },
    stoiTolerance: {
      description:
        'how far below the input STOI may fall for --select-atten-lim: one number, or one per SNR (-5, 0, 5 dB) (default 0)',
    },
    inputLevel: {},
    levels: {},
    lossWienerShare: {},
    lossStoi: {},
    keepEpochs: {},
    overwrite: {},
  });
  cmd.action(async (o: TrainEnhancerFlags) => {
    for (const [flag, given] of [
      ['--utterances', o.utterances],
      ['--stoi-tolerance', o.stoiTolerance],
    ] as const)
      if (given !== undefined && o.selectAttenLim === undefined)
        throw new AudioError('BAD_ARGUMENT', `${flag} goes with --select-atten-lim.`);
    if (o.restartLr !== undefined && !o.resume)
      throw new AudioError('BAD_ARGUMENT', "--restart-lr needs --resume: it restarts a checkpoint's schedule.");
    await initBackend(undefined, { purpose: 'train' });
    await trainEnhancer(trainEnhancerOptions(o));
  });
}

/** Registers `enhance`, `score` and `train-enhancer` on the `gatewave-audio` program. */
export function registerEnhanceCommands(program: Command): void {
  registerEnhance(program);
  registerScore(program);
  registerTrainEnhancer(program);
  registerTuneEnhancer(program);
}
