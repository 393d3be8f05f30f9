/**
 * The event catalogue: one zod schema per event type (envelope + payload), the `DossierEvent` union over `type`,
 * and the facts other modules key on (source service, stream ids, national status entered). The JSON Schema and
 * AsyncAPI files in `generated/` are produced from these same schemas (`pnpm --filter @onestop/domain gen`).
 */
import { z } from 'zod';
import { ComponentDigitizedData, ResultDigitizedData } from './digitization.js';
import {
  FeedbackAcceptedData,
  FeedbackAnsweredData,
  FeedbackFiledData,
  FeedbackFollowedUpData,
  FeedbackInfoRequestedData,
  FeedbackPublishedData,
  FeedbackRatedData,
  FeedbackRefusedData,
} from './feedback.js';
import {
  DossierReceivedData,
  DossierRefusedData,
  DossierRegisteredData,
  DossierTransferredData,
  DossierWithdrawnData,
  GuidanceGivenData,
} from './intake.js';
import { Actor, Instant, type NationalStatus, type Source, Uuid, UuidV7 } from './primitives.js';
import {
  CaseAssignedData,
  CaseOpenedData,
  ConsultationAnsweredData,
  ConsultationRequestedData,
  DeadlineExtendedData,
  DossierDecidedData,
  PaymentConfirmedData,
  PaymentRequestedData,
  ProcessingStoppedData,
  ResultSentToDeskData,
  StepCompletedData,
  SupplementReceivedData,
  SupplementRequestedData,
} from './processing.js';
import { ResultReceivedAtDeskData, ResultReturnedData, SatisfactionRatedData } from './result-return.js';

const TraceId = z.string().min(1).max(128);

function defineEvent<
  const T extends string,
  const V extends number,
  const S extends Source,
  D extends z.ZodObject,
>(type: T, schemaVersion: V, source: S, data: D, description: string) {
  // Key order here is the key order of the generated JSON Schema: envelope first, payload last.
  return z
    .object({
      eventId: UuidV7,
      type: z.literal(type),
      schemaVersion: z.literal(schemaVersion),
      dossierId: Uuid,
      streamId: z.string().min(1).max(200),
      streamVersion: z.int().nonnegative(),
      occurredAt: Instant.describe('business time, from the command'),
      recordedAt: Instant.describe('store time'),
      source: z.literal(source),
      correlationId: TraceId,
      causationId: TraceId,
      actor: Actor,
      data,
    })
    .meta({ title: type, description });
}

// intake
export const DossierRegistered = defineEvent(
  'DossierRegistered',
  1,
  'intake',
  DossierRegisteredData,
  'Submitted online or by post, not yet received (national status 1).',
);
export const DossierReceived = defineEvent(
  'DossierReceived',
  1,
  'intake',
  DossierReceivedData,
  'A complete dossier was accepted: code assigned, Form 01 issued, clock started (national status 2).',
);
export const DossierRefused = defineEvent(
  'DossierRefused',
  1,
  'intake',
  DossierRefusedData,
  'Refused at receipt (Form 03, national status 3); no clock.',
);
export const GuidanceGiven = defineEvent(
  'GuidanceGiven',
  1,
  'intake',
  GuidanceGivenData,
  'The applicant was guided to complete a dossier (Form 02 at the desk). No dossier exists: dossierId is the ' +
    'id of the guidance, the only event of its stream; counted for intake KPIs only.',
);
export const DossierTransferred = defineEvent(
  'DossierTransferred',
  1,
  'intake',
  DossierTransferredData,
  'Handed to the competent unit (national status 4); processing opens a case on it.',
);
export const DossierWithdrawn = defineEvent(
  'DossierWithdrawn',
  1,
  'intake',
  DossierWithdrawnData,
  'The applicant withdrew (national status 7); ends the clock.',
);

// digitization
export const ComponentDigitized = defineEvent(
  'ComponentDigitized',
  1,
  'digitization',
  ComponentDigitizedData,
  'A dossier component was digitized (scanned, reused by reference, or fetched from a national store).',
);
export const ResultDigitized = defineEvent(
  'ResultDigitized',
  1,
  'digitization',
  ResultDigitizedData,
  'The result document was digitized (KPI 4.1).',
);

