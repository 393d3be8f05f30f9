import { z } from 'zod';
import { defineError } from '../errors.js';
import { NATIONAL_STATUS_ENTERED, type NationalStatus } from '../events/index.js';
import { parseOrThrow } from '../validation.js';
import {
  type Calendar,
  type DaySchedule,
  scheduleOf,
  type WorkingHours,
  workingMsToHours,
} from './calendar.js';
import { computeDueMs, timeLimitSchema } from './due.js';
import { HOUR_MS, localDayOf } from './local-time.js';
import { addWorkingMs, instantMs, workingMsBetween } from './working-time.js';

/** One source of truth for which event enters which national status: the event catalogue. */
const STATUS_BY_EVENT: Readonly<Record<string, NationalStatus | undefined>> = NATIONAL_STATUS_ENTERED;

const CLOCK_END_EVENTS = ['DossierDecided', 'ProcessingStopped', 'DossierWithdrawn'] as const;
export type ClockEndEvent = (typeof CLOCK_END_EVENTS)[number];

/** The clock's configurable rules (DOMAIN.md section 5), with their defaults. */
export interface ClockRules {
  /** A financial-obligation wait (status 6) pauses the clock unless the event says `pausesClock: false`. */
  readonly pauseOnPayment: boolean;
  /** A second supplement request by the competent unit makes the dossier count as late. */
  readonly secondSupplementCountsAsLate: boolean;
  /** An apology (Form 04) issued after the due in force makes the dossier count as late. */
  readonly lateApologyCountsAsLate: boolean;
}

export const DEFAULT_CLOCK_RULES: ClockRules = Object.freeze({
  pauseOnPayment: true,
  secondSupplementCountsAsLate: true,
  lateApologyCountsAsLate: true,
});

export type DueBasis = 'statutory' | 'appointment';

export interface EvaluateClockOptions {
  readonly calendar: Calendar;
  /** Reporting instant: events after it are ignored, an open clock is measured up to it. */
  readonly asOf: Date;
  /** Which due the classification uses; `appointment` is the statutory due when there was no extension. */
  readonly due?: DueBasis;
  readonly rules?: Partial<ClockRules>;
  /** Defaults to the competent unit's hours in the calendar (`calendar.workingHoursFor(competentUnitId)`). */
  readonly workingHours?: WorkingHours;
}

/** The fields of a stored event the clock reads; full envelopes from any of the four services fit. */
export interface ClockEventInput {
  readonly type: string;
  /** ISO-8601 instant with offset (business time). */
  readonly occurredAt: string;
  readonly data?: unknown;
  readonly actor?: { readonly unitId?: string | null | undefined } | null | undefined;
}

export type Classification = 'early' | 'on_time' | 'late' | 'in_time' | 'overdue';

export type LateReason =
  | {
      readonly kind: 'step_over_budget';
      readonly stepId: string;
      readonly unitId?: string;
      readonly officerId?: string;
      readonly budgetWorkingHours: number;
      /** Net of pauses, 2 decimals. */
      readonly usedWorkingHours: number;
      /** False when the step was still running at the end of the clock or at `asOf`. */
      readonly completed: boolean;
    }
  | {
      readonly kind: 'second_supplement_request';
      readonly requestCount: number;
      readonly countsAsLate: boolean;
    }
  | {
      readonly kind: 'apology_after_due';
      readonly issuedAt: Date;
      readonly dueAt: Date;
      readonly countsAsLate: boolean;
    }
  | { readonly kind: 'overdue_at_end'; readonly byWorkingMs: number }
  | { readonly kind: 'paused'; readonly pausedWorkingMs: number };

