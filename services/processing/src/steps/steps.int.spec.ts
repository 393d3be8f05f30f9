import { streamIdFor } from '@onestop/domain';
import { describe, expect, it } from 'vitest';
import { CaseView } from '../case/view.js';
import { command, getCase, openCase, tokens, useProcessing } from '../testing/fixture.js';

const p = useProcessing();

// Transferred Mon 15 Sep 2025 10:00 (UTC+7): the appraisal step starts then.
const MONDAY_1000 = new Date('2025-09-15T03:00:00Z');
const TUESDAY_1000 = new Date('2025-09-16T03:00:00Z');
const TUESDAY_1500 = new Date('2025-09-16T08:00:00Z');

describe('assign and complete-step (Form 06 control sheet)', () => {
  it('given an open case, when officers are assigned and steps completed, then the control sheet records each hand-over with the working hours used', async () => {
    const { dossierId } = await openCase(p.current, MONDAY_1000);
    p.current.clock.set(MONDAY_1000);
    const specialist = await tokens.specialist();
    const leader = await tokens.leader();

    const assigned = await command(
      p.current,
      dossierId,
      'assign',
      { officerId: 'specialist-justice' },
      leader,
    );
    expect(assigned.statusCode).toBe(200);
    expect(assigned.headers.etag).toBe('"1"');
    expect(CaseView.parse(assigned.json()).assignedOfficerId).toBe('specialist-justice');

    // Mon 10:00 → Tue 10:00 is 8 working hours (10:00–11:30, 13:30–17:00, 07:00–10:00).
    p.current.clock.set(TUESDAY_1000);
    const completed = await command(
      p.current,
      dossierId,
      'complete-step',
      { nextOfficerId: 'leader-justice' },
      specialist,
    );
    expect(completed.statusCode).toBe(200);
    const afterAppraisal = CaseView.parse(completed.json());
    expect(afterAppraisal.currentStepId).toBe('review');
    expect(afterAppraisal.assignedOfficerId).toBe('leader-justice');
    expect(afterAppraisal.steps[0]).toMatchObject({
      stepId: 'appraise',
      state: 'done',
      usedWorkingHours: 8,
      overBudget: false,
      officerId: 'specialist-justice',
      completedAt: TUESDAY_1000.toISOString(),
    });
    expect(afterAppraisal.steps[1]).toMatchObject({
      stepId: 'review',
      state: 'in_progress',
      officerId: 'leader-justice',
    });

    // Tue 10:00 → 15:00 is 3 working hours (10:00–11:30 and 13:30–15:00).
    p.current.clock.set(TUESDAY_1500);
    const view = CaseView.parse((await getCase(p.current, dossierId, leader)).json());
    expect(view.steps[1]?.usedWorkingHours).toBe(3);
    expect(view.controlSheet).toEqual([
      {
        at: MONDAY_1000.toISOString(),
        kind: 'assigned',
        stepId: 'appraise',
        officerId: 'specialist-justice',
        nextStepId: null,
        nextOfficerId: null,
        byOfficerId: 'leader-justice',
        byUnitId: 'kh.so-tu-phap',
      },
      {
        at: TUESDAY_1000.toISOString(),
        kind: 'completed',
        stepId: 'appraise',
        officerId: 'specialist-justice',
        nextStepId: 'review',
        nextOfficerId: 'leader-justice',
        byOfficerId: 'specialist-justice',
        byUnitId: 'kh.so-tu-phap',
      },
    ]);

    const named = await command(p.current, dossierId, 'complete-step', { stepId: 'review' }, leader);
    expect(named.statusCode).toBe(200);
    expect(CaseView.parse(named.json()).currentStepId).toBe('sign');
    const stream = await p.current.store.readStream(streamIdFor('processing', dossierId));
    expect(stream.map((e) => e.type)).toEqual([
      'CaseOpened',
      'CaseAssigned',
      'StepCompleted',
      'StepCompleted',
    ]);
  });

  it('given a step in progress, when another step is named, then 422 naming both steps', async () => {
    const { dossierId } = await openCase(p.current);
    const specialist = await tokens.specialist();
    const assign = await command(
      p.current,
      dossierId,
      'assign',
      { officerId: 'o-1', stepId: 'sign' },
      specialist,
    );
    expect(assign.statusCode).toBe(422);
    expect(assign.json()).toMatchObject({ code: 'DOM_RULE_VIOLATED', details: { rule: 'step_not_current' } });
    expect(assign.json().message).toContain('appraise');

    const complete = await command(p.current, dossierId, 'complete-step', { stepId: 'review' }, specialist);
    expect(complete.statusCode).toBe(422);
    expect(complete.json().details.rule).toBe('step_not_current');
  });

  it('given every step is completed, when complete-step is sent again, then 422 no_step_in_progress', async () => {
    const { dossierId } = await openCase(p.current);
    const leader = await tokens.leader();
    for (const stepId of ['appraise', 'review', 'sign']) {
      const done = await command(p.current, dossierId, 'complete-step', { stepId }, leader);
      expect(done.statusCode).toBe(200);
    }
    const again = await command(p.current, dossierId, 'complete-step', {}, leader);
    expect(again.statusCode).toBe(422);
    expect(again.json().details.rule).toBe('no_step_in_progress');
  });

  it('given a paused case, when complete-step is sent, then 409 naming status 5', async () => {
    const { dossierId } = await openCase(p.current);
    const specialist = await tokens.specialist();
    await command(p.current, dossierId, 'request-supplement', { reason: 'thiếu bản chụp' }, specialist);
    const response = await command(p.current, dossierId, 'complete-step', {}, specialist);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      code: 'DOM_INVALID_TRANSITION',
      details: { command: 'CompleteStep', currentStatus: 5 },
    });
  });
});