// processing
export const CaseOpened = defineEvent(
  'CaseOpened',
  1,
  'processing',
  CaseOpenedData,
  'The competent unit opened a case on the transferred dossier, with the internal process steps.',
);
export const CaseAssigned = defineEvent(
  'CaseAssigned',
  1,
  'processing',
  CaseAssignedData,
  'An officer was assigned to a step.',
);
export const StepCompleted = defineEvent(
  'StepCompleted',
  1,
  'processing',
  StepCompletedData,
  'A step was completed and handed over (Form 06 control sheet).',
);
export const ConsultationRequested = defineEvent(
  'ConsultationRequested',
  1,
  'processing',
  ConsultationRequestedData,
  'Another agency was consulted, with its own due time.',
);
export const ConsultationAnswered = defineEvent(
  'ConsultationAnswered',
  1,
  'processing',
  ConsultationAnsweredData,
  'A consulted agency answered.',
);
export const SupplementRequested = defineEvent(
  'SupplementRequested',
  1,
  'processing',
  SupplementRequestedData,
  'More documents were requested from the applicant (Form 02, national status 5); pauses the clock.',
);
export const SupplementReceived = defineEvent(
  'SupplementReceived',
  1,
  'processing',
  SupplementReceivedData,
  'The requested supplement arrived (back to national status 4); resumes the clock.',
);
export const PaymentRequested = defineEvent(
  'PaymentRequested',
  1,
  'processing',
  PaymentRequestedData,
  'A fee or tax is due (national status 6); pauses the clock unless pausesClock is false.',
);
export const PaymentConfirmed = defineEvent(
  'PaymentConfirmed',
  1,
  'processing',
  PaymentConfirmedData,
  'The financial obligation was met (back to national status 4); resumes the clock.',
);
export const DeadlineExtended = defineEvent(
  'DeadlineExtended',
  1,
  'processing',
  DeadlineExtendedData,
  'Apology with a new appointment (Form 04); sets the appointment due, the statutory due stays.',
);
export const ProcessingStopped = defineEvent(
  'ProcessingStopped',
  1,
  'processing',
  ProcessingStoppedData,
  'The competent unit stopped processing (Form 05, national status 8); ends the clock.',
);
export const DossierDecided = defineEvent(
  'DossierDecided',
  1,
  'processing',
  DossierDecidedData,
  'The decision was signed, approved or refused on the merits (national status 9); ends the clock.',
);
export const ResultSentToDesk = defineEvent(
  'ResultSentToDesk',
  1,
  'processing',
  ResultSentToDeskData,
  'The result was sent to the returning unit.',
);

// result-return
export const ResultReceivedAtDesk = defineEvent(
  'ResultReceivedAtDesk',
  1,
  'result-return',
  ResultReceivedAtDeskData,
  'The returning unit holds the result.',
);
export const ResultReturned = defineEvent(
  'ResultReturned',
  1,
  'result-return',
  ResultReturnedData,
  'The result was handed to the applicant (national status 10); ends the wait, not the agency clock.',
);
export const SatisfactionRated = defineEvent(
  'SatisfactionRated',
  2,
  'result-return',
  SatisfactionRatedData,
  'The applicant rated the service, 1 very satisfied … 4 very dissatisfied. v1 had a 3-level score (see upcasters).',
);

// feedback (PAKN): dossierId is the dossier the item is about, else the item's own id (see feedback.ts)
export const FeedbackFiled = defineEvent(
  'FeedbackFiled',
  1,
  'feedback',
  FeedbackFiledData,
  'A citizen filed feedback (phản ánh, kiến nghị) about a dossier, a unit or a procedure; the decision clock starts.',
);
export const FeedbackAccepted = defineEvent(
  'FeedbackAccepted',
  1,
  'feedback',
  FeedbackAcceptedData,
  'The responsible unit accepted the feedback for handling (decision due 2 working days after filing).',
);
export const FeedbackRefused = defineEvent(
  'FeedbackRefused',
  1,
  'feedback',
  FeedbackRefusedData,
  'The responsible unit refused the feedback, with a reason (due 2 working days after filing).',
);
export const FeedbackInfoRequested = defineEvent(
  'FeedbackInfoRequested',
  1,
  'feedback',
  FeedbackInfoRequestedData,
  'The responsible unit asked the filer for more information (due 5 working days after filing).',
);
export const FeedbackAnswered = defineEvent(
  'FeedbackAnswered',
  1,
  'feedback',
  FeedbackAnsweredData,
  'The responsible unit answered (due 15 working days after acceptance).',
);
export const FeedbackPublished = defineEvent(
  'FeedbackPublished',
  1,
  'feedback',
  FeedbackPublishedData,
  'The answer was published (due 2 working days after the answer).',
);
export const FeedbackRated = defineEvent(
  'FeedbackRated',
  1,
  'feedback',
  FeedbackRatedData,
  'The filer rated the answer satisfied or dissatisfied (KPI 5.3 counts a dislike).',
);
export const FeedbackFollowedUp = defineEvent(
  'FeedbackFollowedUp',
  1,
  'feedback',
  FeedbackFollowedUpData,
  'The filer followed up with a complaint about the answer (KPI 5.3 counts it).',
);