export interface ClockEvaluation {
  /** National status after the last applied event. */
  readonly status: NationalStatus;
  readonly calendarVersion: string;
  readonly startAt: Date;
  /** Due from the procedure's limit, moved forward by all paused working time. */
  readonly statutoryDueAt: Date;
  /** Latest Form 04 appointment, moved forward by pauses after it; the statutory due when there was none. */
  readonly appointmentDueAt: Date;
  readonly extendedAt: Date | null;
  readonly dueBasis: DueBasis;
  /** The due the classification was made against. */
  readonly dueAt: Date;
  /** Working ms the clock was paused (up to the end, or up to `asOf` for an open pause). */
  readonly pausedMs: number;
  /** A pause is still open at `asOf`. */
  readonly paused: boolean;
  readonly endedAt?: Date;
  readonly endedBy?: ClockEndEvent;
  /** Working ms from start to end (or `asOf`) minus paused working ms. */
  readonly elapsedWorkingMs: number;
  readonly supplementRequestCount: number;
  readonly classification: Classification;
  readonly lateReasons: readonly LateReason[];
}

/** No valid receipt (status 2) at `asOf`: there is no clock to evaluate. */
export const ClockNotStarted = defineError<{ status: NationalStatus | null }>(
  'DOM_CLOCK_NOT_STARTED',
  'unprocessable',
);

const isoInstant = z.iso.datetime({ offset: true });
const optionalId = z.string().nullish();

const envelopeSchema = z.object({
  type: z.string().min(1),
  occurredAt: isoInstant,
  data: z.unknown(),
  actor: z.object({ unitId: optionalId }).nullish(),
});

// Only the payload fields the clock relies on (the agreed event catalogue); the full schemas live with the events.
const dossierReceivedData = z.object({ limit: timeLimitSchema, competentUnitId: optionalId });
const caseOpenedData = z.object({
  competentUnitId: optionalId,
  steps: z.array(z.object({ stepId: z.string(), budgetWorkingHours: z.number().nonnegative() })).default([]),
});
const caseAssignedData = z.object({ stepId: z.string(), officerId: z.string() });
const stepCompletedData = z.object({
  stepId: z.string(),
  officerId: z.string(),
  nextStepId: optionalId,
  nextOfficerId: optionalId,
});
const paymentRequestedData = z.object({ pausesClock: z.boolean().default(true) });
const deadlineExtendedData = z.object({ newDueAt: isoInstant, issuedLate: z.boolean().default(false) });

interface ReplayedEvent {
  readonly type: string;
  readonly at: number;
  readonly data: unknown;
  readonly actorUnitId: string | undefined;
}

/**
 * What was validated of each event object, and of each payload per schema: a dossier's events are evaluated again
 * every time it is recomputed (a projection recomputes it after each batch that touches it), and an event is
 * immutable (`ClockEventInput` is readonly), so each is validated once. Weak: gone with the events.
 */
const replayedOf = new WeakMap<object, ReplayedEvent>();
const payloadsOf = new WeakMap<z.ZodType, WeakMap<object, unknown>>();

/** `parseOrThrow(schema, data, label)`, remembered per payload object. */
function parsePayload<T extends z.ZodType>(schema: T, data: unknown, label: string): z.output<T> {
  if (typeof data !== 'object' || data === null) return parseOrThrow(schema, data, label);
  let parsed = payloadsOf.get(schema);
  if (parsed === undefined) {
    parsed = new WeakMap();
    payloadsOf.set(schema, parsed);
  }
  if (parsed.has(data)) return parsed.get(data) as z.output<T>;
  const value = parseOrThrow(schema, data, label);
  parsed.set(data, value);
  return value;
}

/** Validates, drops events after `asOf`, and orders by occurredAt; ties keep the given order (stable sort). */
function replay(events: ReadonlyArray<ClockEventInput>, asOfMs: number): ReplayedEvent[] {
  return events
    .map((event, i) => {
      const known = replayedOf.get(event);
      if (known !== undefined) return known;
      const parsed = parseOrThrow(envelopeSchema, event, `event ${i}`);
      const replayed: ReplayedEvent = {
        type: parsed.type,
        at: Date.parse(parsed.occurredAt),
        data: parsed.data,
        actorUnitId: parsed.actor?.unitId ?? undefined,
      };
      replayedOf.set(event, replayed);
      return replayed;
    })
    .filter((event) => event.at <= asOfMs)
    .sort((a, b) => a.at - b.at);
}

