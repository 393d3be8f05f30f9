import { dossierEventFromStored, intakeDecider, streamIdFor } from '@onestop/domain';
import { handleCommand, uuidv7Ids } from '@onestop/service-kit';
import { describe, expect, it } from 'vitest';
import { CaseView } from '../case/view.js';
import {
  rememberDossierOnDossierReceived,
  rememberWithdrawalOnDossierWithdrawn,
} from '../received/reactors.js';
import {
  command,
  getCase,
  JUSTICE,
  openCase,
  receiveAndTransfer,
  tokens,
  useProcessing,
} from '../testing/fixture.js';
import { openCaseOnDossierTransferred } from './reactor.js';

const p = useProcessing();

describe('openCaseOnDossierTransferred', () => {
  it('given a remembered receipt, when DossierTransferred is consumed, then the case opens with the competent unit steps and the statutory due', async () => {
    const { dossierId, received, transferred } = await receiveAndTransfer(p.current);
    await rememberDossierOnDossierReceived(received, p.current.deps);
    await openCaseOnDossierTransferred(transferred, p.current.deps);

    const stream = await p.current.store.readStream(streamIdFor('processing', dossierId));
    expect(stream.map((e) => e.type)).toEqual(['CaseOpened']);
    expect(stream[0]?.metadata).toMatchObject({
      causationId: transferred.eventId,
      correlationId: transferred.correlationId,
      occurredAt: transferred.occurredAt,
    });

    const response = await getCase(p.current, dossierId, await tokens.specialist());
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"0"');
    const view = CaseView.parse(response.json());
    expect(view).toMatchObject({
      status: 4,
      procedureCode: '2.000488',
      competentUnitId: JUSTICE,
      receivingUnitId: 'kh.ttpvhcc',
      // Received Mon 15 Sep 2025 09:00 (UTC+7) with 10 working days: due Mon 29 Sep 09:00.
      statutoryDueAt: '2025-09-29T02:00:00.000Z',
      currentStepId: 'appraise',
      openedAt: transferred.occurredAt,
    });
    if (received.type !== 'DossierReceived') throw new Error('expected DossierReceived');
    expect(view.statutoryDueAt).toBe(received.data.statutoryDueAt);
    // The desk step (clerk) ended with the transfer; the signer signs as a leader.
    expect(view.steps.map((s) => [s.stepId, s.role, s.budgetWorkingHours, s.state])).toEqual([
      ['appraise', 'specialist', 60, 'in_progress'],
      ['review', 'leader', 8, 'pending'],
      ['sign', 'leader', 8, 'pending'],
    ]);
    expect(view.clock).toMatchObject({
      statutoryDueAt: '2025-09-29T02:00:00.000Z',
      appointmentDueAt: '2025-09-29T02:00:00.000Z',
      paused: false,
      classification: { statutory: 'in_time', appointment: 'in_time' },
    });
  });

  it('given an open case, when the same DossierReceived and DossierTransferred are redelivered, then no second case is opened', async () => {
    const { dossierId, received, transferred } = await openCase(p.current);
    await rememberDossierOnDossierReceived(received, p.current.deps);
    await openCaseOnDossierTransferred(transferred, p.current.deps);
    await openCaseOnDossierTransferred(transferred, p.current.deps);

    const stream = await p.current.store.readStream(streamIdFor('processing', dossierId));
    expect(stream.map((e) => e.type)).toEqual(['CaseOpened']);
  });

  it('given the receipt was not seen yet, when DossierTransferred is consumed, then it fails retryably and opens nothing', async () => {
    const { dossierId, transferred } = await receiveAndTransfer(p.current);
    await expect(openCaseOnDossierTransferred(transferred, p.current.deps)).rejects.toMatchObject({
      code: 'PROC_RECEIPT_NOT_SEEN',
      kind: 'unavailable',
    });
    expect(await p.current.store.readStream(streamIdFor('processing', dossierId))).toEqual([]);
  });

  it('when an event of another type reaches a reactor, then it is ignored', async () => {
    const { dossierId, received } = await receiveAndTransfer(p.current);
    await openCaseOnDossierTransferred(received, p.current.deps);
    await rememberDossierOnDossierReceived(received, p.current.deps);
    await rememberWithdrawalOnDossierWithdrawn(received, p.current.deps);
    expect(await p.current.store.readStream(streamIdFor('processing', dossierId))).toEqual([]);
    expect((await p.current.deps.received.find(dossierId))?.withdrawnAt).toBeUndefined();
  });
});

describe('a dossier withdrawn at intake', () => {
  it('given an open case, when DossierWithdrawn is consumed (twice), then GET shows status 7 with the clock ended and commands get 409', async () => {
    const { dossierId } = await openCase(p.current);
    const withdrawnAt = '2025-09-15T03:00:00.000Z';
    await handleCommand({
      store: p.current.store,
      decider: intakeDecider,
      dossierId,
      streamId: streamIdFor('intake', dossierId),
      command: {
        type: 'WithdrawDossier',
        now: new Date(withdrawnAt),
        actor: { id: 'clerk-centre', role: 'clerk', unitId: 'kh.ttpvhcc' },
      },
      ids: uuidv7Ids,
      trace: { correlationId: 'withdraw' },
    });
    const intake = (await p.current.store.readStream(streamIdFor('intake', dossierId))).map(
      dossierEventFromStored,
    );
    const withdrawn = intake.find((e) => e.type === 'DossierWithdrawn');
    if (withdrawn === undefined) throw new Error('expected DossierWithdrawn');
    await rememberWithdrawalOnDossierWithdrawn(withdrawn, p.current.deps);
    await rememberWithdrawalOnDossierWithdrawn(withdrawn, p.current.deps);
    p.current.clock.set(new Date('2025-09-15T04:00:00Z'));

    const view = CaseView.parse((await getCase(p.current, dossierId, await tokens.specialist())).json());
    expect(view.status).toBe(7);
    expect(view.withdrawnAt).toBe(withdrawnAt);
    expect(view.clock?.endedAt).toBe(withdrawnAt);

    const response = await command(
      p.current,
      dossierId,
      'assign',
      { officerId: 'o-1' },
      await tokens.specialist(),
    );
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      code: 'DOM_INVALID_TRANSITION',
      details: { command: 'AssignCase', currentStatus: 7 },
    });
    expect(response.json().message).toContain('status 7 (withdrawn)');
  });
});

describe('GET /v1/processing/cases/{dossierId}', () => {
  it('when no case exists for the dossier, then 404', async () => {
    const response = await getCase(p.current, '0199a0b0-0000-7000-8000-000000000000', await tokens.admin());
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('PROC_CASE_NOT_FOUND');
  });
});
