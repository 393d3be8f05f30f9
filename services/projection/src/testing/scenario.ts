/**
 * Given-events builders for the projection specs: catalogue-valid events (parsed by the `DossierEvent` schema)
 * of one dossier across the four services, at the business instants a test names. Times are written in Vietnam
 * time (`2025-09-15T09:00`, meaning +07:00).
 */
import { randomUUID } from 'node:crypto';
import { demoCatalog, demoUnitIds } from '@onestop/catalog';
import {
  type ActorRole,
  computeDueAt,
  currentSchemaVersion,
  DossierEvent,
  type DossierEventType,
  type Source,
  streamIdFor,
  vnCivilServiceCalendar,
} from '@onestop/domain';
import { uuidv7 } from '@onestop/service-kit';

/** `YYYY-MM-DDTHH:mm` in Vietnam time → ISO instant with offset. */
export const vn = (local: string) => `${local}:00+07:00`;

/** Đăng ký biện pháp bảo đảm: 1 working day, Agriculture and Environment, steps appraise 4 h, sign 2 h, fee. */
export const SECURITY_REGISTRATION = '1.012839';
/** Cấp Phiếu lý lịch tư pháp: 10 working days, Department of Justice. */
export const CRIMINAL_RECORD = '2.000488';

export interface DossierSpec {
  readonly receivedAt: string;
  readonly procedureCode?: string;
  readonly receivingUnitId?: string;
  readonly competentUnitId?: string;
  readonly channel?: 'desk' | 'online' | 'postal';
  readonly crossBoundary?: boolean;
}

let sequence = 0;

export class DossierScenario {
  readonly dossierId = randomUUID();
  readonly events: DossierEvent[] = [];
  readonly competentUnitId: string;
  readonly receivingUnitId: string;
  private readonly versions: Record<Source, number> = {
    intake: 0,
    digitization: 0,
    processing: 0,
    'result-return': 0,
    feedback: 0,
  };
  private readonly procedureCode: string;

  constructor(spec: DossierSpec) {
    this.procedureCode = spec.procedureCode ?? SECURITY_REGISTRATION;
    const procedure = demoCatalog.procedure(this.procedureCode);
    this.competentUnitId = spec.competentUnitId ?? procedure.competentUnitIds[0] ?? demoUnitIds.justice;
    this.receivingUnitId = spec.receivingUnitId ?? demoUnitIds.provincialCentre;
    const at = vn(spec.receivedAt);
    const { startAt, dueAt } = computeDueAt({
      receivedAt: new Date(at),
      limit: procedure.limit,
      calendar: vnCivilServiceCalendar,
    });
    sequence = (sequence % 9999) + 1;
    const day = spec.receivedAt.slice(2, 10).replaceAll('-', '');
    this.add('intake', 'DossierReceived', spec.receivedAt, {
      dossierCode: `000.00.01.H34-${day}-${String(sequence).padStart(4, '0')}`,
      procedureCode: this.procedureCode,
      procedureVersion: procedure.version,
      channel: spec.channel ?? 'desk',
      receivingUnitId: this.receivingUnitId,
      competentUnitId: this.competentUnitId,
      crossBoundary: spec.crossBoundary ?? false,
      applicantId: randomUUID(),
      applicantType: 1,
      components: procedure.components.map((c) => ({ code: c.code, provided: true, required: c.required })),
      limit: procedure.limit,
      calendarVersion: vnCivilServiceCalendar.version,
      startAt: startAt.toISOString(),
      statutoryDueAt: dueAt.toISOString(),
    });
  }

  private actor(source: Source): { id: string; role: ActorRole; unitId: string } {
    return source === 'processing'
      ? { id: 'specialist-1', role: 'specialist', unitId: this.competentUnitId }
      : { id: 'clerk-1', role: 'clerk', unitId: this.receivingUnitId };
  }

  add(source: Source, type: DossierEventType, local: string, data: unknown): DossierEvent {
    const event = DossierEvent.parse({
      eventId: uuidv7(),
      type,
      schemaVersion: currentSchemaVersion(type),
      dossierId: this.dossierId,
      streamId: streamIdFor(source, this.dossierId),
      streamVersion: this.versions[source]++,
      occurredAt: vn(local),
      recordedAt: vn(local),
      source,
      correlationId: 'spec',
      causationId: 'spec',
      actor: this.actor(source),
      data,
    });
    this.events.push(event);
    return event;
  }

  /** Transfer to the competent unit and the case opening that processing reacts with, at the same instant. */
  transferAndOpen(local: string): this {
    this.add('intake', 'DossierTransferred', local, {
      fromUnitId: this.receivingUnitId,
      toUnitId: this.competentUnitId,
      channel: 'electronic',
      custody: [{ unitId: this.receivingUnitId, at: vn(local) }],
    });
    const procedure = demoCatalog.procedure(this.procedureCode);
    const own = procedure.steps.filter((s) => s.role !== 'clerk');
    const received = this.events[0];
    this.add('processing', 'CaseOpened', local, {
      procedureCode: this.procedureCode,
      competentUnitId: this.competentUnitId,
      statutoryDueAt: received?.type === 'DossierReceived' ? received.data.statutoryDueAt : vn(local),
      steps: own.map((s) => ({
        stepId: s.stepId,
        name: s.name,
        role: s.role === 'signer' ? 'leader' : s.role,
        budgetWorkingHours: s.budgetWorkingHours,
      })),
    });
    return this;
  }

