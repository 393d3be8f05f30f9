/**
 * `GET /v1/intake/dossiers/{id}/receipt` (JSON, or HTML with `Accept: text/html`) and `.../receipt.html`: Form 01
 * of a received dossier, for reprinting. The applicant's name is read from the vault only when asked for by the
 * desk (`includeApplicantName=true`, clerk of the receiving unit or admin), and that read is logged like any other.
 */
import { type App, authOf, UnitForbidden } from '@onestop/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actorOf, requireDossierReader } from '../access.js';
import type { IntakeContext } from '../app.js';
import { DossierParams, loadDossier } from '../dossier/route.js';
import { DossierNotFound } from '../errors.js';
import { PersonalDataErased } from '../vault/port.js';
import { buildReceipt, Receipt, renderReceiptHtml } from './receipt.js';

const ReceiptQuery = z.object({
  includeApplicantName: z
    .enum(['true', 'false'])
    .default('false')
    .describe('print the applicant’s name (desk only; the vault read is logged)'),
});

async function applicantName(
  context: IntakeContext,
  request: FastifyRequest,
  dossier: { dossierId: string; applicantId?: string; receivingUnitId?: string },
): Promise<string | undefined> {
  const auth = authOf(request);
  const desk =
    auth.roles.includes('admin') ||
    (auth.roles.includes('clerk') && auth.unitId !== undefined && auth.unitId === dossier.receivingUnitId);
  if (!desk) {
    throw UnitForbidden('only the receiving desk or an admin may print the applicant’s name', {
      details: { unitId: dossier.receivingUnitId ?? '' },
    });
  }
  if (dossier.applicantId === undefined) return undefined;
  try {
    const data = await context.vault.get(dossier.applicantId, {
      actor: actorOf(auth, ['admin', 'clerk']),
      purpose: 'reprint receipt (Form 01)',
      dossierId: dossier.dossierId,
    });
    return data.fullName;
  } catch (error) {
    // An erased applicant's receipt still prints, without the name.
    if (PersonalDataErased.is(error)) return undefined;
    throw error;
  }
}

export function registerReceiptRoute(app: App, context: IntakeContext): void {
  const handle = async (
    request: FastifyRequest,
    reply: FastifyReply,
    input: { id: string; includeApplicantName: boolean; html: boolean },
  ) => {
    const view = await loadDossier(context, input.id);
    requireDossierReader(request, view);
    const name = input.includeApplicantName ? await applicantName(context, request, view) : undefined;
    const receipt = buildReceipt(context.catalog, view, {
      applicantName: name,
      trackingKey: context.trackingKey,
    });
    if (receipt === undefined) {
      throw DossierNotFound(`dossier ${view.dossierId} was never received, so it has no receipt`, {
        details: { dossierId: view.dossierId },
      });
    }
    if (!input.html) return reply.send(receipt);
    return reply
      .type('text/html; charset=utf-8')
      .serializer((payload: unknown) => String(payload))
      .send(renderReceiptHtml(receipt));
  };

  const schema = {
    tags: ['intake'],
    params: DossierParams,
    querystring: ReceiptQuery,
    response: { 200: Receipt },
  };

  app.get(
    '/v1/intake/dossiers/:id/receipt',
    {
      schema: {
        ...schema,
        summary: 'Form 01 of a received dossier: JSON, or printable HTML with `Accept: text/html`',
        produces: ['application/json', 'text/html'],
      },
    },
    async (request, reply) =>
      handle(request, reply, {
        id: request.params.id,
        includeApplicantName: request.query.includeApplicantName === 'true',
        html: (request.headers.accept ?? '').includes('text/html'),
      }),
  );
  app.get(
    '/v1/intake/dossiers/:id/receipt.html',
    { schema: { ...schema, summary: 'Form 01 of a received dossier as printable HTML (Vietnamese)' } },
    async (request, reply) =>
      handle(request, reply, {
        id: request.params.id,
        includeApplicantName: request.query.includeApplicantName === 'true',
        html: true,
      }),
  );
}
