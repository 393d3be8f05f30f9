/**
 * The vault over HTTP: read an applicant's personal data for a stated purpose (logged), erase it (admin;
 * crypto-shredding), and the access log (admin).
 */
import { isDomainError } from '@onestop/domain';
import { type App, authOf, errorResponseSchema, requireRole, requireUnit } from '@onestop/service-kit';
import { AccessLogLimit, ErasureReason, VAULT_ACTIONS } from '@onestop/vault';
import { z } from 'zod';
import { actorOf } from '../access.js';
import type { IntakeContext } from '../app.js';
import { loadDossier } from '../dossier/route.js';
import { ApplicantMismatch, DossierIdRequired } from '../errors.js';
import { PersonalData, PersonalDataErased } from './port.js';

const ApplicantParams = z.object({ id: z.uuid().describe('applicant id (pseudonymous)') });

const ReadQuery = z.object({
  purpose: z.string().trim().min(3).max(200).describe('why the data is read; recorded in the access log'),
  dossierId: z.uuid().optional().describe('the dossier that justifies the read (required for clerks)'),
});

const AccessLogQuery = z.object({
  applicantId: z.uuid().optional(),
  limit: AccessLogLimit,
});

const AccessLogResponse = z.object({
  entries: z.array(
    z.object({
      id: z.string(),
      applicantId: z.string(),
      action: z.enum(VAULT_ACTIONS),
      actorId: z.string(),
      actorRole: z.string(),
      actorUnitId: z.string().nullable(),
      purpose: z.string(),
      dossierId: z.string().nullable(),
      at: z.string(),
    }),
  ),
});

export function registerVaultRoutes(app: App, context: IntakeContext): void {
  app.get(
    '/v1/intake/applicants/:id/personal-data',
    {
      onRequest: requireRole('clerk', 'admin'),
      schema: {
        summary: 'Read an applicant’s personal data (logged: who, when, purpose)',
        description:
          'Admins read any applicant. A clerk reads through a dossier of their receiving unit (`dossierId`). ' +
          'Erased data answers 410 INTAKE_PERSONAL_DATA_ERASED.',
        tags: ['personal data'],
        params: ApplicantParams,
        querystring: ReadQuery,
        response: { 200: PersonalData.extend({ applicantId: z.uuid() }), 410: errorResponseSchema },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const applicantId = request.params.id;
      const { purpose, dossierId } = request.query;
      if (!auth.roles.includes('admin')) {
        if (dossierId === undefined) {
          throw DossierIdRequired('a clerk reads personal data through a dossier: pass dossierId', {
            details: { issues: [{ path: 'querystring.dossierId', message: 'required for clerks' }] },
          });
        }
        const view = await loadDossier(context, dossierId);
        // The unit first: a clerk of another unit learns nothing, not even whether the dossier is this applicant's.
        requireUnit(request, view.receivingUnitId ?? '');
        if (view.applicantId !== applicantId) {
          throw ApplicantMismatch(`dossier ${dossierId} is not applicant ${applicantId}'s`, {
            details: { dossierId, applicantId },
          });
        }
      }
      try {
        const data = await context.vault.get(applicantId, {
          actor: actorOf(auth, ['admin', 'clerk']),
          purpose,
          ...(dossierId === undefined ? {} : { dossierId }),
        });
        return reply.send({ applicantId, ...data });
      } catch (error) {
        if (PersonalDataErased.is(error) && isDomainError(error)) {
          return reply.status(410).send({ code: error.code, message: error.message, details: error.details });
        }
        throw error;
      }
    },
  );

  app.delete(
    '/v1/intake/applicants/:id/personal-data',
    {
      onRequest: requireRole('admin'),
      schema: {
        summary: 'Erase an applicant’s personal data (crypto-shredding): the key is destroyed, the log stays',
        tags: ['personal data'],
        params: ApplicantParams,
        querystring: z.object({
          reason: ErasureReason,
        }),
        response: { 200: z.object({ applicantId: z.uuid(), erasedAt: z.string() }) },
      },
    },
    async (request) => {
      const { erasedAt } = await context.vault.erase(request.params.id, {
        actor: actorOf(authOf(request), ['admin']),
        purpose: request.query.reason,
      });
      return { applicantId: request.params.id, erasedAt: erasedAt.toISOString() };
    },
  );

  app.get(
    '/v1/intake/personal-data/access-log',
    {
      onRequest: requireRole('admin'),
      schema: {
        summary: 'Every read and erasure of personal data, newest first',
        tags: ['personal data'],
        querystring: AccessLogQuery,
        response: { 200: AccessLogResponse },
      },
    },
    async (request) => {
      const entries = await context.vault.accessLog({
        limit: request.query.limit,
        ...(request.query.applicantId === undefined ? {} : { applicantId: request.query.applicantId }),
      });
      return { entries: entries.map((e) => ({ ...e, at: e.at.toISOString() })) };
    },
  );
}
