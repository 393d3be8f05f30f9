/**
 * The web app in a real browser (Debian's Chromium through playwright-core) against the whole system in embedded
 * mode on an ephemeral port with the test clock: a clerk receives a cross-boundary dossier with a scan and opens
 * the receipt; a specialist pauses it for a supplement; a leader decides it (late); the clerk returns the result
 * and records the rating; an analyst sees the KPI and drills down to it; a citizen, signed in nowhere, follows
 * the receipt's QR link to the public tracking page and reads the transparency table. The desk's lists come from
 * the server: a second clerk device sees the same day. Each screen is saved (see testing/browser.ts for where).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { demoCatalog, demoUnitIds } from '@onestop/catalog';
import { signDevToken } from '@onestop/service-kit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webRoot } from './server/build.js';
import { screenshotPath } from './testing/browser.js';
import { type EmbeddedInBrowser, openEmbeddedInBrowser } from './testing/embedded.js';

const CENTRE = demoUnitIds.nhaTrangCentre;
const JUSTICE = demoUnitIds.justice;
const MONDAY_0900 = '2026-03-09T09:00:00+07:00';
const TUESDAY_0900 = '2026-03-10T09:00:00+07:00';
/** A week after the statutory due (Tuesday 24 March after the one-day pause): the decision is late. */
const DECISION_DAY = '2026-03-31T09:00:00+07:00';
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);

let web: EmbeddedInBrowser;
let baseUrl: string;
let page: Page;
/** What the clerk received, shared by the steps that follow. */
const dossier = { id: '', code: '', secret: '' };

