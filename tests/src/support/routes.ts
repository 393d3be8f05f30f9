/**
 * What the acceptance suites know about each documented route, keyed as `METHOD /openapi/{path}`: which service
 * serves it, what dossier it needs, a valid input for that dossier, and (for commands) who may call it. A route in
 * `/docs/json` without an entry here fails the suites, so no route escapes them.
 */
import { randomBytes } from 'node:crypto';
import type { Role } from '@onestop/service-kit';
import { z } from 'zod';
import { type ApiDocument, type DocumentedRoute, fillPath, readApiDocument } from './openapi.js';
import {
  type FixtureDossier,
  type HttpRequest,
  idempotencyKey,
  PROCEDURE,
  receiveBody,
  type ServiceName,
  type Stack,
  serviceNames,
  UNITS,
} from './stack.js';

/**
 * The dossier a route acts on: none (it creates one, or reads across dossiers) or one at some stage; or, for
 * feedback routes, a filed feedback item.
 */
export type Fixture = 'none' | 'received' | 'case' | 'desk' | 'feedback';

export interface RouteInput {
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/**
 * Who may call a command with a valid token (DESIGN.md section 5). `desk`: a clerk of the dossier's
 * receiving/returning unit; `case-officers`: a specialist or leader of its competent unit; `case-leaders`: a leader
 * of its competent unit (decide, stop and extend are signed by the head, as processing implements); `admin-only`;
 * `any-clerk`: every clerk whatever their unit — a recorded deviation from the section 5 rule, with its reason.
 * Admins may always act; analysts never write.
 */
export type Access =
  | { readonly rule: 'desk' | 'case-officers' | 'case-leaders' | 'admin-only' }
  | { readonly rule: 'any-clerk'; readonly deviation: string };

export interface RouteSpec {
  readonly service: ServiceName;
  readonly fixture: Fixture;
  /** A valid input for the dossier (fresh values where a route needs them, e.g. idempotency keys). */
  readonly input: (dossier: FixtureDossier) => RouteInput;
  /** Commands only: who may call it. */
  readonly access?: Access;
}

export type UnitRelation = 'own' | 'other' | 'none';
export const unitRelations: readonly UnitRelation[] = ['own', 'other', 'none'];

/** The unit a caller in `relation` to the dossier belongs to, for a route under `access`. */
export function unitFor(access: Access, relation: UnitRelation): string | undefined {
  const caseRule = access.rule === 'case-officers' || access.rule === 'case-leaders';
  if (relation === 'none') return undefined;
  if (relation === 'own') return caseRule ? UNITS.competent : UNITS.desk;
  return caseRule ? UNITS.otherCompetent : UNITS.otherDesk;
}

/** Whether a caller with a valid token in `role` and `relation` to the dossier may call a route under `access`. */
export function mayCall(access: Access, role: Role, relation: UnitRelation): boolean {
  if (role === 'admin') return true;
  switch (access.rule) {
    case 'desk':
      return role === 'clerk' && relation === 'own';
    case 'any-clerk':
      return role === 'clerk';
    case 'case-officers':
      return (role === 'specialist' || role === 'leader') && relation === 'own';
    case 'case-leaders':
      return role === 'leader' && relation === 'own';
    case 'admin-only':
      return false;
  }
}

export async function fixtureDossier(stack: Stack, fixture: Fixture): Promise<FixtureDossier> {
  switch (fixture) {
    case 'none':
      return { dossierId: '', applicantId: '' };
    case 'received':
      return stack.receivedDossier();
    case 'case':
      return stack.openCase();
    case 'desk':
      return stack.resultAtDesk();
    case 'feedback':
      return stack.feedbackItem();
  }
}

/** The `feedback` fixture's item (its id, follow-up secret and attachment). */
function feedbackOf(d: FixtureDossier): NonNullable<FixtureDossier['feedback']> {
  if (d.feedback === undefined) throw new Error('the route needs the feedback fixture');
  return d.feedback;
}
const feedbackCommand = (body: () => unknown, access: Access): RouteSpec => ({
  service: 'feedback',
  fixture: 'feedback',
  access,
  input: (d) => ({ params: { id: feedbackOf(d).id }, body: body() }),
});
const feedbackOfficers: Access = { rule: 'case-officers' };
const feedbackDeskDeviation: Access = {
  rule: 'any-clerk',
  deviation:
    'a citizen brings feedback, its rating and follow-up to any desk or by phone, so a clerk of any unit enters ' +
    'them; the responsible unit follows from the subject (services/feedback/src/file/route.ts)',
};

/** A small PDF with distinct content per call (the service sniffs the `%PDF-` magic). */
function pdfBase64(): string {
  return Buffer.from(`%PDF-1.7\n% ${randomBytes(8).toString('hex')}\n%%EOF\n`).toString('base64');
}

const reason = 'Kiểm thử chấp nhận: lý do hợp lệ';

let extensions = 0;
/** Each extension must move the due in force later, so every call asks for a day more than the last. */
function laterAppointment(): string {
  extensions += 1;
  return new Date(Date.UTC(2025, 9, 20 + extensions, 2)).toISOString();
}
const caseCommand = (rule: 'case-officers' | 'case-leaders', body: () => unknown): RouteSpec => ({
  service: 'processing',
  fixture: 'case',
  access: { rule },
  input: (d) => ({ params: { dossierId: d.dossierId }, body: body() }),
});

export const routeSpecs: Readonly<Record<string, RouteSpec>> = {
  'POST /v1/intake/dossiers': {
    service: 'intake',
    fixture: 'none',
    access: { rule: 'desk' },
    input: () => ({ headers: { 'idempotency-key': idempotencyKey() }, body: receiveBody() }),
  },
  'GET /v1/intake/dossiers/{id}': {
    service: 'intake',
    fixture: 'received',
    input: (d) => ({ params: { id: d.dossierId } }),
  },
  'GET /v1/intake/dossiers/{id}/receipt': {
    service: 'intake',
    fixture: 'received',
    input: (d) => ({ params: { id: d.dossierId }, query: { includeApplicantName: 'false' } }),
  },
  'GET /v1/intake/dossiers/{id}/receipt.html': {
    service: 'intake',
    fixture: 'received',
    input: (d) => ({ params: { id: d.dossierId }, query: { includeApplicantName: 'true' } }),
  },
  'GET /v1/intake/units/{unitId}/received': {
    service: 'intake',
    fixture: 'none',
    input: () => ({ params: { unitId: UNITS.desk }, query: { day: '2025-09-15' } }),
  },
  'POST /v1/intake/dossiers/{id}/transfer': {
    service: 'intake',
    fixture: 'received',
    access: { rule: 'desk' },
    input: (d) => ({
      params: { id: d.dossierId },
      body: { toUnitId: UNITS.competent, channel: 'electronic' },
    }),
  },
  'POST /v1/intake/dossiers/{id}/withdraw': {
    service: 'intake',
    fixture: 'received',
    access: { rule: 'desk' },
    input: (d) => ({ params: { id: d.dossierId }, body: { reason } }),
  },
  'POST /v1/intake/refusals': {
    service: 'intake',
    fixture: 'none',
    access: { rule: 'desk' },
    input: () => ({
      body: { procedureCode: PROCEDURE, receivingUnitId: UNITS.desk, reason, channel: 'desk' },
    }),
  },
  'GET /v1/intake/applicants/{id}/personal-data': {
    service: 'intake',
    fixture: 'received',
    input: (d) => ({
      params: { id: d.applicantId },
      query: { purpose: 'acceptance test', dossierId: d.dossierId },
    }),
  },
  'DELETE /v1/intake/applicants/{id}/personal-data': {
    service: 'intake',
    fixture: 'received',
    access: { rule: 'admin-only' },
    input: (d) => ({ params: { id: d.applicantId }, query: { reason: 'erasure request' } }),
  },
  'GET /v1/intake/personal-data/access-log': {
    service: 'intake',
    fixture: 'none',
    input: () => ({ query: { limit: '10' } }),
  },
  'POST /v1/digitization/dossiers/{id}/components': {
    service: 'digitization',
    fixture: 'received',
    access: { rule: 'desk' },
    input: (d) => ({
      params: { id: d.dossierId },
      body: {
        code: 'to-khai-lltp',
        fileName: 'to-khai.pdf',
        mediaType: 'application/pdf',
        contentBase64: pdfBase64(),
      },
    }),
  },
  'POST /v1/digitization/dossiers/{id}/result': {
    service: 'digitization',
    fixture: 'received',
    access: { rule: 'desk' },
    input: (d) => ({
      params: { id: d.dossierId },
      body: { fileName: 'phieu-lltp.pdf', mediaType: 'application/pdf', contentBase64: pdfBase64() },
    }),
  },
  'GET /v1/digitization/dossiers/{id}': {
    service: 'digitization',
    fixture: 'received',
    input: (d) => ({ params: { id: d.dossierId } }),
  },
  'GET /v1/digitization/documents/{sha256}': {
    service: 'digitization',
    fixture: 'none',
    input: () => ({ params: { sha256: randomBytes(32).toString('hex') } }),
  },
  'GET /v1/processing/cases/{dossierId}': {
    service: 'processing',
    fixture: 'case',
    input: (d) => ({ params: { dossierId: d.dossierId } }),
  },
  'POST /v1/processing/cases/{dossierId}/assign': caseCommand('case-officers', () => ({
    officerId: 'specialist-justice',
  })),
  'POST /v1/processing/cases/{dossierId}/complete-step': caseCommand('case-officers', () => ({})),
  'POST /v1/processing/cases/{dossierId}/request-supplement': caseCommand('case-officers', () => ({
    reason,
  })),
  'POST /v1/processing/cases/{dossierId}/receive-supplement': caseCommand('case-officers', () => ({})),
  'POST /v1/processing/cases/{dossierId}/request-payment': caseCommand('case-officers', () => ({
    amount: 200_000,
  })),
  'POST /v1/processing/cases/{dossierId}/confirm-payment': caseCommand('case-officers', () => ({
    online: true,
  })),
  'POST /v1/processing/cases/{dossierId}/consult': caseCommand('case-officers', () => ({
    toUnitId: UNITS.otherCompetent,
    workingHours: 16,
  })),
  'POST /v1/processing/cases/{dossierId}/answer-consultation': caseCommand('case-officers', () => ({
    consultationId: 'consultation-1',
  })),
  'POST /v1/processing/cases/{dossierId}/extend': caseCommand('case-leaders', () => ({
    newDueAt: laterAppointment(),
    reason,
  })),
  'POST /v1/processing/cases/{dossierId}/stop': caseCommand('case-leaders', () => ({ reason })),
  'POST /v1/processing/cases/{dossierId}/decide': caseCommand('case-leaders', () => ({
    outcome: 'approved',
  })),
  'POST /v1/return/dossiers/{id}/receive-result': {
    service: 'result-return',
    fixture: 'case',
    access: { rule: 'desk' },
    input: (d) => ({ params: { id: d.dossierId }, body: { returningUnitId: UNITS.desk } }),
  },
  'POST /v1/return/dossiers/{id}/return': {
    service: 'result-return',
    fixture: 'desk',
    access: { rule: 'desk' },
    input: (d) => ({ params: { id: d.dossierId }, body: { channel: 'desk' } }),
  },
  'POST /v1/return/dossiers/{id}/rate': {
    service: 'result-return',
    fixture: 'desk',
    access: { rule: 'desk' },
    input: (d) => ({ params: { id: d.dossierId }, body: { rating: 1 } }),
  },
  'GET /v1/return/dossiers/{id}': {
    service: 'result-return',
    fixture: 'desk',
    input: (d) => ({ params: { id: d.dossierId } }),
  },
  'GET /v1/return/units/{unitId}/waiting': {
    service: 'result-return',
    fixture: 'none',
    input: () => ({ params: { unitId: UNITS.desk } }),
  },
  'POST /v1/feedback': {
    service: 'feedback',
    fixture: 'none',
    access: feedbackDeskDeviation,
    input: () => ({
      body: { subject: { kind: 'unit', unitId: UNITS.competent }, channel: 'phone', content: reason },
    }),
  },
  'GET /v1/feedback': {
    service: 'feedback',
    fixture: 'none',
    input: () => ({ query: { unitId: UNITS.competent, limit: '5' } }),
  },
  'GET /v1/feedback/{id}': {
    service: 'feedback',
    fixture: 'feedback',
    input: (d) => ({ params: { id: feedbackOf(d).id } }),
  },
  'POST /v1/feedback/{id}/accept': feedbackCommand(() => ({}), feedbackOfficers),
  'POST /v1/feedback/{id}/refuse': feedbackCommand(() => ({ reason }), feedbackOfficers),
  'POST /v1/feedback/{id}/request-info': feedbackCommand(() => ({ reason }), feedbackOfficers),
  'POST /v1/feedback/{id}/answer': feedbackCommand(() => ({ answer: reason }), feedbackOfficers),
  'POST /v1/feedback/{id}/publish': feedbackCommand(() => ({}), feedbackOfficers),
  'POST /v1/feedback/{id}/rate': feedbackCommand(() => ({ rating: 'satisfied' }), feedbackDeskDeviation),
  'POST /v1/feedback/{id}/follow-up': feedbackCommand(() => ({ content: reason }), feedbackDeskDeviation),
  'GET /v1/feedback/{id}/attachments/{sha256}': {
    service: 'feedback',
    fixture: 'feedback',
    input: (d) => ({ params: { id: feedbackOf(d).id, sha256: feedbackOf(d).attachmentSha256 } }),
  },
  'DELETE /v1/feedback/{id}/personal-data': {
    service: 'feedback',
    fixture: 'feedback',
    access: { rule: 'admin-only' },
    input: (d) => ({ params: { id: feedbackOf(d).id }, query: { reason: 'erasure request' } }),
  },
  'GET /v1/feedback/personal-data/access-log': {
    service: 'feedback',
    fixture: 'none',
    input: () => ({ query: { limit: '10' } }),
  },
  // Public (no token): in the malformed sweep, not in the auth matrix.
  'POST /v1/public/feedback': {
    service: 'feedback',
    fixture: 'none',
    input: () => ({
      body: {
        subject: { kind: 'procedure', procedureCode: PROCEDURE },
        category: 'recommendation',
        content: reason,
        contact: { phone: '0258 3822 000' },
      },
    }),
  },
  'GET /v1/public/feedback/{reference}': {
    service: 'feedback',
    fixture: 'feedback',
    input: (d) => ({ params: { reference: feedbackOf(d).id }, query: { secret: feedbackOf(d).secret } }),
  },
  'POST /v1/public/feedback/{reference}/rate': {
    service: 'feedback',
    fixture: 'feedback',
    input: (d) => ({
      params: { reference: feedbackOf(d).id },
      body: { secret: feedbackOf(d).secret, rating: 'dissatisfied' },
    }),
  },
  'POST /v1/public/feedback/{reference}/follow-up': {
    service: 'feedback',
    fixture: 'feedback',
    input: (d) => ({
      params: { reference: feedbackOf(d).id },
      body: { secret: feedbackOf(d).secret, content: reason },
    }),
  },
};

/** The HTTP request for `route` with `input`: path placeholders filled, query string appended. */
export function requestFor(route: DocumentedRoute, input: RouteInput): HttpRequest {
  const query = new URLSearchParams(input.query ?? {}).toString();
  return {
    method: route.method,
    url: `${fillPath(route.path, input.params ?? {})}${query === '' ? '' : `?${query}`}`,
    ...(input.headers === undefined ? {} : { headers: input.headers }),
    ...(input.body === undefined ? {} : { payload: input.body }),
  };
}

export interface ServiceRoute {
  readonly service: ServiceName;
  readonly route: DocumentedRoute;
  readonly api: ApiDocument;
}

/**
 * Every route that needs a token, from each service's `/docs/json` (health, metrics and docs are public); with
 * `withPublic`, the public ones too (citizens' routes, the kit's probes).
 */
export async function documentedRoutes(
  stack: Stack,
  options: { readonly withPublic?: boolean } = {},
): Promise<ServiceRoute[]> {
  const all: ServiceRoute[] = [];
  for (const service of serviceNames) {
    const api = await readApiDocument(stack.apps[service]);
    for (const route of api.routes) {
      if (!route.public || options.withPublic === true) all.push({ service, route, api });
    }
  }
  return all;
}

/** The error body every failure carries: `{ code, message, details? }` and nothing else. */
export const ErrorBody = z.strictObject({
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'a stable SCREAMING_SNAKE code'),
  message: z.string().min(1),
  details: z.unknown().optional(),
});

/** `details` of a validation failure: where the request is wrong. */
export const ValidationDetails = z.looseObject({
  issues: z.array(z.looseObject({ path: z.string(), message: z.string() })).min(1),
});
