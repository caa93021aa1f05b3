/**
 * The Enhance tab: a WAV is enhanced in the browser (or, when asked, on the server), with synchronised A/B
 * playback, waveforms and spectrograms, the attenuation limit, the real-time factor and a download.
 */
import {
  attenuationLimitOf,
  decodeWav,
  encodeWav,
  enhanceAudio,
  loadEnhancerFromUrl,
  mixWithInput,
  recommendedAttenuationLimit,
  unlimited,
  type AudioData,
  type Enhancer,
} from '@gatewave/audio';
import { loadModelMetadataFromUrl } from '@gatewave/core';
import { drawSpectrogram, drawWaveform } from './draw';
import { $, input, messageOf, nextFrame, onFile, setDownload, showError, status } from './ui';
import type { AppConfig } from './main';

export interface EnhanceResult {
  name: string;
  noisy: AudioData;
  enhanced: AudioData;
  /** Seconds spent enhancing, and seconds of audio. */
  elapsed: number;
  duration: number;
  where: 'browser' | 'server';
}

const enhancers = new Map<string, Promise<Enhancer>>();
let last: EnhanceResult | null = null;
let player: { ctx: AudioContext; gains: [GainNode, GainNode]; sources: AudioBufferSourceNode[] } | null = null;
let listeningTo: 'A' | 'B' = 'B';

function enhancer(model: string, config: AppConfig): Promise<Enhancer> {
  const spec = model === 'wiener' ? 'wiener' : config.enhancer;
  if (!enhancers.has(spec)) enhancers.set(spec, loadEnhancerFromUrl(spec));
  return enhancers.get(spec)!;
}

/**
 * The attenuation limit the chosen model recommends (the shipped FRCRN model's metadata; none for wiener), read from
 * the model's metadata alone when the server enhances, so that the slider can start there.
 */
async function modelLimit(model: string, config: AppConfig, loaded: Enhancer | null): Promise<number | null> {
  if (model === 'wiener') return null;
  if (loaded) return attenuationLimitOf(loaded);
  return recommendedAttenuationLimit(await loadModelMetadataFromUrl(config.enhancer), config.enhancer);
}

/** Puts the slider at `db` (its top position, no limit, for null) and shows the value. */
function setSlider(db: number | null): void {
  const el = input('enhance-atten');
  el.value = db === null ? el.max : String(db);
  showSlider();
}

function showSlider(): void {
  const db = attenLim();
  $('enhance-atten-value').textContent = db === Infinity ? 'none' : `${db} dB`;
}

/** The attenuation limit in dB from the slider; its top position means no limit. */
function attenLim(): number {
  const el = input('enhance-atten');
  return Number(el.value) >= Number(el.max) ? Infinity : Number(el.value);
}

/** The enhanced audio under the current attenuation limit. */
function output(r: EnhanceResult): AudioData {
  const db = attenLim();
  if (db === Infinity) return r.enhanced;
  return {
    sampleRate: r.enhanced.sampleRate,
    channels: r.enhanced.channels.map((c, i) => mixWithInput(r.noisy.channels[i], c, db)),
  };
}

