import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../errors.js';
import type { Actor, EventData, NationalStatus } from '../events/index.js';
import type { Decided } from './decider.js';
import { describeStatus } from './errors.js';
import { giveGuidance, type IntakeCommand, type IntakeEvent, intakeDecider } from './intake.js';
import { specify } from './spec.js';

const spec = specify(intakeDecider);
const now = new Date('2025-03-03T02:00:00.000Z'); // Mon 09:00 in Hanoi
const clerk: Actor = { id: 'clerk-1', role: 'clerk', unitId: 'unit-hn-01' };
const base = { now, actor: clerk };

function event<T extends IntakeEvent['type']>(type: T, data: EventData<T>): Decided<T> {
  return { type, data, occurredAt: now.toISOString(), actor: clerk };
}

const receive = {
  type: 'ReceiveDossier',
  ...base,
  dossierCode: 'HN01-250303-0001',
  procedureCode: '1.004227',
  procedureVersion: '2025.1',
  channel: 'desk',
  receivingUnitId: 'unit-hn-01',
  competentUnitId: 'unit-so-tp',
  crossBoundary: true,
  applicantId: '0195a1b2-0000-4000-8000-000000000001',
  applicantType: 1,
  components: [
    { code: 'TP01', provided: true, required: true },
    { code: 'TP02', provided: false, required: false },
  ],
  limit: { value: 1, unit: 'working_days' },
  calendarVersion: 'vn-2025.1',
  startAt: now,
  statutoryDueAt: new Date('2025-03-04T02:00:00.000Z'),
} satisfies IntakeCommand;

const registered = event('DossierRegistered', { procedureCode: '1.004227', channel: 'online' });
const received = event('DossierReceived', {
  dossierCode: 'HN01-250303-0001',
  procedureCode: '1.004227',
  procedureVersion: '2025.1',
  channel: 'desk',
  receivingUnitId: 'unit-hn-01',
  competentUnitId: 'unit-so-tp',
  crossBoundary: true,
  applicantId: '0195a1b2-0000-4000-8000-000000000001',
  applicantType: 1,
  components: [
    { code: 'TP01', provided: true, required: true },
    { code: 'TP02', provided: false, required: false },
  ],
  limit: { value: 1, unit: 'working_days' },
  calendarVersion: 'vn-2025.1',
  startAt: '2025-03-03T02:00:00.000Z',
  statutoryDueAt: '2025-03-04T02:00:00.000Z',
});
const refused = event('DossierRefused', {
  procedureCode: '1.004227',
  receivingUnitId: 'unit-hn-01',
  reason: 'x',
});
const transferred = event('DossierTransferred', {
  fromUnitId: 'unit-hn-01',
  toUnitId: 'unit-so-tp',
  channel: 'electronic',
  custody: [{ unitId: 'unit-hn-01', at: '2025-03-03T02:00:00.000Z' }],
});
const withdrawn = event('DossierWithdrawn', {});

const HISTORY: Record<'none' | 1 | 2 | 3 | 4 | 7, IntakeEvent[]> = {
  none: [],
  1: [registered],
  2: [received],
  3: [refused],
  4: [received, transferred],
  7: [received, withdrawn],
};
const STATUSES = ['none', 1, 2, 3, 4, 7] as const;

const COMMANDS: ReadonlyArray<{
  command: IntakeCommand;
  emits: IntakeEvent['type'];
  allowedIn: ReadonlyArray<(typeof STATUSES)[number]>;
}> = [
  {
    command: { type: 'RegisterDossier', ...base, procedureCode: '1.004227', channel: 'online' },
    emits: 'DossierRegistered',
    allowedIn: ['none'],
  },
  { command: receive, emits: 'DossierReceived', allowedIn: ['none', 1] },
  {
    command: {
      type: 'RefuseDossier',
      ...base,
      procedureCode: '1.004227',
      receivingUnitId: 'unit-hn-01',
      reason: 'x',
    },
    emits: 'DossierRefused',
    allowedIn: ['none', 1],
  },
  {
    command: { type: 'TransferDossier', ...base, toUnitId: 'unit-so-tp', channel: 'electronic' },
    emits: 'DossierTransferred',
    allowedIn: [2],
  },
  { command: { type: 'WithdrawDossier', ...base }, emits: 'DossierWithdrawn', allowedIn: [2, 4] },
];

describe('intake decider: allowed and forbidden transitions (1→2|3, 2→4|7, 4→7; terminal 3, 7)', () => {
  const cases = COMMANDS.flatMap(({ command, emits, allowedIn }) =>
    STATUSES.map((status) => ({
      name: command.type,
      command,
      emits,
      status,
      allowed: allowedIn.includes(status),
    })),
  );

  it.each(cases.filter((c) => c.allowed))(
    'given status $status, when $name, then $emits',
    ({ command, emits, status }) => {
      const state = HISTORY[status].reduce(intakeDecider.evolve, intakeDecider.initialState());
      expect(intakeDecider.decide(command, state).map((e) => e.type)).toEqual([emits]);
    },
  );

  it.each(cases.filter((c) => !c.allowed))(
    'given status $status, when $name, then DOM_INVALID_TRANSITION naming the status',
    ({ command, status }) => {
      const error = spec
        .given(HISTORY[status])
        .when(command)
        .thenThrows({
          code: 'DOM_INVALID_TRANSITION',
          details: { command: command.type, currentStatus: status },
        });
      expect(error.kind).toBe('conflict');
      expect(error.message).toContain(`cannot ${command.type}: the dossier is in ${describeStatus(status)}`);
    },
  );
});

