import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { ProgressBar } from '@gatewave/core';
import { AudioError } from '../errors';
import { readWav } from '../io/wav';
import { enhanceFile, enhancedName, expandInputs } from './enhancer';
import { loadEnhancer } from './load';
import { siSdr, stoi, estoi } from '../metrics';
import { trainEnhancer } from './train';
import { initBackend } from '@gatewave/core';

function fail(message: string): void {
  process.stderr.write(`gatewave-audio: ${message}\n`);
}

/** Scores an estimate against the clean reference: SI-SDR (dB), STOI and ESTOI, averaged over channels. */
export function scoreFiles(cleanPath: string, estPath: string): { siSdr: number; stoi: number; estoi: number; sampleRate: number; channels: number; seconds: number } {
  const clean = readWav(cleanPath);
  const est = readWav(estPath);
  if (clean.sampleRate !== est.sampleRate) {
    throw new AudioError('RATE_MISMATCH', `${estPath} is ${est.sampleRate} Hz but ${cleanPath} is ${clean.sampleRate} Hz; score files at the same rate.`);
  }
  if (clean.channels.length !== est.channels.length) {
    throw new AudioError('CHANNEL_MISMATCH', `${estPath} has ${est.channels.length} channel(s), ${cleanPath} has ${clean.channels.length}.`);
  }
  if (clean.channels[0].length !== est.channels[0].length) {
    throw new AudioError(
      'LENGTH_MISMATCH',
      `${estPath} has ${est.channels[0].length} samples per channel, ${cleanPath} has ${clean.channels[0].length}; they must be aligned and of the same length.`,
    );
  }
  let s = 0;
  let a = 0;
  let e = 0;
  clean.channels.forEach((c, i) => {
    s += siSdr(c, est.channels[i]);
    a += stoi(c, est.channels[i], clean.sampleRate);
    e += estoi(c, est.channels[i], clean.sampleRate);
  });
  const n = clean.channels.length;
  return { siSdr: s / n, stoi: a / n, estoi: e / n, sampleRate: clean.sampleRate, channels: n, seconds: clean.channels[0].length / clean.sampleRate };
}

