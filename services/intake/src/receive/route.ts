/**
 * `POST /v1/intake/dossiers`: receipt of a complete dossier at a one-stop centre (status 2, Form 01).
 *
 * Order matters for safety: the caller and body are checked, then the Idempotency-Key is claimed (see
 * idempotency.ts), then the catalogue rules; an incomplete dossier is answered 422 with a GuidanceGiven event;
 * a complete one has its personal data stored in the vault, its code drawn and its DossierReceived appended.
 * A first receipt answers 201; a retry with the same key and body answers 200 with the same dossier and the
 * header `Idempotent-Replayed: true`.
 */
import type { Unit } from '@onestop/catalog';
import {
  ComponentCode,
  computeDueAt,
  eventToAppend,
  giveGuidance,
  IncompleteDossier,
  InvalidTransition,
  intakeDecider,
  ProcedureCode,
  streamIdFor,
  UnitId,
} from '@onestop/domain';
import { WrongExpectedVersion } from '@onestop/event-store';
import { type App, handleCommand, requireRole, requireUnit } from '@onestop/service-kit';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actorOf } from '../access.js';
import type { IntakeContext } from '../app.js';
import { type DossierView, foldDossier, readDossier } from '../dossier/view.js';
import {
  CompetentUnitInvalid,
  CompetentUnitRequired,
  CrossBoundaryNotEligible,
  NotAReceivingUnit,
  UnknownComponent,
} from '../errors.js';
import { buildReceipt, Receipt } from '../receipt/receipt.js';
import { PersonalData } from '../vault/port.js';
import { claimIdempotencyKey, IdempotencyKey } from './idempotency.js';

export const ReceiveBody = z.object({
  procedureCode: ProcedureCode,
  channel: z.enum(['desk', 'online', 'postal']),
  receivingUnitId: UnitId,
  competentUnitId: UnitId.optional().describe("default: the procedure's competent unit local to the centre"),
  applicant: PersonalData.extend({
    type: z.literal([1, 2, 3, 4]).describe('1 citizen, 2 enterprise, 3 agency, 4 other'),
  }),
  components: z
    .array(z.object({ code: ComponentCode, provided: z.boolean() }))
    .max(100)
    .refine(
      (list) => new Set(list.map((c) => c.code)).size === list.length,
      'component codes must be unique',
    ),
});
export type ReceiveBody = z.infer<typeof ReceiveBody>;

export const ReceiveResponse = z.object({
  dossierId: z.uuid(),
  dossierCode: z.string(),
  dueAt: z.string().describe('statutory due, ISO-8601'),
  /** Pseudonymous: the key of the applicant's personal data in the vault. */
  applicantId: z.uuid(),
  receipt: Receipt,
});
type ReceiveResponse = z.infer<typeof ReceiveResponse>;

const receiveHeaders = z.looseObject({ 'idempotency-key': IdempotencyKey });

const example: ReceiveBody = {
  procedureCode: '1.001193',
  channel: 'desk',
  receivingUnitId: 'kh.p-nha-trang.ttpvhcc',
  applicant: { type: 1, fullName: 'Nguyễn Văn A', idNumber: '056090000001' },
  components: [
    { code: 'to-khai-khai-sinh', provided: true },
    { code: 'giay-chung-sinh', provided: true },
  ],
};

/** The administrative area a unit serves: a centre or department serves its parent; a commune or province itself. */
function areaOf(unit: Unit): string {
  return unit.kind === 'commune' || unit.kind === 'province' ? unit.id : (unit.parentId ?? unit.id);
}

function responseOf(context: IntakeContext, view: DossierView, applicantName: string): ReceiveResponse {
  const receipt = buildReceipt(context.catalog, view, applicantName);
  if (receipt === undefined || view.applicantId === undefined) {
    throw new Error(`dossier ${view.dossierId} has no receipt`);
  }
  return {
    dossierId: view.dossierId,
    dossierCode: receipt.dossierCode,
    dueAt: receipt.dueAt,
    applicantId: view.applicantId,
    receipt,
  };
}

