/**
 * Production sign-in in a real browser: embedded mode configured with an identity provider (its key set served on
 * 127.0.0.1 from a key pair made here, issuer and audience checked), so no dev tokens. The provider's redirect
 * hands the app `#access_token=…`; the app checks it with `GET /v1/me`, removes it from the address bar, and shows
 * only what the token's role may do. A token it refuses says why; a pasted token with two roles asks which.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoUnitIds } from '@onestop/catalog';
import { type EmbeddedSystem, startEmbedded } from '@onestop/runner';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt } from './server/build.js';
import { launchChromium, screenshotPath } from './testing/browser.js';

const ISSUER = 'https://id.khanhhoa.gov.vn/realms/onestop';
const AUDIENCE = 'onestop-web';
const CENTRE = demoUnitIds.nhaTrangCentre;
const SIGN_IN_URL = `${ISSUER}/protocol/openid-connect/auth?client_id=${AUDIENCE}&response_type=token`;

let dataDir: string;
let system: EmbeddedSystem;
let keys: Server;
let baseUrl: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let sign: (claims: Record<string, unknown>, expiresIn?: string) => Promise<string>;

beforeAll(async () => {
  await ensureWebBuilt();
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
  keys = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((done) => keys.listen(0, '127.0.0.1', done));
  const address = keys.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  sign = (claims, expiresIn = '10m') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(privateKey);

  dataDir = await mkdtemp(join(tmpdir(), 'onestop-web-idp-'));
  system = await startEmbedded({
    dataDir,
    logger: false,
    auth: {
      mode: 'jwks',
      jwksUrl: `http://127.0.0.1:${port}/certs`,
      issuer: ISSUER,
      audience: AUDIENCE,
      claims: { roles: 'realm_access.roles', unitId: 'onestop_unit' },
    },
    signInUrl: SIGN_IN_URL,
  });
  baseUrl = await system.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'vi-VN' });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
});

afterAll(async () => {
  await browser?.close();
  await system?.close();
  await new Promise<void>((done) => (keys ? keys.close(() => done()) : done()));
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const token = (sub: string, roles: string[], unitId?: string, expiresIn?: string) =>
  sign(
    {
      sub,
      realm_access: { roles: ['offline_access', ...roles] },
      ...(unitId ? { onestop_unit: unitId } : {}),
    },
    expiresIn,
  );

describe('sign-in with an identity provider, in a browser', () => {
  it('given no dev tokens, then the sign-in screen offers the provider, not the picker, and the server issues none', async () => {
    const devToken = await fetch(`${baseUrl}/v1/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'admin' }),
    });
    expect(devToken.status).toBe(404);
    await page.goto(`${baseUrl}/`);
    await page.getByTestId('provider-link').waitFor();
    expect(await page.getByTestId('provider-link').getAttribute('href')).toBe(SIGN_IN_URL);
    expect(await page.locator('#f-role').count()).toBe(0);
    await page.screenshot({ path: await screenshotPath('14-sign-in-provider') });
  });

  it('given the provider’s redirect into the open tab with an expired token, then the screen says it expired and nobody is signed in', async () => {
    const expired = await token('clerk.expired', ['clerk'], CENTRE, '1 minute ago');
    await page.goto(`${baseUrl}/#access_token=${expired}&token_type=Bearer`);
    await page.getByText(/token expired \(AUTH_UNAUTHENTICATED\)/).waitFor();
    expect(await page.getByTestId('who').count()).toBe(0);
    expect(page.url()).not.toContain('access_token');
  });

  it('given the provider’s redirect with a clerk’s token, then the clerk is signed in at the desk, sees only the desk, and the token left the address bar', async () => {
    const clerk = await token('nguyen.thi.lan', ['clerk'], CENTRE);
    // As a redirect from the provider's site: a new page load, not a change of fragment.
    await page.goto('about:blank');
    await page.goto(`${baseUrl}/#access_token=${clerk}&token_type=Bearer&expires_in=600`);
    await page.getByTestId('who').waitFor();
    expect(await page.getByTestId('who').textContent()).toContain('nguyen.thi.lan');
    await page.waitForURL('**/#/desk');
    expect(page.url()).not.toContain('access_token');
    const nav = await page.getByRole('navigation', { name: 'main' }).textContent();
    expect(nav).toContain('Quầy tiếp nhận');
    expect(nav).not.toContain('Xử lý hồ sơ');
    expect(nav).not.toContain('Bảng chỉ số');
    // The desk's own lists answer with the provider's token.
    await page.getByText('Chưa có hồ sơ nào hôm nay.').waitFor();
    await page.goto(`${baseUrl}/#/dashboard`);
    await page.getByText('Vai trò của bạn không được mở màn hình này.').waitFor();
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.getByTestId('provider-link').waitFor();
  });

  it('given a pasted token with two of the app’s roles, then the app asks which and shows that role’s screens', async () => {
    const both = await token('tran.van.minh', ['analyst', 'leader'], demoUnitIds.justice);
    await page.goto(`${baseUrl}/`);
    await page.locator('#f-access-token').fill(both);
    await page.getByRole('button', { name: 'Dùng mã này' }).click();
    await page.locator('#f-provider-role').selectOption('analyst');
    await page.getByRole('button', { name: 'Tiếp tục' }).click();
    await page.waitForURL('**/#/dashboard');
    const nav = await page.getByRole('navigation', { name: 'main' }).textContent();
    expect(nav).toContain('Bảng chỉ số');
    expect(nav).not.toContain('Quầy tiếp nhận');
    await page.getByTestId('units-table').waitFor();
  });
});
