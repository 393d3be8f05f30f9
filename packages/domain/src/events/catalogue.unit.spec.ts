import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isDomainError } from '../errors.js';
import {
  DOSSIER_EVENT_SCHEMAS,
  type DossierEventType,
  EVENT_TYPES_BY_SOURCE,
  type EventData,
  eventSchemaOf,
  NATIONAL_STATUS_ENTERED,
  streamIdFor,
} from './catalogue.js';
import { InvalidEvent } from './invalid-event.js';
import { DOSSIER_EVENTS_DLQ_TOPIC, DOSSIER_EVENTS_TOPIC, toKafkaMessage } from './kafka.js';
import { parseDossierEvent } from './parse.js';
import { Source } from './primitives.js';

const at = '2025-03-03T02:00:00.000Z';
const later = '2025-03-10T02:00:00.000Z';
const sha = 'a'.repeat(64);

const dossierId = '0195a1b2-0000-4000-8000-0000000000aa';
const feedbackId = dossierId;

/** One valid payload per event type; the mapped type makes the compiler demand every type. */
const SAMPLES: { [T in DossierEventType]: EventData<T> } = {
  DossierRegistered: { procedureCode: '1.004227', channel: 'online' },
  DossierReceived: {
    dossierCode: 'HN01-250303-0001',
    procedureCode: '1.004227',
    procedureVersion: '2025.1',
    channel: 'desk',
    receivingUnitId: 'unit-hn-01',
    competentUnitId: 'unit-so-tp',
    crossBoundary: false,
    applicantId: '0195a1b2-0000-4000-8000-000000000001',
    applicantType: 1,
    components: [{ code: 'TP01', provided: true, required: true }],
    limit: { value: 3, unit: 'working_days' },
    calendarVersion: 'vn-2025.1',
    startAt: at,
    statutoryDueAt: later,
  },
  DossierRefused: { procedureCode: '1.004227', receivingUnitId: 'unit-hn-01', reason: 'out of scope' },
  GuidanceGiven: { procedureCode: '1.004227', receivingUnitId: 'unit-hn-01', missingComponents: ['TP02'] },
  DossierTransferred: {
    fromUnitId: 'unit-hn-01',
    toUnitId: 'unit-so-tp',
    channel: 'electronic',
    custody: [{ unitId: 'unit-hn-01', at }],
  },
  DossierWithdrawn: {},
  ComponentDigitized: {
    componentCode: 'TP01',
    sha256: sha,
    sizeBytes: 1200,
    mediaType: 'application/pdf',
    source: 'scanned',
  },
  ResultDigitized: {
    sha256: sha,
    sizeBytes: 800,
    mediaType: 'application/pdf',
    source: 'reused',
    reusedFrom: 'digitization-0195a1b2-0000-7000-8000-000000000009/KQ',
  },
  CaseOpened: {
    procedureCode: '1.004227',
    competentUnitId: 'unit-so-tp',
    statutoryDueAt: later,
    steps: [{ stepId: 's1', name: 'appraise', role: 'specialist', budgetWorkingHours: 16 }],
  },
  CaseAssigned: { officerId: 'officer-7', stepId: 's1' },
  StepCompleted: { stepId: 's1', officerId: 'officer-7' },
  ConsultationRequested: { consultationId: 'c1', toUnitId: 'unit-tax', dueAt: later },
  ConsultationAnswered: { consultationId: 'c1' },
  SupplementRequested: { reason: 'missing appendix', requestNumber: 1 },
  SupplementReceived: { requestNumber: 1 },
  PaymentRequested: { amount: 50_000, pausesClock: true },
  PaymentConfirmed: { online: true },
  DeadlineExtended: { previousDueAt: at, newDueAt: later, reason: 'site visit', issuedLate: false },
  ProcessingStopped: { reason: 'applicant unreachable' },
  DossierDecided: { outcome: 'approved' },
  ResultSentToDesk: { returningUnitId: 'unit-hn-01' },
  ResultReceivedAtDesk: { returningUnitId: 'unit-hn-01' },
  ResultReturned: { channel: 'desk' },
  SatisfactionRated: { rating: 2 },
  // About a unit: the item's own id is the envelope's dossierId, so the samples share one id.
  FeedbackFiled: {
    feedbackId,
    subject: { kind: 'unit', unitId: 'unit-hn-01' },
    responsibleUnitId: 'unit-hn-01',
    channel: 'phone',
    category: 'report',
    filerId: '0195a1b2-0000-4000-8000-000000000002',
    decisionDueAt: later,
    calendarVersion: 'vn-2025.1',
  },
  FeedbackAccepted: { feedbackId, dueAt: later, late: false },
  FeedbackRefused: { feedbackId, reason: 'not within this unit', dueAt: later, late: true },
  FeedbackInfoRequested: { feedbackId, reason: 'which dossier?', dueAt: later, late: false },
  FeedbackAnswered: { feedbackId, answer: 'The fee was refunded.', dueAt: later, late: false },
  FeedbackPublished: { feedbackId, dueAt: later, late: false },
  FeedbackRated: { feedbackId, rating: 'dissatisfied' },
  FeedbackFollowedUp: { feedbackId },
};

