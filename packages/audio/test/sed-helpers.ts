import * as fs from 'fs';
import * as path from 'path';
import { Command } from 'commander';
import { Rng } from '@gatewave/core';
import { registerSedCommands } from '../src/cli/sed';
import { buildDetector, defaultDetectorConfig, SoundEventDetector } from '../src/sed/detector';
import { writeWav } from '../src/io/wav';

/** What the sound-event command tests share: the sed commands run in-process, and small fixtures. */

/**
 * Runs `gatewave-audio <args>` through the sed commands in this process and returns what it printed on stdout;
 * stderr (progress) is silenced, and a failure rejects with the command's error.
 */
export async function runSed(args: string[]): Promise<string> {
  const program = new Command();
  program.exitOverride();
  program.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerSedCommands(program);
  const chunks: string[] = [];
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    chunks.push(String(s));
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await program.parseAsync(['node', 'gatewave-audio', ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return chunks.join('');
}

/** Writes `<dir>/clips`: a 1 s 300 Hz hum and 1 s of seeded hiss at 24 kHz with their labels.csv; returns its path. */
export function writeHumAndHissClips(dir: string): string {
  const sr = 24000;
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
  return clips;
}

/** Saves an untrained FOA detector for the classes hiss and hum, small enough to run fast, to `dir`. */
export async function saveTinyDetector(dir: string): Promise<void> {
  const config = { ...defaultDetectorConfig('foa', ['hiss', 'hum']), convChannels: [4, 4, 4], gruUnits: [8] };
  config.normalization = { mean: new Array(64 * 7).fill(0), std: new Array(64 * 7).fill(1) };
  await new SoundEventDetector(buildDetector(config), config).save(dir);
}

/** train-detector flags for one step of one one-second scene: enough to go through training and save a model. */
export const ONE_TRAINING_STEP = [
  '--epochs',
  '1',
  '--steps-per-epoch',
  '1',
  '--batch-size',
  '1',
  '--sequence-seconds',
  '1',
];

/** Seeded Gaussian noise, standard deviation 0.1. */
export function noise(n: number, seed: number): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => r.gauss() * 0.1);
}