/** A stream already written under this dossier id (by an earlier attempt): answer from it. */
function answerFromStream(
  context: IntakeContext,
  found: { view: DossierView | undefined; events: readonly { type: string; data: unknown }[] },
  body: ReceiveBody,
): ReceiveResponse | undefined {
  if (found.view?.dossierCode !== undefined) {
    return responseOf(context, found.view, body.applicant.fullName);
  }
  const guidance = found.events.find((e) => e.type === 'GuidanceGiven');
  if (guidance !== undefined) {
    const { missingComponents } = z.object({ missingComponents: z.array(z.string()) }).parse(guidance.data);
    throw incomplete(missingComponents);
  }
  return undefined;
}

function incomplete(missingComponents: readonly string[]) {
  return IncompleteDossier(`required components missing: ${missingComponents.join(', ')}`, {
    details: { missingComponents },
  });
}

async function receive(
  context: IntakeContext,
  request: FastifyRequest,
  body: ReceiveBody,
  key: string,
): Promise<{ status: 200 | 201; response: ReceiveResponse }> {
  const { store, catalog, ids, clock } = context;
  const auth = requireUnit(request, body.receivingUnitId);
  const actor = actorOf(auth, ['clerk', 'admin']);
  const claim = await claimIdempotencyKey(store, ids, {
    key,
    fingerprint: context.pseudonyms.requestFingerprint({ route: 'receive', body }),
    dossierId: ids.next(),
  });
  const { dossierId } = claim;
  if (claim.repeated) {
    const earlier = answerFromStream(context, await readDossier(store, dossierId), body);
    if (earlier !== undefined) return { status: 200, response: earlier };
  }

  const now = clock.now();
  const procedure = catalog.procedure(body.procedureCode, now);
  const receiving = catalog.unitAt(body.receivingUnitId, now);
  if (receiving.kind !== 'provincial_centre' && receiving.kind !== 'commune_centre') {
    throw NotAReceivingUnit(`${receiving.id} is a ${receiving.kind}, not a one-stop centre`, {
      details: { unitId: receiving.id, kind: receiving.kind },
    });
  }
  const allowed = procedure.competentUnitIds;
  let competentUnitId = body.competentUnitId;
  if (competentUnitId === undefined) {
    const local = allowed.find((id) => areaOf(catalog.unitAt(id, now)) === areaOf(receiving));
    competentUnitId = local ?? (allowed.length === 1 ? allowed[0] : undefined);
    if (competentUnitId === undefined) {
      throw CompetentUnitRequired(
        `procedure ${procedure.code} has several competent units; choose competentUnitId among ${allowed.join(', ')}`,
        { details: { procedureCode: procedure.code, allowed } },
      );
    }
  } else if (!allowed.includes(competentUnitId)) {
    throw CompetentUnitInvalid(
      `${competentUnitId} is not a competent unit of procedure ${procedure.code} (${allowed.join(', ')})`,
      { details: { competentUnitId, procedureCode: procedure.code, allowed } },
    );
  }
  const competent = catalog.unitAt(competentUnitId, now);
  const crossBoundary = areaOf(competent) !== areaOf(receiving);
  if (crossBoundary && !procedure.crossBoundaryEligible) {
    throw CrossBoundaryNotEligible(
      `procedure ${procedure.code} is not on the cross-boundary list: ${receiving.id} cannot receive for ${competent.id}`,
      {
        details: {
          procedureCode: procedure.code,
          receivingUnitId: receiving.id,
          competentUnitId: competent.id,
        },
      },
    );
  }

  const listed = new Set(procedure.components.map((c) => c.code));
  const unknown = body.components.map((c) => c.code).filter((code) => !listed.has(code));
  if (unknown.length > 0) {
    throw UnknownComponent(`procedure ${procedure.code} has no component ${unknown.join(', ')}`, {
      details: { procedureCode: procedure.code, unknownComponents: unknown },
    });
  }
  const provided = new Set(body.components.filter((c) => c.provided).map((c) => c.code));
  const components = procedure.components.map((c) => ({
    code: c.code,
    provided: provided.has(c.code),
    required: c.required,
  }));
  const missing = components.filter((c) => c.required && !c.provided).map((c) => c.code);
  if (missing.length > 0) {
    // Guidance (Form 02 at the desk) is counted: its own stream, under the id this request claimed.
    const guidance = eventToAppend(
      giveGuidance({
        type: 'GiveGuidance',
        now,
        actor,
        procedureCode: procedure.code,
        receivingUnitId: receiving.id,
        missingComponents: missing,
      }),
      { eventId: ids.next(), dossierId, correlationId: request.id, causationId: request.id },
    );
    const { streamId, ...event } = guidance;
    await store
      .appendToStream(streamId, [event], { expectedVersion: 'no_stream' })
      .catch((error: unknown) => {
        // A concurrent retry of the same request recorded the same guidance.
        if (!WrongExpectedVersion.is(error)) throw error;
      });
    throw incomplete(missing);
  }

  const applicantId = context.pseudonyms.applicantId(body.applicant.idNumber);
  const { type: applicantType, ...personal } = body.applicant;
  await context.vault.put(applicantId, personal);
  const due = computeDueAt({
    receivedAt: now,
    limit: procedure.limit,
    calendar: context.calendar,
    workingHours: context.calendar.workingHoursFor(competent.id),
  });
  const dossierCode = await context.codes.next({ unitCode: receiving.code, receivedAt: now, dossierId });
  const streamId = streamIdFor('intake', dossierId);
  try {
    const handled = await handleCommand({
      store,
      decider: intakeDecider,
      dossierId,
      streamId,
      ids,
      trace: { correlationId: request.id },
      retries: 0,
      command: {
        type: 'ReceiveDossier',
        now,
        actor,
        dossierCode,
        procedureCode: procedure.code,
        procedureVersion: procedure.version,
        channel: body.channel,
        receivingUnitId: receiving.id,
        competentUnitId: competent.id,
        crossBoundary,
        applicantId,
        applicantType,
        components,
        limit: procedure.limit,
        calendarVersion: due.calendarVersion,
        startAt: due.startAt,
        statutoryDueAt: due.dueAt,
      },
    });
    const view = foldDossier(dossierId, handled.history);
    if (view === undefined || handled.appended.length === 0) throw new Error('receipt not recorded');
    // 201 goes to whichever request's append created the dossier: with concurrent retries of one key that may
    // be a retry rather than the first claimer, which then answers 200 from the stream below.
    return {
      status: 201,
      response: responseOf(context, view, body.applicant.fullName),
    };
  } catch (error) {
    // A concurrent retry of this same request won the one append: answer with its dossier.
    if (!WrongExpectedVersion.is(error) && !InvalidTransition.is(error)) throw error;
    const earlier = answerFromStream(context, await readDossier(store, dossierId), body);
    if (earlier === undefined) throw error;
    return { status: 200, response: earlier };
  }
}

export function registerReceiveRoute(app: App, context: IntakeContext): void {
  app.post(
    '/v1/intake/dossiers',
    {
      onRequest: requireRole('clerk', 'admin'),
      schema: {
        summary: 'Receive a complete dossier (status 2): assigns the code, starts the clock, issues Form 01',
        description:
          'Requires `Idempotency-Key`. A retry with the same key and body returns the same dossier (200, ' +
          '`Idempotent-Replayed: true`); the same key with another body is 409 INTAKE_IDEMPOTENCY_KEY_REUSED. ' +
          'An incomplete dossier is refused with 422 DOM_INCOMPLETE_DOSSIER (`details.missingComponents`) and ' +
          'counted as guidance. Personal data goes to the vault; events carry only `applicantId`.',
        tags: ['intake'],
        headers: receiveHeaders,
        body: ReceiveBody.meta({ examples: [example] }),
        response: { 200: ReceiveResponse, 201: ReceiveResponse },
      },
    },
    async (request, reply) => {
      const { status, response } = await receive(
        context,
        request,
        request.body,
        request.headers['idempotency-key'],
      );
      if (status === 200) reply.header('idempotent-replayed', 'true');
      return reply.status(status).send(response);
    },
  );
}