  assign(local: string, stepId: string, officerId: string): this {
    this.add('processing', 'CaseAssigned', local, { stepId, officerId });
    return this;
  }

  completeStep(local: string, stepId: string, officerId: string, nextStepId?: string): this {
    this.add('processing', 'StepCompleted', local, {
      stepId,
      officerId,
      ...(nextStepId === undefined ? {} : { nextStepId }),
    });
    return this;
  }

  requestSupplement(local: string, requestNumber = 1): this {
    this.add('processing', 'SupplementRequested', local, { reason: 'thiếu bản sao', requestNumber });
    return this;
  }

  receiveSupplement(local: string, requestNumber = 1): this {
    this.add('processing', 'SupplementReceived', local, { requestNumber });
    return this;
  }

  requestPayment(local: string): this {
    this.add('processing', 'PaymentRequested', local, { amount: 80_000, pausesClock: true });
    return this;
  }

  confirmPayment(local: string, online: boolean): this {
    this.add('processing', 'PaymentConfirmed', local, { online });
    return this;
  }

  extend(local: string, newDue: string, previousDue: string, issuedLate = false): this {
    this.add('processing', 'DeadlineExtended', local, {
      previousDueAt: vn(previousDue),
      newDueAt: vn(newDue),
      reason: 'chờ xác minh',
      issuedLate,
    });
    return this;
  }

  decide(local: string, outcome: 'approved' | 'refused' = 'approved'): this {
    this.add(
      'processing',
      'DossierDecided',
      local,
      outcome === 'approved' ? { outcome } : { outcome, reason: 'không đủ điều kiện' },
    );
    return this;
  }

  stop(local: string): this {
    this.add('processing', 'ProcessingStopped', local, { reason: 'hồ sơ giả mạo' });
    return this;
  }

  withdraw(local: string): this {
    this.add('intake', 'DossierWithdrawn', local, { reason: 'người dân rút' });
    return this;
  }

  digitize(local: string, componentCode: string, source: 'scanned' | 'reused' = 'scanned'): this {
    this.add('digitization', 'ComponentDigitized', local, {
      componentCode,
      sha256: 'a'.repeat(64),
      sizeBytes: 1024,
      mediaType: 'application/pdf',
      source,
      ...(source === 'reused' ? { reusedFrom: `digitization-${randomUUID()}/${componentCode}` } : {}),
    });
    return this;
  }

  digitizeResult(local: string): this {
    this.add('digitization', 'ResultDigitized', local, {
      sha256: 'b'.repeat(64),
      sizeBytes: 2048,
      mediaType: 'application/pdf',
      source: 'scanned',
    });
    return this;
  }

  returnResult(local: string, rating?: 1 | 2 | 3 | 4): this {
    this.add('processing', 'ResultSentToDesk', local, { returningUnitId: this.receivingUnitId });
    this.add('result-return', 'ResultReceivedAtDesk', local, { returningUnitId: this.receivingUnitId });
    this.add('result-return', 'ResultReturned', local, { channel: 'desk' });
    if (rating !== undefined) this.add('result-return', 'SatisfactionRated', local, { rating });
    return this;
  }
}

/** A refusal at the desk (Form 03): its own dossier id, no clock. */
export function refusal(local: string, receivingUnitId: string, procedureCode = SECURITY_REGISTRATION) {
  const dossierId = randomUUID();
  return DossierEvent.parse({
    eventId: uuidv7(),
    type: 'DossierRefused',
    schemaVersion: 1,
    dossierId,
    streamId: streamIdFor('intake', dossierId),
    streamVersion: 0,
    occurredAt: vn(local),
    recordedAt: vn(local),
    source: 'intake',
    correlationId: 'spec',
    causationId: 'spec',
    actor: { id: 'clerk-1', role: 'clerk', unitId: receivingUnitId },
    data: { procedureCode, receivingUnitId, reason: 'không thuộc thẩm quyền' },
  });
}

/** Guidance at the desk (Form 02 before receipt): counted for intake, no dossier. */
export function guidance(local: string, receivingUnitId: string, procedureCode = SECURITY_REGISTRATION) {
  const dossierId = randomUUID();
  return DossierEvent.parse({
    eventId: uuidv7(),
    type: 'GuidanceGiven',
    schemaVersion: 1,
    dossierId,
    streamId: streamIdFor('intake', dossierId),
    streamVersion: 0,
    occurredAt: vn(local),
    recordedAt: vn(local),
    source: 'intake',
    correlationId: 'spec',
    causationId: 'spec',
    actor: { id: 'clerk-1', role: 'clerk', unitId: receivingUnitId },
    data: { procedureCode, receivingUnitId, missingComponents: ['hop-dong-bao-dam'] },
  });
}
