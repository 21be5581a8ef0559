import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * A real browser for tests that must see what a page does, not what its HTML looks like. We use the
 * distribution's Chromium (CI installs it with `apt-get install chromium`) rather than Playwright's
 * download, so `npm ci` stays offline-friendly and playwright-core needs no post-install step.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Whether the executable is there; browser tests skip (locally) or fail (in CI) without it. */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Launches a headless Chromium that stays quiet on the network (no updates, sync or first-run pages). */
export async function launchChromium(): Promise<Browser> {
  if (!chromiumAvailable()) throw new Error(`Chromium not found at ${CHROMIUM_PATH}; install it with apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // --no-sandbox: CI and dev containers run as root, where Chromium's sandbox refuses to start.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
