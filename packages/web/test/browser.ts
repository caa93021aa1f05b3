/**
 * Helpers for the browser tests: Debian's chromium driven by playwright-core (never a downloaded browser), a fresh
 * profile per run, the app server, and the folder where tests leave screenshots and files.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, chromiumLaunchOptions, startAppServer, type AppServer, type AppServerOptions } from '../src';

export { CHROMIUM };
export const HAS_CHROMIUM = fs.existsSync(CHROMIUM);
/** describe, or describe.skip with the reason in its name when chromium is missing (.ci/run installs it). */
export const describeBrowser = HAS_CHROMIUM
  ? describe
  : (name: string, fn: () => void) => describe.skip(`${name} (skipped: no ${CHROMIUM}; apt-get install chromium)`, fn);

/** test-output/web at the repository root (or $GATEWAVE_TEST_OUTPUT/web). */
export const OUTPUT = path.join(
  process.env.GATEWAVE_TEST_OUTPUT ?? path.resolve(__dirname, '../../../test-output'),
  'web',
);
export const SHARED = path.resolve(__dirname, '../../../../shared/data');
export const HAS_SHARED = fs.existsSync(path.join(SHARED, 'speech'));
/** describeBrowser, or describe.skip with the reason in its name when ../shared/data is missing. */
export const describeBrowserWithShared = HAS_SHARED
  ? describeBrowser
  : (name: string, fn: () => void) => describe.skip(`${name} (skipped: ${SHARED} not found)`, fn);

/** What the app puts on `window.gatewaveApp` for scripts (read inside page.evaluate). */
export interface AppWindow {
  gatewaveApp: {
    detect: { last(): { events: unknown[] } };
    enhance: { output(): { channels: Float32Array[] } };
    forecast: { last(): unknown };
  };
}

export interface Session {
  app: AppServer;
  browser: BrowserContext;
  page: Page;
  /** Console lines of the page (for the backend report and failures). */
  console: string[];
  close(): Promise<void>;
}

export async function openApp(query = '', options: AppServerOptions = {}): Promise<Session> {
  fs.mkdirSync(OUTPUT, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-chromium-'));
  const app = await startAppServer(options);
  let browser: BrowserContext;
  try {
    // A fresh profile (--user-data-dir) per run: playwright passes it through launchPersistentContext.
    browser = await chromium.launchPersistentContext(profile, {
      ...chromiumLaunchOptions(),
      viewport: { width: 1000, height: 900 },
    });
  } catch (err) {
    await app.close();
    throw err;
  }
  const page = browser.pages()[0] ?? (await browser.newPage());
  const lines: string[] = [];
  page.on('console', (m) => lines.push(m.text()));
  page.on('pageerror', (e) => lines.push(`pageerror: ${e.message}`));
  await page.goto(`${app.url}${query}`);
  try {
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
  } catch (err) {
    await browser.close();
    await app.close();
    throw new Error(`the app did not start: ${(err as Error).message}\npage console:\n${lines.join('\n')}`);
  }
  return {
    app,
    browser,
    page,
    console: lines,
    async close() {
      await browser.close();
      await app.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Waits until the tab shows a result or an error; returns the error text ('' when none). */
export async function settle(page: Page, tab: string, timeout = 240000): Promise<string> {
  await page.waitForFunction(
    (t) => !document.getElementById(`${t}-result`)!.hidden || !document.getElementById(`${t}-error`)!.hidden,
    tab,
    { timeout },
  );
  return (await page.textContent(`#${tab}-error`)) ?? '';
}
