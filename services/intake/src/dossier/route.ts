/** `GET /v1/intake/dossiers/{id}`: the dossier as intake holds it, with its stream version as ETag. */
import { NATIONAL_STATUS_LABELS } from '@onestop/domain';
import type { App } from '@onestop/service-kit';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { requireDossierReader } from '../access.js';
import type { IntakeContext } from '../app.js';
import { DossierNotFound } from '../errors.js';
import { type DossierView, readDossier } from './view.js';

export const DossierParams = z.object({ id: z.uuid().describe('dossier id (UUID)') });

export const DossierResponse = z
  .object({
    dossierId: z.uuid(),
    dossierCode: z.string().nullable(),
    status: z.number().int().describe('national status code (DOMAIN.md section 3)'),
    statusLabel: z.string(),
    procedure: z.object({ code: z.string(), version: z.string().nullable() }),
    channel: z.string().nullable(),
    units: z.object({
      receiving: z.string().nullable(),
      competent: z.string().nullable(),
      returning: z.string().nullable(),
      transferredTo: z.string().nullable(),
    }),
    crossBoundary: z.boolean().nullable(),
    applicantId: z.uuid().nullable().describe('pseudonymous key into the personal-data vault'),
    applicantType: z.number().int().nullable(),
    receivedAt: z.string().nullable(),
    startAt: z.string().nullable(),
    dueAt: z.string().nullable().describe('statutory due'),
    limit: z.object({ value: z.number(), unit: z.string() }).nullable(),
    calendarVersion: z.string().nullable(),
    components: z.array(z.object({ code: z.string(), provided: z.boolean(), required: z.boolean() })),
    custody: z.array(
      z.object({
        unitId: z.string(),
        at: z.string(),
        event: z.enum(['received', 'transferred']),
        channel: z.string().optional(),
      }),
    ),
    refusal: z.object({ reason: z.string(), at: z.string(), receivingUnitId: z.string() }).nullable(),
    withdrawal: z.object({ reason: z.string().optional(), at: z.string() }).nullable(),
    version: z.number().int().describe('stream version; also the ETag'),
  })
  .meta({ id: 'IntakeDossier' });
export type DossierResponse = z.infer<typeof DossierResponse>;

export function toDossierResponse(view: DossierView): DossierResponse {
  return {
    dossierId: view.dossierId,
    dossierCode: view.dossierCode ?? null,
    status: view.status,
    statusLabel: NATIONAL_STATUS_LABELS[view.status],
    procedure: { code: view.procedureCode, version: view.procedureVersion ?? null },
    channel: view.channel ?? null,
    units: {
      receiving: view.receivingUnitId ?? null,
      competent: view.competentUnitId ?? null,
      returning: view.returningUnitId ?? null,
      transferredTo: view.transferredTo ?? null,
    },
    crossBoundary: view.crossBoundary ?? null,
    applicantId: view.applicantId ?? null,
    applicantType: view.applicantType ?? null,
    receivedAt: view.receivedAt ?? null,
    startAt: view.startAt ?? null,
    dueAt: view.statutoryDueAt ?? null,
    limit: view.limit ?? null,
    calendarVersion: view.calendarVersion ?? null,
    components: [...view.components],
    custody: [...view.custody],
    refusal: view.refusal ?? null,
    withdrawal: view.withdrawal ?? null,
    version: view.version,
  };
}

/** The dossier, or 404 INTAKE_DOSSIER_NOT_FOUND (also for ids that only hold guidance). */
export async function loadDossier(context: IntakeContext, dossierId: string): Promise<DossierView> {
  const { view } = await readDossier(context.store, dossierId);
  if (view === undefined) {
    throw DossierNotFound(`no dossier ${dossierId}`, { details: { dossierId } });
  }
  return view;
}

export function sendDossier(reply: FastifyReply, view: DossierView, status = 200) {
  reply.header('etag', `"${view.version}"`);
  return reply.status(status).send(toDossierResponse(view));
}

export function registerDossierRoute(app: App, context: IntakeContext): void {
  app.get(
    '/v1/intake/dossiers/:id',
    {
      schema: {
        summary: 'The dossier as intake holds it: code, national status, procedure, units, due, custody',
        tags: ['intake'],
        params: DossierParams,
        response: { 200: DossierResponse },
      },
    },
    async (request, reply) => {
      const view = await loadDossier(context, request.params.id);
      requireDossierReader(request, view);
      return sendDossier(reply, view);
    },
  );
}
