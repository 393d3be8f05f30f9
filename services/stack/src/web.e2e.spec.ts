/**
 * The web app in stack mode: `pnpm start:stack` runs it as a process of its own (the `web` service) and the gateway
 * routes `/`, `/assets/*` and `/tracking` to it, and the app's API calls (sign-in method, dev token, catalogue,
 * the desk's lists) to the services. A clerk signs in with the development picker in Chromium, through the gateway.
 */
import { randomBytes } from 'node:crypto';
import { demoUnitIds } from '@onestop/catalog';
import { launchChromium } from '@onestop/web/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LaunchedStack, launchStack, stackPrefix } from './testing/launch-stack.js';

const SECRET = `web-stack-e2e-${randomBytes(16).toString('hex')}`;
const CENTRE = demoUnitIds.nhaTrangCentre;

let stack: LaunchedStack | undefined;
let browser: Browser | undefined;

function gateway(): string {
  if (stack === undefined) throw new Error('the stack is not running');
  return stack.gateway;
}

beforeAll(async () => {
  stack = await launchStack({ prefix: stackPrefix('e2w'), secret: SECRET, portsFrom: 24_000 });
  browser = await launchChromium();
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
}, 60_000);

describe('the web app in stack mode', () => {
  it('given the stack, then the web app runs as its own process and the gateway serves its page, its assets and the tracking page', async () => {
    const web = stack?.services.find((s) => s.name === 'web');
    expect(web).toBeDefined();
    expect(new Set(stack?.services.map((s) => s.pid)).size).toBe(stack?.services.length);

    const page = await fetch(`${gateway()}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    expect(html).toContain('<div id="app">');
    // The same page as the web process serves itself: the gateway passed it through.
    expect(await (await fetch(`${web?.url}/`)).text()).toBe(html);

    const script = /src="(\/assets\/[\w.-]+\.js)"/.exec(html)?.[1];
    const style = /href="(\/assets\/[\w.-]+\.css)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(style).toBeDefined();
    const js = await fetch(`${gateway()}${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const css = await fetch(`${gateway()}${style}`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${gateway()}/assets/nope.js`)).status).toBe(404);

    const tracking = await fetch(`${gateway()}/tracking?code=x&secret=y`);
    expect(tracking.status).toBe(200);
    expect(await tracking.text()).toBe(html);
    // The API stays the API: an unknown /v1 path is the gateway's JSON 404, not the page.
    const unknown = await fetch(`${gateway()}/v1/nowhere`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/json');
  });

  it('given the gateway, then the sign-in method, dev tokens, identity and the test clock answer there as in embedded mode', async () => {
    expect(await (await fetch(`${gateway()}/v1/sign-in`)).json()).toEqual({ method: 'dev', signInUrl: null });
    const issued = await fetch(`${gateway()}/v1/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'clerk', unitId: CENTRE, sub: 'clerk-stack' }),
    });
    expect(issued.status).toBe(200);
    const { token } = (await issued.json()) as { token: string };
    const me = await fetch(`${gateway()}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toEqual({ sub: 'clerk-stack', roles: ['clerk'], unitId: CENTRE });
    const clock = await fetch(`${gateway()}/v1/dev/clock`);
    expect(clock.status).toBe(200);
    const desk = await fetch(`${gateway()}/v1/intake/units/${CENTRE}/received`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(desk.status).toBe(200);
    const waiting = await fetch(`${gateway()}/v1/return/units/${CENTRE}/waiting`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await waiting.json()).toEqual({ unitId: CENTRE, results: [] });
  });

  it('given Chromium at the gateway, when a clerk signs in with the picker, then the desk renders with its lists', async () => {
    if (browser === undefined) throw new Error('no browser');
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'vi-VN' });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(`${gateway()}/`);
      await page.getByRole('heading', { name: 'Đăng nhập (chế độ phát triển)' }).waitFor();
      await page.locator('#f-role').selectOption('clerk');
      await page.locator('#f-unitId').selectOption(CENTRE);
      await page.getByRole('button', { name: 'Đăng nhập' }).click();
      await page.getByTestId('who').waitFor();
      await page.waitForURL('**/#/desk');
      await page.getByText('Chưa có hồ sơ nào hôm nay.').waitFor();
      await page.getByText('Không có kết quả nào đang chờ trả.').waitFor();
      await page.locator('#f-q').fill('ho tich');
      await expect.poll(() => page.locator('button[data-code]').count()).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  });
});
