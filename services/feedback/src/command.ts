/** The one way the routes of this service change a `feedback-{id}` stream, and what a caller may see of an item. */
import {
  type Actor,
  type Calendar,
  type Decider,
  type DossierEvent,
  dossierEventFromStored,
  type FeedbackCategory,
  type FeedbackChannel,
  type FeedbackCommand,
  type FeedbackEvent,
  type FeedbackState,
  type FeedbackSubject,
  streamIdFor,
} from '@onestop/domain';
import { type AuthContext, handleCommand } from '@onestop/service-kit';
import type { VaultAccess } from '@onestop/vault';
import type { FastifyRequest } from 'fastify';
import type { FeedbackDeps } from './app.js';
import { type AttachmentInput, storeAttachments } from './attachments/attachments.js';
import { FeedbackNotFound, FilerDataErased, FilerDataNotFound } from './errors.js';
import { type ResolvedSubject, resolveUnitOrProcedure, type UnitOrProcedureSubject } from './file/subject.js';
import type { FeedbackContact, FilerData } from './filer/vault.js';
import { type FeedbackView, feedbackView } from './read/view.js';
import type { FeedbackItemRow, FeedbackRecords, KnownDossier } from './records/tables.js';

export interface FeedbackContext extends FeedbackDeps {
  readonly calendar: Calendar;
  readonly records: FeedbackRecords;
  readonly decider: Decider<FeedbackCommand, FeedbackState, FeedbackEvent>;
  readonly maxAttachmentBytes: number;
}

/** Who acts for a citizen on the public routes: the portal itself (events never name a citizen). */
export const CITIZEN_PORTAL: Actor = { id: 'citizen-portal', role: 'system' };

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

/**
 * The filer's sealed data, read (and logged) for `access`; the erasure instant when it was erased; undefined
 * when the vault has no row (an item filed before the vault existed).
 */