function nextStatus(current: NationalStatus | null, type: string): NationalStatus | null {
  return (Object.hasOwn(STATUS_BY_EVENT, type) ? STATUS_BY_EVENT[type] : undefined) ?? current;
}

/** The national status code of a dossier as of an instant; null before its first status event. */
export function nationalStatusAt(events: ReadonlyArray<ClockEventInput>, asOf: Date): NationalStatus | null {
  return replay(events, instantMs(asOf, 'asOf')).reduce(
    (status: NationalStatus | null, event) => nextStatus(status, event.type),
    null,
  );
}

interface Pause {
  readonly kind: 'supplement' | 'payment';
  readonly from: number;
  to: number | null;
}

interface StepRun {
  readonly stepId: string;
  readonly start: number;
  end: number | null;
  officerId: string | undefined;
  unitId: string | undefined;
}

interface Receipt {
  readonly startMs: number;
  readonly statutoryBaseMs: number;
  readonly schedule: DaySchedule;
}

/**
 * The legal clock of one dossier from its merged events (all four services), as of an instant (DOMAIN.md
 * section 5). Throws DOM_CLOCK_NOT_STARTED when the dossier has not been received by `asOf`.
 */
export function evaluateClock(
  events: ReadonlyArray<ClockEventInput>,
  options: EvaluateClockOptions,
): ClockEvaluation {
  return evaluateClockWithElapsed(events, options).clock;
}

/** `evaluateClock`'s result, and the elapsed working time at earlier instants of the same history. */
export interface ClockWithElapsed {
  readonly clock: ClockEvaluation;
  /**
   * `evaluateClock(events, { ...options, asOf: at }).elapsedWorkingMs` for an instant `at` up to `asOf` (0 before
   * the clock starts or when it has not started by `at`), from this one evaluation: events after `at` only close
   * pauses or end the clock after `at`, so the elapsed time at `at` is the working time from the start to
   * min(`at`, end) less the pauses' working time within it.
   */
  elapsedWorkingMsAt(atMs: number): number;
}

/**
 * `evaluateClock` plus `elapsedWorkingMsAt`, for callers that need the elapsed time at several instants of one
 * dossier (the projection's step durations and transfer latency) without replaying its events for each.
 */
