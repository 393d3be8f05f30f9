/**
 * `POST /v1/intake/dossiers`: receipt of a complete dossier at a one-stop centre (status 2, Form 01).
 *
 * Order matters for safety: the caller and body are checked, then the Idempotency-Key is claimed (see
 * idempotency.ts), then the catalogue rules are enforced (worked out before the claim, which needs no I/O);
 * an incomplete dossier is answered 422 with a GuidanceGiven event; a complete one has its personal data stored
 * in the vault (while the key is claimed), its code drawn and its DossierReceived appended.
 * A first receipt answers 201; a retry with the same key and body answers 200 with the same dossier and the
 * header `Idempotent-Replayed: true`.
 */
import { type Catalog, type Procedure, type Unit, UnitNotInForce } from '@onestop/catalog';
import {
  ComponentCode,
  computeDueAt,
  dossierEventFromStored,
  eventToAppend,
  giveGuidance,
  IncompleteDossier,
  intakeDecider,
  ProcedureCode,
  streamIdFor,
  UnitId,
} from '@onestop/domain';
import { WrongExpectedVersion } from '@onestop/event-store';
import { type App, requireRole, requireUnit } from '@onestop/service-kit';
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

/** The unit as it is at `at`, or undefined if it was not in force then (established later, or ended). */
function unitInForce(catalog: Catalog, id: string, at: Date): Unit | undefined {
  try {
    return catalog.unitAt(id, at);
  } catch (error) {
    if (UnitNotInForce.is(error)) return undefined;
    throw error;
  }
}

/** The administrative area a unit serves: a centre or department serves its parent; a commune or province itself. */
function areaOf(unit: Unit): string {
  return unit.kind === 'commune' || unit.kind === 'province' ? unit.id : (unit.parentId ?? unit.id);
}

function responseOf(context: IntakeContext, view: DossierView, applicantName: string): ReceiveResponse {
  const receipt = buildReceipt(context.catalog, view, { applicantName, trackingKey: context.trackingKey });
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

/** What the catalogue makes of a body: the units, the components, and which required ones are missing. */
interface Plan {
  readonly procedure: Procedure;
  readonly receiving: Unit;
  readonly competent: Unit;
  readonly crossBoundary: boolean;
  readonly components: Array<{ code: string; provided: boolean; required: boolean }>;
  readonly missing: string[];
}

/** The catalogue rules of a receipt; pure, so they cost nothing before the key is claimed. */
function planReceipt(catalog: Catalog, body: ReceiveBody, now: Date): Plan {
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
    // A procedure version can outlive a unit it lists (a merger after it took effect): choose among those in
    // force. If none is, the first listed is kept, and `unitAt` below names it as no longer in force.
    const inForce = allowed.flatMap((id) => unitInForce(catalog, id, now) ?? []);
    if (inForce.length === 0) {
      competentUnitId = allowed[0];
    } else {
      const local = inForce.find((unit) => areaOf(unit) === areaOf(receiving));
      competentUnitId = (local ?? (inForce.length === 1 ? inForce[0] : undefined))?.id;
    }
    if (competentUnitId === undefined) {
      const choices = inForce.map((unit) => unit.id);
      throw CompetentUnitRequired(
        `procedure ${procedure.code} has several competent units; choose competentUnitId among ${choices.join(', ')}`,
        { details: { procedureCode: procedure.code, allowed: choices } },
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
  return { procedure, receiving, competent, crossBoundary, components, missing };
}

/**
 * The receipt. Round trips on the way of a first receipt: the claim of the key (with the personal data written to
 * the vault at the same time), then the dossier append; the code comes from a block already reserved in memory
 * (see sequence.ts), or from one append shared by every receipt waiting for a code. Concurrent receipts share
 * each of these commits (the store and the vault batch what arrives while they commit). Nothing is read back:
 * the answer is folded from the events appended.
 */
async function receive(
  context: IntakeContext,
  request: FastifyRequest,
  body: ReceiveBody,
  key: string,
): Promise<{ status: 200 | 201; response: ReceiveResponse }> {
  const { store, catalog, ids, clock } = context;
  const auth = requireUnit(request, body.receivingUnitId);
  const actor = actorOf(auth, ['clerk', 'admin']);
  const now = clock.now();
  // A refusal is thrown only once the key is claimed: a retry of a receipt that succeeded answers with its dossier
  // even if the catalogue has changed since.
  let plan: Plan | undefined;
  let refusal: unknown;
  try {
    plan = planReceipt(catalog, body, now);
  } catch (error) {
    refusal = error;
  }
  const applicantId = context.pseudonyms.applicantId(body.applicant.idNumber);
  const { type: applicantType, ...personal } = body.applicant;
  // Written while the key is claimed, before it is known whether this request is the first, hence only for an
  // applicant the vault has no row for (`ifAbsent`): a replay, or a reused key with another body, can neither
  // overwrite the data of the applicant's later receipts nor bring back an erased applicant. Never written for a
  // body the catalogue refuses. A first receipt of a known applicant writes again below, once it is wanted.
  const put = (): Promise<{ stored: boolean }> =>
    context.vault.put(applicantId, personal, { ifAbsent: true });
  const early = plan !== undefined && plan.missing.length === 0 ? put() : undefined;
  early?.catch(() => undefined);
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
  if (plan === undefined) throw refusal;
  const { procedure, receiving, competent, crossBoundary, components, missing } = plan;

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

  const due = computeDueAt({
    receivedAt: now,
    limit: procedure.limit,
    calendar: context.calendar,
    workingHours: context.calendar.workingHoursFor(competent.id),
  });
  // The personal data must be durable before the dossier that points to it.
  const [{ stored }, dossierCode] = await Promise.all([
    early ?? put(),
    context.codes.next({ unitCode: receiving.code, receivedAt: now }),
  ]);
  // A known applicant (data from an earlier receipt, or erased): this receipt is wanted, so its data replaces theirs.
  if (!stored) await context.vault.put(applicantId, personal);
  // The stream is new (its id was claimed by this key and nothing is in it yet, or the append below fails), so
  // the decider starts from the initial state and nothing needs reading back.
  const decided = intakeDecider.decide(
    {
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
    intakeDecider.initialState(),
  );
  const streamId = streamIdFor('intake', dossierId);
  const toAppend = decided.map((event) => {
    const { streamId: _, ...append } = eventToAppend(event, {
      eventId: ids.next(),
      dossierId,
      correlationId: request.id,
      causationId: request.id,
    });
    return append;
  });
  try {
    await store.appendToStream(streamId, toAppend, { expectedVersion: 'no_stream' });
  } catch (error) {
    // A concurrent retry of this same request won the one append: answer with its dossier. 201 goes to whichever
    // request's append created the dossier, which with concurrent retries of one key may not be the first claimer.
    if (!WrongExpectedVersion.is(error)) throw error;
    const earlier = answerFromStream(context, await readDossier(store, dossierId), body);
    if (earlier === undefined) throw error;
    return { status: 200, response: earlier };
  }
  // The answer is folded from the events just appended, exactly as a later read of the stream would fold them.
  const appended = toAppend.map((event, streamVersion) =>
    dossierEventFromStored({ ...event, streamId, streamVersion, recordedAt: now }),
  );
  const view = foldDossier(dossierId, appended);
  if (view === undefined) throw new Error('receipt not recorded');
  return { status: 201, response: responseOf(context, view, body.applicant.fullName) };
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
