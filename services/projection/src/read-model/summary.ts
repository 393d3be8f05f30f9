/**
 * What the read models know of one dossier, recomputed from its merged events (all four services) as of an
 * instant. Pure: the handler calls it with the latest event's instant after every event, the KPI queries call it
 * with a past `asOf` or the appointment due. All clock arithmetic is `evaluateClock`'s; this module only adds
 * the facts the clock does not track (identity, digitization, payment, rating, steps done).
 */
import { type Catalog, type Procedure, vietnamDayStart } from '@onestop/catalog';
import {
  type Calendar,
  type Classification,
  ClockNotStarted,
  type ClockWithElapsed,
  type DossierEvent,
  type DueBasis,
  type EventOfType,
  evaluateClockWithElapsed,
  type LateReason,
  localDateOf,
  type NationalStatus,
} from '@onestop/domain';
import { z } from 'zod';

/** A late reason as JSON (instants as ISO strings), as stored and served. */
export const LateReasonJson = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('step_over_budget'),
    stepId: z.string(),
    unitId: z.string().optional(),
    officerId: z.string().optional(),
    budgetWorkingHours: z.number(),
    usedWorkingHours: z.number(),
    completed: z.boolean(),
  }),
  z.object({
    kind: z.literal('second_supplement_request'),
    requestCount: z.number(),
    countsAsLate: z.boolean(),
  }),
  z.object({
    kind: z.literal('apology_after_due'),
    issuedAt: z.string(),
    dueAt: z.string(),
    countsAsLate: z.boolean(),
  }),
  z.object({ kind: z.literal('overdue_at_end'), byWorkingMs: z.number() }),
  z.object({ kind: z.literal('paused'), pausedWorkingMs: z.number() }),
]);
export type LateReasonJson = z.infer<typeof LateReasonJson>;

export interface StepDone {
  readonly stepId: string;
  readonly officerId: string;
  /** Working ms the step took, net of pauses. */
  readonly workingMs: number;
  /** Over its budget (evaluateClock's `step_over_budget` reason). */
  readonly late: boolean;
}

export interface DossierSummary {
  readonly dossierId: string;
  readonly dossierCode: string;
  readonly procedureCode: string;
  readonly procedureVersion: string;
  readonly receivingUnitId: string;
  /** The unit charged with timeliness: the receipt's, or the case's when processing opened one. */
  readonly competentUnitId: string;
  readonly returningUnitId: string | null;
  readonly channel: 'desk' | 'online' | 'postal';
  readonly crossBoundary: boolean;
  readonly receivedAtMs: number;
  /** Local (Vietnam) day of receipt, `YYYY-MM-DD`: the day the KPIs file the dossier under. */
  readonly receivedDay: string;
  readonly nationalStatus: NationalStatus;
  readonly startMs: number;
  readonly statutoryDueMs: number;
  readonly appointmentDueMs: number;
  readonly dueBasis: DueBasis;
  readonly dueMs: number;
  readonly pausedMs: number;
  readonly endedAtMs: number | null;
  readonly endedBy: string | null;
  readonly decidedOutcome: 'approved' | 'refused' | null;
  readonly elapsedWorkingMs: number;
  /** Against `dueBasis`, as of `asOf`: early/on_time/late once ended, in_time/overdue while open. */
  readonly classification: Classification;
  /**
   * While open: the instant after which the dossier is overdue if nothing else happens (null: not while the
   * current pause lasts). Lets a query judge open dossiers "now" without recomputing them.
   */
  readonly overdueFromMs: number | null;
  readonly lateReasons: readonly LateReasonJson[];
  readonly allRequiredDigitized: boolean;
  readonly anyReused: boolean;
  readonly electronicResult: boolean;
  /** The procedure yields a result document (KPI 4.1 and 4.2 then want an electronic result). */
  readonly resultIsDocument: boolean;
  /** KPI 4.2: required components all digitized, and an electronic result where one is due. */
  readonly digitized: boolean;
  readonly hasFee: boolean;
  readonly paidOnline: boolean;
  readonly rating: number | null;
  readonly apologyCount: number;
  readonly lateApology: boolean;
  readonly secondSupplement: boolean;
  readonly transferredAtMs: number | null;
  /** Working ms from the clock's start to the transfer to the competent unit. */
  readonly transferLatencyMs: number | null;
  readonly steps: readonly StepDone[];
  readonly lastEventMs: number;
}

