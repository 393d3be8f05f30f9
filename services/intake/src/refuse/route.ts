/**
 * `POST /v1/intake/refusals`: refusal to receive (status 3, Form 03): the dossier is out of scope or ineligible.
 * No dossier code is drawn (codes are for received dossiers); the refusal gets its own dossier id and stream so
 * that refusals are counted per receiving unit.
 */
import { intakeDecider, ProcedureCode, Reason, streamIdFor, UnitId } from '@onestop/domain';
import { type App, handleCommand, requireRole, requireUnit } from '@onestop/service-kit';
import { z } from 'zod';
import { actorOf } from '../access.js';
import type { IntakeContext } from '../app.js';
import { foldDossier } from '../dossier/view.js';
import { NotAReceivingUnit } from '../errors.js';
import { formatVietnamTime } from '../receipt/receipt.js';

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

export function registerRefuseRoute(app: App, context: IntakeContext): void {
  app.post(
    '/v1/intake/refusals',
    {
      onRequest: requireRole('clerk', 'admin'),
      schema: {
        summary: 'Refuse to receive a dossier (status 3, Form 03)',
        tags: ['intake'],
        body: RefuseBody.meta({
          examples: [
            {
              procedureCode: '1.001193',
              receivingUnitId: 'kh.p-nha-trang.ttpvhcc',
              reason: 'Không thuộc thẩm quyền tiếp nhận',
            },
          ],
        }),
        response: { 201: RefusalResponse },
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
      const dossierId = context.ids.next();
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
      return reply.status(201).send({
        dossierId,
        status: 3,
        refusal: {
          form: '03',
          title: 'Phiếu từ chối tiếp nhận giải quyết hồ sơ',
          procedure: { code: procedure.code, name: procedure.name },
          receivingUnit: { id: unit.id, code: unit.code, name: unit.name },
          reason: view?.refusal?.reason ?? body.reason,
          refusedAt: now.toISOString(),
          refusedAtLocal: formatVietnamTime(now),
        },
        version: handled.version,
      });
    },
  );
}