describe('intake decider: commands', () => {
  it('given nothing, when an online dossier is registered, then DossierRegistered (status 1)', () => {
    spec
      .given([])
      .when({ type: 'RegisterDossier', ...base, procedureCode: '1.004227', channel: 'online' })
      .thenEmits([registered]);
  });

  it('given nothing, when a complete dossier is received at the desk, then DossierReceived with the clock facts', () => {
    spec.given([]).when(receive).thenEmits([received]);
  });

  it('given a registered dossier, when received, then DossierReceived', () => {
    spec.given([registered]).when(receive).thenEmits([received]);
  });

  it('given a registered dossier, when received for another procedure, then DOM_RULE_VIOLATED', () => {
    spec
      .given([registered])
      .when({ ...receive, procedureCode: '2.000908' })
      .thenThrows({ code: 'DOM_RULE_VIOLATED', details: { rule: 'procedure_mismatch' } });
  });

  it('when a required component is missing, then DOM_INCOMPLETE_DOSSIER listing it (guidance is due instead)', () => {
    const components = [
      { code: 'TP01', provided: false, required: true },
      { code: 'TP02', provided: false, required: false },
      { code: 'TP03', provided: false, required: true },
    ];
    const error = spec
      .given([])
      .when({ ...receive, components })
      .thenThrows({ code: 'DOM_INCOMPLETE_DOSSIER', details: { missingComponents: ['TP01', 'TP03'] } });
    expect(error.kind).toBe('unprocessable');
  });

  it('when the handler leaks personal data into the command, then it never reaches the event', () => {
    const leaky = { ...receive, fullName: 'Nguyễn Văn A', idNumber: '001203001234', phone: '0912345678' };
    const [only] = intakeDecider.decide(leaky, intakeDecider.initialState());
    expect(only).toEqual(received);
    expect(JSON.stringify(only)).not.toMatch(/Nguyễn|001203001234|0912345678/);
  });

  it.each([
    ['startAt', { startAt: new Date('2025-03-03T01:00:00.000Z') }],
    ['statutoryDueAt', { statutoryDueAt: now }],
    ['dossierCode', { dossierCode: 'HN01-2025-1' }],
    ['applicantType', { applicantType: 5 }],
    ['limit.value', { limit: { value: 0, unit: 'working_days' } }],
    [
      'components',
      {
        components: [
          { code: 'A', provided: true, required: true },
          { code: 'A', provided: true, required: true },
        ],
      },
    ],
  ])('when the receive command has a bad %s, then a validation error names it', (field, patch) => {
    const error = spec
      .given([])
      .when({ ...receive, ...patch } as IntakeCommand)
      .thenThrows({ code: ValidationFailed.code });
    expect(error.kind).toBe('validation');
    expect(ValidationFailed.is(error) && error.details.issues.map((i) => i.path)).toContain(field);
  });

  it('given a received dossier, when transferred, then custody starts at the receiving unit now', () => {
    spec
      .given([received])
      .when({ type: 'TransferDossier', ...base, toUnitId: 'unit-so-tp', channel: 'electronic' })
      .thenEmits([transferred]);
  });

  it('given a received dossier, when transferred by post with hand-overs, then the custody chain is kept', () => {
    const custody = [
      { unitId: 'unit-hn-01', at: now },
      { unitId: 'post-hn', at: new Date('2025-03-03T08:00:00.000Z') },
    ];
    spec
      .given([received])
      .when({ type: 'TransferDossier', ...base, toUnitId: 'unit-so-tp', channel: 'postal', custody })
      .thenEmits([
        event('DossierTransferred', {
          fromUnitId: 'unit-hn-01',
          toUnitId: 'unit-so-tp',
          channel: 'postal',
          custody: custody.map((c) => ({ unitId: c.unitId, at: c.at.toISOString() })),
        }),
      ]);
  });

  it('given a received dossier, when withdrawn with a reason, then DossierWithdrawn carries it', () => {
    spec
      .given([received])
      .when({ type: 'WithdrawDossier', ...base, reason: 'no longer needed' })
      .thenEmits([event('DossierWithdrawn', { reason: 'no longer needed' })]);
  });

  it.each([4, 5, 6] as const)(
    'given a transferred dossier that processing reports in %i, when withdrawn, then allowed',
    (processingStatus) => {
      spec
        .given(HISTORY[4])
        .when({ type: 'WithdrawDossier', ...base, processingStatus })
        .thenEmits([withdrawn]);
    },
  );

  it.each([8, 9, 10] as const)(
    'given a transferred dossier that processing reports in %i, when withdrawn, then DOM_INVALID_TRANSITION',
    (processingStatus: NationalStatus) => {
      spec
        .given(HISTORY[4])
        .when({ type: 'WithdrawDossier', ...base, processingStatus })
        .thenThrows({
          code: 'DOM_INVALID_TRANSITION',
          message: new RegExp(`status ${processingStatus} .*as reported by processing`),
          details: { currentStatus: processingStatus },
        });
    },
  );
});

describe('guidance before receipt', () => {
  it('when a clerk guides an applicant, then GuidanceGiven lists what is missing', () => {
    expect(
      giveGuidance({
        type: 'GiveGuidance',
        ...base,
        procedureCode: '1.004227',
        receivingUnitId: 'unit-hn-01',
        missingComponents: ['TP02'],
      }),
    ).toEqual({
      type: 'GuidanceGiven',
      data: { procedureCode: '1.004227', receivingUnitId: 'unit-hn-01', missingComponents: ['TP02'] },
      occurredAt: now.toISOString(),
      actor: clerk,
    });
  });

  it('when nothing is missing, then it is not guidance: a validation error names missingComponents', () => {
    expect(() =>
      giveGuidance({
        type: 'GiveGuidance',
        ...base,
        procedureCode: '1.004227',
        receivingUnitId: 'unit-hn-01',
        missingComponents: [],
      }),
    ).toThrow(/missingComponents/);
  });
});