async function onServer(file: File, bytes: Uint8Array, model: string, config: AppConfig): Promise<AudioData> {
  if (bytes.byteLength > config.maxUploadBytes) {
    throw new Error(
      `${file.name} is ${(bytes.byteLength / 1048576).toFixed(1)} MiB; this server accepts at most ` +
        `${(config.maxUploadBytes / 1048576).toFixed(1)} MiB (start it with --max-upload-mb to change that), or process it in the browser.`,
    );
  }
  // No limit on the server: the slider applies it here.
  const res = await fetch(`/api/enhance?model=${model}&attenLim=none&name=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    body: bytes as BlobPart,
  });
  if (!res.ok) throw new Error(((await res.json()) as { error: string }).error);
  return decodeWav(new Uint8Array(await res.arrayBuffer()), 'the server reply');
}

async function run(file: File, config: AppConfig): Promise<void> {
  showError('enhance', null);
  $('enhance-result').hidden = true;
  stop();
  status('enhance', `reading ${file.name}…`);
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const model = ($('enhance-model') as HTMLSelectElement).value;
    const server = input('enhance-server').checked;
    const noisy = decodeWav(bytes, file.name);
    status(
      'enhance',
      `enhancing ${file.name} with ${model === 'wiener' ? 'wiener' : 'the shipped FRCRN model'}${server ? ' on the server' : ''}…`,
    );
    await nextFrame();
    const loaded = server ? null : await enhancer(model, config); // model download is not part of the real-time factor
    const limit = await modelLimit(model, config, loaded);
    const t0 = performance.now();
    // The enhancer's output without a limit: the slider (starting at the model's own limit) mixes the input back.
    const enhanced = loaded ? await enhanceAudio(noisy, unlimited(loaded)) : await onServer(file, bytes, model, config);
    const elapsed = (performance.now() - t0) / 1000;
    const duration = noisy.channels[0].length / noisy.sampleRate;
    last = { name: file.name, noisy, enhanced, elapsed, duration, where: server ? 'server' : 'browser' };
    setSlider(limit);
    status(
      'enhance',
      `${file.name}: ${duration.toFixed(2)} s, ${noisy.sampleRate} Hz, ${noisy.channels.length} channel(s); enhanced ${server ? 'on the server' : 'in the browser'} ` +
        `in ${elapsed.toFixed(2)} s, real-time factor ${(elapsed / duration).toFixed(3)}`,
    );
    show(last);
  } catch (err) {
    status('enhance', '');
    showError('enhance', messageOf(err));
  }
}

function show(r: EnhanceResult): void {
  $('enhance-result').hidden = false;
  drawWaveform($('enhance-wave-in') as HTMLCanvasElement, r.noisy.channels[0], '#8c564b');
  drawSpectrogram($('enhance-spec-in') as HTMLCanvasElement, r.noisy.channels[0]);
  refreshOutput(r);
}

function refreshOutput(r: EnhanceResult): void {
  const out = output(r);
  drawWaveform($('enhance-wave-out') as HTMLCanvasElement, out.channels[0]);
  drawSpectrogram($('enhance-spec-out') as HTMLCanvasElement, out.channels[0]);
  setDownload('enhance-download', encodeWav(out), `${r.name.replace(/\.wav$/i, '')}_enhanced.wav`, 'audio/wav');
}

function buffer(ctx: AudioContext, a: AudioData): AudioBuffer {
  const b = ctx.createBuffer(a.channels.length, a.channels[0].length, a.sampleRate);
  a.channels.forEach((c, i) => b.copyToChannel(c as Float32Array<ArrayBuffer>, i));
  return b;
}

/** Starts noisy and enhanced together; the A/B switch only changes which one is heard. */
function play(): void {
  if (!last) return;
  stop();
  const ctx = new AudioContext();
  const gains: [GainNode, GainNode] = [ctx.createGain(), ctx.createGain()];
  const sources = [last.noisy, output(last)].map((a, i) => {
    const s = ctx.createBufferSource();
    s.buffer = buffer(ctx, a);
    s.connect(gains[i]).connect(ctx.destination);
    return s;
  });
  player = { ctx, gains, sources };
  applyAb();
  const at = ctx.currentTime + 0.05;
  sources.forEach((s) => s.start(at));
}

function stop(): void {
  if (!player) return;
  player.sources.forEach((s) => s.stop());
  void player.ctx.close();
  player = null;
}

function applyAb(): void {
  const b = $('enhance-ab');
  b.textContent = listeningTo === 'A' ? 'A: noisy' : 'B: enhanced';
  b.setAttribute('aria-pressed', String(listeningTo === 'B'));
  if (player) {
    player.gains[0].gain.value = listeningTo === 'A' ? 1 : 0;
    player.gains[1].gain.value = listeningTo === 'B' ? 1 : 0;
  }
}

export function setupEnhance(config: AppConfig): { last(): EnhanceResult | null; output(): AudioData | null } {
  onFile('enhance-file', (file) => void run(file, config));
  const slider = input('enhance-atten');
  slider.addEventListener('input', () => {
    showSlider();
    if (last) {
      stop();
      refreshOutput(last);
    }
  });
  $('enhance-play').addEventListener('click', play);
  $('enhance-stop').addEventListener('click', stop);
  $('enhance-ab').addEventListener('click', () => {
    listeningTo = listeningTo === 'A' ? 'B' : 'A';
    applyAb();
  });
  return { last: () => last, output: () => (last ? output(last) : null) };
}
