import { describe, expect, it } from 'vitest';
import { CaseView } from '../case/view.js';
import { command, FINANCE, openCase, tokens, useProcessing } from '../testing/fixture.js';

const p = useProcessing();

describe('consult and answer-consultation', () => {
  it('given an open case, when another agency is consulted for 16 working hours and answers, then the consultation is due Wed 09:00 and answered', async () => {
    const { dossierId } = await openCase(p.current);
    const specialist = await tokens.specialist();
    const consulted = await command(
      p.current,
      dossierId,
      'consult',
      { toUnitId: FINANCE, workingHours: 16 },
      specialist,
    );
    expect(consulted.statusCode).toBe(200);
    const view = CaseView.parse(consulted.json());
    const consultation = view.consultations[0];
    // Mon 15 Sep 09:00 + 16 working hours = Wed 17 Sep 09:00 (UTC+7).
    expect(consultation).toMatchObject({
      toUnitId: FINANCE,
      dueAt: '2025-09-17T02:00:00.000Z',
      answeredAt: null,
    });
    if (consultation === undefined) throw new Error('expected a consultation');

    const explicit = await command(
      p.current,
      dossierId,
      'consult',
      { toUnitId: FINANCE, dueAt: '2025-09-20T10:00:00+07:00' },
      specialist,
    );
    expect(CaseView.parse(explicit.json()).consultations[1]?.dueAt).toBe('2025-09-20T03:00:00.000Z');

    const answered = await command(
      p.current,
      dossierId,
      'answer-consultation',
      { consultationId: consultation.consultationId },
      specialist,
    );
    expect(answered.statusCode).toBe(200);
    expect(CaseView.parse(answered.json()).consultations[0]?.answeredAt).toBe(
      p.current.clock.now().toISOString(),
    );

    const again = await command(
      p.current,
      dossierId,
      'answer-consultation',
      { consultationId: consultation.consultationId },
      specialist,
    );
    expect(again.statusCode).toBe(422);
    expect(again.json().details.rule).toBe('consultation_already_answered');
  });

  it('when an unknown consultation is answered, then 422 unknown_consultation', async () => {
    const { dossierId } = await openCase(p.current);
    const response = await command(
      p.current,
      dossierId,
      'answer-consultation',
      { consultationId: 'nope' },
      await tokens.specialist(),
    );
    expect(response.statusCode).toBe(422);
    expect(response.json().details.rule).toBe('unknown_consultation');
  });

  it('when the consulted unit is not in the registry or the due is past, then 400 naming the field', async () => {
    const { dossierId } = await openCase(p.current);
    const specialist = await tokens.specialist();
    const unknownUnit = await command(
      p.current,
      dossierId,
      'consult',
      { toUnitId: 'kh.nowhere', workingHours: 8 },
      specialist,
    );
    expect(unknownUnit.statusCode).toBe(400);
    expect(unknownUnit.json().details.issues[0].path).toBe('body.toUnitId');

    const past = await command(
      p.current,
      dossierId,
      'consult',
      { toUnitId: FINANCE, dueAt: '2025-09-01T00:00:00Z' },
      specialist,
    );
    expect(past.statusCode).toBe(400);
    expect(past.json().details.issues[0].path).toBe('dueAt');
  });

  it('given a paused case, when another agency is consulted, then 409 naming status 5', async () => {
    const { dossierId } = await openCase(p.current);
    const specialist = await tokens.specialist();
    await command(p.current, dossierId, 'request-supplement', { reason: 'thiếu' }, specialist);
    const response = await command(
      p.current,
      dossierId,
      'consult',
      { toUnitId: FINANCE, workingHours: 8 },
      specialist,
    );
    expect(response.statusCode).toBe(409);
    expect(response.json().details).toMatchObject({ command: 'RequestConsultation', currentStatus: 5 });
  });
});
