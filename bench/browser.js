// The browser rows of `npm run bench:audio`: real-time factor of the shipped enhancer inside headless Chromium
// (Debian's /usr/bin/chromium driven by playwright-core), through the web app's Enhance tab, per tfjs backend
// (wasm, and webgl where headless Chromium offers it). The same SECONDS of test audio as the Node rows; the file is
// enhanced twice and the second run is timed (the first compiles kernels). Timings on a shared machine are noisy.
const fs = require('fs');
const os = require('os');
const path = require('path');

// The chromium that the web tests use, and their launch options (dist/chromium.js loads nothing else).
const { CHROMIUM, chromiumLaunchOptions } = require('@gatewave/web/dist/chromium');
const BACKENDS = ['wasm', 'webgl'];

/** Resolves to rows { backend, model, rtf } or { backend, error }; [] with a note when there is no chromium. */
async function browserRows(seconds) {
  if (!fs.existsSync(CHROMIUM)) return [{ backend: 'browser', error: `no ${CHROMIUM} (apt-get install chromium)` }];
  const { chromium } = require('playwright-core');
  const { startAppServer } = require('@gatewave/web');
  const { encodeWav } = require('@gatewave/audio');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-bench-browser-'));
  const wav = path.join(tmp, 'bench.wav');
  const n = seconds * 16000;
  const x = Float32Array.from({ length: n }, (_, i) => 0.1 * Math.sin(i / 7) + 0.01 * Math.sin(i * 1.3));
  fs.writeFileSync(wav, encodeWav({ sampleRate: 16000, channels: [x] }, { format: 'float32' }));
  const app = await startAppServer();
  const rows = [];
  try {
    for (const backend of BACKENDS) {
      const profile = fs.mkdtempSync(path.join(tmp, 'profile-'));
      const browser = await chromium.launchPersistentContext(profile, chromiumLaunchOptions());
      try {
        const page = browser.pages()[0] || (await browser.newPage());
        await page.goto(`${app.url}?backend=${backend}`);
        await page.waitForFunction(
          () =>
            document.body.dataset.ready === 'true' ||
            /unavailable/.test(document.getElementById('backend').textContent),
          null,
          { timeout: 60000 },
        );
        if ((await page.getAttribute('#backend', 'data-backend')) !== backend) {
          rows.push({ backend, error: (await page.textContent('#backend')).trim() });
          continue;
        }
        let last = null;
        for (let run = 0; run < 2; run++) {
          await page.evaluate(() => {
            document.getElementById('enhance-result').hidden = true;
          });
          await page.setInputFiles('#enhance-file', []);
          await page.setInputFiles('#enhance-file', wav);
          await page.waitForFunction(
            () => !document.getElementById('enhance-result').hidden || !document.getElementById('enhance-error').hidden,
            null,
            { timeout: 600000 },
          );
          last = await page.evaluate(() => {
            const r = window.gatewaveApp.enhance.last();
            return {
              elapsed: r.elapsed,
              duration: r.duration,
              error: document.getElementById('enhance-error').textContent,
            };
          });
          if (last.error) break;
        }
        rows.push(
          last.error
            ? { backend, error: last.error }
            : { backend, model: 'frcrn (shipped)', rtf: last.elapsed / last.duration },
        );
      } finally {
        await browser.close();
      }
    }
  } finally {
    await app.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return rows;
}

/** Prints the browser rows in bench/audio.js's table format. */
async function printBrowserRows(seconds, wienerRtf) {
  for (const row of await browserRows(seconds)) {
    if (row.error) console.log(`- | chromium ${row.backend} | frcrn (shipped) | - | unavailable: ${row.error}`);
    else
      console.log(
        `- | chromium ${row.backend} | ${row.model} | - | ${row.rtf.toFixed(3)} | ${wienerRtf ? (row.rtf / wienerRtf).toFixed(1) : '-'}`,
      );
  }
}

module.exports = { browserRows, printBrowserRows };

if (require.main === module) {
  const i = process.argv.indexOf('--seconds');
  printBrowserRows(Number(i >= 0 ? process.argv[i + 1] : 8)).catch((err) => {
    console.error(err.stack || err.message);
    process.exit(1);
  });
}