/** Every event schema, in catalogue order (the order of the generated files). */
export const DOSSIER_EVENT_SCHEMAS = [
  DossierRegistered,
  DossierReceived,
  DossierRefused,
  GuidanceGiven,
  DossierTransferred,
  DossierWithdrawn,
  ComponentDigitized,
  ResultDigitized,
  CaseOpened,
  CaseAssigned,
  StepCompleted,
  ConsultationRequested,
  ConsultationAnswered,
  SupplementRequested,
  SupplementReceived,
  PaymentRequested,
  PaymentConfirmed,
  DeadlineExtended,
  ProcessingStopped,
  DossierDecided,
  ResultSentToDesk,
  ResultReceivedAtDesk,
  ResultReturned,
  SatisfactionRated,
  FeedbackFiled,
  FeedbackAccepted,
  FeedbackRefused,
  FeedbackInfoRequested,
  FeedbackAnswered,
  FeedbackPublished,
  FeedbackRated,
  FeedbackFollowedUp,
] as const;

export const DossierEvent = z.discriminatedUnion('type', DOSSIER_EVENT_SCHEMAS);
export type DossierEvent = z.infer<typeof DossierEvent>;
export type DossierEventType = DossierEvent['type'];
export type EventOfType<T extends DossierEventType> = Extract<DossierEvent, { type: T }>;
export type EventData<T extends DossierEventType> = EventOfType<T>['data'];
export type EventsOfSource<S extends Source> = Extract<DossierEvent, { source: S }>;

export type DossierRegistered = EventOfType<'DossierRegistered'>;
export type DossierReceived = EventOfType<'DossierReceived'>;
export type DossierRefused = EventOfType<'DossierRefused'>;
export type GuidanceGiven = EventOfType<'GuidanceGiven'>;
export type DossierTransferred = EventOfType<'DossierTransferred'>;
export type DossierWithdrawn = EventOfType<'DossierWithdrawn'>;
export type ComponentDigitized = EventOfType<'ComponentDigitized'>;
export type ResultDigitized = EventOfType<'ResultDigitized'>;
export type CaseOpened = EventOfType<'CaseOpened'>;
export type CaseAssigned = EventOfType<'CaseAssigned'>;
export type StepCompleted = EventOfType<'StepCompleted'>;
export type ConsultationRequested = EventOfType<'ConsultationRequested'>;
export type ConsultationAnswered = EventOfType<'ConsultationAnswered'>;
export type SupplementRequested = EventOfType<'SupplementRequested'>;
export type SupplementReceived = EventOfType<'SupplementReceived'>;
export type PaymentRequested = EventOfType<'PaymentRequested'>;
export type PaymentConfirmed = EventOfType<'PaymentConfirmed'>;
export type DeadlineExtended = EventOfType<'DeadlineExtended'>;
export type ProcessingStopped = EventOfType<'ProcessingStopped'>;
export type DossierDecided = EventOfType<'DossierDecided'>;
export type ResultSentToDesk = EventOfType<'ResultSentToDesk'>;
export type ResultReceivedAtDesk = EventOfType<'ResultReceivedAtDesk'>;
export type ResultReturned = EventOfType<'ResultReturned'>;
export type SatisfactionRated = EventOfType<'SatisfactionRated'>;
export type FeedbackFiled = EventOfType<'FeedbackFiled'>;
export type FeedbackAccepted = EventOfType<'FeedbackAccepted'>;
export type FeedbackRefused = EventOfType<'FeedbackRefused'>;
export type FeedbackInfoRequested = EventOfType<'FeedbackInfoRequested'>;
export type FeedbackAnswered = EventOfType<'FeedbackAnswered'>;
export type FeedbackPublished = EventOfType<'FeedbackPublished'>;
export type FeedbackRated = EventOfType<'FeedbackRated'>;
export type FeedbackFollowedUp = EventOfType<'FeedbackFollowedUp'>;

