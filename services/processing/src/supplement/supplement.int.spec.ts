import { describe, expect, it } from 'vitest';
import { CaseView } from '../case/view.js';
import { command, getCase, openCase, tokens, useProcessing } from '../testing/fixture.js';

const p = useProcessing();

// Received and transferred Mon 15 Sep 2025 09:00 (UTC+7), 10 working days: due Mon 29 Sep 09:00.
const STATUTORY_DUE = '2025-09-29T02:00:00.000Z';
const TUESDAY_0900 = new Date('2025-09-16T02:00:00Z');
const TUESDAY_1000 = new Date('2025-09-16T03:00:00Z');
const TUESDAY_1100 = new Date('2025-09-16T04:00:00Z');

describe('request-supplement and receive-supplement (Form 02)', () => {
  it('given an open case, when a supplement is requested and received 2 working hours later, then the due moves 2 working hours', async () => {
    const { dossierId } = await openCase(p.current);
    const specialist = await tokens.specialist();
    const before = CaseView.parse((await getCase(p.current, dossierId, specialist)).json());
    expect(before.clock?.statutoryDueAt).toBe(STATUTORY_DUE);

    p.current.clock.set(TUESDAY_0900);
    const requested = await command(
      p.current,
      dossierId,
      'request-supplement',
      { reason: 'Thiếu bản chụp giấy tờ tùy thân' },
      specialist,
    );
    expect(requested.statusCode).toBe(200);
    expect(CaseView.parse(requested.json())).toMatchObject({
      status: 5,
      supplements: [{ requestNumber: 1, reason: 'Thiếu bản chụp giấy tờ tùy thân', receivedAt: null }],
    });

    // While paused the due keeps moving with the working time spent waiting.
    p.current.clock.set(TUESDAY_1000);
    const paused = CaseView.parse((await getCase(p.current, dossierId, specialist)).json());
    expect(paused.clock).toMatchObject({ paused: true, statutoryDueAt: '2025-09-29T03:00:00.000Z' });

    p.current.clock.set(TUESDAY_1100);
    const received = await command(p.current, dossierId, 'receive-supplement', {}, specialist);
    expect(received.statusCode).toBe(200);
    const after = CaseView.parse(received.json());
    expect(after.status).toBe(4);
    expect(after.supplements[0]?.receivedAt).toBe(TUESDAY_1100.toISOString());
    expect(after.clock).toMatchObject({
      paused: false,
      pausedWorkingHours: 2,
      statutoryDueAt: '2025-09-29T04:00:00.000Z',
      appointmentDueAt: '2025-09-29T04:00:00.000Z',
    });
    // The due recorded at receipt stays as it was: only the evaluated due moves.
    expect(after.statutoryDueAt).toBe(STATUTORY_DUE);
    // The pause does not count against the step in progress: Mon 09:00 → Tue 11:00 is 10 h, minus 2 h paused.
    expect(after.steps[0]?.usedWorkingHours).toBe(8);
  });

  it('given a first supplement was received, when a second one is requested, then the dossier counts as overdue with the reason', async () => {
    const { dossierId } = await openCase(p.current);
    const specialist = await tokens.specialist();
    await command(p.current, dossierId, 'request-supplement', { reason: 'một' }, specialist);
    await command(p.current, dossierId, 'receive-supplement', {}, specialist);
    const second = await command(p.current, dossierId, 'request-supplement', { reason: 'hai' }, specialist);
    expect(second.statusCode).toBe(200);
    const view = CaseView.parse(second.json());
    expect(view.supplements.map((s) => s.requestNumber)).toEqual([1, 2]);
    expect(view.clock?.classification.statutory).toBe('overdue');
    expect(view.clock?.lateReasons).toContainEqual(
      expect.objectContaining({ kind: 'second_supplement_request', requestCount: 2 }),
    );
  });

  it('given a case in processing, when receive-supplement is sent, then 409 naming status 4', async () => {
    const { dossierId } = await openCase(p.current);
    const response = await command(p.current, dossierId, 'receive-supplement', {}, await tokens.specialist());
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      code: 'DOM_INVALID_TRANSITION',
      details: { command: 'ReceiveSupplement', currentStatus: 4 },
    });
    expect(response.json().message).toContain('status 4 (processing)');
  });

  it('given a supplement was requested, when another is requested before it arrives, then 409 naming status 5', async () => {
    const { dossierId } = await openCase(p.current);
    const specialist = await tokens.specialist();
    await command(p.current, dossierId, 'request-supplement', { reason: 'một' }, specialist);
    const response = await command(p.current, dossierId, 'request-supplement', { reason: 'hai' }, specialist);
    expect(response.statusCode).toBe(409);
    expect(response.json().details.currentStatus).toBe(5);
  });
});
