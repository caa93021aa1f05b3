/**
 * The gatewave web app: three tabs (Enhance, Detect, Forecast) over the browser builds of the packages. Files are
 * read and processed in the page; nothing is uploaded unless the user asks for server-side processing (the
 * Enhance and Forecast tabs' "process on the server" boxes).
 * `?backend=webgl|wasm|cpu|webgpu` forces a backend. The last results are on `window.gatewaveApp` for scripts.
 */
import { initBackend, type BrowserBackendName } from '@gatewave/core';
import { setupDetect } from './detect';
import { setupEnhance } from './enhance';
import { setupForecast } from './forecast';
import { $, messageOf } from './ui';

export interface AppConfig {
  maxUploadBytes: number;
  /** URL of the enhancer model folder. */
  enhancer: string;
  /** URL of the detector model folder. */
  detector: string;
  /** URL of a saved forecast model folder (`gatewave-app --forecaster DIR`), or null. */
  forecaster: string | null;
}

function setupTabs(): void {
  const buttons = Array.from(document.querySelectorAll<HTMLButtonElement>('nav [data-tab]'));
  for (const b of buttons) {
    b.addEventListener('click', () => {
      for (const other of buttons) {
        other.setAttribute('aria-selected', String(other === b));
        $(`tab-${other.dataset.tab}`).hidden = other !== b;
      }
    });
  }
}

async function start(): Promise<void> {
  setupTabs();
  const config = (await (await fetch('config.json')).json()) as AppConfig;
  const forced = new URLSearchParams(location.search).get('backend') as BrowserBackendName | null;
  try {
    const info = await initBackend(forced ?? undefined, { wasmPath: new URL('./', location.href).href });
    const skipped = info.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
    $('backend').textContent = `backend ${info.name}${skipped ? ` (skipped ${skipped})` : ''}`;
    $('backend').title = skipped;
    $('backend').dataset.backend = info.name;
  } catch (err) {
    $('backend').textContent = messageOf(err);
    return;
  }
  const enhance = setupEnhance(config);
  const detect = setupDetect(config);
  const forecast = setupForecast(config);
  (window as unknown as { gatewaveApp: unknown }).gatewaveApp = { enhance, detect, forecast };
  document.body.dataset.ready = 'true';
}

void start();
