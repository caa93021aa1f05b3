/**
 * The Detect tab in headless Chromium: a real FOA scene (held-out clips of shared/data/events, spatialised by the
 * scene synthesiser) gives the same events in the page as in Node on the same backend kind (wasm); a mono file
 * shows the CLI's message; a screenshot goes to test-output/web/detect.png.
 */
import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '@gatewave/core';
import { loadDetector, readWav, synthesizeScenes, type SoundEvent } from '@gatewave/audio';
import { describeBrowserWithShared, OUTPUT, SHARED, openApp, settle, type AppWindow, type Session } from './browser';

describeBrowserWithShared('Detect tab in Chromium', () => {
  let s: Session;
  let scene: string;
  beforeAll(async () => {
    const out = path.join(OUTPUT, 'scenes');
    fs.rmSync(out, { recursive: true, force: true });
    synthesizeScenes({
      events: path.join(SHARED, 'events'),
      out,
      count: 1,
      seed: 18,
      seconds: 8,
      format: 'foa',
      part: 'test',
      progress: false,
    });
    scene = path.join(out, 'scene_0001.wav');
    s = await openApp('?backend=wasm');
  });
  afterAll(async () => s?.close());

  test('a real FOA scene: the same events as Node on the same backend kind, in a timeline and a table', async () => {
    await s.page.click('nav [data-tab="detect"]');
    await s.page.setInputFiles('#detect-file', scene);
    expect(await settle(s.page, 'detect')).toBe('');
    const browserEvents = (await s.page.evaluate(
      () => (window as unknown as AppWindow).gatewaveApp.detect.last().events,
    )) as SoundEvent[];
    await initBackend('wasm', { quiet: true });
    const detector = await loadDetector();
    const nodeEvents = detector.detect(readWav(scene), 'scene_0001.wav').events;
    expect(nodeEvents.length).toBeGreaterThan(0);
    expect(browserEvents.length).toBe(nodeEvents.length);
    browserEvents.forEach((e, i) => {
      expect(e.class).toBe(nodeEvents[i].class);
      expect(e.onset).toBeCloseTo(nodeEvents[i].onset, 6);
      expect(e.offset).toBeCloseTo(nodeEvents[i].offset, 6);
      expect(e.azimuth!).toBeCloseTo(nodeEvents[i].azimuth!, 2);
    });
    expect(await s.page.locator('#detect-table tbody tr').count()).toBe(nodeEvents.length);
    expect(await s.page.textContent('#detect-status')).toContain(`${nodeEvents.length} event(s)`);
    await s.page.screenshot({ path: path.join(OUTPUT, 'detect.png'), fullPage: true });
  });

  test('a mono file shows the same message as the CLI', async () => {
    const mono = path.join(
      SHARED,
      'events',
      fs.readdirSync(path.join(SHARED, 'events')).find((n) => n.endsWith('.wav'))!,
    );
    const detector = await loadDetector();
    let expected = '';
    try {
      detector.detect(readWav(mono), path.basename(mono));
    } catch (err) {
      expected = (err as Error).message;
    }
    expect(expected).toMatch(/has 1 channel\(s\); this foa detector needs 4/);
    await s.page.setInputFiles('#detect-file', mono);
    expect(await settle(s.page, 'detect')).toBe(expected);
  });
});
