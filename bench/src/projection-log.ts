/**
 * A synthetic dossier log for the projection benchmarks: realistic lifecycles of the demo catalogue's
 * procedures (receipt, digitization, transfer and case opening, assignment and steps, supplements, payment,
 * extensions, decision or stop or withdrawal, result return and rating; refusals and guidance at the desk),
 * seeded, in the event-store append shape of `eventToAppend` (envelope fields in `metadata`), merged across
 * dossiers in time order as services would append them. Generated day by day, so memory stays bounded.
 */
import { demoCatalog, demoUnitIds, type Procedure } from '@onestop/catalog';
import {
  computeDueAt,
  currentSchemaVersion,
  type DossierEventType,
  type Source,
  streamIdFor,
  vnCivilServiceCalendar,
} from '@onestop/domain';
import { uuidv7 } from '@onestop/service-kit';

export interface LogRow {
  readonly streamId: string;
  readonly streamVersion: number;
  readonly eventId: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly atMs: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2025-01-02T08:00 in Vietnam (the civil-service calendar knows 2025 and 2026). */
const START_MS = Date.parse('2025-01-02T08:00:00+07:00');

/** Mulberry32: a small seeded PRNG, so every run generates the same log. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const WARD_CENTRE: Record<string, string> = {
  [demoUnitIds.nhaTrangWard]: demoUnitIds.nhaTrangCentre,
  [demoUnitIds.camRanhWard]: demoUnitIds.camRanhCentre,
  [demoUnitIds.phanRangWard]: demoUnitIds.phanRangCentre,
};

const iso = (ms: number) => new Date(ms).toISOString();

class DossierLog {
  readonly dossierId: string;
  private readonly versions: Record<Source, number> = {
    intake: 0,
    digitization: 0,
    processing: 0,
    'result-return': 0,
    feedback: 0,
  };

  constructor(
    private readonly out: (row: LogRow) => void,
    private readonly actorUnit: { desk: string; office: string },
    at: number,
  ) {
    this.dossierId = uuidv7(at);
  }

  add(source: Source, type: DossierEventType, atMs: number, data: Record<string, unknown>): void {
    const processing = source === 'processing';
    this.out({
      streamId: streamIdFor(source, this.dossierId),
      streamVersion: this.versions[source]++,
      eventId: uuidv7(atMs),
      type,
      data,
      metadata: {
        schemaVersion: currentSchemaVersion(type),
        dossierId: this.dossierId,
        occurredAt: iso(atMs),
        source,
        correlationId: this.dossierId,
        causationId: this.dossierId,
        actor: processing
          ? { id: 'specialist-1', role: 'specialist', unitId: this.actorUnit.office }
          : { id: 'clerk-1', role: 'clerk', unitId: this.actorUnit.desk },
      },
      atMs,
    });
  }
}

/** Emits one dossier's lifecycle (or a refusal / guidance) received at `t0`. */
function lifecycle(out: (row: LogRow) => void, random: () => number, t0: number, seq: number): void {
  const procedures = demoCatalog.procedures();
  const procedure: Procedure | undefined = procedures[Math.floor(random() * procedures.length)];
  if (procedure === undefined) return;
  const competent =
    procedure.competentUnitIds[Math.floor(random() * procedure.competentUnitIds.length)] ?? '';
  const receiving = WARD_CENTRE[competent] ?? demoUnitIds.provincialCentre;
  const d = new DossierLog(out, { desk: receiving, office: competent }, t0);
  const roll = random();
  if (roll < 0.03) {
    d.add('intake', roll < 0.02 ? 'DossierRefused' : 'GuidanceGiven', t0, {
      procedureCode: procedure.code,
      receivingUnitId: receiving,
      ...(roll < 0.02
        ? { reason: 'không thuộc thẩm quyền' }
        : { missingComponents: [procedure.components[0]?.code ?? 'x'] }),
    });
    return;
  }
  const { startAt, dueAt } = computeDueAt({
    receivedAt: new Date(t0),
    limit: procedure.limit,
    calendar: vnCivilServiceCalendar,
  });
  const day = iso(t0 + 7 * HOUR)
    .slice(2, 10)
    .replaceAll('-', '');
  d.add('intake', 'DossierReceived', t0, {
    dossierCode: `000.00.01.H34-${day}-${String(seq % 10_000).padStart(4, '0')}`,
    procedureCode: procedure.code,
    procedureVersion: procedure.version,
    channel: random() < 0.4 ? 'online' : 'desk',
    receivingUnitId: receiving,
    competentUnitId: competent,
    crossBoundary: random() < 0.05,
    applicantId: uuidv7(t0),
    applicantType: 1,
    components: procedure.components.map((c) => ({ code: c.code, provided: true, required: c.required })),
    limit: procedure.limit,
    calendarVersion: vnCivilServiceCalendar.version,
    startAt: startAt.toISOString(),
    statutoryDueAt: dueAt.toISOString(),
  });
  let t = t0;
  const later = (maxHours: number) => {
    t += Math.round(random() * maxHours * HOUR) + 60_000;
    return t;
  };
  if (random() < 0.7) {
    for (const component of procedure.components.filter((c) => c.required && c.mustDigitize)) {
      const reused = random() < 0.25;
      d.add('digitization', 'ComponentDigitized', later(0.1), {
        componentCode: component.code,
        sha256: 'a'.repeat(64),
        sizeBytes: 120_000,
        mediaType: 'application/pdf',
        source: reused ? 'reused' : 'scanned',
        ...(reused ? { reusedFrom: `digitization-${uuidv7(t)}/${component.code}` } : {}),
      });
    }
  }
  if (random() < 0.03) {
    d.add('intake', 'DossierWithdrawn', later(6), { reason: 'người dân rút' });
    return;
  }
  const opened = later(4);
  d.add('intake', 'DossierTransferred', opened, {
    fromUnitId: receiving,
    toUnitId: competent,
    channel: 'electronic',
    custody: [{ unitId: receiving, at: iso(opened) }],
  });
  const steps = procedure.steps.filter((s) => s.role !== 'clerk');
  d.add('processing', 'CaseOpened', opened, {
    procedureCode: procedure.code,
    competentUnitId: competent,
    statutoryDueAt: dueAt.toISOString(),
    steps: steps.map((s) => ({
      stepId: s.stepId,
      name: s.name,
      role: s.role === 'signer' ? 'leader' : s.role,
      budgetWorkingHours: s.budgetWorkingHours,
    })),
  });
  const officer = `officer-${competent}-${Math.floor(random() * 12)}`;
  const first = steps[0];
  if (first) d.add('processing', 'CaseAssigned', later(1), { stepId: first.stepId, officerId: officer });
  if (random() < 0.1) {
    d.add('processing', 'SupplementRequested', later(8), { reason: 'thiếu bản sao', requestNumber: 1 });
    d.add('processing', 'SupplementReceived', later(48), { requestNumber: 1 });
  }
  if (procedure.feeVnd > 0) {
    d.add('processing', 'PaymentRequested', later(2), { amount: procedure.feeVnd, pausesClock: true });
    d.add('processing', 'PaymentConfirmed', later(4), { online: random() < 0.6 });
  }
  if (random() < 0.03) {
    d.add('processing', 'DeadlineExtended', later(4), {
      previousDueAt: dueAt.toISOString(),
      newDueAt: iso(dueAt.getTime() + 5 * DAY),
      reason: 'chờ xác minh',
      issuedLate: random() < 0.3,
    });
  }
  const open = random() < 0.02;
  for (const [i, step] of steps.entries()) {
    if (open && i === steps.length - 1) return;
    const next = steps[i + 1];
    d.add('processing', 'StepCompleted', later(step.budgetWorkingHours * 1.6), {
      stepId: step.stepId,
      officerId: i === 0 ? officer : `leader-${competent}`,
      ...(next ? { nextStepId: next.stepId } : {}),
    });
  }
  if (random() < 0.03) {
    d.add('processing', 'ProcessingStopped', later(2), { reason: 'hồ sơ giả mạo' });
    return;
  }
  const approved = random() < 0.92;
  d.add(
    'processing',
    'DossierDecided',
    later(1),
    approved ? { outcome: 'approved' } : { outcome: 'refused', reason: 'không đủ điều kiện' },
  );
  if (approved && random() < 0.8) {
    d.add('digitization', 'ResultDigitized', later(0.5), {
      sha256: 'b'.repeat(64),
      sizeBytes: 80_000,
      mediaType: 'application/pdf',
      source: 'scanned',
    });
  }
  const sent = later(4);
  d.add('processing', 'ResultSentToDesk', sent, { returningUnitId: receiving });
  d.add('result-return', 'ResultReceivedAtDesk', later(2), { returningUnitId: receiving });
  d.add('result-return', 'ResultReturned', later(48), { channel: 'desk' });
  if (random() < 0.5) {
    d.add('result-return', 'SatisfactionRated', later(1), { rating: 1 + Math.floor(random() * 4) });
  }
}

/**
 * Calls `emit` with about `events` events (whole lifecycles), in time order, in pages of `pageSize`. Dossiers
 * arrive `perDay` per day during office hours; a lifecycle spans days to weeks.
 */
export async function generateLog(
  events: number,
  options: { perDay: number; pageSize: number; seed?: number },
  emit: (rows: LogRow[]) => Promise<void>,
): Promise<{ events: number; dossiers: number }> {
  const random = rng(options.seed ?? 7);
  const buckets = new Map<number, LogRow[]>();
  let generated = 0;
  let dossiers = 0;
  let page: LogRow[] = [];
  const out = (row: LogRow) => {
    const key = Math.floor((row.atMs - START_MS) / DAY);
    const bucket = buckets.get(key);
    if (bucket === undefined) buckets.set(key, [row]);
    else bucket.push(row);
    generated++;
  };
  const flush = async (beforeDay: number) => {
    for (const key of [...buckets.keys()].sort((a, b) => a - b)) {
      if (key >= beforeDay) break;
      const rows = buckets.get(key) ?? [];
      buckets.delete(key);
      rows.sort((a, b) => a.atMs - b.atMs);
      for (const row of rows) {
        page.push(row);
        if (page.length >= options.pageSize) {
          await emit(page);
          page = [];
        }
      }
    }
  };
  for (let dayIndex = 0; generated < events; dayIndex++) {
    await flush(dayIndex);
    for (let i = 0; i < options.perDay && generated < events; i++) {
      lifecycle(out, random, START_MS + dayIndex * DAY + Math.floor(random() * 9 * HOUR), dossiers++);
    }
  }
  await flush(Number.POSITIVE_INFINITY);
  if (page.length > 0) await emit(page);
  return { events: generated, dossiers };
}
