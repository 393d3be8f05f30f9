/** Who may do what on an intake dossier (DESIGN.md section 5), and the actor recorded on events. */
import type { Actor } from '@onestop/domain';
import { type AuthContext, authOf, type Role, UnitForbidden } from '@onestop/service-kit';
import type { FastifyRequest } from 'fastify';
import type { DossierView } from './dossier/view.js';

/** The actor of an event: the first of `preferred` roles the caller holds (the role they act in). */
export function actorOf(auth: AuthContext, preferred: readonly Role[]): Actor {
  const role = preferred.find((r) => auth.roles.includes(r)) ?? auth.roles[0] ?? 'clerk';
  return auth.unitId === undefined ? { id: auth.sub, role } : { id: auth.sub, role, unitId: auth.unitId };
}

/**
 * Reading a dossier: admins and analysts any; clerks of its receiving or returning unit; specialists and leaders
 * of its competent unit or of the unit it was transferred to.
 */
export function requireDossierReader(request: FastifyRequest, view: DossierView): AuthContext {
  const auth = authOf(request);
  if (auth.roles.includes('admin') || auth.roles.includes('analyst')) return auth;
  const unit = auth.unitId;
  const desk = [view.receivingUnitId, view.returningUnitId];
  const competent = [view.competentUnitId, view.transferredTo];
  const allowed =
    unit !== undefined &&
    ((auth.roles.includes('clerk') && desk.includes(unit)) ||
      ((auth.roles.includes('specialist') || auth.roles.includes('leader')) && competent.includes(unit)));
  if (allowed) return auth;
  throw UnitForbidden(
    `acts only for unit ${unit ?? '(none)'}, which has no part in dossier ${view.dossierId}`,
    {
      details: { unitId: view.receivingUnitId ?? '' },
    },
  );
}
