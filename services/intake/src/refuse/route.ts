/**
 * `POST /v1/intake/refusals`: refusal to receive (status 3, Form 03): the dossier is out of scope or ineligible.
 * No dossier code is drawn (codes are for received dossiers); the refusal gets its own dossier id and stream so
 * that refusals are counted per receiving unit.
 *
 * An `Idempotency-Key` is optional here (a refusal draws no code and stores no personal data), but a client that
 * may retry should send one: the key is claimed as for receipts (see ../receive/idempotency.ts), so a retry
 * answers with the first refusal instead of recording, and counting, a second one.
 */
import { intakeDecider, ProcedureCode, Reason, streamIdFor, UnitId } from '@onestop/domain';
import { type App, handleCommand, requireRole, requireUnit } from '@onestop/service-kit';
import { z } from 'zod';
import { actorOf } from '../access.js';
import type { IntakeContext } from '../app.js';
import { type DossierView, foldDossier, readDossier } from '../dossier/view.js';
import { NotAReceivingUnit } from '../errors.js';
import { formatVietnamTime } from '../receipt/receipt.js';
import { claimIdempotencyKey, IdempotencyKey } from '../receive/idempotency.js';

export const RefuseBody = z.object({
  procedureCode: ProcedureCode,
  receivingUnitId: UnitId,
  reason: Reason.describe('why the dossier is not received (shown on Form 03)'),
  channel: z.enum(['desk', 'online', 'postal']).optional(),
});

const UnitRef = z.object({ id: z.string(), code: z.string(), name: z.string() });

export const RefusalResponse = z.object({
  dossierId: z.uuid(),
  status: z.literal(3),
  refusal: z.object({
    form: z.literal('03'),
    title: z.string(),
    procedure: z.object({ code: z.string(), name: z.string() }),
    receivingUnit: UnitRef,
    reason: z.string(),
    refusedAt: z.string(),
    refusedAtLocal: z.string().describe('dd/MM/yyyy HH:mm, Vietnam time'),
  }),
  version: z.number().int(),
});
type RefusalResponse = z.infer<typeof RefusalResponse>;

const refuseHeaders = z.looseObject({ 'idempotency-key': IdempotencyKey.optional() });

/** Form 03 from the refusal as recorded, with the catalogue's names as they were when it was made. */
function refusalResponse(context: IntakeContext, view: DossierView): RefusalResponse {
  const { refusal, procedureCode } = view;
  if (refusal === undefined) throw new Error(`dossier ${view.dossierId} is not a refusal`);
  const at = new Date(refusal.at);
  const procedure = context.catalog.procedure(procedureCode, at);
  const unit = context.catalog.unitAt(refusal.receivingUnitId, at);
  return {
    dossierId: view.dossierId,
    status: 3,
    refusal: {
      form: '03',
      title: 'Phiếu từ chối tiếp nhận giải quyết hồ sơ',
      procedure: { code: procedure.code, name: procedure.name },
      receivingUnit: { id: unit.id, code: unit.code, name: unit.name },
      reason: refusal.reason,
      refusedAt: refusal.at,
      refusedAtLocal: formatVietnamTime(at),
    },
    version: view.version,
  };
}

export function registerRefuseRoute(app: App, context: IntakeContext): void {
  app.post(
    '/v1/intake/refusals',
    {
      onRequest: requireRole('clerk', 'admin'),
      schema: {
        summary: 'Refuse to receive a dossier (status 3, Form 03)',
        description:
          'Optional `Idempotency-Key`: a retry with the same key and body returns the first refusal (200, ' +
          '`Idempotent-Replayed: true`); the same key with another body is 409 INTAKE_IDEMPOTENCY_KEY_REUSED. ' +
          'Without a key, every request records a refusal.',
        tags: ['intake'],
        headers: refuseHeaders,
        body: RefuseBody.meta({
          examples: [
            {
              procedureCode: '1.001193',
              receivingUnitId: 'kh.p-nha-trang.ttpvhcc',
              reason: 'Không thuộc thẩm quyền tiếp nhận',
            },
          ],
        }),
        response: { 200: RefusalResponse, 201: RefusalResponse },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const auth = requireUnit(request, body.receivingUnitId);
      const now = context.clock.now();
      const procedure = context.catalog.procedure(body.procedureCode, now);
      const unit = context.catalog.unitAt(body.receivingUnitId, now);
      if (unit.kind !== 'provincial_centre' && unit.kind !== 'commune_centre') {
        throw NotAReceivingUnit(`${unit.id} is a ${unit.kind}, not a one-stop centre`, {
          details: { unitId: unit.id, kind: unit.kind },
        });
      }
      let dossierId = context.ids.next();
      const key = request.headers['idempotency-key'];
      if (key !== undefined) {
        const claim = await claimIdempotencyKey(context.store, context.ids, {
          key,
          fingerprint: context.pseudonyms.requestFingerprint({ route: 'refuse', body }),
          dossierId,
        });
        dossierId = claim.dossierId;
        // A claim without a refusal behind it: the first attempt stopped before writing; this one writes it.
        const earlier = claim.repeated ? (await readDossier(context.store, dossierId)).view : undefined;
        if (earlier !== undefined) {
          return reply
            .status(200)
            .header('idempotent-replayed', 'true')
            .send(refusalResponse(context, earlier));
        }
      }
      const handled = await handleCommand({
        store: context.store,
        decider: intakeDecider,
        dossierId,
        streamId: streamIdFor('intake', dossierId),
        ids: context.ids,
        trace: { correlationId: request.id },
        command: {
          type: 'RefuseDossier',
          now,
          actor: actorOf(auth, ['clerk', 'admin']),
          procedureCode: procedure.code,
          receivingUnitId: unit.id,
          reason: body.reason,
        },
      });
      const view = foldDossier(dossierId, handled.history);
      if (view === undefined) throw new Error('refusal not recorded');
      return reply.status(201).send(refusalResponse(context, view));
    },
  );
}
