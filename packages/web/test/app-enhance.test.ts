/**
 * The Enhance tab in headless Chromium: a real noisy recording (shared speech + shared noise) is enhanced in the page
 * on wasm and compared with Node's output on wasm (same model, same input bytes); a file that is not a WAV shows
 * the CLI's message; a screenshot goes to test-output/web/enhance.png.
 */
import * as fs from 'fs';
import * as path from 'path';
import { initBackend } from '@gatewave/core';
import { decodeWav, encodeWav, enhanceAudio, loadEnhancer, readWav, siSdr } from '@gatewave/audio';
import { mixAt } from '../../audio/src/enhance/train';
import { describeBrowserWithShared, OUTPUT, SHARED, openApp, settle, type AppWindow, type Session } from './browser';

describeBrowserWithShared('Enhance tab in Chromium', () => {
  let s: Session;
  let noisyFile: string;
  let clean: Float32Array;
  beforeAll(async () => {
    const speech = readWav(path.join(SHARED, 'speech/train/en/agent-loggedoff.wav')).channels[0];
    const noise = readWav(path.join(SHARED, 'noise/env_rain_01_16k.wav')).channels[0].subarray(0, speech.length);
    const mix = mixAt(speech, noise, 5, -25);
    clean = mix.clean;
    fs.mkdirSync(OUTPUT, { recursive: true });
    noisyFile = path.join(OUTPUT, 'noisy-agent-loggedoff-rain-5dB.wav');
    fs.writeFileSync(noisyFile, encodeWav({ sampleRate: 16000, channels: [mix.noisy] }));
    s = await openApp('?backend=wasm');
  });
  afterAll(async () => s?.close());

  test('the page reports its backend as Node does', async () => {
    expect(await s.page.getAttribute('#backend', 'data-backend')).toBe('wasm');
    expect(s.console.some((l) => /^gatewave: backend wasm \(forced\)/.test(l))).toBe(true);
  });

  test('a real recording: same length as the input and within 1e-4 of Node on the same backend kind', async () => {
    await s.page.setInputFiles('#enhance-file', noisyFile);
    expect(await settle(s.page, 'enhance')).toBe('');
    // The slider starts at the shipped model's own attenuation limit, which Node's loadEnhancer() applies too.
    expect(await s.page.textContent('#enhance-atten-value')).toBe('16 dB');
    const browserOut = Float32Array.from(
      (await s.page.evaluate(() =>
        Array.from((window as unknown as AppWindow).gatewaveApp.enhance.output().channels[0] as Float32Array),
      )) as number[],
    );
    await initBackend('wasm', { quiet: true });
    const noisy = decodeWav(fs.readFileSync(noisyFile), 'noisy');
    const nodeOut = (await enhanceAudio(noisy, await loadEnhancer())).channels[0];
    expect(browserOut.length).toBe(noisy.channels[0].length);
    let maxDiff = 0;
    for (let i = 0; i < nodeOut.length; i++) maxDiff = Math.max(maxDiff, Math.abs(nodeOut[i] - browserOut[i]));
    expect(maxDiff).toBeLessThan(1e-4);
    const sdrBrowser = siSdr(clean, browserOut);
    expect(Math.abs(sdrBrowser - siSdr(clean, nodeOut))).toBeLessThan(1e-3);
    expect(sdrBrowser).toBeGreaterThan(siSdr(clean, noisy.channels[0]));
    expect(await s.page.textContent('#enhance-status')).toMatch(/real-time factor \d+\.\d{3}/);
    await s.page.screenshot({ path: path.join(OUTPUT, 'enhance.png'), fullPage: true });
  });

  test('the attenuation limit mixes the input back: at 0 dB the output is the input', async () => {
    await s.page.fill('#enhance-atten', '0');
    await s.page.dispatchEvent('#enhance-atten', 'input');
    const out = (await s.page.evaluate(() =>
      Array.from((window as unknown as AppWindow).gatewaveApp.enhance.output().channels[0] as Float32Array),
    )) as number[];
    const noisy = decodeWav(fs.readFileSync(noisyFile)).channels[0];
    expect(Math.max(...out.map((v, i) => Math.abs(v - noisy[i])))).toBeLessThan(1e-6);
    expect(await s.page.textContent('#enhance-atten-value')).toBe('0 dB');
    await s.page.fill('#enhance-atten', '60');
    await s.page.dispatchEvent('#enhance-atten', 'input');
  });

  test('a file that is not a WAV shows the same message as the CLI', async () => {
    const bad = path.join(OUTPUT, 'not-audio.wav');
    fs.writeFileSync(bad, 'date,value\n2024-01-01,1\n');
    let expected = '';
    try {
      decodeWav(fs.readFileSync(bad), 'not-audio.wav');
    } catch (err) {
      expected = (err as Error).message;
    }
    expect(expected).toMatch(/not a WAV file/);
    await s.page.setInputFiles('#enhance-file', bad);
    expect(await settle(s.page, 'enhance')).toBe(expected);
    expect(await s.page.isHidden('#enhance-result')).toBe(true);
    await s.page.screenshot({ path: path.join(OUTPUT, 'enhance-error.png') });
  });
});