export async function readFilerData(
  context: FeedbackContext,
  view: FeedbackView,
  access: VaultAccess,
): Promise<FilerData | { erasedAt: string } | undefined> {
  try {
    return await context.vault.get(view.filerId, { ...access, reference: view.feedbackId });
  } catch (error) {
    if (FilerDataErased.is(error)) return { erasedAt: error.details.erasedAt };
    if (FilerDataNotFound.is(error)) return undefined;
    throw error;
  }
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

/** The item's view, or 404 for an index row whose filing never landed. */
export async function loadView(context: FeedbackContext, feedbackId: string): Promise<FeedbackView> {
  const view = feedbackView(await loadHistory(context, feedbackId), context.calendar);
  if (view === undefined) throw notFound(feedbackId);
  return view;
}

/**
 * Runs a command on an existing item and answers the pseudonymous view (what the citizen wrote is read only by
 * `GET /v1/feedback/{id}`, so each read of it is one logged access). `check` sees the state the decider will see
 * (same version), so a unit check and the decision cannot disagree.
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
  const view = feedbackView(handled.history, context.calendar);
  if (view === undefined) throw new Error(`feedback-${feedbackId} has no FeedbackFiled after a command`);
  return view;
}

export interface NewFeedback {
  readonly subject: FeedbackSubject;
  readonly responsibleUnitId: string;
  readonly channel: FeedbackChannel;
  readonly category: FeedbackCategory;
  readonly actor: Actor;
  readonly content: string;
  readonly contact?: FeedbackContact | undefined;
  readonly attachments: readonly AttachmentInput[];
}

/**
 * Files a new item. The attachments are checked and stored, the filer's text sealed in the vault and the index
 * row written before the first event; if the event cannot be appended, the vault row and the index row are
 * removed (stored attachments stay: content-addressed and referenced by nothing, like digitization's). A crash in
 * between leaves rows nothing points to, never an event whose filer data is missing.
 */
export async function fileFeedback(
  request: FastifyRequest,
  context: FeedbackContext,
  input: NewFeedback,
): Promise<FeedbackView> {
  const attachments = await storeAttachments(input.attachments, context.storage, context.maxAttachmentBytes);
  const now = context.clock.now();
  const feedbackId = context.ids.next();
  const filerId = context.ids.next();
  // Kafka key: the dossier's id keeps the item in order with its dossier's events.
  const keyId = input.subject.kind === 'dossier' ? input.subject.dossierId : feedbackId;
  await context.vault.put(filerId, {
    content: input.content,
    ...(input.contact === undefined ? {} : { contact: input.contact }),
  });
  await context.records.create({
    feedbackId,
    keyId,
    responsibleUnitId: input.responsibleUnitId,
    filedAt: now.toISOString(),
  });
  try {
    const handled = await handleCommand({
      store: context.store,
      decider: context.decider,
      dossierId: keyId,
      streamId: streamIdFor('feedback', feedbackId),
      command: {
        type: 'FileFeedback',
        now,
        actor: input.actor,
        feedbackId,
        subject: input.subject,
        responsibleUnitId: input.responsibleUnitId,
        channel: input.channel,
        category: input.category,
        filerId,
        attachments,
      },
      ids: context.ids,
      trace: { correlationId: request.id },
    });
    const view = feedbackView(handled.history, context.calendar);
    if (view === undefined) throw new Error(`feedback-${feedbackId} has no FeedbackFiled after filing`);
    return view;
  } catch (error) {
    await context.records.discard(feedbackId);
    await context.vault.discard(filerId);
    throw error;
  }
}

/** What a filing route's body gives as it was sent, the subject still to resolve. */
export interface FilingBody<D extends { readonly kind: 'dossier' }> {
  readonly subject: D | UnitOrProcedureSubject;
  readonly category: FeedbackCategory;
  readonly content: string;
  readonly contact?: FeedbackContact | undefined;
  readonly attachments?: readonly AttachmentInput[] | undefined;
}

/** How a route files: by which channel, as whom, and how it finds a dossier its subject names. */
export interface FilingRoute<D> {
  readonly channel: FeedbackChannel;
  readonly actor: Actor;
  /** Clerks name a dossier by id, citizens by its code and tracking secret; each route throws its own error. */
  findDossier(input: D): Promise<KnownDossier & { readonly dossierId: string }>;
}

/**
 * Files from a route's body: the responsible unit follows from the subject (the dossier's competent unit, the
 * named unit, or the procedure's competent unit; see `file/subject.ts`).
 */
export async function fileFromBody<D extends { readonly kind: 'dossier' }>(
  request: FastifyRequest,
  context: FeedbackContext,
  body: FilingBody<D>,
  route: FilingRoute<D>,
): Promise<FeedbackView> {
  const input = body.subject;
  let resolved: ResolvedSubject;
  if (input.kind === 'unit' || input.kind === 'procedure') {
    resolved = resolveUnitOrProcedure(input, context.catalog, context.clock.now());
  } else {
    const dossier = await route.findDossier(input);
    resolved = {
      subject: { kind: 'dossier', dossierId: dossier.dossierId, dossierCode: dossier.data.dossierCode },
      responsibleUnitId: dossier.data.competentUnitId,
    };
  }
  return fileFeedback(request, context, {
    ...resolved,
    channel: route.channel,
    category: body.category,
    actor: route.actor,
    content: body.content,
    contact: body.contact,
    attachments: body.attachments ?? [],
  });
}

/** Keeps the first follow-up text with the filer's data (an erased filer stays erased: the text is dropped). */
export async function keepFollowUp(
  context: FeedbackContext,
  view: FeedbackView,
  text: string,
  actor: Actor,
): Promise<void> {
  try {
    await context.vault.amend(
      view.filerId,
      (data) => (data.followUp === undefined ? { ...data, followUp: text } : data),
      {
        actor,
        purpose: 'follow-up from the filer',
        reference: view.feedbackId,
      },
    );
  } catch (error) {
    if (FilerDataErased.is(error) || FilerDataNotFound.is(error)) return;
    throw error;
  }
}
