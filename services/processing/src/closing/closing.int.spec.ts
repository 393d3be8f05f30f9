import { streamIdFor } from '@onestop/domain';
import { describe, expect, it } from 'vitest';
import { CaseView } from '../case/view.js';
import { CENTRE, command, openCase, tokens, useProcessing } from '../testing/fixture.js';

const p = useProcessing();

const WEDNESDAY_17_1400 = new Date('2025-09-17T07:00:00Z');

describe('decide', () => {
  it('given an open case, when the leader approves, then the case is processed and the result is sent to the receiving desk in the same append', async () => {
    const { dossierId } = await openCase(p.current);
    p.current.clock.set(WEDNESDAY_17_1400);
    const response = await command(
      p.current,
      dossierId,
      'decide',
      { outcome: 'approved' },
      await tokens.leader(),
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"2"');
    const view = CaseView.parse(response.json());
    expect(view).toMatchObject({
      status: 9,
      decision: { outcome: 'approved', reason: null, at: WEDNESDAY_17_1400.toISOString() },
      resultSent: { returningUnitId: CENTRE, at: WEDNESDAY_17_1400.toISOString() },
      clock: {
        endedAt: WEDNESDAY_17_1400.toISOString(),
        // Decided on 17 Sep, due 29 Sep: early. Mon 09:00 → Wed 14:00 is 6 + 8 + 5 = 19 working hours.
        classification: { statutory: 'early', appointment: 'early' },
        elapsedWorkingDays: 2.38,
      },
    });
    const stream = await p.current.store.readStream(streamIdFor('processing', dossierId));
    expect(stream.map((e) => e.type)).toEqual(['CaseOpened', 'DossierDecided', 'ResultSentToDesk']);
    expect(stream[2]?.data).toEqual({ returningUnitId: CENTRE });
  });

  it('given an open case, when the leader refuses with a reason, then the refusal and its reason are recorded and the result still goes to the desk', async () => {
    const { dossierId } = await openCase(p.current);
    const response = await command(
      p.current,
      dossierId,
      'decide',
      { outcome: 'refused', reason: 'Không đủ điều kiện cấp phiếu' },
      await tokens.leader(),
    );
    expect(response.statusCode).toBe(200);
    expect(CaseView.parse(response.json())).toMatchObject({
      status: 9,
      decision: { outcome: 'refused', reason: 'Không đủ điều kiện cấp phiếu' },
      resultSent: { returningUnitId: CENTRE },
    });
  });

  it('when a refusal has no reason, then 400 naming body.reason and nothing is appended', async () => {
    const { dossierId } = await openCase(p.current);
    const response = await command(
      p.current,
      dossierId,
      'decide',
      { outcome: 'refused' },
      await tokens.leader(),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().details.issues).toEqual([
      { path: 'body.reason', message: 'a refusal on the merits must give its reason' },
    ]);
    const stream = await p.current.store.readStream(streamIdFor('processing', dossierId));
    expect(stream.map((e) => e.type)).toEqual(['CaseOpened']);
  });

  it('given a decided case, when it is decided again, then 409 naming status 9 and no second result is sent', async () => {
    const { dossierId } = await openCase(p.current);
    const leader = await tokens.leader();
    await command(p.current, dossierId, 'decide', { outcome: 'approved' }, leader);
    const response = await command(p.current, dossierId, 'decide', { outcome: 'approved' }, leader);
    expect(response.statusCode).toBe(409);
    expect(response.json().details).toMatchObject({ command: 'DecideDossier', currentStatus: 9 });
    expect(response.json().message).toContain('status 9 (processed)');
    const stream = await p.current.store.readStream(streamIdFor('processing', dossierId));
    expect(stream.filter((e) => e.type === 'ResultSentToDesk')).toHaveLength(1);
  });
});

describe('stop (Form 05)', () => {
  it('given an open case, when the leader stops it, then status 8 ends the clock and a decision is refused with 409 naming status 8', async () => {
    const { dossierId } = await openCase(p.current);
    const leader = await tokens.leader();
    p.current.clock.set(WEDNESDAY_17_1400);
    const stopped = await command(
      p.current,
      dossierId,
      'stop',
      { reason: 'Người yêu cầu không bổ sung' },
      leader,
    );
    expect(stopped.statusCode).toBe(200);
    expect(CaseView.parse(stopped.json())).toMatchObject({
      status: 8,
      stopped: { reason: 'Người yêu cầu không bổ sung', at: WEDNESDAY_17_1400.toISOString() },
      resultSent: null,
      clock: { endedAt: WEDNESDAY_17_1400.toISOString() },
    });

    const decide = await command(p.current, dossierId, 'decide', { outcome: 'approved' }, leader);
    expect(decide.statusCode).toBe(409);
    expect(decide.json().details).toMatchObject({ command: 'DecideDossier', currentStatus: 8 });
  });

  it('given a supplement is awaited, when the leader stops, then 409 naming status 5', async () => {
    const { dossierId } = await openCase(p.current);
    await command(p.current, dossierId, 'request-supplement', { reason: 'thiếu' }, await tokens.specialist());
    const response = await command(p.current, dossierId, 'stop', { reason: 'x' }, await tokens.leader());
    expect(response.statusCode).toBe(409);
    expect(response.json().details).toMatchObject({ command: 'StopProcessing', currentStatus: 5 });
  });
});
