/**
 * What the browser specs against embedded mode share: the whole system on a fresh data directory with the test
 * clock, on an ephemeral port, and a Chromium page on it the size of a tablet in landscape, in a browser set to
 * another time zone (dates must still read in Vietnam time); the test clock and the dev sign-in.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedSystem, startEmbedded } from '@onestop/runner';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureWebBuilt } from '../server/build.js';
import { launchChromium } from './browser.js';

export interface EmbeddedInBrowser {
  readonly system: EmbeddedSystem;
  readonly baseUrl: string;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Moves the test clock (`POST /v1/dev/clock`). */
  setClock(now: string): Promise<void>;
  /** Signs in with the dev form on `on` (the main page by default), signing out first if someone is signed in. */
  signIn(role: string, unitId: string | undefined, sub: string, on?: Page): Promise<void>;
  /** Closes the browser and the system and removes the data directory. */
  close(): Promise<void>;
}

/** `name` names the data directory (`onestop-<name>-…`). */
export async function openEmbeddedInBrowser(name: string): Promise<EmbeddedInBrowser> {
  await ensureWebBuilt();
  const dataDir = await mkdtemp(join(tmpdir(), `onestop-${name}-`));
  let system: EmbeddedSystem | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await system?.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    system = await startEmbedded({ dataDir, testClock: true, logger: false, pollIntervalMs: 50 });
    const baseUrl = await system.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1024, height: 768 },
      locale: 'vi-VN',
      timezoneId: 'Europe/Paris',
      acceptDownloads: true,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return {
      system,
      baseUrl,
      browser,
      context,
      page,
      close,
      async setClock(now) {
        const response = await fetch(`${baseUrl}/v1/dev/clock`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ now }),
        });
        if (response.status !== 200) {
          throw new Error(`setting the test clock answered ${response.status}: ${await response.text()}`);
        }
      },
      async signIn(role, unitId, sub, on = page) {
        await on.goto(`${baseUrl}/#/`);
        const picker = on.locator('#f-role');
        const signOut = on.getByRole('button', { name: 'Đăng xuất' });
        await picker.or(signOut).first().waitFor();
        if ((await picker.count()) === 0) await signOut.click();
        await picker.selectOption(role);
        if (unitId !== undefined) await on.locator('#f-unitId').selectOption(unitId);
        await on.locator('#f-sub').fill(sub);
        await on.getByRole('button', { name: 'Đăng nhập' }).click();
        await on.getByTestId('who').waitFor();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
