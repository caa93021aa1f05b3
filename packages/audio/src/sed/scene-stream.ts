/**
 * Training scenes made on the fly: a generator that synthesises scenes from event clips and returns their features
 * and labels without writing audio, and a stream that runs it in a worker thread so that the next scenes are made
 * while the model trains on the current ones.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { AudioError } from '../errors';
import { SoundEvent } from './events';
import { extractFeatures, SedFeatureConfig, SedFeatures } from './features';
import { atLevel } from '../dsp/level';
import { Rng } from '@gatewave/core';
import { EventClip, loadAmbience, loadEventClips, loadInterferers, SceneOptions, synthesizeScene } from './synth';

/** Where the clips come from, how scenes are made from them, and how they are featurised. */
export interface SceneStreamOptions {
  /** Folder of mono event clips. */
  events: string;
  /** The clips' label file (default `<events>/labels.csv`). */
  labels?: string;
  /** Part of each clip to use (default 'train': the first 1 − testFraction of its active region). */
  part?: 'all' | 'train' | 'test';
  testFraction?: number;
  include?: readonly string[];
  exclude?: readonly string[];
  /** Scene options other than format and rate (those come from `features`). */
  scene: Omit<SceneOptions, 'format' | 'sampleRate' | 'ambience' | 'interferers'>;
  /** Folder of mono ambience recordings for the backgrounds (see `SceneOptions.ambience`). */
  ambience?: string;
  /** Folder of mono recordings of other sounds, placed unlabelled (see `SceneOptions.interferers`). */
  interferers?: string;
  features: SedFeatureConfig;
  /**
   * The detector's input level (dBFS RMS over all channels; `DetectorConfig.inputLevel`): each scene is scaled to it
   * before its features are taken, as the detector scales what it is given. Absent: scenes keep their own level.
   */
  inputLevelDb?: number;
  seed: number;
}

/** A synthesised scene's features (not normalised) and its events. */
export interface SynthesizedScene {
  name: string;
  features: SedFeatures;
  events: SoundEvent[];
}

/** Makes scenes in the calling thread; the same options and seed give the same scenes. */
export class SceneGenerator {
  readonly classes: string[];
  private readonly clips: EventClip[];
  private readonly ambience: Float32Array[] | undefined;
  private readonly interferers: Float32Array[] | undefined;
  private readonly rng: Rng;
  private made = 0;

  constructor(private readonly options: SceneStreamOptions) {
    const loaded = loadEventClips(options.events, options.labels ?? path.join(options.events, 'labels.csv'), {
      sampleRate: options.features.sampleRate,
      part: options.part ?? 'train',
      testFraction: options.testFraction,
      include: options.include,
      exclude: options.exclude,
    });
    this.clips = loaded.clips;
    this.ambience =
      options.ambience === undefined ? undefined : loadAmbience(options.ambience, options.features.sampleRate);
    this.interferers =
      options.interferers === undefined ? undefined : loadInterferers(options.interferers, options.features.sampleRate);
    this.classes = loaded.classes;
    this.rng = new Rng(options.seed);
  }

  next(count: number): SynthesizedScene[] {
    const { format, sampleRate } = this.options.features;
    return Array.from({ length: count }, () => {
      const scene = synthesizeScene(
        this.clips,
        { ...this.options.scene, format, sampleRate, ambience: this.ambience, interferers: this.interferers },
        this.rng,
      );
      const name = `synth_${this.options.seed}_${++this.made}`;
      const level = this.options.inputLevelDb;
      const channels = level === undefined ? scene.audio.channels : atLevel(scene.audio.channels, level);
      return {
        name,
        features: extractFeatures(channels, this.options.features),
        events: scene.events.map((e) => ({ ...e, file: name })),
      };
    });
  }
}

/** The compiled worker script beside this module, when running from JavaScript (not from TypeScript sources). */
function workerScript(): string | null {
  const file = path.join(__dirname, 'scene-worker.js');
  return __filename.endsWith('.js') && fs.existsSync(file) ? file : null;
}

/**
 * Scenes in batches. With a worker (the default where the compiled worker script exists) each `next(count)` returns
 * the batch made in the background since the previous call and immediately starts the next one; without, it makes
 * the batch in the calling thread. Either way the sequence of scenes is that of `SceneGenerator` with the same seed.
 */
export class SceneStream {
  private worker: Worker | null = null;
  private local: SceneGenerator | null = null;
  private pending: Promise<SynthesizedScene[]> | null = null;
  private pendingCount = 0;

  constructor(options: SceneStreamOptions, useWorker = true) {
    const script = useWorker ? workerScript() : null;
    if (script) {
      this.worker = new Worker(script, { workerData: options });
      this.worker.unref(); // only a request in flight keeps the process alive
    } else this.local = new SceneGenerator(options);
  }

  /** Whether scenes are made in a worker thread. */
  get background(): boolean {
    return this.worker !== null;
  }

  private request(count: number): Promise<SynthesizedScene[]> {
    const worker = this.worker!;
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        worker.unref();
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      const onMessage = (m: { scenes?: SynthesizedScene[]; error?: string }) => {
        cleanup();
        if (m.error) reject(new AudioError('SYNTHESIS_FAILED', `scene synthesis failed: ${m.error}`));
        else resolve(m.scenes!);
      };
      const onError = (err: Error) => {
        cleanup();
        reject(new AudioError('SYNTHESIS_FAILED', `scene synthesis worker failed: ${err.message}`));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.ref();
      worker.postMessage({ count });
    });
  }

  async next(count: number): Promise<SynthesizedScene[]> {
    if (!Number.isInteger(count) || count < 1)
      throw new AudioError('BAD_ARGUMENT', `SceneStream.next: count must be a positive integer, got ${count}.`);
    if (this.local) return this.local.next(count);
    if (!this.worker) throw new AudioError('BAD_ARGUMENT', 'SceneStream.next: the stream is closed.');
    let scenes: SynthesizedScene[];
    if (this.pending && this.pendingCount === count) scenes = await this.pending;
    else {
      if (this.pending) await this.pending; // a prefetch of another size: drop it (keeps the worker's order simple)
      scenes = await this.request(count);
    }
    this.pending = this.request(count);
    this.pendingCount = count;
    this.pending.catch(() => undefined); // reported by the next call that awaits it
    return scenes;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.local = null;
    this.pending = null;
    if (w) {
      // The worker's handle does not keep the process alive while it terminates: a timer does, so that the caller
      // continues after `close()` instead of the process ending silently in the middle.
      const keepAlive = setInterval(() => undefined, 1000);
      try {
        await w.terminate();
      } finally {
        clearInterval(keepAlive);
      }
    }
  }
}