export type DossierEventSchema = (typeof DOSSIER_EVENT_SCHEMAS)[number];

const schemaByType = new Map<string, DossierEventSchema>(
  DOSSIER_EVENT_SCHEMAS.map((schema) => [schema.shape.type.value, schema]),
);

/** The schema of `type`, or undefined for a type this build does not know. */
export function eventSchemaOf(type: string): DossierEventSchema | undefined {
  return schemaByType.get(type);
}

/** The schema version producers write today (older stored versions are upcast on read). */
export function currentSchemaVersion(type: DossierEventType): number {
  const schema = schemaByType.get(type);
  if (schema === undefined) throw new Error(`unknown event type ${type}`);
  return schema.shape.schemaVersion.value;
}

/** Which service writes which events: each service appends only its own types, to its own streams. */
export const EVENT_TYPES_BY_SOURCE = {
  intake: [
    'DossierRegistered',
    'DossierReceived',
    'DossierRefused',
    'GuidanceGiven',
    'DossierTransferred',
    'DossierWithdrawn',
  ],
  digitization: ['ComponentDigitized', 'ResultDigitized'],
  processing: [
    'CaseOpened',
    'CaseAssigned',
    'StepCompleted',
    'ConsultationRequested',
    'ConsultationAnswered',
    'SupplementRequested',
    'SupplementReceived',
    'PaymentRequested',
    'PaymentConfirmed',
    'DeadlineExtended',
    'ProcessingStopped',
    'DossierDecided',
    'ResultSentToDesk',
  ],
  'result-return': ['ResultReceivedAtDesk', 'ResultReturned', 'SatisfactionRated'],
  feedback: [
    'FeedbackFiled',
    'FeedbackAccepted',
    'FeedbackRefused',
    'FeedbackInfoRequested',
    'FeedbackAnswered',
    'FeedbackPublished',
    'FeedbackRated',
    'FeedbackFollowedUp',
  ],
} as const satisfies { readonly [S in Source]: readonly EventsOfSource<S>['type'][] };

/** The national status an event moves the dossier into (events absent here leave the status unchanged). */
export const NATIONAL_STATUS_ENTERED = {
  DossierRegistered: 1,
  DossierReceived: 2,
  DossierRefused: 3,
  DossierTransferred: 4,
  SupplementRequested: 5,
  SupplementReceived: 4,
  PaymentRequested: 6,
  PaymentConfirmed: 4,
  DossierWithdrawn: 7,
  ProcessingStopped: 8,
  DossierDecided: 9,
  ResultReturned: 10,
} as const satisfies Partial<Record<DossierEventType, NationalStatus>>;

const STREAM_PREFIX = {
  intake: 'intake',
  digitization: 'digitization',
  processing: 'processing',
  'result-return': 'return',
  feedback: 'feedback',
} as const satisfies Record<Source, string>;

/**
 * `intake-{dossierId}`, `digitization-{dossierId}`, `processing-{dossierId}`, `return-{dossierId}`, and
 * `feedback-{feedbackId}` (pass the feedback item's id: a dossier may have several items).
 */
export function streamIdFor(source: Source, aggregateId: string): string {
  return `${STREAM_PREFIX[source]}-${aggregateId}`;
}

const FeedbackKey = z.object({ feedbackId: Uuid });

/**
 * The stream an event belongs in: its dossier's stream of its source, except feedback, whose streams are per
 * item (the payload's `feedbackId`) while the envelope's dossierId stays the partition key.
 */
export function streamIdOfEvent(event: {
  readonly source: Source;
  readonly dossierId: string;
  readonly data: unknown;
}): string {
  if (event.source !== 'feedback') return streamIdFor(event.source, event.dossierId);
  // Callers pass validated payloads, where feedbackId is required: a miss here is a bug, not bad input.
  return streamIdFor('feedback', FeedbackKey.parse(event.data).feedbackId);
}
