/**
 * What the web app's browser tests share: Debian's Chromium through playwright-core (no browser download), and
 * where screenshots go. A test run writes them under `test-results/screenshots` (ignored by git);
 * `pnpm --filter @onestop/web screenshots` sets `ONESTOP_SCREENSHOTS_DIR` to refresh the committed copies in
 * `screenshots/` that the README links to.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { webRoot } from '../server/build.js';

export const screenshotsDir = resolve(
  process.env.ONESTOP_SCREENSHOTS_DIR ?? join(webRoot, 'test-results', 'screenshots'),
);

/** The path of screenshot `name` (`01-login` → `<dir>/01-login.png`), its folder made sure of. */
export async function screenshotPath(name: string): Promise<string> {
  await mkdir(screenshotsDir, { recursive: true });
  return join(screenshotsDir, `${name}.png`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
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
