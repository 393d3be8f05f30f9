/**
 * The one path every case command takes: caller's role (403) → case exists (404) → caller's unit is the competent
 * unit (403) → dossier not withdrawn (409) → decide and append with OCC (`handleCommand`) → the case view.
 */
import {
  type Actor,
  type DossierEvent,
  defineError,
  invalidTransition,
  type ProcessingCommand,
  type ProcessingEvent,
  type ProcessingState,
  processingDecider,
  streamIdFor,
  vnCivilServiceCalendar,
} from '@onestop/domain';
import { authOf, Forbidden, handleCommand, type Role, requireUnit } from '@onestop/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ProcessingDeps } from '../app.js';
import { ReceiptNotSeen } from '../open-case/reactor.js';
import type { ReceivedDossier } from '../received/received-dossiers.js';
import { type CaseView, caseView } from './view.js';

export const CaseNotFound = defineError<{ dossierId: string }>('PROC_CASE_NOT_FOUND', 'not_found');

export type OpenCaseState = Exclude<ProcessingState, { status: 'none' }>;

/** What a command builder knows: the case, its events, the remembered receipt, business time and the caller. */
export interface CaseContext {
  readonly state: OpenCaseState;
  readonly history: readonly DossierEvent[];
  readonly received: ReceivedDossier;
  readonly now: Date;
  readonly actor: Actor;
}

/** Officers who work cases: specialists appraise, leaders review and sign. */
export const CASE_OFFICERS: readonly Role[] = ['specialist', 'leader'];
/**
 * The decision, the stop (Form 05) and the apology with a new appointment (Form 04) are documents the competent
 * agency issues under its head's signature, so only the unit's leader may issue them.
 */
export const CASE_LEADERS: readonly Role[] = ['leader'];

export function caseNotFound(dossierId: string) {
  return CaseNotFound(`no processing case for dossier ${dossierId}`, { details: { dossierId } });
}

export function receiptNotSeen(dossierId: string) {
  return ReceiptNotSeen(`the receipt of dossier ${dossierId} is not known to processing yet`, {
    details: { dossierId },
  });
}

/** The caller as the event's actor, acting in the first of `roles` they hold (an admin acts as admin). */
export function actorFor(request: FastifyRequest, roles: readonly Role[]): Actor {
  const auth = authOf(request);
  const role = auth.roles.includes('admin') ? 'admin' : roles.find((r) => auth.roles.includes(r));
  if (role === undefined) {
    throw Forbidden(`requires one of the roles: ${roles.join(', ')}`, { details: { required: roles } });
  }
  return { id: auth.sub, role, ...(auth.unitId === undefined ? {} : { unitId: auth.unitId }) };
}

/** Runs before the body is read, so a caller without the role gets 403 whatever they send. */
export function requireCaseRole(roles: readonly Role[]) {
  return async (request: FastifyRequest) => {
    actorFor(request, roles);
  };
}

export interface RunCaseCommandOptions {
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly deps: ProcessingDeps;
  readonly dossierId: string;
  readonly roles: readonly Role[];
  readonly build: (context: CaseContext) => ProcessingCommand;
  /** A command decided in the same append after the first one succeeds (decide → send the result to the desk). */
  readonly followUp?: (context: CaseContext) => ProcessingCommand;
}

export async function runCaseCommand(options: RunCaseCommandOptions): Promise<CaseView> {
  const { request, reply, deps, dossierId, followUp } = options;
  const actor = actorFor(request, options.roles);
  const now = deps.clock.now();
  const received = await deps.received.find(dossierId);
  let context: CaseContext | undefined;

  const command = (state: ProcessingState, history: readonly DossierEvent[]) => {
    if (state.status === 'none') throw caseNotFound(dossierId);
    requireUnit(request, state.competentUnitId);
    if (received === undefined) throw receiptNotSeen(dossierId);
    context = { state, history, received, now, actor };
    const built = options.build(context);
    // Processing cannot see the withdrawal in its stream: intake's event, remembered by a reactor, tells it.
    if (received.withdrawnAt !== undefined) {
      throw invalidTransition(built.type, 7, 'the applicant withdrew the dossier');
    }
    return built;
  };
  const decide = (input: ProcessingCommand, state: ProcessingState): ProcessingEvent[] => {
    const events = processingDecider.decide(input, state);
    if (followUp === undefined || context === undefined || events.length === 0) return events;
    const after = events.reduce(processingDecider.evolve, state);
    return [...events, ...processingDecider.decide(followUp(context), after)];
  };

  const result = await handleCommand({
    store: deps.store,
    decider: { ...processingDecider, decide },
    dossierId,
    streamId: streamIdFor('processing', dossierId),
    command,
    ids: deps.ids,
    trace: { correlationId: request.id },
  });
  if (result.state.status === 'none') throw caseNotFound(dossierId);
  reply.header('etag', `"${result.version}"`);
  return caseView({
    dossierId,
    state: result.state,
    history: result.history,
    version: result.version,
    received,
    asOf: now,
    calendar: deps.calendar ?? vnCivilServiceCalendar,
  });
}
