/**
 * How gatewave's browser tests and the browser benchmark run the app: in Debian's chromium (never a downloaded
 * browser), headless, with no traffic of its own. Plain data, so that the package does not depend on playwright: the
 * callers pass `chromiumLaunchOptions()` to playwright-core's `chromium.launchPersistentContext(profile, options)`.
 */

/** The chromium executable: $GATEWAVE_CHROMIUM, else Debian's /usr/bin/chromium. */
export const CHROMIUM = process.env.GATEWAVE_CHROMIUM || '/usr/bin/chromium';

/** Launch options for CHROMIUM: headless, no sandbox (containers), no GPU, no background networking or updates. */
export function chromiumLaunchOptions(): { executablePath: string; headless: true; args: string[] } {
  return {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  };
}
