/** The one way the routes of this service change a `feedback-{id}` stream, and what a caller may see of an item. */
import {
  type Actor,
  type Decider,
  type DossierEvent,
  dossierEventFromStored,
  type FeedbackCommand,
  type FeedbackEvent,
  type FeedbackState,
  streamIdFor,
} from '@onestop/domain';
import { type AuthContext, authOf, handleCommand } from '@onestop/service-kit';
import type { FastifyRequest } from 'fastify';
import type { FeedbackDeps } from './app.js';
import { FeedbackNotFound } from './errors.js';
import { type FeedbackView, feedbackView } from './read/view.js';
import type { FeedbackItemRow, FeedbackRecords } from './records/tables.js';

export interface FeedbackContext extends FeedbackDeps {
  readonly records: FeedbackRecords;
  readonly decider: Decider<FeedbackCommand, FeedbackState, FeedbackEvent>;
}

export function actorOf(auth: AuthContext): Actor {
  const role =
    (['leader', 'specialist', 'clerk', 'admin'] as const).find((r) => auth.roles.includes(r)) ?? 'admin';
  return { id: auth.sub, role, ...(auth.unitId === undefined ? {} : { unitId: auth.unitId }) };
}

/** Officers of the responsible unit and admins read what the citizen wrote; others see the pseudonymous item. */
export function maySeePrivate(auth: AuthContext, responsibleUnitId: string): boolean {
  if (auth.roles.includes('admin')) return true;
  const officer = auth.roles.includes('specialist') || auth.roles.includes('leader');
  return officer && auth.unitId === responsibleUnitId;
}

export async function viewFor(
  request: FastifyRequest,
  context: FeedbackContext,
  history: readonly DossierEvent[],
): Promise<FeedbackView | undefined> {
  const bare = feedbackView(history);
  if (bare === undefined || !maySeePrivate(authOf(request), bare.responsibleUnitId)) return bare;
  return feedbackView(history, await context.records.readPrivate(bare.feedbackId));
}

export function notFound(feedbackId: string) {
  return FeedbackNotFound(`no feedback ${feedbackId}`, { details: { feedbackId } });
}

export async function findItem(context: FeedbackContext, feedbackId: string): Promise<FeedbackItemRow> {
  const item = await context.records.find(feedbackId);
  if (item === undefined) throw notFound(feedbackId);
  return item;
}

export async function loadHistory(context: FeedbackContext, feedbackId: string): Promise<DossierEvent[]> {
  const stored = await context.store.readStream(streamIdFor('feedback', feedbackId));
  return stored.map(dossierEventFromStored);
}

/**
 * Runs a command on an existing item. `check` sees the state the decider will see (same version), so a unit
 * check and the decision cannot disagree.
 */
export async function runFeedbackCommand(
  request: FastifyRequest,
  context: FeedbackContext,
  feedbackId: string,
  build: (state: Exclude<FeedbackState, { status: 'none' }>) => FeedbackCommand,
): Promise<FeedbackView> {
  const item = await findItem(context, feedbackId);
  const handled = await handleCommand({
    store: context.store,
    decider: context.decider,
    dossierId: item.keyId,
    streamId: streamIdFor('feedback', feedbackId),
    command: (state) => {
      if (state.status === 'none') throw notFound(feedbackId);
      return build(state);
    },
    ids: context.ids,
    trace: { correlationId: request.id },
  });
  const view = await viewFor(request, context, handled.history);
  if (view === undefined) throw new Error(`feedback-${feedbackId} has no FeedbackFiled after a command`);
  return view;
}

/** Files a new item: the first event of a new stream. */
export async function fileFeedback(
  request: FastifyRequest,
  context: FeedbackContext,
  keyId: string,
  command: Extract<FeedbackCommand, { type: 'FileFeedback' }>,
): Promise<FeedbackView> {
  const handled = await handleCommand({
    store: context.store,
    decider: context.decider,
    dossierId: keyId,
    streamId: streamIdFor('feedback', command.feedbackId),
    command,
    ids: context.ids,
    trace: { correlationId: request.id },
  });
  const view = await viewFor(request, context, handled.history);
  if (view === undefined) throw new Error(`feedback-${command.feedbackId} has no FeedbackFiled after filing`);
  return view;
}
