/**
 * The Detect tab: an FOA recording -> the shipped detector, in the browser -> an event timeline by class, the
 * azimuth and elevation of each event over time, the events table and its CSV (the CLI's event-list format).
 */
import {
  decodeWav,
  formatEventList,
  loadDetectorFromUrl,
  type FrameRow,
  type SoundEvent,
  type SoundEventDetector,
} from '@gatewave/audio';
import { drawPlot, drawTimeline, PALETTE, type Track } from './draw';
import { $, messageOf, nextFrame, onFile, setDownload, showError, status } from './ui';
import type { AppConfig } from './main';

export interface DetectResult {
  name: string;
  events: SoundEvent[];
  frames: FrameRow[];
  duration: number;
  elapsed: number;
}

let detector: Promise<SoundEventDetector> | null = null;
let last: DetectResult | null = null;

function fill(table: HTMLTableElement, events: readonly SoundEvent[]): void {
  const body = table.tBodies[0];
  body.replaceChildren(
    ...events.map((e) => {
      const tr = document.createElement('tr');
      for (const v of [
        e.onset.toFixed(2),
        e.offset.toFixed(2),
        e.class,
        e.azimuth?.toFixed(1) ?? '',
        e.elevation?.toFixed(1) ?? '',
      ]) {
        const td = document.createElement('td');
        td.textContent = v;
        tr.append(td);
      }
      return tr;
    }),
  );
}

/** Azimuth and elevation of the active frames, one colour per class. */
function directionTracks(
  frames: readonly FrameRow[],
  classes: readonly string[],
  key: 'azimuth' | 'elevation',
): Track[] {
  return classes
    .map((c, k) => {
      const rows = frames.filter((f) => f.class === c && f[key] !== null);
      return {
        x: rows.map((r) => (r.onset + r.offset) / 2),
        y: rows.map((r) => r[key] as number),
        color: PALETTE[k % PALETTE.length],
        dots: true,
      };
    })
    .filter((t) => t.x.length > 0);
}

function show(r: DetectResult, classes: readonly string[]): void {
  $('detect-result').hidden = false;
  const spans = r.events.map((e) => ({ start: e.onset, end: e.offset, row: classes.indexOf(e.class) }));
  ($('detect-timeline') as HTMLCanvasElement).height = 14 * classes.length + 24;
  drawTimeline($('detect-timeline') as HTMLCanvasElement, classes, spans, r.duration);
  const edges = { x: [0, r.duration], y: [0, 0], color: '#dde2ea' };
  drawPlot(
    $('detect-azimuth') as HTMLCanvasElement,
    [edges, ...directionTracks(r.frames, classes, 'azimuth')],
    [-180, 180],
  );
  drawPlot(
    $('detect-elevation') as HTMLCanvasElement,
    [edges, ...directionTracks(r.frames, classes, 'elevation')],
    [-90, 90],
  );
  fill($('detect-table') as HTMLTableElement, r.events);
  setDownload('detect-download', formatEventList(r.events), `${r.name.replace(/\.wav$/i, '')}_events.csv`, 'text/csv');
}

async function run(file: File, config: AppConfig): Promise<void> {
  showError('detect', null);
  $('detect-result').hidden = true;
  status('detect', `reading ${file.name}…`);
  try {
    const audio = decodeWav(new Uint8Array(await file.arrayBuffer()), file.name);
    detector ??= loadDetectorFromUrl(config.detector);
    const d = await detector;
    status('detect', `detecting events in ${file.name}…`);
    await nextFrame();
    const notes: string[] = [];
    const t0 = performance.now();
    const { events, frames } = d.detect(audio, file.name, {}, (m) => notes.push(m));
    const elapsed = (performance.now() - t0) / 1000;
    const duration = audio.channels[0].length / audio.sampleRate;
    last = { name: file.name, events, frames, duration, elapsed };
    status(
      'detect',
      `${file.name}: ${duration.toFixed(2)} s; ${events.length} event(s) of ${new Set(events.map((e) => e.class)).size} class(es) in ${elapsed.toFixed(2)} s` +
        (notes.length ? ` (${notes.join('; ')})` : ''),
    );
    show(last, d.config.classes);
  } catch (err) {
    status('detect', '');
    showError('detect', messageOf(err));
  }
}

export function setupDetect(config: AppConfig): { last(): DetectResult | null } {
  onFile('detect-file', (file) => void run(file, config));
  return { last: () => last };
}