/** Registers `enhance`, `score` and `train-enhancer` on the `gatewave-audio` program. */
export function registerEnhanceCommands(program: Command): void {
  program
    .command('enhance')
    .description('Remove noise from speech recordings; writes OUTDIR/<name>_enhanced.wav at the input\'s rate, channels and length.')
    .argument('<inputs...>', 'WAV files or directories (every .wav inside is enhanced)')
    .requiredOption('-o, --out <dir>', 'output directory')
    .option('-m, --model <dir|wiener>', 'model directory, or "wiener" for the classical baseline (default: the pretrained model)')
    .option('--chunk <seconds>', 'process long files in chunks of this many seconds (bounded memory)', '30')
    .option('--format <pcm16|float32>', 'output sample format (default: pcm16 for <=16-bit input, else float32)')
    .option('-q, --quiet', 'no progress bars')
    .action(async (inputs: string[], opts: { out: string; model?: string; chunk: string; format?: string; quiet?: boolean }) => {
      const chunkSeconds = Number(opts.chunk);
      if (!(chunkSeconds > 0)) throw new AudioError('BAD_ARGUMENT', `--chunk must be a positive number of seconds, got "${opts.chunk}".`);
      if (opts.format !== undefined && opts.format !== 'pcm16' && opts.format !== 'float32') {
        throw new AudioError('BAD_ARGUMENT', `--format must be pcm16 or float32, got "${opts.format}".`);
      }
      if (opts.model !== 'wiener') await initBackend(undefined, { purpose: 'infer', quiet: opts.quiet });
      const enhancer = await loadEnhancer(opts.model);
      const files = expandInputs(inputs);
      let failed = 0;
      for (const file of files) {
        try {
          if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
            throw new AudioError('NOT_WAV', `${file}: directory holds no .wav files.`);
          }
          const output = enhancedName(file, opts.out);
          let bar: ProgressBar | undefined;
          const result = await enhanceFile(file, output, enhancer, {
            chunkSeconds,
            format: opts.format as 'pcm16' | 'float32' | undefined,
            onWarning: (m) => process.stderr.write(`warning: ${path.basename(file)}: ${m}\n`),
            onProgress: (done, total) => {
              if (opts.quiet || total <= chunkSeconds * 16000) return;
              bar ??= new ProgressBar(total, { label: path.basename(file) });
              bar.update(done);
            },
          });
          bar?.finish();
          process.stderr.write(
            `${file} -> ${output}: ${result.duration.toFixed(2)} s audio (${result.sampleRate} Hz, ${result.channels} ch) ` +
              `in ${result.elapsed.toFixed(2)} s, RTF ${result.rtf.toFixed(3)} (${enhancer.name})\n`,
          );
        } catch (err) {
          failed++;
          fail(err instanceof AudioError ? err.message : `${file}: ${(err as Error).message}`);
        }
      }
      enhancer.dispose?.();
      if (failed > 0) {
        fail(`${failed} of ${files.length} file(s) failed; the others were written to ${opts.out}.`);
        process.exitCode = 1;
      }
    });

  program
    .command('score')
    .description('Score an enhanced (or noisy) file against the clean reference: SI-SDR, STOI and extended STOI.')
    .requiredOption('--clean <file>', 'clean reference WAV')
    .requiredOption('--est <file>', 'estimate WAV (same rate, channels and length)')
    .option('--json', 'print JSON')
    .action((opts: { clean: string; est: string; json?: boolean }) => {
      const r = scoreFiles(opts.clean, opts.est);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ clean: opts.clean, estimate: opts.est, si_sdr: r.siSdr, stoi: r.stoi, estoi: r.estoi })}\n`);
      } else {
        process.stdout.write(`SI-SDR ${r.siSdr.toFixed(3)} dB\nSTOI   ${r.stoi.toFixed(4)}\nESTOI  ${r.estoi.toFixed(4)}\n`);
      }
    });

  program
    .command('train-enhancer')
    .description('Train an FRCRN enhancer on clean speech and noise mixed on the fly; keeps the best model in --out.')
    .requiredOption('--speech <dir>', 'directory of clean speech WAV files (searched recursively)')
    .requiredOption('--noise <dir>', 'directory of noise WAV files (searched recursively)')
    .requiredOption('--out <dir>', 'model directory to write (the last state goes to <dir>.checkpoint)')
    .option('--config <small|full>', 'model size', 'small')
    .option('--epochs <n>', 'maximum number of epochs', '50')
    .option('--steps <n>', 'training steps per epoch', '100')
    .option('--batch <n>', 'mixtures per step', '4')
    .option('--lr <rate>', 'initial learning rate (Adam)', '0.001')
    .option('--exclude <list>', 'comma-separated path substrings to leave out (held-out test speakers/noises)', '')
    .option('--seed <n>', 'random seed', '1234')
    .option('--resume', 'continue from <out>.checkpoint')
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const int = (k: string): number => {
        const v = Number(opts[k]);
        if (!Number.isInteger(v) || v <= 0) throw new AudioError('BAD_ARGUMENT', `--${k} must be a positive integer, got "${String(opts[k])}".`);
        return v;
      };
      const lr = Number(opts.lr);
      if (!(lr > 0)) throw new AudioError('BAD_ARGUMENT', `--lr must be a positive number, got "${String(opts.lr)}".`);
      await initBackend(undefined, { purpose: 'train' });
      await trainEnhancer({
        speechDir: String(opts.speech),
        noiseDir: String(opts.noise),
        out: String(opts.out),
        config: String(opts.config),
        epochs: int('epochs'),
        stepsPerEpoch: int('steps'),
        batchSize: int('batch'),
        learningRate: lr,
        exclude: String(opts.exclude ?? '').split(',').map((s) => s.trim()).filter(Boolean),
        seed: int('seed'),
        resume: Boolean(opts.resume),
      });
    });
}
