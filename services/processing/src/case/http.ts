import { errorResponseSchema } from '@onestop/service-kit';
import { z } from 'zod';
import { CaseView } from './view.js';

export const CasePath = '/v1/processing/cases/:dossierId';

export const CaseParams = z.object({ dossierId: z.uuid().describe('the dossier id (UUID)') });

/** Responses every case command documents: the case after the command, or one of the errors. */
export const caseResponses = {
  200: CaseView,
  400: errorResponseSchema,
  401: errorResponseSchema,
  403: errorResponseSchema,
  404: errorResponseSchema,
  409: errorResponseSchema,
  422: errorResponseSchema,
} as const;
