/** Who may read the projection: analysts and admins any unit; leaders and specialists their own unit's figures. */
import type { Catalog } from '@onestop/catalog';
import { ValidationFailed } from '@onestop/domain';
import { type AuthContext, authOf, requireRole, UnitForbidden } from '@onestop/service-kit';
import type { FastifyRequest } from 'fastify';

export const READER_ROLES = ['analyst', 'admin', 'leader', 'specialist'] as const;
export const requireReader = requireRole(...READER_ROLES);

export function readsAnyUnit(auth: AuthContext): boolean {
  return auth.roles.some((role) => role === 'analyst' || role === 'admin');
}

/**
 * A leader or specialist reads their own unit, and the history of units that rolled up into it (a merged
 * predecessor's figures are the merged department's past).
 */
export function requireUnitReader(
  request: FastifyRequest,
  catalog: Catalog,
  unitIds: readonly string[],
): void {
  const auth = authOf(request);
  if (readsAnyUnit(auth)) return;
  const own = auth.unitId;
  if (own !== undefined && unitIds.some((id) => id === own || catalog.rollupTarget(id, 'current') === own)) {
    return;
  }
  const unitId = unitIds[0] ?? '(none)';
  throw UnitForbidden(`reads only unit ${own ?? '(none)'}, not ${unitId}`, { details: { unitId } });
}

export function invalidQuery(field: string, message: string): Error {
  return ValidationFailed(`invalid request: querystring.${field}: ${message}`, {
    details: { issues: [{ path: `querystring.${field}`, message }] },
  });
}