export interface SummaryContext {
  readonly calendar: Calendar;
  readonly catalog: Catalog;
  readonly asOf: Date;
  readonly due?: DueBasis;
}

const ms = (iso: string) => Date.parse(iso);

function toJsonReason(reason: LateReason): LateReasonJson {
  return reason.kind === 'apology_after_due'
    ? {
        kind: reason.kind,
        issuedAt: reason.issuedAt.toISOString(),
        dueAt: reason.dueAt.toISOString(),
        countsAsLate: reason.countsAsLate,
      }
    : reason;
}

/**
 * The catalogue version in force at receipt, else the latest (dossiers of before a procedure's current version):
 * what `catalog.procedure(code, at)` picks, falling back to `catalog.procedure(code)`, without the exception the
 * former throws for every dossier received before the current version (a stack trace per recomputed dossier).
 */
function procedureOf(catalog: Catalog, code: string, at: Date): Procedure | undefined {
  const versions = catalog.procedureVersions(code);
  let inForce: Procedure | undefined;
  for (const version of versions) if (vietnamDayStart(version.effectiveFrom) <= at) inForce = version;
  return inForce ?? versions.at(-1);
}

function ofType<T extends DossierEvent['type']>(events: readonly DossierEvent[], type: T): EventOfType<T>[] {
  return events.filter((e): e is EventOfType<T> => e.type === type);
}

/** Completed step runs, in the order they ended, with when each started (as evaluateClock starts them). */
function stepRuns(events: ReadonlyArray<{ readonly e: DossierEvent; readonly at: number }>) {
  const open = new Map<string, number>();
  const runs: Array<{ stepId: string; officerId: string; start: number; end: number }> = [];
  const begin = (stepId: string, at: number) => {
    if (!open.has(stepId)) open.set(stepId, at);
  };
  for (const { e: event, at } of events) {
    if (event.type === 'CaseOpened') {
      const first = event.data.steps[0];
      if (first) begin(first.stepId, at);
    } else if (event.type === 'CaseAssigned') {
      begin(event.data.stepId, at);
    } else if (event.type === 'StepCompleted') {
      const start = open.get(event.data.stepId);
      if (start !== undefined) {
        runs.push({ stepId: event.data.stepId, officerId: event.data.officerId, start, end: at });
        open.delete(event.data.stepId);
      }
      if (event.data.nextStepId) begin(event.data.nextStepId, at);
    }
  }
  return runs;
}

/**
 * The dossier as of `ctx.asOf` (events after it are ignored), or undefined when it had not been received by then
 * (registered online only, refused, a guidance record). Events must be in arrival order; ties in `occurredAt`
 * keep it.
 */
