/** The one way the routes of this service change a dossier's `return-{id}` stream. */
import {
  type Actor,
  type ResultReturnCommand,
  type ResultReturnState,
  resultReturnDecider,
  streamIdFor,
} from '@onestop/domain';
import { type AuthContext, handleCommand, requireUnit } from '@onestop/service-kit';
import type { FastifyRequest } from 'fastify';
import type { ResultReturnDeps } from './app.js';
import { type ReturnView, returnView } from './dossier/view.js';

export function actorOf(auth: AuthContext, unitId?: string): Actor {
  const role = auth.roles.includes('clerk') ? 'clerk' : 'admin';
  const unit = unitId ?? auth.unitId;
  return { id: auth.sub, role, ...(unit === undefined ? {} : { unitId: unit }) };
}

export async function runReturnCommand(
  request: FastifyRequest,
  deps: ResultReturnDeps,
  dossierId: string,
  build: (state: ResultReturnState) => ResultReturnCommand,
): Promise<{ view: ReturnView; appended: boolean }> {
  const handled = await handleCommand({
    store: deps.store,
    decider: resultReturnDecider,
    dossierId,
    streamId: streamIdFor('result-return', dossierId),
    command: build,
    ids: deps.ids,
    trace: { correlationId: request.id },
  });
  const view = returnView(dossierId, handled.history);
  if (view === undefined) throw new Error(`return-${dossierId} has no ResultReceivedAtDesk after a command`);
  return { view, appended: handled.appended.length > 0 };
}

/**
 * Returning and rating happen at the desk that holds the result: checked against the state the decider sees, so
 * the check and the decision read the same version. Before receipt there is no unit to check; the decider then
 * refuses with 409 naming the status.
 */
export function requireReturningUnit(
  request: FastifyRequest,
  state: ResultReturnState,
): AuthContext | undefined {
  return state.status === 'none' ? undefined : requireUnit(request, state.returningUnitId);
}
