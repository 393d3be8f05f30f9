/**
 * Citizen feedback (phản ánh, kiến nghị) in a real browser (Debian's Chromium through playwright-core) against the
 * whole system in embedded mode with the test clock: a citizen, signed in nowhere, files feedback about the
 * Department of Justice on the public page (an executable posing as a photo is refused, naming what it is; a PNG
 * is taken) and gets a reference and a secret; a specialist of that department finds it in the unit's inbox,
 * due soon, reads it, and accepts, answers and publishes it, each step offered only when allowed; the citizen
 * sees the published answer and rates it; the public 5.2 figure (feedback handled on time) goes from none to
 * 100 %. Each screen is saved (see testing/browser.ts for where).
 */
import { demoUnitIds } from '@onestop/catalog';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshotPath } from './testing/browser.js';
import { type EmbeddedInBrowser, openEmbeddedInBrowser } from './testing/embedded.js';

const JUSTICE = demoUnitIds.justice;
const JUSTICE_NAME = 'Sở Tư pháp tỉnh Khánh Hòa';
const MONDAY_0900 = '2026-03-09T09:00:00+07:00';
/** An hour before the decision is due (two working days after Monday 09:00): due soon. */
const WEDNESDAY_0800 = '2026-03-11T08:00:00+07:00';
/** A 1×1 PNG, and an executable named like a photo. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64, 0x90)]);
const CONTENT = 'Bộ phận một cửa yêu cầu tôi nộp thêm bản sao sổ hộ khẩu, giấy tờ không có trong thủ tục.';
const ANSWER = 'Sở Tư pháp đã chấn chỉnh bộ phận tiếp nhận; thành phần hồ sơ chỉ gồm giấy tờ theo quy định.';

let web: EmbeddedInBrowser;
let baseUrl: string;
let page: Page;
/** What the citizen got when filing. */
const filed = { reference: '', secret: '' };

const shot = async (name: string) => page.screenshot({ path: await screenshotPath(name), fullPage: true });

/** The public table's "feedback handled on time" (5.2) cell of the Department of Justice, after asking again. */
async function publicFeedbackOnTime(): Promise<string> {
  const table = page.getByTestId('public-units');
  await table.getByRole('button', { name: 'Xem' }).click();
  const row = table.locator('tbody tr', { hasText: JUSTICE_NAME });
  const headers = await table.locator('thead th').allTextContents();
  const column = headers.findIndex((h) => h.includes('Tỷ lệ xử lý phản ánh, kiến nghị đúng hạn'));
  expect(column).toBeGreaterThan(0);
  return ((await row.locator('td').nth(column).textContent()) ?? '').trim();
}

beforeAll(async () => {
  web = await openEmbeddedInBrowser('feedback-e2e');
  ({ baseUrl, page } = web);
  await web.setClock(MONDAY_0900);
});

afterAll(() => web?.close());

