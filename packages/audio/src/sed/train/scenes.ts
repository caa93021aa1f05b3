/** Scene folders for training and validation: listing, reading and featurising scenes, and feature statistics. */
import * as fs from 'fs';
import * as path from 'path';
import type { tf } from '@gatewave/core';
import { AudioError } from '../../errors';
import { readWav } from '../../io/wav';
import { readSceneLabels, SoundEvent, uniqueClasses } from '../events';
import { SceneFormat, SCENE_FORMATS } from '../format';
import { SceneManifest } from '../synth';
import { DetectorConfig, eventTargets, labelFrameLength, SoundEventDetector } from '../detector';
import { extractFeatures, SedFeatures } from '../features';

/** A scene ready for training: normalised features and label-rate targets. */
export interface PreparedScene {
  name: string;
  features: SedFeatures;
  events: SoundEvent[];
  sed: Float32Array;
  doa: Float32Array;
  labelFrames: number;
}

export interface SceneSet {
  format: SceneFormat;
  sampleRate: number;
  classes: string[];
  scenes: { name: string; audio: string; events: SoundEvent[] }[];
}

/**
 * Lists the scenes of a folder: from its `scenes.json` when present (format, rate and class list), else every
 * `NAME.wav` with a `NAME.csv` beside it (classes from the labels, format from the channel count: 1 = mono,
 * 4 = foa unless `format` says mic4). Label files must be non-empty and name only known classes.
 */
export function listScenes(dir: string, format?: SceneFormat): SceneSet {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new AudioError('FILE_NOT_FOUND', `scenes folder ${dir} does not exist; make one with synth-scenes.`);
  }
  const manifestFile = path.join(dir, 'scenes.json');
  if (fs.existsSync(manifestFile)) {
    const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as SceneManifest;
    if (format && format !== m.format) {
      throw new AudioError('BAD_ARGUMENT', `${dir} holds ${m.format} scenes, not ${format}.`);
    }
    return {
      format: m.format,
      sampleRate: m.sampleRate,
      classes: m.classes,
      scenes: m.scenes.map((s) => ({
        name: s.audio,
        audio: path.join(dir, s.audio),
        events: readSceneLabels(path.join(dir, s.labels), s.audio, m.classes),
      })),
    };
  }
  const wavs = fs
    .readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith('.wav'))
    .sort();
  const scenes = wavs
    .filter((w) => fs.existsSync(path.join(dir, w.replace(/\.wav$/i, '.csv'))))
    .map((w) => ({
      name: w,
      audio: path.join(dir, w),
      events: readSceneLabels(path.join(dir, w.replace(/\.wav$/i, '.csv')), w),
    }));
  if (scenes.length === 0) {
    throw new AudioError('NO_SCENES', `${dir} has no NAME.wav + NAME.csv scene pairs; make some with synth-scenes.`);
  }
  const first = readWav(scenes[0].audio);
  const fmt: SceneFormat = format ?? (first.channels.length === 1 ? 'mono' : 'foa');
  if (!SCENE_FORMATS.includes(fmt)) throw new AudioError('BAD_ARGUMENT', `unknown format ${fmt}.`);
  return { format: fmt, sampleRate: first.sampleRate, classes: uniqueClasses(...scenes.map((s) => s.events)), scenes };
}

/** A scene's label-rate targets for a detector config (features not yet normalised). */
export function withTargets(
  name: string,
  features: SedFeatures,
  events: SoundEvent[],
  config: DetectorConfig,
): PreparedScene {
  for (const e of events) {
    if (!config.classes.includes(e.class)) {
      throw new AudioError(
        'UNKNOWN_CLASS',
        `${name}: class '${e.class}' is not one of the model's classes (${config.classes.join(', ')}).`,
      );
    }
  }
  const labelFrames = Math.floor(features.frames / config.labelHop);
  const { sed, doa } = eventTargets(events, config.classes, labelFrames, labelFrameLength(config));
  return { name, features, events, sed, doa, labelFrames };
}

/** Reads, checks and featurises scenes for a detector config (features not yet normalised). */
export function prepareScenes(set: SceneSet, config: DetectorConfig, onScene?: () => void): PreparedScene[] {
  const detector = new SoundEventDetector(null as unknown as tf.LayersModel, config);
  return set.scenes.map((s) => {
    const channels = detector.prepare(readWav(s.audio), s.audio);
    const prepared = withTargets(s.name, extractFeatures(channels, config.features), s.events, config);
    onScene?.();
    return prepared;
  });
}

/** Mean and standard deviation per (mel band, channel) over all frames of the scenes. */
export function featureStatistics(scenes: readonly PreparedScene[]): { mean: number[]; std: number[] } {
  const n = scenes[0].features.melBands * scenes[0].features.channels;
  const sum = new Float64Array(n);
  const sq = new Float64Array(n);
  let count = 0;
  for (const s of scenes) {
    const d = s.features.data;
    for (let i = 0; i < d.length; i++) {
      sum[i % n] += d[i];
      sq[i % n] += d[i] * d[i];
    }
    count += s.features.frames;
  }
  const mean = Array.from(sum, (v) => v / count);
  const std = Array.from(sq, (v, i) => Math.sqrt(Math.max(v / count - mean[i] * mean[i], 0)) || 1);
  return { mean, std };
}