export function evaluateClockWithElapsed(
  events: ReadonlyArray<ClockEventInput>,
  options: EvaluateClockOptions,
): ClockWithElapsed {
  const { calendar } = options;
  const rules: ClockRules = { ...DEFAULT_CLOCK_RULES, ...options.rules };
  const asOfMs = instantMs(options.asOf, 'asOf');

  let status: NationalStatus | null = null;
  let receipt: Receipt | undefined;
  let ended: { at: number; by: ClockEndEvent } | undefined;
  let extension: { at: number; dueMs: number } | undefined;
  let supplementRequestCount = 0;
  let competentUnitId: string | undefined;
  const pauses: Pause[] = [];
  const lateApologies: Array<{ issuedAt: number; dueAt: number }> = [];
  const budgets = new Map<string, number>();
  const runs: StepRun[] = [];
  const openRuns = new Map<string, StepRun>();

  const pausedWithin = (schedule: DaySchedule, from: number, to: number) =>
    pauses.reduce(
      (sum, pause) =>
        sum + workingMsBetween(Math.max(pause.from, from), Math.min(pause.to ?? to, to), calendar, schedule),
      0,
    );
  const openPause = (kind: Pause['kind'], at: number) => {
    const last = pauses.at(-1);
    // A pause request while already paused changes nothing: the clock is stopped once.
    if (!last || last.to !== null) pauses.push({ kind, from: at, to: null });
  };
  const closePause = (kind: Pause['kind'], at: number) => {
    const last = pauses.at(-1);
    if (last && last.to === null && last.kind === kind) last.to = at;
  };
  const startRun = (stepId: string, at: number, officerId: string | undefined) => {
    const open = openRuns.get(stepId);
    if (open) {
      open.officerId = officerId ?? open.officerId;
      return;
    }
    const run: StepRun = { stepId, start: at, end: null, officerId, unitId: undefined };
    runs.push(run);
    openRuns.set(stepId, run);
  };

  for (const event of replay(events, asOfMs)) {
    status = nextStatus(status, event.type);
    if (!receipt) {
      if (event.type === 'DossierReceived') {
        const data = parsePayload(dossierReceivedData, event.data, 'DossierReceived data');
        competentUnitId = data.competentUnitId ?? undefined;
        const schedule = scheduleOf(options.workingHours ?? calendar.workingHoursFor(competentUnitId));
        const { startMs, dueMs } = computeDueMs(event.at, data.limit, calendar, schedule);
        receipt = { startMs, statutoryBaseMs: dueMs, schedule };
      }
      continue;
    }
    if (ended) continue;
    const { schedule } = receipt;
    switch (event.type) {
      case 'DossierDecided':
      case 'ProcessingStopped':
      case 'DossierWithdrawn': {
        ended = { at: event.at, by: event.type };
        const last = pauses.at(-1);
        if (last && last.to === null) last.to = event.at;
        break;
      }
      case 'SupplementRequested':
        supplementRequestCount++;
        openPause('supplement', event.at);
        break;
      case 'SupplementReceived':
        closePause('supplement', event.at);
        break;
      case 'PaymentRequested': {
        const data = parsePayload(paymentRequestedData, event.data, 'PaymentRequested data');
        if (rules.pauseOnPayment && data.pausesClock) openPause('payment', event.at);
        break;
      }
      case 'PaymentConfirmed':
        closePause('payment', event.at);
        break;
      case 'DeadlineExtended': {
        const data = parsePayload(deadlineExtendedData, event.data, 'DeadlineExtended data');
        const dueInForce = extension
          ? addWorkingMs(extension.dueMs, pausedWithin(schedule, extension.at, event.at), calendar, schedule)
          : addWorkingMs(
              receipt.statutoryBaseMs,
              pausedWithin(schedule, receipt.startMs, event.at),
              calendar,
              schedule,
            );
        if (data.issuedLate || event.at > dueInForce) {
          lateApologies.push({ issuedAt: event.at, dueAt: dueInForce });
        }
        extension = { at: event.at, dueMs: Date.parse(data.newDueAt) };
        break;
      }
      case 'CaseOpened': {
        const data = parsePayload(caseOpenedData, event.data, 'CaseOpened data');
        competentUnitId = data.competentUnitId ?? competentUnitId;
        for (const step of data.steps) budgets.set(step.stepId, step.budgetWorkingHours);
        const first = data.steps[0];
        if (first) startRun(first.stepId, event.at, undefined);
        break;
      }
      case 'CaseAssigned': {
        const data = parsePayload(caseAssignedData, event.data, 'CaseAssigned data');
        startRun(data.stepId, event.at, data.officerId);
        break;
      }
      case 'StepCompleted': {
        const data = parsePayload(stepCompletedData, event.data, 'StepCompleted data');
        const run = openRuns.get(data.stepId);
        if (run) {
          run.end = event.at;
          run.officerId = data.officerId;
          run.unitId = event.actorUnitId;
          openRuns.delete(data.stepId);
        }
        if (data.nextStepId) startRun(data.nextStepId, event.at, data.nextOfficerId ?? undefined);
        break;
      }
    }
  }

  if (!receipt || status === null) {
    throw ClockNotStarted(
      `dossier has no clock as of ${options.asOf.toISOString()} (status ${String(status)})`,
      {
        details: { status },
      },
    );
  }

  const { schedule, startMs } = receipt;
  const horizon = ended?.at ?? asOfMs;
  const pausedMs = pausedWithin(schedule, startMs, horizon);
  const statutoryDueMs = addWorkingMs(receipt.statutoryBaseMs, pausedMs, calendar, schedule);
  const appointmentDueMs = extension
    ? addWorkingMs(extension.dueMs, pausedWithin(schedule, extension.at, horizon), calendar, schedule)
    : statutoryDueMs;
  const dueBasis = options.due ?? 'statutory';
  const dueMs = dueBasis === 'appointment' ? appointmentDueMs : statutoryDueMs;

  const lateReasons: LateReason[] = [];
  for (const run of runs) {
    const budget = budgets.get(run.stepId);
    const end = run.end ?? horizon;
    const usedMs =
      workingMsBetween(run.start, end, calendar, schedule) - pausedWithin(schedule, run.start, end);
    if (budget === undefined || usedMs <= budget * HOUR_MS) continue;
    const unitId = run.unitId ?? competentUnitId;
    lateReasons.push({
      kind: 'step_over_budget',
      stepId: run.stepId,
      ...(unitId === undefined ? {} : { unitId }),
      ...(run.officerId === undefined ? {} : { officerId: run.officerId }),
      budgetWorkingHours: budget,
      usedWorkingHours: workingMsToHours(usedMs),
      completed: run.end !== null,
    });
  }
  const secondSupplement = supplementRequestCount >= 2;
  if (secondSupplement) {
    lateReasons.push({
      kind: 'second_supplement_request',
      requestCount: supplementRequestCount,
      countsAsLate: rules.secondSupplementCountsAsLate,
    });
  }
  for (const apology of lateApologies) {
    lateReasons.push({
      kind: 'apology_after_due',
      issuedAt: new Date(apology.issuedAt),
      dueAt: new Date(apology.dueAt),
      countsAsLate: rules.lateApologyCountsAsLate,
    });
  }
  if (ended && ended.at > dueMs) {
    lateReasons.push({
      kind: 'overdue_at_end',
      byWorkingMs: workingMsBetween(dueMs, ended.at, calendar, schedule),
    });
  }
  if (pausedMs > 0) lateReasons.push({ kind: 'paused', pausedWorkingMs: pausedMs });

  const countsAsLate =
    (secondSupplement && rules.secondSupplementCountsAsLate) ||
    (lateApologies.length > 0 && rules.lateApologyCountsAsLate);

  const clock: ClockEvaluation = {
    status,
    calendarVersion: calendar.version,
    startAt: new Date(startMs),
    statutoryDueAt: new Date(statutoryDueMs),
    appointmentDueAt: new Date(appointmentDueMs),
    extendedAt: extension ? new Date(extension.at) : null,
    dueBasis,
    dueAt: new Date(dueMs),
    pausedMs,
    paused: !ended && pauses.at(-1)?.to === null,
    ...(ended ? { endedAt: new Date(ended.at), endedBy: ended.by } : {}),
    elapsedWorkingMs: Math.max(0, workingMsBetween(startMs, horizon, calendar, schedule) - pausedMs),
    supplementRequestCount,
    classification: classify(ended?.at, dueMs, asOfMs, countsAsLate),
    lateReasons,
  };
  const elapsedWorkingMsAt = (atMs: number) => {
    const until = Math.min(atMs, horizon);
    return Math.max(
      0,
      workingMsBetween(startMs, until, calendar, schedule) - pausedWithin(schedule, startMs, until),
    );
  };
  return { clock, elapsedWorkingMsAt };
}

function classify(
  endMs: number | undefined,
  dueMs: number,
  asOfMs: number,
  countsAsLate: boolean,
): Classification {
  if (endMs === undefined) return countsAsLate || dueMs < asOfMs ? 'overdue' : 'in_time';
  if (countsAsLate || endMs > dueMs) return 'late';
  return localDayOf(endMs) < localDayOf(dueMs) ? 'early' : 'on_time';
}