describe('citizen feedback, in a browser, against embedded mode', () => {
  it('given the public page without sign-in, when a citizen files feedback about an agency, then a file that is not a document is refused by what it is, and a photo is taken with a reference and a secret', async () => {
    await page.goto(`${baseUrl}/#/public`);
    const form = page.getByTestId('feedback-form');
    await form.waitFor();
    expect(await publicFeedbackOnTime()).toBe('—');

    await form.locator('#f-fb-unitId').selectOption(JUSTICE);
    await form.locator('#f-fb-content').fill(CONTENT);
    await form.locator('#f-fb-phone').fill('0905 123 456');
    const attachments = form.locator('input[name="fb-attachments"]');
    await attachments.setInputFiles({ name: 'anh-chup.png', mimeType: 'image/png', buffer: EXE });
    await form.getByRole('button', { name: 'Gửi' }).click();
    const refused = page.getByTestId('feedback-refused');
    await refused.waitFor();
    expect(await refused.textContent()).toBe(
      'Tệp 1 (anh-chup.png) là application/vnd.microsoft.portable-executable: chỉ nhận PDF, JPEG, PNG, TIFF.',
    );
    await form.scrollIntoViewIfNeeded();
    await shot('feedback-01-public-refused');

    await attachments.setInputFiles({ name: 'giay-hen.png', mimeType: 'image/png', buffer: PNG });
    await form.getByRole('button', { name: 'Gửi' }).click();
    await page.getByTestId('feedback-reference').waitFor();
    filed.reference = (await page.getByTestId('feedback-reference').textContent())?.trim() ?? '';
    filed.secret = (await page.getByTestId('feedback-secret').textContent())?.trim() ?? '';
    expect(filed.reference).toMatch(/^[0-9a-f-]{36}$/);
    expect(filed.secret).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}$/);
    // The status below opens by itself: received, the decision due Wednesday 09:00 (two working days).
    const status = page.getByTestId('feedback-public-status');
    await expect.poll(() => status.getAttribute('data-status')).toBe('filed');
    const decision = page.getByTestId('feedback-status').locator('tr[data-stage="decision"]');
    expect(await decision.locator('td').nth(1).textContent()).toBe('11/03/2026 09:00');
    await shot('feedback-02-public-filed');
  });

  it('given the item in the unit’s inbox, when a specialist opens it due soon, then it reads the citizen’s text and only the steps its status allows are offered; accepted, answered and published, each on time', async () => {
    await web.setClock(WEDNESDAY_0800);
    await web.signIn('specialist', JUSTICE, 'specialist-justice');
    await page.goto(`${baseUrl}/#/feedback`);
    const inbox = page.getByTestId('feedback-inbox');
    const row = inbox.locator('tbody tr').first();
    await expect.poll(() => row.getAttribute('class')).toBe('due-soon');
    expect(await row.textContent()).toContain('Thụ lý hoặc từ chối');
    expect(await row.textContent()).toContain('11/03/2026 09:00');
    await shot('feedback-03-inbox');

    await row.getByTestId('feedback-row').click();
    await page.getByTestId('feedback-content').waitFor();
    expect(await page.getByTestId('feedback-content').textContent()).toContain(CONTENT);
    expect(await page.getByTestId('feedback-content').textContent()).toContain('0905 123 456');
    expect(await page.getByTestId('feedback-attachments').textContent()).toContain('image/png');
    const button = (action: string) => page.locator(`form[data-action="${action}"] button[type="submit"]`);
    expect(await button('accept').isEnabled()).toBe(true);
    expect(await button('refuse').isEnabled()).toBe(true);
    expect(await button('answer').isDisabled()).toBe(true);
    expect(await button('publish').isDisabled()).toBe(true);

    await button('accept').click();
    const status = page.getByTestId('feedback-item-status');
    await expect.poll(() => status.getAttribute('data-status')).toBe('accepted');
    expect(await button('accept').isDisabled()).toBe(true);
    expect(await button('answer').isEnabled()).toBe(true);
    expect(await button('publish').isDisabled()).toBe(true);
    // The decision was taken an hour before its due: on time; the answer is now due in 15 working days.
    const stages = page.getByTestId('feedback-stages');
    expect(await stages.locator('tr[data-stage="decision"]').getAttribute('data-state')).toBe('ok');
    expect(await stages.locator('tr[data-stage="answer"] td').nth(1).textContent()).toBe('01/04/2026 08:00');
    await shot('feedback-04-item-accepted');

    await page.locator('#f-fb-answer-answer').fill(ANSWER);
    await button('answer').click();
    await expect.poll(() => status.getAttribute('data-status')).toBe('answered');
    await button('publish').click();
    await expect.poll(() => status.getAttribute('data-status')).toBe('published');
    for (const action of ['accept', 'refuse', 'request-info', 'answer', 'publish']) {
      expect(await button(action).isDisabled()).toBe(true);
    }
    // Commands answer without the citizen's text; the screen keeps what it read.
    expect(await page.getByTestId('feedback-content').textContent()).toContain(CONTENT);
  });

  it('given the published answer, when the citizen opens their status link and rates it, then the answer and rating show, and the public 5.2 figure is 100 %', async () => {
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.goto(
      `${baseUrl}/#/public/feedback?reference=${filed.reference}&secret=${encodeURIComponent(filed.secret)}`,
    );
    const status = page.getByTestId('feedback-public-status');
    await expect.poll(() => status.getAttribute('data-status')).toBe('published');
    expect(await page.getByTestId('feedback-public-answer').textContent()).toBe(ANSWER);
    await page
      .getByTestId('feedback-public-item')
      .getByRole('button', { name: 'Hài lòng', exact: true })
      .click();
    await expect
      .poll(() => page.getByTestId('feedback-public-item').textContent())
      .toContain('Đánh giáHài lòng');

    // The projection follows the events: 5.2 goes from no judged item to one handled on time.
    await expect.poll(publicFeedbackOnTime, { timeout: 15_000 }).toBe('100 %');
    await page.getByTestId('feedback-status').scrollIntoViewIfNeeded();
    await shot('feedback-05-public-answered');
  });
});
