import { describe, expect, it } from 'vitest';
import { CaseView } from '../case/view.js';
import { command, openCase, tokens, useProcessing } from '../testing/fixture.js';

const p = useProcessing();

const MONDAY_1100 = new Date('2025-09-15T04:00:00Z');
const MONDAY_1500 = new Date('2025-09-15T08:00:00Z');

describe('request-payment and confirm-payment (status 6)', () => {
  it("given an open case, when a fee is requested without pausesClock, then the procedure's default pauses the clock until it is paid online", async () => {
    const { dossierId } = await openCase(p.current);
    const specialist = await tokens.specialist();
    const requested = await command(p.current, dossierId, 'request-payment', { amount: 200000 }, specialist);
    expect(requested.statusCode).toBe(200);
    expect(CaseView.parse(requested.json())).toMatchObject({
      status: 6,
      payments: [{ amount: 200000, pausesClock: true, confirmedAt: null, online: null }],
      clock: { paused: true },
    });

    // Mon 09:00 → 11:00: 2 working hours paused, so the due moves from Mon 29 Sep 09:00 to 11:00.
    p.current.clock.set(MONDAY_1100);
    const confirmed = await command(p.current, dossierId, 'confirm-payment', { online: true }, specialist);
    expect(confirmed.statusCode).toBe(200);
    expect(CaseView.parse(confirmed.json())).toMatchObject({
      status: 4,
      payments: [{ confirmedAt: MONDAY_1100.toISOString(), online: true }],
      clock: { paused: false, pausedWorkingHours: 2, statutoryDueAt: '2025-09-29T04:00:00.000Z' },
    });
  });

  it('given pausesClock false, when the fee is awaited, then the due does not move', async () => {
    const { dossierId } = await openCase(p.current);
    const specialist = await tokens.specialist();
    await command(p.current, dossierId, 'request-payment', { amount: 50000, pausesClock: false }, specialist);
    p.current.clock.set(MONDAY_1500);
    const confirmed = await command(p.current, dossierId, 'confirm-payment', { online: false }, specialist);
    expect(CaseView.parse(confirmed.json())).toMatchObject({
      payments: [{ pausesClock: false, online: false }],
      clock: { pausedWorkingHours: 0, statutoryDueAt: '2025-09-29T02:00:00.000Z' },
    });
  });

  it('given a case in processing, when confirm-payment is sent, then 409 naming status 4', async () => {
    const { dossierId } = await openCase(p.current);
    const response = await command(
      p.current,
      dossierId,
      'confirm-payment',
      { online: true },
      await tokens.specialist(),
    );
    expect(response.statusCode).toBe(409);
    expect(response.json().details).toMatchObject({ command: 'ConfirmPayment', currentStatus: 4 });
  });

  it('given a fee is awaited, when another is requested, then 409 naming status 6', async () => {
    const { dossierId } = await openCase(p.current);
    const specialist = await tokens.specialist();
    await command(p.current, dossierId, 'request-payment', { amount: 1000 }, specialist);
    const response = await command(p.current, dossierId, 'request-payment', { amount: 1000 }, specialist);
    expect(response.statusCode).toBe(409);
    expect(response.json().details.currentStatus).toBe(6);
  });
});
