import { type ErrorKind, isDomainError, ValidationFailed } from '@onestop/domain';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

/** The body of every error response. `code` is stable (clients key on it); `message` is for people. */
export const errorResponseSchema = z
  .object({
    code: z.string().describe('stable error code, e.g. COMMON_VALIDATION_FAILED'),
    message: z.string(),
    details: z.unknown().optional(),
  })
  .meta({ id: 'ErrorResponse' });

export type ErrorResponse = z.infer<typeof errorResponseSchema>;

/** The one place a domain error kind becomes an HTTP status. */
export const statusByKind: Readonly<Record<ErrorKind, number>> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  unprocessable: 422,
  too_many_requests: 429,
  unavailable: 503,
  internal: 500,
};

/**
 * Codes for transport failures that happen before any handler runs (the body could not be read, no route
 * matched). They have no DomainError kind because 413/415 have no domain meaning.
 */
export const httpErrorCodes = {
  badRequest: 'HTTP_BAD_REQUEST',
  malformedBody: 'HTTP_MALFORMED_BODY',
  notFound: 'HTTP_NOT_FOUND',
  payloadTooLarge: 'HTTP_PAYLOAD_TOO_LARGE',
  unsupportedMediaType: 'HTTP_UNSUPPORTED_MEDIA_TYPE',
  clientError: 'HTTP_CLIENT_ERROR',
  uriTooLong: 'HTTP_URI_TOO_LONG',
  internal: 'INTERNAL',
} as const;

const fastifyCodes: Readonly<Record<string, string>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: httpErrorCodes.malformedBody,
  FST_ERR_CTP_EMPTY_JSON_BODY: httpErrorCodes.malformedBody,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: httpErrorCodes.malformedBody,
  FST_ERR_CTP_BODY_TOO_LARGE: httpErrorCodes.payloadTooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: httpErrorCodes.unsupportedMediaType,
  FST_ERR_BAD_URL: httpErrorCodes.badRequest,
  FST_ERR_MAX_PARAM_LENGTH: httpErrorCodes.uriTooLong,
};

// Errors thrown by fastify and its plugins carry a status; anything without one is a bug.
const clientErrorShape = z.object({
  statusCode: z.number().int().min(400).max(499),
  code: z.string().optional(),
  message: z.string(),
});

const validationErrorShape = z.object({
  validationContext: z.string(),
  validation: z.array(
    z.object({
      instancePath: z.string(),
      message: z.string().optional(),
      // ajv reports a missing property on the parent object; zod reports it on the property itself.
      params: z.object({ missingProperty: z.string().optional() }).optional(),
    }),
  ),
});

export interface Issue {
  readonly path: string;
  readonly message: string;
}

/** Turns a fastify request-validation failure into issues whose paths say where (`body.applicant.idNumber`). */
export function requestValidationIssues(error: unknown): Issue[] | undefined {
  const parsed = validationErrorShape.safeParse(error);
  if (!parsed.success) return undefined;
  const { validationContext, validation } = parsed.data;
  return validation.map((v) => {
    const segments = v.instancePath.split('/').filter((s) => s.length > 0);
    const missing = v.params?.missingProperty;
    const path = [validationContext, ...segments, ...(missing === undefined ? [] : [missing])].join('.');
    return { path, message: v.message ?? 'invalid' };
  });
}

interface Mapped {
  readonly status: number;
  readonly body: ErrorResponse;
}

/** Maps anything thrown to a status and a body that is safe to send. */
export function toErrorResponse(error: unknown): Mapped {
  const issues = requestValidationIssues(error);
  if (issues !== undefined) {
    const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    return {
      status: 400,
      body: { code: ValidationFailed.code, message: `invalid request: ${summary}`, details: { issues } },
    };
  }
  if (isDomainError(error)) {
    // An internal DomainError is a bug like any other: its message may name internals.
    if (error.kind === 'internal') return internal;
    const body: ErrorResponse = { code: error.code, message: error.message };
    return {
      status: statusByKind[error.kind],
      body: error.details === undefined ? body : { ...body, details: error.details },
    };
  }
  const client = clientErrorShape.safeParse(error);
  if (client.success) {
    const { statusCode, code, message } = client.data;
    const mapped = code === undefined ? undefined : fastifyCodes[code];
    return { status: statusCode, body: { code: mapped ?? codeForStatus(statusCode), message } };
  }
  return internal;
}

const internal: Mapped = { status: 500, body: { code: httpErrorCodes.internal, message: 'internal error' } };

function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return httpErrorCodes.badRequest;
    case 404:
      return httpErrorCodes.notFound;
    case 413:
      return httpErrorCodes.payloadTooLarge;
    case 415:
      return httpErrorCodes.unsupportedMediaType;
    default:
      return httpErrorCodes.clientError;
  }
}

/** Installs the error and not-found handlers on the root, so every service plugin inherits them. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorResponse(error);
    if (status >= 500) request.log.error({ err: error, code: body.code }, 'request failed');
    else request.log.info({ code: body.code, status }, body.message);
    if (status === 401) reply.header('www-authenticate', 'Bearer');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorResponse = {
      code: httpErrorCodes.notFound,
      message: `no route for ${request.method} ${request.url.split('?')[0] ?? ''}`,
    };
    return reply.status(404).send(body);
  });
}