export function summarizeDossier(
  allEvents: readonly DossierEvent[],
  ctx: SummaryContext,
): DossierSummary | undefined {
  const asOfMs = ctx.asOf.getTime();
  // Each instant parsed once (a replay recomputes every touched dossier per batch), and sorted only when the
  // events are not already in time order (the usual case is that they are).
  const timed: Array<{ e: DossierEvent; at: number; i: number }> = [];
  let inOrder = true;
  for (const e of allEvents) {
    const at = ms(e.occurredAt);
    if (at > asOfMs) continue;
    const last = timed.at(-1);
    if (last !== undefined && at < last.at) inOrder = false;
    timed.push({ e, at, i: timed.length });
  }
  if (!inOrder) timed.sort((a, b) => a.at - b.at || a.i - b.i);
  const events = timed.map(({ e }) => e);
  const received = ofType(events, 'DossierReceived')[0];
  if (received === undefined) return undefined;

  // One evaluation of the clock; the elapsed time at each step's ends and at the transfer comes from it.
  let evaluated: ClockWithElapsed;
  try {
    evaluated = evaluateClockWithElapsed(events, {
      calendar: ctx.calendar,
      asOf: ctx.asOf,
      due: ctx.due ?? 'statutory',
    });
  } catch (error) {
    if (ClockNotStarted.is(error)) return undefined;
    throw error;
  }
  const { clock } = evaluated;

  const data = received.data;
  const receivedAt = new Date(received.occurredAt);
  const procedure = procedureOf(ctx.catalog, data.procedureCode, receivedAt);
  const caseOpened = ofType(events, 'CaseOpened')[0];
  const returning = [...ofType(events, 'ResultSentToDesk'), ...ofType(events, 'ResultReceivedAtDesk')].at(-1);
  const decided = ofType(events, 'DossierDecided')[0];

  const digitizedCodes = new Set(ofType(events, 'ComponentDigitized').map((e) => e.data.componentCode));
  const mustDigitize = (code: string) =>
    procedure?.components.find((c) => c.code === code)?.mustDigitize ?? true;
  const allRequiredDigitized = data.components
    .filter((c) => c.required && mustDigitize(c.code))
    .every((c) => digitizedCodes.has(c.code));
  const anyReused = ofType(events, 'ComponentDigitized').some((e) => e.data.source !== 'scanned');
  const electronicResult = ofType(events, 'ResultDigitized').length > 0;
  const resultIsDocument = procedure?.resultIsDocument ?? true;
  // The electronic result is due once a result exists (approved); before that, or when refused, it cannot be.
  const resultDue = resultIsDocument && decided?.data.outcome === 'approved';

  const ended = clock.endedAt !== undefined;
  // An open dossier classed overdue although its due is still ahead counts as late by rule (second supplement,
  // late apology): overdue from its start.
  const countsAsLate = clock.classification === 'overdue' && clock.dueAt.getTime() >= asOfMs;
  const overdueFromMs = ended
    ? null
    : countsAsLate
      ? clock.startAt.getTime()
      : clock.classification === 'overdue' || !clock.paused
        ? clock.dueAt.getTime()
        : null;

  const transfer = ofType(events, 'DossierTransferred')[0];
  const transferredAtMs = transfer === undefined ? null : ms(transfer.occurredAt);

  const elapsedAt = evaluated.elapsedWorkingMsAt;
  const lateSteps = new Set(
    clock.lateReasons.flatMap((r) => (r.kind === 'step_over_budget' && r.completed ? [r.stepId] : [])),
  );
  const steps = stepRuns(timed).map((run) => ({
    stepId: run.stepId,
    officerId: run.officerId,
    workingMs: Math.max(0, elapsedAt(run.end) - elapsedAt(run.start)),
    late: lateSteps.has(run.stepId),
  }));

  const lateReasons = clock.lateReasons.map(toJsonReason);
  const rating = ofType(events, 'SatisfactionRated').at(-1)?.data.rating ?? null;
  return {
    dossierId: received.dossierId,
    dossierCode: data.dossierCode,
    procedureCode: data.procedureCode,
    procedureVersion: data.procedureVersion,
    receivingUnitId: data.receivingUnitId,
    competentUnitId: caseOpened?.data.competentUnitId ?? data.competentUnitId,
    returningUnitId: returning?.data.returningUnitId ?? null,
    channel: data.channel,
    crossBoundary: data.crossBoundary,
    receivedAtMs: receivedAt.getTime(),
    receivedDay: localDateOf(receivedAt),
    nationalStatus: clock.status,
    startMs: clock.startAt.getTime(),
    statutoryDueMs: clock.statutoryDueAt.getTime(),
    appointmentDueMs: clock.appointmentDueAt.getTime(),
    dueBasis: clock.dueBasis,
    dueMs: clock.dueAt.getTime(),
    pausedMs: clock.pausedMs,
    endedAtMs: clock.endedAt?.getTime() ?? null,
    endedBy: clock.endedBy ?? null,
    decidedOutcome: decided?.data.outcome ?? null,
    elapsedWorkingMs: clock.elapsedWorkingMs,
    classification: clock.classification,
    overdueFromMs,
    lateReasons,
    allRequiredDigitized,
    anyReused,
    electronicResult,
    resultIsDocument,
    digitized: allRequiredDigitized && (!resultDue || electronicResult),
    hasFee: (procedure?.feeVnd ?? 0) > 0 || ofType(events, 'PaymentRequested').length > 0,
    paidOnline: ofType(events, 'PaymentConfirmed').some((e) => e.data.online),
    rating,
    apologyCount: ofType(events, 'DeadlineExtended').length,
    lateApology: lateReasons.some((r) => r.kind === 'apology_after_due'),
    secondSupplement: clock.supplementRequestCount >= 2,
    transferredAtMs,
    transferLatencyMs: transferredAtMs === null ? null : elapsedAt(transferredAtMs),
    steps,
    lastEventMs: Math.max(...timed.map((t) => t.at)),
  };
}