async function api(method: 'GET' | 'POST', path: string, body?: unknown, role?: 'specialist' | 'clerk') {
  const headers: Record<string, string> = {};
  if (role !== undefined) {
    const unitId = role === 'clerk' ? CENTRE : JUSTICE;
    headers.authorization = `Bearer ${await signDevToken({ sub: `probe-${role}`, roles: [role], unitId }, web.system.jwtSecret)}`;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const shot = async (name: string, on: Page = page) =>
  on.screenshot({ path: await screenshotPath(name), fullPage: on !== page });

beforeAll(async () => {
  web = await openEmbeddedInBrowser('web-e2e');
  ({ baseUrl, page } = web);
  await web.setClock(MONDAY_0900);
});

afterAll(() => web?.close());

describe('the web app, in a browser, against embedded mode', () => {
  it('given the built app, then its initial JavaScript is within the 300 KB gzip budget', async () => {
    const report = JSON.parse(await readFile(resolve(webRoot, 'dist/bundle-size.json'), 'utf8')) as {
      initialJsGzipBytes: number;
    };
    expect(report.initialJsGzipBytes).toBeGreaterThan(1000);
    expect(report.initialJsGzipBytes).toBeLessThan(300 * 1024);
  });

  it('given a clerk at a ward centre, when a criminal-record request is received with a scan, then the receipt shows the code, QR and due date, and the official receipt opens', async () => {
    await page.goto(`${baseUrl}/`);
    await page.locator('#f-role').waitFor();
    await shot('01-login');
    await web.signIn('clerk', CENTRE, 'clerk-nha-trang');

    // Accent-insensitive search: "ly lich tu phap" finds "Cấp Phiếu lý lịch tư pháp".
    await page.locator('#f-q').fill('ly lich tu phap');
    await page.locator('button[data-code="2.000488"]').click();
    await expect.poll(() => page.getByTestId('units-flow').getAttribute('class')).toContain('cross');

    // Missing required components block receipt and offer to record the guidance given. The applicant's name is
    // left empty: the server's error lands next to that field.
    const receive = page.getByRole('button', { name: 'Tiếp nhận hồ sơ' });
    expect(await receive.isDisabled()).toBe(true);
    await page.locator('#f-applicant-idNumber').fill('056190001234');
    const guide = page.getByRole('button', { name: /Ghi nhận đã hướng dẫn/ });
    await guide.click();
    await page.locator('#f-applicant-fullName-error').waitFor();
    expect(await page.locator('#f-applicant-fullName').getAttribute('aria-invalid')).toBe('true');
    await shot('02-desk-receive');
    await page.locator('#f-applicant-fullName').fill('Lê Thị Hoa');
    await guide.click();
    await page.getByText(/Đã ghi nhận hướng dẫn bổ sung/).waitFor();
    expect(await page.locator('#f-applicant-fullName-error').count()).toBe(0);

    await page.locator('input[name="component-to-khai-lltp"]').check();
    await page.locator('input[name="component-giay-to-tuy-than"]').check();
    await receive.click();
    await page.getByTestId('receipt').waitFor();
    dossier.code = (await page.getByTestId('dossier-code').textContent())?.trim() ?? '';
    dossier.id = page.url().split('#/desk/')[1] ?? '';
    expect(dossier.code).toMatch(/-260309-0001$/);
    expect(dossier.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.getByTestId('due-at').textContent()).toMatch(/^23\/03\/2026 09:0\d$/);
    await page.locator('[data-testid="qr"] svg').waitFor();
    dossier.secret = (await page.getByTestId('tracking-secret').textContent())?.trim() ?? '';
    expect(dossier.secret).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
    // The desk's day comes from the server (intake's list follows the receipt's event): listed here …
    await expect.poll(() => page.getByTestId('today').textContent()).toContain(dossier.code);

    // A scan per component, with progress, then the server's digest on the badge.
    await page
      .locator('#upload-to-khai-lltp')
      .setInputFiles({ name: 'to-khai.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.getByTestId('digitized-to-khai-lltp').waitFor();
    await shot('03-receipt');

    const [receipt] = await Promise.all([
      page.waitForEvent('popup'),
      page.getByRole('button', { name: /Mở phiếu/ }).click(),
    ]);
    await receipt.waitForFunction((code) => document.body?.textContent.includes(code), dossier.code);
    await receipt.screenshot({ path: await screenshotPath('04-official-receipt') });
    await receipt.close();

    await page.getByRole('button', { name: 'Chuyển hồ sơ' }).click();
    await expect.poll(() => page.getByTestId('intake-status').textContent()).toMatch(/^4 /);

    // … and on another device of the same centre, which keeps nothing of its own: the same day, with the transfer.
    const device = await web.browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'vi-VN' });
    try {
      const other = await device.newPage();
      other.setDefaultTimeout(10_000);
      await web.signIn('clerk', CENTRE, 'clerk-nha-trang-2', other);
      const today = other.getByTestId('today');
      await expect.poll(() => today.locator('li').first().getAttribute('data-status')).toBe('transferred');
      expect(await today.textContent()).toContain(dossier.code);
      expect(await today.textContent()).toContain('đã chuyển xử lý');
    } finally {
      await device.close();
    }
  });

  it('given the transferred dossier, when the specialist assigns it and requests a supplement, then it pauses; when the supplement arrives it resumes', async () => {
    await until(
      'the case to open',
      async () =>
        (await api('GET', `/v1/processing/cases/${dossier.id}`, undefined, 'specialist')).status === 200,
    );
    await web.signIn('specialist', JUSTICE, 'specialist-justice');
    await page.goto(`${baseUrl}/#/case/${dossier.id}`);
    await expect.poll(() => page.getByTestId('case-status').textContent()).toMatch(/^4 /);
    // Leaders alone decide: the specialist is not offered the command.
    expect(await page.locator('form[data-action="decide"]').count()).toBe(0);

    await page.locator('summary', { hasText: 'Phân công' }).click();
    await page.locator('form[data-action="assign"] button[type="submit"]').click();
    await expect.poll(() => page.locator('table').first().textContent()).toContain('specialist-justice');

    await page.locator('summary', { hasText: 'Yêu cầu bổ sung' }).click();
    await page.locator('form[data-action="request-supplement"] button[type="submit"]').click();
    await page.locator('#f-request-supplement-reason-error').waitFor(); // reason is required: the server says so
    await page.locator('#f-request-supplement-reason').fill('Bản chụp căn cước không rõ');
    await page.locator('form[data-action="request-supplement"] button[type="submit"]').click();
    await expect.poll(() => page.getByTestId('case-status').textContent()).toMatch(/^5 /);
    await page.getByTestId('timeline').getByText('SupplementRequested').waitFor();
    await shot('05-case-supplement');

    await web.setClock(TUESDAY_0900);
    await page.getByRole('button', { name: 'Đã nhận bổ sung' }).click();
    await expect.poll(() => page.getByTestId('case-status').textContent()).toMatch(/^4 /);
  });

  it('given the resumed case a week past its due, when the leader approves it, then it is processed and judged late', async () => {
    await web.setClock(DECISION_DAY);
    await web.signIn('leader', JUSTICE, 'leader-justice');
    await page.goto(`${baseUrl}/#/case/${dossier.id}`);
    await expect.poll(() => page.getByTestId('case-status').textContent()).toMatch(/^4 /);
    await page.locator('summary', { hasText: 'Quyết định' }).click();
    await page.locator('form[data-action="decide"] button[type="submit"]').click();
    await expect.poll(() => page.getByTestId('case-status').textContent()).toMatch(/^9 /);
    expect(await page.getByTestId('decision').textContent()).toContain('Chấp thuận');
    expect(await page.getByTestId('classification').textContent()).toContain('Trễ hạn');
    expect(await page.getByTestId('commands').textContent()).toContain('Không có thao tác');
    await shot('06-case-decided');
  });

  it('given the result at the desk, when the clerk returns it and records the rating, then both show', async () => {
    await until(
      'the result to reach the desk',
      async () => (await api('GET', `/v1/return/dossiers/${dossier.id}`, undefined, 'clerk')).status === 200,
    );
    await web.signIn('clerk', CENTRE, 'clerk-nha-trang');
    // The result waits at the desk: the shared list names it, and opens it.
    const waiting = page.getByTestId('waiting');
    await waiting.getByRole('link', { name: dossier.code }).click();
    await page.waitForURL(`**/#/desk/${dossier.id}`);
    const section = page.getByTestId('return-section');
    await section.getByRole('button', { name: 'Trả kết quả cho người nộp' }).click();
    await page.getByTestId('returned').waitFor();
    await section.getByLabel('Rất hài lòng').check();
    await section.getByRole('button', { name: 'Ghi nhận đánh giá' }).click();
    expect(await page.getByTestId('rated').textContent()).toContain('Rất hài lòng');
    // Returned: no longer waiting, on this device as on any other (the desk reads its lists again after a command).
    await page.getByText('Không có kết quả nào đang chờ trả.').waitFor();
    await section.scrollIntoViewIfNeeded();
    await shot('07-desk-return');
  });

  it('given the analyst, when the dashboard shows the department for March, then the KPI counts the late dossier and the drill-down names it with its reasons', async () => {
    await until('the projection to count the rating', async () => {
      const analyst = await signDevToken({ sub: 'probe-analyst', roles: ['analyst'] }, web.system.jwtSecret);
      const reply = await fetch(`${baseUrl}/v1/kpi/units/${JUSTICE}?from=2026-03-01&to=2026-04-01`, {
        headers: { authorization: `Bearer ${analyst}` },
      });
      const body = (await reply.json()) as { ended?: number; rated?: number };
      return body.ended === 1 && body.rated === 1;
    });
    await web.signIn('analyst', undefined, 'analyst-province');
    await page.goto(`${baseUrl}/#/dashboard`);
    await page.locator('#f-unitId').selectOption(JUSTICE);
    await page.locator('#f-from').fill('2026-03-01');
    await page.locator('#f-to').fill('2026-04-01');
    await page.getByRole('button', { name: 'Xem', exact: true }).click();
    const card = (key: string) => page.locator(`[data-kpi="${key}"] .kpi-value`);
    await expect.poll(() => card('kpi.received').textContent()).toBe('1');
    expect(await card('kpi.late').textContent()).toBe('1');
    expect(await card('kpi.onTimeRate').textContent()).toBe('0 %');
    const drill = page.getByTestId('drill');
    await drill.getByText(dossier.code).waitFor();
    expect(await drill.textContent()).toMatch(/Quá hạn [\d,]+ giờ làm việc khi kết thúc/);
    await page.locator('.chart canvas').first().waitFor();
    await shot('08-dashboard');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('csv-dossiers.csv').click(),
    ]);
    const csv = await readFile((await download.path()) ?? '', 'utf8');
    expect(csv).toContain(dossier.code);

    // Every deciding unit side by side: sorted by "late", descending, the department comes first; the CSV is
    // the table as sorted.
    const units = page.getByTestId('units-table');
    const justiceName = demoCatalog.unit(JUSTICE).name;
    const justiceRow = units.locator('tbody tr', { hasText: justiceName });
    await expect.poll(() => justiceRow.locator('td').nth(1).textContent()).toBe('1');
    expect(await justiceRow.locator('td').nth(3).textContent()).toBe('1'); // late
    expect(await justiceRow.locator('td').nth(2).textContent()).toBe('0 %'); // on-time rate
    expect(await units.locator('tbody tr').count()).toBeGreaterThan(3);
    const lateHeader = units.getByRole('button', { name: 'Trễ hạn', exact: true });
    await lateHeader.click();
    await lateHeader.click();
    expect(await units.locator('th[aria-sort="descending"]').textContent()).toContain('Trễ hạn');
    expect(await units.locator('tbody tr').first().textContent()).toContain(justiceName);
    await units.getByRole('button', { name: 'Đơn vị', exact: true }).click();
    const names = await units.locator('tbody tr td:first-child').allTextContents();
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    await lateHeader.click();
    await lateHeader.click();
    await units.scrollIntoViewIfNeeded();
    await units.screenshot({ path: await screenshotPath('13-units-table') });
    const [unitsCsv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('csv-units.csv').click(),
    ]);
    const lines = (await readFile((await unitsCsv.path()) ?? '', 'utf8'))
      .replace(/^\uFEFF/, '')
      .split('\r\n');
    expect(lines[0]).toBe(
      'Đơn vị,Tiếp nhận,Tỷ lệ đúng hạn (2.1),Trễ hạn,Đang xử lý quá hạn,Số hóa (4.2),Nộp trực tuyến (3.3),Hài lòng (5.4),Điểm QĐ 766 (tổng)',
    );
    expect(lines[1]).toMatch(new RegExp(`^"?${justiceName}"?,1,0,1,0,`));
    expect(lines.filter((line) => line !== '').length).toBe((await units.locator('tbody tr').count()) + 1);

    // A network failure shows a retry, not a blank page; the retry brings the figures back.
    await web.context.setOffline(true);
    await page.getByRole('button', { name: 'Xem', exact: true }).click();
    await page.locator('#f-from').fill('2026-02-01');
    await page.getByRole('button', { name: 'Xem', exact: true }).click();
    const retry = page.getByTestId('kpi').getByRole('button', { name: 'Thử lại' });
    await retry.waitFor();
    await shot('09-network-retry');
    await web.context.setOffline(false);
    await retry.click();
    await expect.poll(() => card('kpi.received').textContent()).toBe('1');

    // The drill-down links to the dossier's timeline; English is one click away.
    await drill.getByRole('link', { name: dossier.code }).click();
    await page.getByTestId('timeline').getByText('DossierDecided').waitFor();
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await shot('10-timeline-en');
  });

  it('given the receipt’s tracking link, when a citizen opens it without signing in, then the status, due and steps show and nothing personal', async () => {
    const citizen = await web.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'vi-VN' });
    try {
      const phone = await citizen.newPage();
      phone.setDefaultTimeout(10_000);
      const link = `${baseUrl}/tracking?${new URLSearchParams({ code: dossier.code, secret: dossier.secret })}`;
      await phone.goto(link);
      await expect.poll(() => phone.getByTestId('public-status').textContent()).toBe('10 — Đã trả kết quả');
      expect(await phone.getByTestId('public-progress').textContent()).toBe('Hoàn thành quá hạn');
      // Moved a day by the supplement pause (the test clock runs on between its settings: a minute either way).
      expect(await phone.getByTestId('public-due').textContent()).toMatch(/^24\/03\/2026 (08:5\d|09:0\d)$/);
      const steps = (await phone.getByTestId('public-steps').textContent()) ?? '';
      for (const step of [
        'Tiếp nhận hồ sơ',
        'Yêu cầu bổ sung hồ sơ',
        'Có kết quả giải quyết',
        'Trả kết quả',
      ]) {
        expect(steps).toContain(step);
      }
      const json = await (
        await fetch(
          `${baseUrl}/v1/public/dossiers/${encodeURIComponent(dossier.code)}?secret=${dossier.secret}`,
        )
      ).text();
      for (const shown of [await phone.locator('main').textContent(), json]) {
        for (const personal of [
          'Lê Thị Hoa',
          '056190001234',
          'clerk-nha-trang',
          'specialist-justice',
          'leader-justice',
          'Bản chụp căn cước không rõ',
          dossier.id,
        ]) {
          expect(shown).not.toContain(personal);
        }
      }
      await shot('11-public-tracking', phone);

      // A wrong secret is "not found", like an unknown code.
      await phone.locator('#f-track-secret').fill('AAAAAAAAAAAA');
      await phone.getByRole('button', { name: 'Tra cứu' }).click();
      await phone.getByTestId('public-not-found').waitFor();
      expect(await phone.getByTestId('public-dossier').count()).toBe(0);
    } finally {
      await citizen.close();
    }
  });

  it('given the sign-in screen, when the public page is opened and March is chosen, then the agencies’ table counts the late dossier and sorts', async () => {
    // The analyst left the app in English and signed in: back to Vietnamese, signed out.
    await page.goto(`${baseUrl}/#/`);
    await page.getByRole('button', { name: 'Tiếng Việt' }).click();
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.getByTestId('public-link').click();
    const table = page.getByTestId('public-units');
    await page.locator('#f-pub-from').fill('2026-03-01');
    await page.locator('#f-pub-to').fill('2026-04-01');
    await table.getByRole('button', { name: 'Xem', exact: true }).click();
    const justiceName = demoCatalog.unit(JUSTICE).name;
    const justice = table.locator('tbody tr', { hasText: justiceName });
    await expect.poll(() => justice.locator('td').nth(1).textContent()).toBe('1');
    expect(await justice.locator('td').nth(4).textContent()).toBe('1'); // late
    expect(await justice.locator('td').nth(3).textContent()).toBe('0 %');
    // Sorting by "late", descending: the department with the late dossier comes first.
    await table.getByRole('button', { name: 'Trễ hạn' }).click();
    await table.getByRole('button', { name: 'Trễ hạn' }).click();
    expect(await table.locator('tbody tr').first().textContent()).toContain(justiceName);
    await page.screenshot({ path: await screenshotPath('12-public-units'), fullPage: true });
  });
});