function rawEvent(type: DossierEventType, overrides: Record<string, unknown> = {}) {
  const schema = eventSchemaOf(type);
  if (schema === undefined) throw new Error(type);
  const source = schema.shape.source.value;
  return {
    eventId: '0195a1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b',
    type,
    schemaVersion: schema.shape.schemaVersion.value,
    dossierId,
    streamId: streamIdFor(source, dossierId),
    streamVersion: 0,
    occurredAt: at,
    recordedAt: '2025-03-03T02:00:00.120Z',
    source,
    correlationId: 'req-1',
    causationId: 'req-1',
    actor: { id: 'clerk-1', role: 'clerk', unitId: 'unit-hn-01' },
    data: SAMPLES[type],
    ...overrides,
  };
}

function invalidEventError(raw: unknown) {
  try {
    parseDossierEvent(raw);
  } catch (error) {
    if (InvalidEvent.is(error)) return error;
    throw error;
  }
  throw new Error('expected DOM_INVALID_EVENT');
}

const allTypes = DOSSIER_EVENT_SCHEMAS.map((s) => s.shape.type.value);

describe('event catalogue', () => {
  it('lists every event type under exactly its own source service', () => {
    const listed = Object.entries(EVENT_TYPES_BY_SOURCE).flatMap(([source, types]) =>
      types.map((type) => ({ source, type })),
    );
    expect(listed.map((l) => l.type).sort()).toEqual([...allTypes].sort());
    for (const { source, type } of listed) expect(eventSchemaOf(type)?.shape.source.value).toBe(source);
    expect(Object.keys(EVENT_TYPES_BY_SOURCE).sort()).toEqual([...Source.options].sort());
  });

  it('names the topic and its dead-letter topic', () => {
    expect(DOSSIER_EVENTS_TOPIC).toBe('onestop.dossier-events.v1');
    expect(DOSSIER_EVENTS_DLQ_TOPIC).toBe('onestop.dossier-events.v1.dlq');
  });

  it('maps status-changing events to the national codes of DOMAIN.md section 3', () => {
    expect(NATIONAL_STATUS_ENTERED).toMatchObject({
      DossierReceived: 2,
      SupplementRequested: 5,
      DossierDecided: 9,
    });
    expect(Object.keys(NATIONAL_STATUS_ENTERED).every((t) => allTypes.some((a) => a === t))).toBe(true);
  });

  it.each(allTypes)(
    'given a valid %s, when parsed, then it is returned intact and keyed by dossier',
    (type) => {
      const raw = rawEvent(type);
      const event = parseDossierEvent(raw);
      expect(event).toEqual(raw);
      const message = toKafkaMessage(event);
      expect(message.key).toBe(dossierId);
      expect(message.headers).toEqual({
        'event-id': raw.eventId,
        'event-type': type,
        'schema-version': String(raw.schemaVersion),
        source: raw.source,
      });
      expect(parseDossierEvent(JSON.parse(message.value))).toEqual(event);
    },
  );

  it('given a bad payload field, then DOM_INVALID_EVENT names the field and the value', () => {
    const error = invalidEventError(
      rawEvent('DossierReceived', { data: { ...SAMPLES.DossierReceived, startAt: 'yesterday' } }),
    );
    expect(error.kind).toBe('validation');
    expect(error.message).toMatch(/^invalid DossierReceived v1 0195a1b2-/);
    expect(error.message).toContain('data.startAt');
    expect(error.message).toContain('"yesterday"');
    expect(error.details.issues).toContainEqual(
      expect.objectContaining({ path: 'data.startAt', value: '"yesterday"' }),
    );
  });

  it('given a payload with a required field missing, then DOM_INVALID_EVENT names the event and the missing field', () => {
    const { applicantId: _dropped, ...withoutApplicant } = SAMPLES.DossierReceived;
    const error = invalidEventError(rawEvent('DossierReceived', { data: withoutApplicant }));
    expect(error.details).toMatchObject({
      type: 'DossierReceived',
      schemaVersion: 1,
      eventId: '0195a1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b',
    });
    expect(error.details.issues).toEqual([
      { path: 'data.applicantId', message: expect.stringMatching(/^missing \(/) },
    ]);
    expect(error.message).toMatch(
      /^invalid DossierReceived v1 0195a1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b: data\.applicantId: missing/,
    );
  });

  it('given a missing envelope field, then it is named as missing too', () => {
    const { occurredAt: _dropped, ...withoutOccurredAt } = rawEvent('ResultReturned');
    const error = invalidEventError(withoutOccurredAt);
    expect(error.details.issues).toEqual([
      { path: 'occurredAt', message: expect.stringMatching(/^missing \(/) },
    ]);
  });

  it('given an unknown type, then the error names the type field', () => {
    const error = invalidEventError(rawEvent('DossierReceived', { type: 'DossierTeleported' }));
    expect(error.details.type).toBe('DossierTeleported');
    expect(error.details.issues.map((i) => i.path)).toEqual(['type']);
  });

  it('given a source or stream that does not belong to the type, then it is refused', () => {
    const wrongSource = invalidEventError(rawEvent('CaseOpened', { source: 'intake' }));
    expect(wrongSource.details.issues.map((i) => i.path)).toContain('source');
    const wrongStream = invalidEventError(rawEvent('CaseOpened', { streamId: `intake-${dossierId}` }));
    expect(wrongStream.details.issues).toEqual([
      { path: 'streamId', message: `expected processing-${dossierId}`, value: `intake-${dossierId}` },
    ]);
  });

  it('given a non-object, then it is refused with a DomainError, not a TypeError', () => {
    for (const raw of [null, 'DossierReceived', 42, []]) {
      const error = invalidEventError(raw);
      expect(isDomainError(error)).toBe(true);
    }
  });

  it('given an eventId that is not a UUIDv7, then it is refused', () => {
    const error = invalidEventError(
      rawEvent('DossierWithdrawn', { eventId: '0195a1b2-3c4d-4e5f-8a9b-0c1d2e3f4a5b' }),
    );
    expect(error.details.issues.map((i) => i.path)).toEqual(['eventId']);
  });
});

/** Property names that would carry personal data (DOMAIN.md section 8). */
const PERSONAL =
  /^(full_?name|first_?name|last_?name|name|.*person.*name|id_?number|.*citizen_?id|cccd|cmnd|phone.*|.*phone|.*address|e_?mail|date_?of_?birth|dob|birth.*)$/i;

/**
 * Names that match the pattern but are not about a person, each with its reason. Keep this list short: each
 * entry is a decision someone can review.
 */
const ALLOWED: Record<string, string> = {
  'CaseOpened.data.steps[].name': 'the name of a process step (e.g. "appraise"), not of a person',
};

function propertyPaths(schema: unknown, path: string, out: string[]): string[] {
  if (typeof schema !== 'object' || schema === null) return out;
  const properties: unknown = Reflect.get(schema, 'properties');
  if (typeof properties === 'object' && properties !== null) {
    for (const [key, child] of Object.entries(properties)) {
      out.push(`${path}.${key}`);
      propertyPaths(child, `${path}.${key}`, out);
    }
  }
  propertyPaths(Reflect.get(schema, 'items'), `${path}[]`, out);
  for (const combinator of ['anyOf', 'oneOf', 'allOf']) {
    const branches: unknown = Reflect.get(schema, combinator);
    if (Array.isArray(branches)) for (const branch of branches) propertyPaths(branch, path, out);
  }
  return out;
}

function personalDataPaths(type: string, schema: z.ZodType): string[] {
  return propertyPaths(z.toJSONSchema(schema), type, [])
    .filter((p) => PERSONAL.test(p.slice(p.lastIndexOf('.') + 1)))
    .filter((p) => ALLOWED[p] === undefined);
}

describe('no personal data in events', () => {
  it('given every event schema, then no property name looks like personal data', () => {
    const walked = DOSSIER_EVENT_SCHEMAS.flatMap((s) =>
      propertyPaths(z.toJSONSchema(s), s.shape.type.value, []),
    );
    expect(walked).toContain('DossierReceived.data.applicantId');
    expect(walked).toContain('DossierReceived.data.components[].code');
    expect(DOSSIER_EVENT_SCHEMAS.flatMap((s) => personalDataPaths(s.shape.type.value, s))).toEqual([]);
  });

  it('given a schema with personal fields, then the check finds each of them (the check can fail)', () => {
    const leaky = z.object({
      data: z.object({
        applicant: z.object({ fullName: z.string(), idNumber: z.string(), dateOfBirth: z.string() }),
        contacts: z.array(z.object({ phone: z.string(), email: z.string(), homeAddress: z.string() })),
        name: z.string().optional(),
      }),
    });
    expect(personalDataPaths('Leaky', leaky).sort()).toEqual(
      [
        'Leaky.data.applicant.dateOfBirth',
        'Leaky.data.applicant.fullName',
        'Leaky.data.applicant.idNumber',
        'Leaky.data.contacts[].email',
        'Leaky.data.contacts[].homeAddress',
        'Leaky.data.contacts[].phone',
        'Leaky.data.name',
      ].sort(),
    );
  });
});
