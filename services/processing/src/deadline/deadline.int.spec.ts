import { describe, expect, it } from 'vitest';
import { CaseView } from '../case/view.js';
import { command, openCase, tokens, useProcessing } from '../testing/fixture.js';

const p = useProcessing();

// Received Mon 15 Sep 2025 09:00 (UTC+7), 10 working days: statutory due Mon 29 Sep 09:00.
const STATUTORY_DUE = '2025-09-29T02:00:00.000Z';
const WEDNESDAY_17_0900 = new Date('2025-09-17T02:00:00Z');
const TUESDAY_30_0900 = new Date('2025-09-30T02:00:00Z');
const WEDNESDAY_08_0900 = new Date('2025-10-08T02:00:00Z');

describe('extend (apology and new appointment, Form 04)', () => {
  it('given the due has not passed, when the leader extends, then the apology is on time and the appointment due is set', async () => {
    const { dossierId } = await openCase(p.current);
    p.current.clock.set(WEDNESDAY_17_0900);
    const response = await command(
      p.current,
      dossierId,
      'extend',
      { newDueAt: '2025-10-01T10:00:00+07:00', reason: 'Chờ kết quả xác minh' },
      await tokens.leader(),
    );
    expect(response.statusCode).toBe(200);
    const view = CaseView.parse(response.json());
    expect(view.extensions).toEqual([
      {
        at: WEDNESDAY_17_0900.toISOString(),
        previousDueAt: STATUTORY_DUE,
        newDueAt: '2025-10-01T03:00:00.000Z',
        reason: 'Chờ kết quả xác minh',
        issuedLate: false,
      },
    ]);
    expect(view.clock).toMatchObject({
      statutoryDueAt: STATUTORY_DUE,
      appointmentDueAt: '2025-10-01T03:00:00.000Z',
      classification: { statutory: 'in_time', appointment: 'in_time' },
    });
  });

  it('given the due has passed, when the leader extends, then the apology is recorded as late', async () => {
    const { dossierId } = await openCase(p.current);
    p.current.clock.set(TUESDAY_30_0900);
    const response = await command(
      p.current,
      dossierId,
      'extend',
      { newDueAt: '2025-10-03T17:00:00+07:00', reason: 'Quá hạn do chờ xác minh' },
      await tokens.leader(),
    );
    expect(response.statusCode).toBe(200);
    const view = CaseView.parse(response.json());
    expect(view.extensions[0]).toMatchObject({ previousDueAt: STATUTORY_DUE, issuedLate: true });
    expect(view.clock?.classification).toEqual({ statutory: 'overdue', appointment: 'overdue' });
    expect(view.clock?.lateReasons).toContainEqual(
      expect.objectContaining({ kind: 'apology_after_due', dueAt: STATUTORY_DUE }),
    );
  });

  it('given an appointment was set, when later extensions come, then each is judged against the appointment in force, not the statutory due', async () => {
    const { dossierId } = await openCase(p.current);
    const leader = await tokens.leader();
    p.current.clock.set(WEDNESDAY_17_0900);
    const first = await command(
      p.current,
      dossierId,
      'extend',
      { newDueAt: '2025-10-01T09:00:00+07:00', reason: 'một' },
      leader,
    );
    expect(first.statusCode).toBe(200);

    // After the statutory due (29 Sep) but before the appointment in force (1 Oct): on time.
    p.current.clock.set(TUESDAY_30_0900);
    const second = await command(
      p.current,
      dossierId,
      'extend',
      { newDueAt: '2025-10-06T09:00:00+07:00', reason: 'hai' },
      leader,
    );
    expect(second.statusCode).toBe(200);
    expect(CaseView.parse(second.json()).extensions[1]).toMatchObject({
      previousDueAt: '2025-10-01T02:00:00.000Z',
      issuedLate: false,
    });

    // An appointment before the one in force is no extension.
    p.current.clock.set(WEDNESDAY_08_0900);
    const backwards = await command(
      p.current,
      dossierId,
      'extend',
      { newDueAt: '2025-10-03T09:00:00+07:00', reason: 'ba' },
      leader,
    );
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().details.issues[0].path).toBe('newDueAt');

    // After the appointment in force (6 Oct): late.
    const late = await command(
      p.current,
      dossierId,
      'extend',
      { newDueAt: '2025-10-10T09:00:00+07:00', reason: 'bốn' },
      leader,
    );
    expect(late.statusCode).toBe(200);
    const view = CaseView.parse(late.json());
    expect(view.extensions[2]).toMatchObject({ previousDueAt: '2025-10-06T02:00:00.000Z', issuedLate: true });
    expect(view.clock?.appointmentDueAt).toBe('2025-10-10T02:00:00.000Z');
  });

  it('given a decided case, when the leader extends, then 409 naming status 9', async () => {
    const { dossierId } = await openCase(p.current);
    const leader = await tokens.leader();
    await command(p.current, dossierId, 'decide', { outcome: 'approved' }, leader);
    const response = await command(
      p.current,
      dossierId,
      'extend',
      { newDueAt: '2025-12-01T00:00:00Z', reason: 'x' },
      leader,
    );
    expect(response.statusCode).toBe(409);
    expect(response.json().details).toMatchObject({ command: 'ExtendDeadline', currentStatus: 9 });
  });
});
